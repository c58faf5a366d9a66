package org.chargeedge.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.junit.jupiter.api.Test;

class MappingEngineTest {

    private static final Duration MIN = Duration.ofMinutes(1);
    private static final MeasurementKey GRID = MeasurementKey.of(Meter.GRID, Quantity.POWER);
    private static final MeasurementKey PV = MeasurementKey.of(Meter.PV, Quantity.POWER);

    private final RecordingSink sink = new RecordingSink();

    private MappingEngine engine(Mapping... mappings) {
        return new MappingEngine("test", List.of(mappings), sink, Clock.systemUTC());
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void topicFiltersFollowMqttWildcardRules() {
        assertThat(TopicFilter.of("a/+/c").matches("a/b/c")).isTrue();
        assertThat(TopicFilter.of("a/+/c").matches("a/b/d")).isFalse();
        assertThat(TopicFilter.of("a/+/c").matches("a/b/c/d")).isFalse();
        assertThat(TopicFilter.of("a/+").matches("a/")).as("an empty level is a level").isTrue();
        assertThat(TopicFilter.of("a/#").matches("a")).as("# matches the parent").isTrue();
        assertThat(TopicFilter.of("a/#").matches("a/b/c")).isTrue();
        assertThat(TopicFilter.of("a/#").matches("ab")).isFalse();
        assertThat(TopicFilter.of("#").matches("$SYS/broker")).isFalse();
        assertThat(TopicFilter.of("+/x").matches("$SYS/x")).isFalse();
        assertThat(TopicFilter.of("solar/ac/power").matches("solar/ac/powerx")).isFalse();
        assertThat(TopicFilter.of("solar/ac/power").matches("solar/ac")).isFalse();
        assertThat(TopicFilter.of("N/+/system/0/Ac/Grid/L1/Power").matches("N/c0619/system/0/Ac/Grid/L1/Power")).isTrue();
        assertThatThrownBy(() -> TopicFilter.of("a/#/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicFilter.of("a/b+")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicFilter.of("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void plainTextNumbersAreScaledAndInverted() {
        MappingEngine e = engine(Mapping.direct("a", null, 1000, GRID, MIN), Mapping.direct("b", "text", -1, PV, MIN));
        e.onMessage("a", b(" 1.5\n"));
        e.onMessage("b", b("-200"));
        assertThat(sink.latest).containsEntry(GRID, 1500.0).containsEntry(PV, 200.0);
        Measurement m = (Measurement) sink.calls.get(0);
        assertThat(m.source()).isEqualTo("a");
        assertThat(m.staleAfter()).isEqualTo(MIN);
    }

    @Test
    void nonNumericStatesMakeTheValueUnknownAndAreCounted() {
        MappingEngine e = engine(Mapping.direct("s", null, 1, GRID, MIN));
        for (String p : List.of("unavailable", "unknown", "null", "", "   ", "NaN", "Infinity")) {
            e.onMessage("s", b("100"));
            assertThat(sink.latest).containsEntry(GRID, 100.0);
            e.onMessage("s", b(p));
            assertThat(sink.latest).as("after '%s'", p).doesNotContainKey(GRID);
        }
        assertThat(e.unknown.sum()).isEqualTo(7);
        assertThat(e.invalid.sum()).isZero();
        e.onMessage("s", b("12 W"));
        e.onMessage("s", new byte[] {(byte) 0xff, 0x00, 0x13});
        assertThat(e.invalid.sum()).isEqualTo(2);
        assertThat(e.lastInvalid()).startsWith("s: ");
        assertThat(sink.latest).doesNotContainKey(GRID);
        assertThat(e.messages.sum()).isEqualTo(16);
    }

    @Test
    void jsonPointerAndSimplePathsReadNestedFields() {
        MappingEngine e = engine(
                Mapping.direct("t", "/SML/Power_curr", 1, GRID, MIN),
                Mapping.direct("t", "$.SML.Total_in", 1000, MeasurementKey.of(Meter.GRID, Quantity.ENERGY), MIN),
                Mapping.direct("f", "phases[1].power", 1, new MeasurementKey(Meter.GRID, Quantity.POWER, PhaseRef.L2), MIN),
                Mapping.direct("s", "em:0.a_current", 1, new MeasurementKey(Meter.GRID, Quantity.CURRENT, PhaseRef.L1), MIN));
        e.onMessage("t", b("{\"Time\":\"2024-01-01T12:00:00\",\"SML\":{\"Total_in\":12.5,\"Power_curr\":\"-542\"}}"));
        e.onMessage("f", b("{\"phases\":[{\"power\":1},{\"power\":2.5}]}"));
        e.onMessage("s", b("{\"em:0\":{\"a_current\":4.25}}"));
        assertThat(sink.latest).containsEntry(GRID, -542.0)
                .containsEntry(MeasurementKey.of(Meter.GRID, Quantity.ENERGY), 12500.0)
                .containsEntry(new MeasurementKey(Meter.GRID, Quantity.POWER, PhaseRef.L2), 2.5)
                .containsEntry(new MeasurementKey(Meter.GRID, Quantity.CURRENT, PhaseRef.L1), 4.25);
        assertThat(Extraction.pathToPointer("$.a.b[0]['c.d']")).isEqualTo("/a/b/0/c.d");
        assertThat(Extraction.pathToPointer("x/y")).isEqualTo("/x~1y");
        assertThatThrownBy(() -> Extraction.parse("$.")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void victronValueNullAndEmptyPayloads() {
        MappingEngine e = engine(Mapping.direct("v", "/value", 1, GRID, MIN));
        e.onMessage("v", b("{\"value\": 936}"));
        assertThat(sink.latest).containsEntry(GRID, 936.0);
        e.onMessage("v", b("{\"value\": null}"));
        assertThat(sink.latest).doesNotContainKey(GRID);
        e.onMessage("v", b("{\"value\": 12}"));
        e.onMessage("v", new byte[0]);
        assertThat(sink.latest).as("empty payload: device gone").doesNotContainKey(GRID);
        e.onMessage("v", b("null"));
        assertThat(e.unknown.sum()).isEqualTo(3);
        e.onMessage("v", b("{\"value\": true}"));
        e.onMessage("v", b("{\"value\": 1"));
        assertThat(e.invalid.sum()).isEqualTo(2);
    }

    @Test
    void aPartialUpdateLeavesTheOtherFieldsAsTheyWere() {
        MeasurementKey l1 = new MeasurementKey(Meter.GRID, Quantity.POWER, PhaseRef.L1);
        MappingEngine e = engine(Mapping.direct("r", "/params/em:0/total_act_power", 1, GRID, MIN),
                Mapping.direct("r", "/params/em:0/a_act_power", 1, l1, MIN));
        e.onMessage("r", b("{\"method\":\"NotifyStatus\",\"params\":{\"em:0\":{\"total_act_power\":10,\"a_act_power\":3}}}"));
        int calls = sink.calls.size();
        e.onMessage("r", b("{\"method\":\"NotifyStatus\",\"params\":{\"em:0\":{\"a_act_power\":4}}}"));
        e.onMessage("r", b("{\"method\":\"NotifyEvent\",\"params\":{\"events\":[]}}"));
        assertThat(sink.calls).hasSize(calls + 1);
        assertThat(sink.latest).containsEntry(GRID, 10.0).containsEntry(l1, 4.0);
    }

    @Test
    void importAndExportCombineIntoOneSignedValueKnownOnlyWhileBothAre() {
        MappingEngine e = engine(Mapping.part("sma", "/pconsume", 1, GRID, 0, 2, MIN),
                Mapping.part("sma", "/psupply", -1, GRID, 1, 2, MIN));
        e.onMessage("sma", b("{\"pconsume\":0.0,\"psupply\":1830.5}"));
        assertThat(sink.latest).containsEntry(GRID, -1830.5);
        e.onMessage("sma", b("{\"pconsume\":250}"));
        assertThat(sink.latest).containsEntry(GRID, 250 - 1830.5);
        e.onMessage("sma", b("{\"pconsume\":250,\"psupply\":null}"));
        assertThat(sink.latest).doesNotContainKey(GRID);
        e.onMessage("sma", b("{\"pconsume\":300}"));
        assertThat(sink.latest).as("still waiting for the export half").doesNotContainKey(GRID);
        e.onMessage("sma", b("{\"psupply\":0}"));
        assertThat(sink.latest).containsEntry(GRID, 300.0);
    }

    @Test
    void aCombinedValueIsAsOldAsItsOldestTerm() throws Exception {
        MappingEngine e = engine(Mapping.part("i", null, 1, GRID, 0, 2, MIN), Mapping.part("x", null, -1, GRID, 1, 2, MIN));
        e.onMessage("i", b("100"));
        Thread.sleep(20);
        e.onMessage("x", b("40"));
        Measurement m = (Measurement) sink.calls.get(sink.calls.size() - 1);
        assertThat(m.value()).isEqualTo(60);
        assertThat(m.measuredAt()).isBefore(java.time.Instant.now().minusMillis(15));
    }

    @Test
    void forgetAllMakesEveryValueUnknown() {
        MappingEngine e = engine(Mapping.direct("a", null, 1, GRID, MIN), Mapping.part("b", null, 1, PV, 0, 1, MIN));
        e.onMessage("a", b("1"));
        e.onMessage("b", b("2"));
        assertThat(sink.latest).hasSize(2);
        e.forgetAll();
        assertThat(sink.latest).isEmpty();
        assertThat(sink.unknownKeys).containsKeys(GRID, PV);
    }

    @Test
    void mappingsRejectNonsense() {
        assertThatThrownBy(() -> Mapping.direct("a", null, 0, GRID, MIN)).hasMessageContaining("factor");
        assertThatThrownBy(() -> Mapping.direct("a", null, 1, GRID, Duration.ZERO)).hasMessageContaining("staleAfter");
        assertThatThrownBy(() -> Mapping.part("a", null, 1, GRID, 2, 2, MIN)).hasMessageContaining("part");
    }
}
