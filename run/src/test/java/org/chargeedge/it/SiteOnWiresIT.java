package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;

import org.junit.jupiter.api.Test;

/**
 * The short site run on real wires ({@link SiteOnWires}): the whole gateway, ten chargers on two circuits, a
 * grid meter and a PV inverter on a real broker, 14 hours of load and PV curves in 75 s. Charger 5 ignores its
 * limit, charger 3 takes only W, charger 7 reacts in 3 s, charger 9 resumes at full after a pause, and the broker
 * is away for 10 s. No limit may be exceeded for longer than the reaction-time grace, and the site must be used:
 * the chargers draw what the grid leaves (or the check would pass on a gateway that stops every car).
 */
class SiteOnWiresIT {

    @Test
    void noLimitIsExceededBeyondTheReactionTimeWithAnIgnoringChargerAndABrokerOutage() throws Exception {
        SiteOnWires.Settings settings = new SiteOnWires.Settings("SiteOnWiresIT", 10, Duration.ofSeconds(75), 80, 50,
                25, 22, 15_000, EnumSet.allOf(SiteOnWires.Trouble.class), Duration.ofSeconds(10), true, 17);
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
        // the gateway saw the charger that does not follow its limit, and the meter go stale in the outage
        assertThat(log).contains("Balancer: W05/1 draws").contains("grid meter stale");
        // no charger on this site rejects TxProfiles: one refused for a transaction the car just ended does not
        // mark its charger as rejecting them
        assertThat(log).doesNotContain("rejects TxProfiles");
    }
}
