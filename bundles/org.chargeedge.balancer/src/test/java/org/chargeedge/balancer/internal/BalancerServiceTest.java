package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.balancer.BalancerStatus.Connector;
import org.chargeedge.api.balancer.BalancerStatus.Control;
import org.chargeedge.api.balancer.BalancerStatus.ModeOrigin;
import org.chargeedge.api.balancer.BalancerStatus.ReasonKind;
import org.chargeedge.api.balancer.BalancerStatus.Site;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.api.balancer.ModeRefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API services over a real site (central system over WebSockets, energy model, simulated chargers): what
 * {@code BalancerStatus} shows and how {@code BalancerModes} takes or refuses a mode.
 */
class BalancerServiceTest {

    @TempDir
    Path dir;
    TestSite site;
    BalancerService service;

    private void site(Map<String, Object> overrides) throws Exception {
        // minOffSeconds 0: on a loaded machine a charger's MeterValues may lag its rise, and while the rise is
        // counted at its new limit a fall of the budget can pause a session for a moment; this test is about
        // what the status says, not about the minimum off time
        Map<String, Object> config = new HashMap<>(Map.of("safeBudgetA", 20.0, "minIntervalMillis", 50,
                "rampUpIntervalSeconds", 1, "rampUpStepA", 32.0, "siteConnectors", 2, "minOffSeconds", 0));
        config.putAll(overrides);
        site = new TestSite(dir, config);
        service = new BalancerService(site.controller);
    }

    @AfterEach
    void close() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void siteFiguresAndConnectorsSayWhatWasDecidedAndWhy() throws Exception {
        SimCharger a = sessionWithBuilding(4);
        site.charger("CP-B", 3, 32, Duration.ZERO).start();
        // the meter reads again, as a real one does every few seconds: a single reading taken before the cars drew
        // may be matched with draws reported after it
        site.until("both share the grid", () -> {
            site.gridReading();
            return limit("CP-A") == 18 && limit("CP-B") == 18;
        });
        Site s = service.site().orElseThrow();
        assertThat(s.enabled()).isTrue();
        assertThat(s.gridLimitA()).isEqualTo(40);
        assertThat(s.gridLimitDefault()).isFalse();
        assertThat(s.safeBudgetInUse()).isFalse();
        assertThat(s.budget()).isEqualTo("grid meter");
        Connector c = service.connector("CP-A", 1).orElseThrow();
        assertThat(c.transactionId()).isEqualTo(a.transactionId);
        assertThat(c.reasonKind()).isEqualTo(ReasonKind.SHARED);
        assertThat(c.reason()).contains("full");
        assertThat(c.mode()).isEqualTo(ChargingMode.FAST);
        assertThat(c.modeOrigin()).isEqualTo(ModeOrigin.CONFIGURATION);
        assertThat(c.control()).isEqualTo(Control.FOLLOWS);
        assertThat(c.obeys()).isTrue();
        assertThat(service.connectors()).extracting(Connector::chargerId).containsExactly("CP-A", "CP-B");
        assertThat(service.connector("CP-A", 2)).isEmpty();

        // the meter goes stale: the safe budget, and the status says so
        site.buildingA = 4;
        site.gridReading(Duration.ofMillis(300));
        site.until("the safe budget is in use", () -> service.site().orElseThrow().safeBudgetInUse());
        s = service.site().orElseThrow();
        assertThat(s.budget()).startsWith("safe budget: grid meter");
        // (40 - 20) A shared by two 3-phase cars
        assertThat(s.available().l1()).isEqualTo(20);
        site.until("both at their share of the safe budget", () -> limit("CP-A") == 10 && limit("CP-B") == 10);
    }

    @Test
    void theDefaultGridLimitIsFlagged() throws Exception {
        site(Map.of());
        site.until("a decision", () -> service.site().isPresent());
        assertThat(service.site().orElseThrow().gridLimitDefault()).isTrue();
        assertThat(service.site().orElseThrow().safeBudgetInUse()).as("no grid reading yet").isTrue();
    }

