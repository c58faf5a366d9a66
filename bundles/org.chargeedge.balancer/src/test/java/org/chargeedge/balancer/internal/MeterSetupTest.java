package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The balancer measures a charger's draw from its MeterValues, so it reads the charger's MeterValueSampleInterval
 * and MeterValuesSampledData and asks for what is missing (a sample interval, Current.Import), keeping what the
 * charger already samples; read-only keys, refusals and chargers that do not know the call are reported and hold
 * up nothing. Over real WebSockets.
 */
class MeterSetupTest {

    @TempDir
    Path dir;
    TestSite site;

    @AfterEach
    void close() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    private SimCharger charger(Map<String, Object> overrides, Consumer<SimCharger> before) throws Exception {
        Map<String, Object> config = new HashMap<>(Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0,
                "minIntervalMillis", 50, "siteConnectors", 1));
        config.putAll(overrides);
        site = new TestSite(dir, config);
        site.gridReading();
        SimCharger c = new SimCharger(site.centralSystem.url("CP-M"), "CP-M", 3, 32, Duration.ZERO);
        before.accept(c);
        site.chargers.add(c);
        c.boot();
        return c;
    }

    private String capabilities() {
        BalanceStatus s = site.controller.status();
        return s == null ? "" : s.chargers().stream().filter(r -> r.id().equals("CP-M")).findFirst()
                .map(BalanceStatus.ChargerRow::capabilities).orElse("");
    }

    @Test
    void aChargerSamplingEnergyOnlyEveryMinuteIsAskedForCurrentEvery10sAndKeepsItsEnergy() throws Exception {
        SimCharger c = charger(Map.of(), s -> {
            s.configuration.put("MeterValueSampleInterval", "60");
            s.configuration.put("MeterValuesSampledData", "Energy.Active.Import.Register");
        });
        site.until("both keys changed", () -> c.configurationChanges.size() == 2);
        assertThat(c.configurationChanges).containsExactly("MeterValueSampleInterval=10",
                "MeterValuesSampledData=Energy.Active.Import.Register,Current.Import");
        site.until("the status says so", () -> capabilities().contains("MeterValues every 10 s"));
        // its session still gets its TxProfile, and nothing more is asked
        c.start();
        site.until("a TxProfile", () -> c.lastTxProfile() != null);
        assertThat(c.configurationChanges).hasSize(2);
    }

    @Test
    void aChargerAlreadyMeasuringCurrentOftenEnoughIsLeftAlone() throws Exception {
        SimCharger c = charger(Map.of(), s -> {
            s.configuration.put("MeterValueSampleInterval", "5");
            s.configuration.put("MeterValuesSampledData", "current.import , Energy.Active.Import.Register");
        });
        c.start();
        site.until("a TxProfile", () -> c.lastTxProfile() != null);
        site.until("its interval is shown", () -> capabilities().contains("MeterValues every 5 s"));
        assertThat(c.configurationChanges).isEmpty();
    }

    @Test
    void aReadOnlyKeyAndARefusalAreReportedAndHoldUpNothing() throws Exception {
        SimCharger c = charger(Map.of(), s -> {
            s.configuration.put("MeterValueSampleInterval", "0");
            s.configuration.put("MeterValuesSampledData", "Energy.Active.Import.Register");
            s.readOnlyKeys.add("MeterValuesSampledData");
            s.changeConfigurationAnswer = "Rejected";
        });
        c.start();
        site.until("a TxProfile", () -> c.lastTxProfile() != null);
        site.until("the problems are shown", () -> capabilities().contains("read-only without Current.Import")
                && capabilities().contains("MeterValueSampleInterval 10 not set (Rejected)"));
        assertThat(capabilities()).contains("no sampled MeterValues");
        assertThat(c.configurationChanges).as("a read-only key is not asked to change")
                .containsExactly("MeterValueSampleInterval=10");
    }

    @Test
    void aChargerThatDoesNotKnowChangeConfigurationStillGetsItsProfiles() throws Exception {
        SimCharger c = charger(Map.of(), s -> {
            s.configuration.put("MeterValueSampleInterval", "900");
            s.changeConfigurationAnswer = "NotImplemented";
        });
        c.start();
        site.until("a TxProfile", () -> c.lastTxProfile() != null);
        site.until("the refusal is shown", () -> capabilities().contains("not set (NotSupported)"));
        assertThat(capabilities()).contains("unit A").doesNotContain("no smart charging");
    }

    @Test
    void switchedOffNothingIsAsked() throws Exception {
        SimCharger c = charger(Map.of("meterValueSampleIntervalSeconds", 0, "addCurrentToMeterValues", false), s -> {
            s.configuration.put("MeterValueSampleInterval", "0");
            s.configuration.put("MeterValuesSampledData", "Energy.Active.Import.Register");
        });
        c.start();
        site.until("a TxProfile", () -> c.lastTxProfile() != null);
        assertThat(c.configurationChanges).isEmpty();
    }
}
