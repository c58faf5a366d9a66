package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;

import org.junit.jupiter.api.Test;

/**
 * The short site runs on real wires ({@link SiteOnWires}): the whole gateway, ten chargers on two circuits, a
 * grid meter and a PV inverter on a real broker, 14 hours of load and PV curves in little more than a minute.
 * Charger 3 takes only W, charger 7 reacts in 3 s, charger 9 resumes at full after a pause. No limit may be
 * exceeded for longer than the reaction-time grace, and the site must be used: the chargers draw what the grid
 * leaves (or the check would pass on a gateway that stops every car).
 */
class SiteOnWiresIT {

    /** Charger 5 ignores its limit, and the broker is away for 10 s. */
    @Test
    void noLimitIsExceededBeyondTheReactionTimeWithAnIgnoringChargerAndABrokerOutage() throws Exception {
        SiteOnWires.Settings settings = new SiteOnWires.Settings("SiteOnWiresIT", 10, Duration.ofSeconds(75), 80, 50,
                25, 22, 15_000, EnumSet.of(SiteOnWires.Trouble.IGNORING_CHARGER, SiteOnWires.Trouble.BROKER_OUTAGE),
                Duration.ofSeconds(10), Duration.ZERO, 0, true, 17);
        SiteOnWires site = new SiteOnWires(settings);
        SiteOnWires.Result r = site.run();
        System.out.println(SiteOnWires.Result.header());
        System.out.println(r.row());
        String log = Files.readString(site.log());
        assertThat(r.overloadSeconds()).as("seconds above a limit after the grace: %s\n(gateway log: %s)", r.row(),
                site.log()).isZero();
        assertThat(r.maxPhaseA()).as("the site used: %s", r.row()).isGreaterThan(0.6 * settings.gridLimitA());
        assertThat(r.chargersWithoutProfile()).as("chargers never given a TxProfile").isZero();
        assertThat(r.deliveredKwh()).isPositive();
        // the tariff went through the broker to the gateway's balancer (its MQTT state says where its prices come
        // from), and the run's grid import was priced with it
        assertThat(r.priceSource()).as(r.row()).startsWith("price series from MQTT site/prices, 4 prices until");
        assertThat(r.cost()).as(r.row()).isGreaterThan(0.14 * r.importKwh()).isLessThan(0.32 * r.importKwh());
        // the gateway saw the charger that does not follow its limit, and the meter go stale in the outage
        assertThat(log).contains("Balancer: W05/1 draws").contains("grid meter stale");
        // no charger on this site rejects TxProfiles: one refused for a transaction the car just ended does not
        // mark its charger as rejecting them
        assertThat(log).doesNotContain("rejects TxProfiles");
    }

    /**
     * The gateway's JVM killed with SIGKILL at 20 % of the run and started again on the same data 38 s later. Its
     * TxProfiles are valid for 30 s here (the shipped 300 s, compressed by 10 as the reaction times are), so every
     * charger runs on its TxDefaultProfile before the restart: the safe budget of 20 A (the building's worst, 18 A
     * on L1 with the motor) leaves each of the ten chargers 6 A of the grid's 80. No limit may be exceeded beyond
     * the grace before, during or after, and the site must be used again once the new gateway runs: every session
     * open then, through the kill (the cars on chargers 1 and 2 stay all day) or started since, gets a TxProfile
     * from it, and chargers draw above the safe share.
     */
    @Test
    void noLimitIsExceededWhenTheGatewayIsKilledAndStartedAgain() throws Exception {
        SiteOnWires.Settings settings = new SiteOnWires.Settings("SiteOnWiresIT-kill", 10, Duration.ofSeconds(88),
                80, 50, 20, 18, 15_000, EnumSet.of(SiteOnWires.Trouble.GATEWAY_KILLED), Duration.ZERO,
                Duration.ofSeconds(38), 30, true, 17);
        SiteOnWires site = new SiteOnWires(settings);
        SiteOnWires.Result r = site.run();
        System.out.println(SiteOnWires.Result.header());
        System.out.println(r.row());
        SiteOnWires.Kill kill = r.kill();
        assertThat(r.overloadSeconds()).as("seconds above a limit after the grace: %s\n(gateway logs: %s, %s)",
                r.row(), site.log(), site.restartedLog()).isZero();
        assertThat(kill.exitCode()).as("the gateway's exit code: 128 + SIGKILL").isEqualTo(137);
        // the gateway started again read the tariff retained on the broker
        assertThat(r.priceSource()).as(r.row()).startsWith("price series from MQTT site/prices");
        // while it was gone: every TxProfile ran out, and the chargers went on charging under their
        // TxDefaultProfile, the safe share
        assertThat(kill.txProfilesAtRestart()).as("TxProfiles still in force at the restart: %s", r.row()).isZero();
        assertThat(kill.defaultA()).as("the TxDefaultProfile's limit: %s", r.row()).isEqualTo(6.0);
        assertThat(kill.maxAboveDefaultA()).as("the most a charger drew above its TxDefaultProfile: %s", r.row())
                .isLessThanOrEqualTo(0.05);
        assertThat(kill.drawingOnFallback()).as("chargers drawing on their fallback: %s", r.row()).isGreaterThan(2);
        // after it: every charger connected again, every session got a TxProfile from the new gateway, and the
        // chargers drew more than the safe share once it ran
        assertThat(kill.reconnected()).as("chargers connected again: %s", r.row()).isEqualTo(settings.chargers());
        assertThat(kill.sessionsThrough()).as("sessions through the kill still open later: %s", r.row()).isPositive();
        assertThat(kill.sessionsThroughServed()).as("sessions through the kill with a new TxProfile: %s", r.row())
                .isEqualTo(kill.sessionsThrough());
        assertThat(kill.sessionsAfter()).as("sessions started after the restart: %s", r.row()).isPositive();
        assertThat(kill.sessionsAfterServed()).as("sessions started after the restart with a TxProfile: %s", r.row())
                .isEqualTo(kill.sessionsAfter());
        assertThat(kill.aboveDefaultAfter()).as("a charger above the safe share after the restart: %s", r.row())
                .isNotNaN();
        assertThat(kill.maxDrawAfterA()).isGreaterThan(kill.defaultA());
        assertThat(r.deliveredKwh()).isPositive();
        // the new gateway held the safe budget until the grid meter was fresh
        String restarted = Files.readString(site.restartedLog());
        assertThat(restarted).contains("Balancer: grid limit 80.0 A per phase, safe budget 20.0 A per phase");
        int safe = restarted.indexOf("Balancer: safe budget: grid meter unknown");
        assertThat(safe).as("the safe budget at the start").isNotNegative();
        assertThat(restarted.indexOf("Balancer: budget from the grid meter again")).isGreaterThan(safe);
        assertThat(site.logs()).doesNotContain("rejects TxProfiles");
    }
}
