package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import org.chargeedge.balancer.internal.SiteDay.Policy;
import org.chargeedge.balancer.internal.SiteDay.Result;
import org.chargeedge.balancer.internal.SiteDay.Trouble;
import org.junit.jupiter.api.Test;

/**
 * The short version of the day simulation ({@code SiteDayBenchmark} runs whole days): ten chargers from 08:00 to
 * 12:30 in virtual time, with the real controller, and what may go wrong in that window. No limit may be exceeded
 * for longer than the reaction time, and the cars must still charge.
 */
class SiteDayTest {

    private static final Instant DAY = SiteDay.day(2026, 6, 17);

    private static Result morning(Policy policy, Set<Trouble> troubles, String key, Object value) {
        SiteDay day = new SiteDay(10, DAY, DAY.plus(Duration.ofHours(8)), DAY.plus(Duration.ofMinutes(12 * 60 + 30)),
                policy, troubles, 17);
        if (key != null) {
            day.with(key, value);
        }
        Result r = day.run();
        System.out.println(r.row());
        return r;
    }

    @Test
    void aQuietMorningStaysWithinEveryLimit() {
        Result r = morning(Policy.CONTROLLER, Set.of(), null, null);
        assertThat(r.overloadSeconds()).isZero();
        assertThat(r.deliveredKwh()).isGreaterThan(50);
        assertThat(r.profileCommands()).isPositive();
    }

    @Test
    void aStaleMeterAChargerIgnoringItsLimitAndAKilledGatewayStayWithinEveryLimit() {
        Result r = morning(Policy.CONTROLLER,
                EnumSet.of(Trouble.STALE_METER, Trouble.IGNORING_CHARGER, Trouble.GATEWAY_KILLED), null, null);
        assertThat(r.overloadSeconds()).isZero();
        assertThat(r.deliveredKwh()).isGreaterThan(30);
    }

    @Test
    void withoutBalancingTheSameMorningTripsTheLimits() {
        // the simulation can see an overload: the same site with the controller switched off
        Result r = morning(Policy.CONTROLLER, Set.of(), "enabled", false);
        assertThat(r.overloadSeconds()).isGreaterThan(60);
        assertThat(r.maxOverloadA()).isGreaterThan(5);
    }
}
