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
 * What the balancer keeps in the real store across a restart of the controller: a session's mode, a charger's
 * run-time default, and what it learnt of a charger (its unit, the profiles it rejects).
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
