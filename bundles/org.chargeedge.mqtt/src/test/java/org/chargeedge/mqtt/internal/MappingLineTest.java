package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.junit.jupiter.api.Test;

class MappingLineTest {

    private static final Duration D = Duration.ofSeconds(60);

    @Test
    void aSimpleLine() {
        List<Mapping> m = MappingLine.parse("pv POWER topic=home/pv/+/power json=$.value scale=1000 invert staleAfter=30", D);
        assertThat(m).hasSize(1);
        Mapping x = m.get(0);
        assertThat(x.key()).isEqualTo(MeasurementKey.of(Meter.PV, Quantity.POWER));
        assertThat(x.topic().filter()).isEqualTo("home/pv/+/power");
        assertThat(x.extraction().pointer().toString()).isEqualTo("/value");
        assertThat(x.factor()).isEqualTo(-1000);
        assertThat(x.staleAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(x.part()).isNull();
    }

    @Test
    void aTripletWithItsSum() {
        List<Mapping> m = MappingLine.parse("circuit:garage CURRENT L* topic=meter/{x}/i json=/p{n}/v{i} sum", D);
        assertThat(m).hasSize(6);
        assertThat(m.get(0).key()).isEqualTo(new MeasurementKey(Meter.circuit("garage"), Quantity.CURRENT, PhaseRef.L1));
        assertThat(m.get(0).topic().filter()).isEqualTo("meter/a/i");
        assertThat(m.get(4).topic().filter()).isEqualTo("meter/c/i");
        assertThat(m.get(4).extraction().spec()).isEqualTo("/p3/v2");
        assertThat(m.get(5).key()).isEqualTo(MeasurementKey.of(Meter.circuit("garage"), Quantity.CURRENT));
        assertThat(m.get(5).part()).isEqualTo(new Mapping.Part(2, 3));
    }

    @Test
    void importAndExportHalves() {
        List<Mapping> i = MappingLine.parse("grid POWER topic=m json=in import", D);
        List<Mapping> e = MappingLine.parse("grid POWER topic=m json=out export scale=1000", D);
        assertThat(i.get(0).part()).isEqualTo(new Mapping.Part(0, 2));
        assertThat(e.get(0).part()).isEqualTo(new Mapping.Part(1, 2));
        assertThat(e.get(0).factor()).isEqualTo(-1000);
        assertThat(MappingLine.parse("battery soc topic=b value", D).get(0).key().quantity())
                .isEqualTo(Quantity.STATE_OF_CHARGE);
    }

    @Test
    void badLinesSayWhatIsWrong() {
        assertThatThrownBy(() -> MappingLine.parse("grid POWER", D)).hasMessageContaining("expected");
        assertThatThrownBy(() -> MappingLine.parse("moon POWER topic=a", D)).hasMessageContaining("meter");
        assertThatThrownBy(() -> MappingLine.parse("grid WATTS topic=a", D)).hasMessageContaining("quantity");
        assertThatThrownBy(() -> MappingLine.parse("grid POWER json=/a scale=1", D)).hasMessageContaining("topic=");
        assertThatThrownBy(() -> MappingLine.parse("grid POWER topic=a scale=x", D)).hasMessageContaining("not a number");
        assertThatThrownBy(() -> MappingLine.parse("grid POWER topic=a colour=red", D)).hasMessageContaining("colour");
        assertThatThrownBy(() -> MappingLine.parse("grid POWER topic=a sum", D)).hasMessageContaining("L*");
        assertThatThrownBy(() -> MappingLine.parse("grid POWER topic=a/#/b", D)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MappingLine.parse("circuit: POWER topic=a", D)).hasMessageContaining("circuit");
    }

    @Test
    void inputSettingsFromConfigurationProperties() {
        InputSettings s = Inputs.settings("grid.cfg", "preset", "tasmota", "device", "meter1", "invert", "true",
                "staleAfter", "30", "mapping.b", "pv POWER topic=b", "mapping.a", "pv ENERGY topic=a", "mapping.c", " ");
        assertThat(s.preset()).isEqualTo("tasmota");
        assertThat(s.invert()).isTrue();
        assertThat(s.staleAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.lines()).containsExactly("pv ENERGY topic=a", "pv POWER topic=b");
        assertThat(Inputs.settings("x").staleAfter()).as("0 or absent: the preset's default").isNull();
        assertThat(Inputs.settings("x").sensor()).isEqualTo("SML");
        assertThatThrownBy(() -> Inputs.settings("x", "invert", "yes")).hasMessageContaining("true or false");
        assertThatThrownBy(() -> Inputs.settings("x", "staleAfter", "soon")).isInstanceOf(NumberFormatException.class);
        // the tasmota power value is inverted, its energy register is not
        List<Mapping> m = Presets.build(s).mappings();
        assertThat(m.get(0).factor()).isEqualTo(-1);
        assertThat(m.get(1).factor()).isEqualTo(1000);
    }
}
