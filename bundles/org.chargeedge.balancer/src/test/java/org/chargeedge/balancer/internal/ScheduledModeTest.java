package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import org.chargeedge.api.balancer.BalancerModes.Target;
import org.chargeedge.api.balancer.BalancerStatus.Connector;
import org.chargeedge.api.balancer.BalancerStatus.ReasonKind;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.api.balancer.ModeRefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled sessions on a real site with the configured time-of-use tariff: a cheap window from two hours ahead
 * (0.10 per kWh, 0.30 otherwise).
 */
class ScheduledModeTest {

    @TempDir
    Path dir;
    TestSite site;
    BalancerService service;
    SimCharger car;

    @AfterEach
    void close() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    private void site() throws Exception {
        DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
        Instant now = Instant.now();
        site = new TestSite(dir, Map.of("gridLimitA", 40.0, "safeBudgetA", 0.0, "minIntervalMillis", 50,
                "rampUpStepA", 32.0, "siteConnectors", 1, "tariffTimeZone", "UTC", "tariffDefaultPrice", 0.30,
                "tariffWindows", "Daily " + hhmm.format(now.plus(Duration.ofHours(2))) + "-"
                        + hhmm.format(now.plus(Duration.ofHours(6))) + "=0.10"));
        service = new BalancerService(site.controller);
        site.buildingA = 0;
        site.gridReading();
        car = site.charger("CP-A", 3, 32, Duration.ZERO);
        car.start();
        site.until("charging", () -> limit() == 32);
    }

    @Test
    void aScheduledSessionWaitsForTheCheapWindowUnlessTimeIsShort() throws Exception {
        site();
        // 50 kWh by 20 minutes from now cannot wait for the window: it charges on
        service.setSessionMode("CP-A", 1, ChargingMode.SCHEDULED, new Target(Instant.now().plus(Duration.ofMinutes(20)),
                50_000)).toCompletableFuture().get();
        site.until("scheduled", () -> service.connector("CP-A", 1).orElseThrow().mode() == ChargingMode.SCHEDULED);
        Thread.sleep(300); // a few runs
        assertThat(limit()).isEqualTo(32);
        assertThat(service.connector("CP-A", 1).orElseThrow().energyNeededWh()).isEqualTo(50_000);

        // 5 kWh by 10 hours from now: it waits for the cheap window two hours ahead
        Instant leaves = Instant.now().plus(Duration.ofHours(10));
        assertThat(service.setSessionMode("CP-A", 1, ChargingMode.SCHEDULED, new Target(leaves, 5_000))
                .toCompletableFuture().get()).startsWith("CP-A/1: Scheduled, 5.0 kWh by ");
        site.until("waits for the window", () -> limit() == 0);
        Connector c = service.connector("CP-A", 1).orElseThrow();
        assertThat(c.reasonKind()).isEqualTo(ReasonKind.SCHEDULED_WAITING);
        // the window starts at the minute two hours from when the site was set up
        assertThat(c.reason()).matches("scheduled: waits for the window at 0\\.100/kWh, starts in (1 h 59|2 h 0) min");
        assertThat(c.departure()).isEqualTo(leaves);
        assertThat(c.energyNeededWh()).isEqualTo(5_000);
        assertThat(c.energyTargetWh()).isEqualTo(5_000);
        site.until("the charger is told", () -> car.lastTxProfile().limit() == 0);
    }

    @Test
    void theTargetAsSetShowsBesideWhatIsStillNeededAndEndsWithTheMode() throws Exception {
        site();
        Instant leaves = Instant.now().plus(Duration.ofHours(10));
        service.setSessionMode("CP-A", 1, ChargingMode.SCHEDULED, new Target(leaves, 20_000))
                .toCompletableFuture().get();
        site.until("waits for the window", () -> limit() == 0);
        // 3 kWh counted by the charger's register since the session's start (meterStart 0): 17 kWh still needed,
        // the target stays what was set
        car.registerWh = 3_000.0;
        car.meterValues();
        site.until("the register counted", () -> service.connector("CP-A", 1).orElseThrow().energyNeededWh() == 17_000);
        Connector c = service.connector("CP-A", 1).orElseThrow();
        assertThat(c.departure()).isEqualTo(leaves);
        assertThat(c.energyTargetWh()).isEqualTo(20_000);

        // another mode (it resumes after its minimum off time): no departure, no need and no target
        service.setSessionMode("CP-A", 1, ChargingMode.FAST).toCompletableFuture().get();
        site.until("fast", () -> service.connector("CP-A", 1).orElseThrow().mode() == ChargingMode.FAST);
        c = service.connector("CP-A", 1).orElseThrow();
        assertThat(c.departure()).isNull();
        assertThat(c.energyNeededWh()).isNull();
        assertThat(c.energyTargetWh()).isNull();
    }

    @Test
    void aTargetIsRefusedWhenItCannotBeMet() throws Exception {
        site();
        assertThat(refusal(ChargingMode.SCHEDULED, new Target(Instant.now().minusSeconds(60), 5_000)))
                .contains("is not in the future");
        assertThat(refusal(ChargingMode.SCHEDULED, new Target(Instant.now().plusSeconds(3600), 0)))
                .contains("the energy target must be above 0");
        assertThat(refusal(ChargingMode.PV, new Target(Instant.now().plusSeconds(3600), 5_000)))
                .isEqualTo("a departure time and an energy target go with mode Scheduled only");
        assertThat(refusal(ChargingMode.SCHEDULED, null)).contains("needs a departure time");
        assertThat(service.connector("CP-A", 1).orElseThrow().mode()).isEqualTo(ChargingMode.FAST);
        // the shell: a departure as a time of day, and what it cannot read
        assertThat(BalanceCommands.departure("7:30", ZoneOffset.UTC, Instant.parse("2026-05-06T08:00:00Z")))
                .isEqualTo(Instant.parse("2026-05-07T07:30:00Z"));
        assertThatThrownBy(() -> BalanceCommands.departure("tomorrow", ZoneOffset.UTC, Instant.now()))
                .hasMessageContaining("is not HH:MM");
    }

    private String refusal(ChargingMode mode, Target target) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> service.setSessionMode("CP-A", 1, mode,
                target).toCompletableFuture().get());
        assertThat(t).hasCauseInstanceOf(ModeRefusedException.class);
        return t.getCause().getMessage();
    }

    private double limit() {
        return service.connector("CP-A", 1).map(Connector::limitA).orElse(-1.0);
    }
}