    @Test
    void modesPerSessionAndPerChargerAreTakenAndShown() throws Exception {
        SimCharger a = sessionWithBuilding(0);
        site.until("charging", () -> limit("CP-A") == 32);

        assertThat(get(service.setSessionMode("CP-A", 1, ChargingMode.OFF)))
                .isEqualTo("CP-A/1: Off for transaction " + a.transactionId + "\n");
        site.until("paused by its mode", () -> limit("CP-A") == 0);
        Connector c = service.connector("CP-A", 1).orElseThrow();
        assertThat(c.reasonKind()).isEqualTo(ReasonKind.OFF);
        assertThat(c.mode()).isEqualTo(ChargingMode.OFF);
        assertThat(c.modeOrigin()).isEqualTo(ModeOrigin.SESSION);

        // the charger's default does not override the session's own mode
        get(service.setChargerDefault("CP-A", ChargingMode.PV));
        assertThat(service.connector("CP-A", 1).orElseThrow().mode()).isEqualTo(ChargingMode.OFF);
        // once the session ends, the next one on the connector gets the charger's default
        a.stop();
        site.until("the next session shows the charger's default", () -> service.connector("CP-A", 1)
                .map(x -> x.mode() == ChargingMode.PV && x.modeOrigin() == ModeOrigin.CHARGER).orElse(false));
        assertThat(service.connector("CP-A", 1).orElseThrow().control()).isEqualTo(Control.IDLE);
        // and back to the configured default
        assertThat(get(service.clearChargerDefault("CP-A"))).isEqualTo("CP-A: Fast by default again, as configured\n");
        site.until("the configured default again", () -> service.connector("CP-A", 1)
                .map(x -> x.mode() == ChargingMode.FAST && x.modeOrigin() == ModeOrigin.CONFIGURATION).orElse(false));
        assertThat(refusal(service.clearChargerDefault("CP-X")).reason())
                .isEqualTo(ModeRefusedException.Reason.UNKNOWN_CHARGER);
        assertThat(BalanceCommands.mode(site.controller, "CP-A", "default", null))
                .isEqualTo("CP-A: Fast by default again, as configured\n");
    }

    @Test
    void unknownChargersConnectorsAndRefusedModesFailWithTheirReason() throws Exception {
        site(Map.of("gridLimitA", 40.0));
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        a.status("Available");
        assertThat(refusal(service.setSessionMode("CP-X", 1, ChargingMode.FAST)).reason())
                .isEqualTo(ModeRefusedException.Reason.UNKNOWN_CHARGER);
        assertThat(refusal(service.setChargerDefault("CP-X", ChargingMode.FAST)).getMessage())
                .isEqualTo("unknown charger CP-X");
        ModeRefusedException e = refusal(service.setSessionMode("CP-A", 2, ChargingMode.FAST));
        assertThat(e.reason()).isEqualTo(ModeRefusedException.Reason.UNKNOWN_CONNECTOR);
        assertThat(e.getMessage()).isEqualTo("CP-A has no connector 2 (it has [1])");
        assertThat(refusal(service.setSessionMode("CP-A", 0, ChargingMode.FAST)).reason())
                .isEqualTo(ModeRefusedException.Reason.UNKNOWN_CONNECTOR);
        e = refusal(service.setSessionMode("CP-A", 1, ChargingMode.SCHEDULED));
        assertThat(e.reason()).isEqualTo(ModeRefusedException.Reason.REFUSED);
        assertThat(e.getMessage()).contains("departure time");
        // nothing refused was taken
        site.until("a decision", () -> service.connector("CP-A", 1).isPresent());
        assertThat(service.connector("CP-A", 1).orElseThrow().modeOrigin()).isEqualTo(ModeOrigin.CONFIGURATION);

        site.controller.reconfigure(SiteSettings.from(TestSite.config(Map.of("enabled", false))));
        site.until("balancing off", () -> !service.site().orElseThrow().enabled());
        assertThat(service.connectors()).isEmpty();
        e = refusal(service.setSessionMode("CP-A", 1, ChargingMode.PV));
        assertThat(e.reason()).isEqualTo(ModeRefusedException.Reason.REFUSED);
        assertThat(e.getMessage()).isEqualTo("load balancing is off");
        // the shell takes the same path and says the same
        assertThat(BalanceCommands.mode(site.controller, "CP-A/1", "PV", null)).isEqualTo("load balancing is off\n");
        assertThat(BalanceCommands.mode(site.controller, "CP-A/1", "turbo", null))
                .startsWith("unknown mode 'turbo'");
    }

    /** A site with a 40 A grid limit, the building drawing {@code buildingA}, and CP-A in a session. */
    private SimCharger sessionWithBuilding(double buildingA) throws Exception {
        site(Map.of("gridLimitA", 40.0));
        site.buildingA = buildingA;
        site.gridReading();
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        a.start();
        return a;
    }

    /** The API mirrors the core's reason kinds by name, so that the core can change without breaking consumers. */
    @Test
    void everyReasonOfTheCoreHasItsKindInTheApi() {
        for (org.chargeedge.balancer.core.Allocation.Kind k : org.chargeedge.balancer.core.Allocation.Kind.values()) {
            assertThat(ReasonKind.valueOf(k.name())).isNotNull();
        }
        for (org.chargeedge.balancer.core.SiteSnapshot.Mode m : org.chargeedge.balancer.core.SiteSnapshot.Mode.values()) {
            assertThat(SiteSettings.core(SiteSettings.api(m))).isEqualTo(m);
        }
    }

    private double limit(String charger) {
        return service.connector(charger, 1).map(Connector::limitA).orElse(-1.0);
    }

    private static String get(CompletionStage<String> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static ModeRefusedException refusal(CompletionStage<String> stage) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> get(stage));
        assertThat(t).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ModeRefusedException.class);
        return (ModeRefusedException) t.getCause();
    }
}
