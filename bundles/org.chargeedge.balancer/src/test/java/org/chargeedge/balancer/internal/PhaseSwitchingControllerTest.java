package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.balancer.internal.SimCharger.Quirk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phase switching through the controller, over real WebSockets: a charger that says
 * {@code ConnectorSwitch3to1PhaseSupported = true} gets its MinPV session's TxProfile with {@code numberPhases} 1
 * when the surplus is below 3 x 6 A, and its car then draws on 1 phase; one that does not say so gets no
 * {@code numberPhases} in A; with
 * {@code phaseSwitching = false} neither does the one that can.
 */
class PhaseSwitchingControllerTest {

    @TempDir
    Path dir;
    TestSite site;

    @AfterEach
    void close() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    private SimCharger session(Map<String, Object> overrides, Quirk... quirks) throws Exception {
        Map<String, Object> config = new HashMap<>(Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0,
                "minIntervalMillis", 50, "rampUpIntervalSeconds", 1, "rampUpStepA", 32.0, "reactionTimeSeconds", 2,
                "siteConnectors", 1, "defaultMode", "MinPV", "phaseSwitchWh", 0.0, "phaseSwitchHoldSeconds", 0));
        config.putAll(overrides);
        site = new TestSite(dir, config);
        site.buildingA = 4;
        readings();
        SimCharger c = site.charger("CP-S", 3, 32, Duration.ZERO, quirks);
        c.start();
        return c;
    }

    /** The grid meter per phase, and its power: the building and the car, less 5 kW of PV (2.2 kW surplus). */
    private void readings() {
        site.gridReading();
        double carA = site.chargers.stream().filter(c -> c.transactionId != null)
                .mapToDouble(c -> c.reportedA * c.activePhases()).sum();
        double w = (site.buildingA * 3 + carA) * 230 - 5000;
        site.energy.accept(new Measurement(new MeasurementKey(Meter.GRID, Quantity.POWER, PhaseRef.TOTAL), w,
                Instant.now(), Duration.ofSeconds(30), "test grid meter"));
    }

    @Test
    void aChargerThatSwitchesGetsNumberPhases1WhenTheSurplusIsBelow3Times6A() throws Exception {
        SimCharger c = session(Map.of(), Quirk.SWITCHES_PHASES);
        site.until("a TxProfile on 1 phase", () -> {
            readings();
            return c.numberPhases.contains(1);
        }, Duration.ofSeconds(10));
        site.until("the reason says so", () -> site.controller.status().connectors().stream()
                .anyMatch(r -> r.ref().equals("CP-S/1") && r.reason().endsWith("(on 1 phase)")));
        assertThat(BalanceCommands.render(site.controller.status())).contains("switches 3/1 phases");
        // the charger switches: after a pause the car draws on its L1 alone, and the controller sees it so
        site.until("the car on 1 phase", () -> {
            readings();
            return c.activePhases() == 1 && c.reportedA >= 6 && site.controller.status().connectors().stream()
                    .anyMatch(r -> r.ref().equals("CP-S/1") && r.draw().endsWith("/0.0/0.0 A"));
        }, Duration.ofSeconds(10));
    }

    @Test
    void aChargerThatDoesNotSayItSwitchesGetsNoNumberPhasesInA() throws Exception {
        staysWithoutNumberPhases(session(Map.of()));
    }

    @Test
    void switchingOffInTheConfigurationKeepsEvenAChargerThatCanOn3Phases() throws Exception {
        staysWithoutNumberPhases(session(Map.of("phaseSwitching", false), Quirk.SWITCHES_PHASES));
    }

    /** Its TxProfiles, a second after the first, carry no numberPhases (in A). */
    private void staysWithoutNumberPhases(SimCharger c) throws Exception {
        site.until("a TxProfile", () -> {
            readings();
            return c.lastTxProfile() != null;
        }, Duration.ofSeconds(10));
        Thread.sleep(1000);
        readings();
        assertThat(c.numberPhases).containsOnly(0);
    }
}
