package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.chargeedge.balancer.core.Phase;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.junit.jupiter.api.Test;

class SiteSettingsTest {

    private static SiteSettings parse(Map<String, Object> p) {
        return SiteSettings.from(TestSite.config(p));
    }

    @Test
    void withoutAGridLimitTheConservativeDefaultIsUsedAndMarked() {
        SiteSettings s = parse(Map.of());
        assertThat(s.gridLimitDefault()).isTrue();
        assertThat(s.gridLimitA()).isEqualTo(SiteSettings.DEFAULT_GRID_LIMIT_A);
        SiteSettings set = parse(Map.of("gridLimitA", 63.0));
        assertThat(set.gridLimitDefault()).isFalse();
        assertThat(set.gridLimitA()).isEqualTo(63.0);
    }

    @Test
    void circuitsChargersRotationsModesAndPrioritiesAreRead() {
        SiteSettings s = parse(Map.of("circuits", "garage:63, row-a:32:garage",
                "chargerCircuits", "CP-1=row-a, CP-2=garage", "phaseRotation", "CP-2=L2L3L1",
                "chargerPhases", "CP-3=1", "chargerMaxA", "CP-1=16", "chargerModes", "CP-2=min+pv",
                "priorities", "CP-1=10", "defaultMode", "pv"));
        assertThat(s.circuits()).extracting(c -> c.id() + ":" + c.parent() + ":" + c.limit().l1())
                .containsExactly("garage:null:63.0", "row-a:garage:32.0");
        assertThat(s.circuitOf("CP-1")).isEqualTo("row-a");
        assertThat(s.circuitOf("CP-9")).isNull();
        assertThat(s.rotationOf("CP-2").site(Phase.L1)).isEqualTo(Phase.L2);
        assertThat(s.wiredPhasesOf("CP-3")).containsExactly(Phase.L1);
        assertThat(s.wiredPhasesOf("CP-1")).hasSize(3);
        assertThat(s.maxAOf("CP-1")).isEqualTo(16.0);
        assertThat(s.maxAOf("CP-2")).isEqualTo(32.0);
        assertThat(s.modeOf("CP-2")).isEqualTo(Mode.MIN_PV);
        assertThat(s.modeOf("CP-1")).isEqualTo(Mode.PV);
        assertThat(s.priorityOf("CP-1")).isEqualTo(10);
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> parse(Map.of("circuits", "garage")))
                .hasMessageContaining("'garage' is not NAME:LIMIT_A");
        assertThatThrownBy(() -> parse(Map.of("circuits", "a:32:b")))
                .hasMessageContaining("a hangs from unknown circuit b");
        assertThatThrownBy(() -> parse(Map.of("circuits", "a:32:b, b:32:a")))
                .hasMessageContaining("is its own ancestor");
        assertThatThrownBy(() -> parse(Map.of("chargerCircuits", "CP-1=nowhere")))
                .hasMessageContaining("circuit nowhere, which circuits does not name");
        assertThatThrownBy(() -> parse(Map.of("chargerMaxA", "CP-1=4")))
                .hasMessageContaining("below the 6 A");
        assertThatThrownBy(() -> parse(Map.of("chargerPhases", "CP-1=2")))
                .hasMessageContaining("1 or 3 phases");
        assertThatThrownBy(() -> parse(Map.of("defaultMode", "turbo")))
                .hasMessageContaining("unknown mode 'turbo'");
        assertThatThrownBy(() -> parse(Map.of("defaultMode", "Scheduled")))
                .hasMessageContaining("needs a departure time and an energy target");
        assertThatThrownBy(() -> parse(Map.of("phaseRotation", "CP-1=L1L1L2")))
                .hasMessageContaining("phaseRotation");
        assertThatThrownBy(() -> parse(Map.of("priorities", "CP-1")))
                .hasMessageContaining("'CP-1' is not CHARGER=VALUE");
    }

    @Test
    void theBatteryPolicyIsReadAndMistakesNamed() {
        assertThat(parse(Map.of()).battery()).isEqualTo(org.chargeedge.balancer.core.BatteryPolicy.DEFAULT);
        var ev = parse(Map.of("batteryPolicy", "ev-first")).battery();
        assertThat(ev.kind()).isEqualTo(org.chargeedge.balancer.core.BatteryPolicy.Kind.EV_FIRST);
        assertThat(parse(Map.of("batteryReserveW", "1500")).battery().reserveW()).isEqualTo(1500.0);
        assertThatThrownBy(() -> parse(Map.of("batteryPolicy", "house"))).hasMessageContaining("house");
        assertThatThrownBy(() -> parse(Map.of("batteryReserveW", "lots"))).hasMessageContaining("batteryReserveW");
        assertThatThrownBy(() -> parse(Map.of("batteryReserveW", "-5"))).hasMessageContaining("batteryReserveW");
    }

    @Test
    void theBatterysMaximumChargingPowerAndFullStateOfChargeAreReadAndMistakesNamed() {
        var unknown = parse(Map.of()).battery();
        assertThat(unknown.maxChargeW()).isEmpty();
        assertThat(unknown.fullSocPercent()).isEqualTo(95.0);
        var known = parse(Map.of("batteryMaxChargeW", " 5000 ", "batteryFullSocPercent", 90.0,
                "batteryReserveW", "3000")).battery();
        assertThat(known.maxChargeW()).hasValue(5000.0);
        assertThat(known.fullSocPercent()).isEqualTo(90.0);
        assertThat(known.spareW(1000, 50)).isEqualTo(2000.0);
        assertThat(parse(Map.of("batteryMaxChargeW", "  ")).battery().maxChargeW()).isEmpty();
        assertThatThrownBy(() -> parse(Map.of("batteryMaxChargeW", "5 kW")))
                .hasMessageContaining("batteryMaxChargeW '5 kW' is not a number of watts");
        assertThatThrownBy(() -> parse(Map.of("batteryMaxChargeW", "0"))).hasMessageContaining("batteryMaxChargeW 0");
        assertThatThrownBy(() -> parse(Map.of("batteryMaxChargeW", "-1"))).hasMessageContaining("batteryMaxChargeW");
        assertThatThrownBy(() -> parse(Map.of("batteryFullSocPercent", 0.0)))
                .hasMessageContaining("batteryFullSocPercent");
        assertThatThrownBy(() -> parse(Map.of("batteryFullSocPercent", 150.0)))
                .hasMessageContaining("batteryFullSocPercent");
    }
}
