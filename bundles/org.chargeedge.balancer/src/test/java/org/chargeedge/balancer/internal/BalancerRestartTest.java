package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.chargeedge.api.balancer.BalancerStatus.ModeOrigin;
import org.chargeedge.api.store.BalancerMemory;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.internal.SimCharger.Quirk;
import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the balancer keeps in the real store across a restart of the controller or of the whole gateway: a
 * session's mode, a charger's run-time default, what it learnt of a charger (its unit, the profiles it rejects),
 * and the profiles chargers accepted (a charger that has not reconnected is counted at what it may still draw; a
 * session on 1 phase stays on it).
 */
class BalancerRestartTest {

    @TempDir
    Path dir;
    TestSite site;
    SqliteStore store;

    @AfterEach
    void close() throws Exception {
        if (site != null) {
            site.close();
        }
        if (store != null) {
            TestStores.close(store);
        }
    }

    @Test
    void aSessionsModeAndALearntUnitSurviveARestartAndAreLostWithoutAStore() throws Exception {
        store = TestStores.open(dir.resolve("store.db"));
        site = new TestSite(dir.resolve("cs"), Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0, "minIntervalMillis",
                50, "siteConnectors", 2));
        site.controller.remember(store);
        site.buildingA = 0;
        site.gridReading();
        // takes only W (its key says Power) and rejects TxProfiles: both learnt from its answers
        SimCharger w = site.charger("CP-W", 3, 32, Duration.ZERO, Quirk.POWER_ONLY, Quirk.REJECTS_TX_PROFILE);
        int tx = w.start();
        site.controller.setSessionMode("CP-W", 1, Mode.MIN_PV).get();
        site.controller.setChargerDefault("CP-A", Mode.OFF).handle((ok, e) -> null).get(); // unknown: refused
        site.until("the store holds what was learnt and set", () -> {
            BalancerMemory.Remembered r = store.remembered();
            return r.sessionModes().contains(new BalancerMemory.SessionMode("CP-W", 1, tx, "MinPV", null, null))
                    && r.capabilities().stream().anyMatch(c -> c.chargePointId().equals("CP-W")
                    && "W".equals(c.unit()) && c.txProfileRejected());
        });
        assertThat(store.remembered().chargerModes()).as("a refused mode is not kept").isEmpty();

        // the charger goes away, the gateway restarts: what it learnt and the mode come from the store alone
        site.chargers.remove(w);
        w.disconnect();
        site.restartController().remember(store);
        site.until("the capabilities and the mode are back", () -> "unit W, rejects TxProfile".equals(
                charger("CP-W")) && row("CP-W/1") != null && row("CP-W/1").modeOf().mode() == Mode.MIN_PV);
        assertThat(row("CP-W/1").modeOf().origin()).isEqualTo(ModeOrigin.SESSION);
        assertThat(row("CP-W/1").session()).isEqualTo(String.valueOf(tx));

        // without a store, a restart forgets both
        site.restartController();
        site.until("nothing is remembered", () -> row("CP-W/1") != null);
        assertThat(row("CP-W/1").modeOf().origin()).isEqualTo(ModeOrigin.CONFIGURATION);
        assertThat(charger("CP-W")).isEqualTo("unit A (assumed)");
    }

    @Test
    void aNewFirmwareIsLearntAgainAndTheEndedSessionsModeIsForgotten() throws Exception {
        store = TestStores.open(dir.resolve("store.db"));
        store.saveCapabilities(new BalancerMemory.ChargerCapabilities("CP-N", null, false, true, false, "0.9",
                java.time.Instant.now())).toCompletableFuture().get();
        store.saveSessionMode(new BalancerMemory.SessionMode("CP-N", 1, 999, "PV", null, null))
                .toCompletableFuture().get();
        site = new TestSite(dir.resolve("cs"), Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0, "minIntervalMillis",
                50, "siteConnectors", 2));
        site.controller.remember(store);
        site.gridReading();
        // SimCharger boots with a firmware other than 0.9, and its connector is Available: no session 999 runs
        SimCharger n = site.charger("CP-N", 3, 32, Duration.ZERO);
        n.status("Available");
        int tx = n.start();
        site.until("its TxProfiles are sent again", () -> n.lastTxProfile() != null);
        // the status is published at the end of a run: the one after the answer that taught the unit
        site.until("the unit is learnt again", () -> "unit A".equals(charger("CP-N")));
        site.until("the ended session's mode is forgotten", () -> store.remembered().sessionModes().isEmpty());
        // (a status is published at the end of a run: the one that saw the new session may still be running)
        site.until("the new session is shown", () -> row("CP-N/1") != null
                && String.valueOf(tx).equals(row("CP-N/1").session()));
        assertThat(row("CP-N/1").modeOf().origin()).isEqualTo(ModeOrigin.CONFIGURATION);
    }

    @Test
    void aChargerThatSwitchesPhasesIsKnownAsOneAfterARestartBeforeItAnswersAgain() throws Exception {
        store = TestStores.open(dir.resolve("store.db"));
        site = new TestSite(dir.resolve("cs"), Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0, "minIntervalMillis",
                50, "siteConnectors", 2));
        site.controller.remember(store);
        site.gridReading();
        SimCharger p = site.charger("CP-P", 3, 32, Duration.ZERO, Quirk.SWITCHES_PHASES);
        site.until("the store holds that it switches phases", () -> store.remembered().capabilities().stream()
                .anyMatch(c -> c.chargePointId().equals("CP-P") && c.switchesPhases() && "A".equals(c.unit())));

        // gone, and the gateway restarts: the store alone says it switches phases
        site.chargers.remove(p);
        p.disconnect();
        site.restartController().remember(store);
        site.until("the capability is back", () -> "unit A, switches 3/1 phases".equals(charger("CP-P")));

        // a new firmware that no longer says so: learnt again, and the store follows
        store.saveCapabilities(new BalancerMemory.ChargerCapabilities("CP-Q", "A", false, false, false, "0.9",
                java.time.Instant.now(), true, null)).toCompletableFuture().get();
        site.restartController().remember(store);
        site.until("CP-Q is known to switch", () -> "unit A, switches 3/1 phases".equals(charger("CP-Q")));
        site.charger("CP-Q", 3, 32, Duration.ZERO);
        site.until("a firmware that does not switch is learnt again and kept", () -> "unit A".equals(charger("CP-Q"))
                && store.remembered().capabilities().stream().anyMatch(c -> c.chargePointId().equals("CP-Q")
                && !c.switchesPhases() && !"0.9".equals(c.firmwareVersion())));
    }

    /** A site of 50 A per phase and a safe budget of 10 A: 40 A for the chargers while the grid meter is unknown. */
    private static final Map<String, Object> FORTY_FOR_CHARGERS = Map.of("gridLimitA", 50.0, "safeBudgetA", 10.0,
            "minIntervalMillis", 50, "siteConnectors", 2, "rampUpIntervalSeconds", 1, "rampUpStepA", 32.0,
            "profileValiditySeconds", 120);

    @Test
    void aChargerNotBackAfterAGatewayRestartIsCountedAtTheTxProfileItAccepted() throws Exception {
        store = TestStores.open(dir.resolve("store.db"));
        site = new TestSite(dir.resolve("cs1"), FORTY_FOR_CHARGERS);
        site.controller.remember(store);
        site.buildingA = 0;
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        int tx = a.start();
        site.until("CP-A's TxProfile of 32 A is kept", () -> {
            site.gridReading();
            return store.remembered().sentProfiles().stream().anyMatch(p -> p.chargePointId().equals("CP-A")
                    && p.connectorId() == 1 && p.limitA() == 32 && p.transactionId() == tx);
        }, Duration.ofSeconds(10));
        assertThat(store.remembered().sentProfiles()).as("and its TxDefaultProfile's share")
                .anyMatch(p -> p.chargePointId().equals("CP-A") && p.connectorId() == 0 && p.limitA() == 20);

        // the whole gateway stops while CP-A charges on 32 A (its TxProfile holds for two minutes), and starts
        // again without a grid meter: CP-B comes back first
        site.close();
        site = new TestSite(dir.resolve("cs2"), FORTY_FOR_CHARGERS);
        site.controller.remember(store);
        SimCharger b = site.charger("CP-B", 3, 32, Duration.ZERO);
        b.start();
        site.until("CP-B's TxProfile", () -> b.lastTxProfile() != null && row("CP-A/1") != null);
        assertThat(row("CP-A/1").reason()).contains("offline").contains("32.0 A");
        assertThat(b.lastTxProfile().limit()).as("what CP-A leaves of 40 A").isEqualTo(8.0);
        Thread.sleep(500);
        assertThat(b.lastTxProfile().limit()).isEqualTo(8.0);

        // the grid meter comes: whatever CP-A draws is in its reading (here nothing: its car left meanwhile), so
        // it is not counted a second time
        site.buildingA = 0;
        site.until("CP-B rises to its car's 32 A", () -> {
            site.gridReading();
            return b.lastTxProfile().limit() == 32.0;
        }, Duration.ofSeconds(10));
        assertThat(row("CP-A/1").reason()).isEqualTo("charger offline: what it draws is in the grid meter's reading");
    }

    @Test
    void onceItsTxProfileRanOutItIsCountedAtItsFallbackAndNotAtAllOnceItBooted() throws Exception {
        store = TestStores.open(dir.resolve("store.db"));
        java.time.Instant at = java.time.Instant.now().minusSeconds(600);
        store.saveSentProfile(new BalancerMemory.SentProfile("CP-A", 0, null, 12, null, at, 0, null, null))
                .toCompletableFuture().get();
        store.saveSentProfile(new BalancerMemory.SentProfile("CP-A", 1, 41, 32, at.plusSeconds(300), at, 0, null,
                at)).toCompletableFuture().get();
        site = new TestSite(dir.resolve("cs"), FORTY_FOR_CHARGERS);
        site.controller.remember(store);
        SimCharger b = site.charger("CP-B", 3, 32, Duration.ZERO);
        b.start();
        site.until("CP-B's TxProfile", () -> b.lastTxProfile() != null && row("CP-A/1") != null);
        assertThat(row("CP-A/1").reason()).contains("offline").contains("12.0 A");
        assertThat(b.lastTxProfile().limit()).as("what CP-A's TxDefaultProfile leaves of 40 A").isEqualTo(28.0);

        // CP-A boots: its profiles may be gone, its session is over; nothing is counted for it and the store
        // forgets what it held
        site.charger("CP-A", 3, 32, Duration.ZERO);
        site.until("CP-B rises to 32 A", () -> b.lastTxProfile().limit() == 32.0);
        site.until("CP-A's TxProfile is forgotten", () -> store.remembered().sentProfiles().stream()
                .noneMatch(p -> p.chargePointId().equals("CP-A") && p.connectorId() == 1));
    }

    @Test
    void aSessionOn1PhaseStaysOnItAfterARestart() throws Exception {
        store = TestStores.open(dir.resolve("store.db"));
        site = new TestSite(dir.resolve("cs"), Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0, "minIntervalMillis",
                50, "rampUpIntervalSeconds", 1, "rampUpStepA", 32.0, "reactionTimeSeconds", 2, "siteConnectors", 1,
                "defaultMode", "MinPV", "phaseSwitchWh", 0.0, "phaseSwitchHoldSeconds", 0));
        site.controller.remember(store);
        site.buildingA = 4;
        SimCharger c = site.charger("CP-S", 3, 32, Duration.ZERO, Quirk.SWITCHES_PHASES);
        c.start();
        site.until("the session on 1 phase, kept", () -> {
            pvReadings();
            return store.remembered().sentProfiles().stream().anyMatch(p -> p.chargePointId().equals("CP-S")
                    && p.connectorId() == 1 && p.numberPhases() == 1 && p.phasesSince() != null);
        }, Duration.ofSeconds(10));
        int before = c.numberPhases.size();

        // the balancer restarts (a bundle update) with the shipped switching hysteresis: without what was kept
        // it would start the session on 3 phases again and switch it back once the hysteresis allowed
        site.restartController(Map.of("phaseSwitchWh", 100.0, "phaseSwitchHoldSeconds", 300)).remember(store);
        site.until("the session is shown on 1 phase", () -> {
            pvReadings();
            return row("CP-S/1") != null && row("CP-S/1").reason().endsWith("(on 1 phase)");
        }, Duration.ofSeconds(10));
        for (int i = 0; i < 20; i++) {
            pvReadings();
            Thread.sleep(100);
        }
        assertThat(c.numberPhases.subList(before, c.numberPhases.size())).doesNotContain(3);
    }

    /** The grid meter per phase and its power: the building and the car, less 5 kW of PV (2.2 kW surplus). */
    private void pvReadings() {
        site.gridReading();
        double carA = site.chargers.stream().filter(x -> x.transactionId != null)
                .mapToDouble(x -> x.reportedA * x.activePhases()).sum();
        double w = (site.buildingA * 3 + carA) * 230 - 5000;
        site.energy.accept(new org.chargeedge.api.energy.Measurement(new org.chargeedge.api.energy.MeasurementKey(
                org.chargeedge.api.energy.Meter.GRID, org.chargeedge.api.energy.Quantity.POWER,
                org.chargeedge.api.energy.PhaseRef.TOTAL), w, java.time.Instant.now(), Duration.ofSeconds(30),
                "test grid meter"));
    }

    private BalanceStatus.ConnectorRow row(String ref) {
        BalanceStatus s = site.controller.status();
        return s == null ? null : s.connectors().stream().filter(r -> r.ref().equals(ref)).findFirst().orElse(null);
    }

    private String charger(String id) {
        BalanceStatus s = site.controller.status();
        return s == null ? null : s.chargers().stream().filter(c -> c.id().equals(id)).findFirst()
                .map(BalanceStatus.ChargerRow::capabilities).orElse(null);
    }
}
