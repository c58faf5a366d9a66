package org.chargeedge.balancer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.chargeedge.balancer.core.Site.T0;
import static org.chargeedge.balancer.core.Site.limit;
import static org.chargeedge.balancer.core.Site.reason;

import org.chargeedge.balancer.core.BatteryPolicy.Kind;
import org.chargeedge.balancer.core.SiteSnapshot.Measurements;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.junit.jupiter.api.Test;

/** The battery policies: discharge is never surplus; battery-first keeps the battery's reserve; ev-first does not. */
class BatteryPolicyTest {

    private static final BatteryPolicy BATTERY_FIRST = BatteryPolicy.DEFAULT;
    private static final BatteryPolicy EV_FIRST = new BatteryPolicy(Kind.EV_FIRST, 0);

    private static Measurements grid(double gridW, Reading battery) {
        return new Measurements(Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN, Reading.fresh(gridW),
                Reading.UNKNOWN, battery, Reading.UNKNOWN);
    }

    private static Measurements noGrid(double pvW, double buildingW, Reading battery) {
        return new Measurements(Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN,
                Reading.fresh(pvW), battery, Reading.fresh(buildingW));
    }

    @Test
    void dischargeIsNeverSurplusUnderEitherPolicy() {
        // the battery holds the grid at zero while the cars draw 4 kW, 3 kW of it from the battery
        for (BatteryPolicy p : new BatteryPolicy[] {BATTERY_FIRST, EV_FIRST,
                new BatteryPolicy(Kind.BATTERY_FIRST, 500)}) {
            assertThat(Surplus.of(grid(0, Reading.fresh(-3000)), 4000, p).watts()).as(p + "").isEqualTo(1000);
            // without a grid meter: PV minus the building, whatever the battery gives
            assertThat(Surplus.of(noGrid(5000, 1000, Reading.fresh(-2000)), 0, p).watts()).as(p + "")
                    .isEqualTo(4000);
        }
    }

    @Test
    void batteryFirstKeepsTheChargingPowerUpToItsReserve() {
        // 1 kW exported, the battery charging at 3 kW, the cars drawing 2 kW
        assertThat(Surplus.of(grid(-1000, Reading.fresh(3000)), 2000, BATTERY_FIRST).watts()).isEqualTo(3000);
        BatteryPolicy reserve = new BatteryPolicy(Kind.BATTERY_FIRST, 1000);
        assertThat(Surplus.of(grid(-1000, Reading.fresh(3000)), 2000, reserve).watts()).isEqualTo(5000);
        assertThat(Surplus.of(grid(-1000, Reading.fresh(800)), 2000, reserve).watts()).isEqualTo(3000);
        // without a grid meter the same balance: PV 7 kW, building 1 kW, battery 3 kW, cars 2 kW, 1 kW export
        assertThat(Surplus.of(noGrid(7000, 1000, Reading.fresh(3000)), 0, BATTERY_FIRST).watts()).isEqualTo(3000);
        assertThat(Surplus.of(noGrid(7000, 1000, Reading.fresh(3000)), 0, reserve).watts()).isEqualTo(5000);
    }

    @Test
    void evFirstCountsAllOfTheChargingPower() {
        assertThat(Surplus.of(grid(-1000, Reading.fresh(3000)), 2000, EV_FIRST).watts()).isEqualTo(6000);
        assertThat(Surplus.of(noGrid(7000, 1000, Reading.fresh(3000)), 0, EV_FIRST).watts()).isEqualTo(6000);
    }

    @Test
    void aBatteryWhoseReadingIsStaleMakesTheSurplusUnknownButNoBatteryAtAllDoesNot() {
        Surplus stale = Surplus.of(grid(-5000, new Reading(-3000, Reading.Freshness.STALE)), 0, EV_FIRST);
        assertThat(stale.watts()).isZero();
        assertThat(stale.unknown()).contains("battery meter stale");
        assertThat(Surplus.of(grid(-5000, new Reading(0, Reading.Freshness.AGE_UNKNOWN)), 0, EV_FIRST).unknown())
                .contains("of unknown age");
        Surplus none = Surplus.of(grid(-5000, Reading.UNKNOWN), 0, BATTERY_FIRST);
        assertThat(none.watts()).isEqualTo(5000);
        assertThat(none.unknown()).isNull();
    }

    @Test
    void aPvCarDoesNotStartOnTheBatteryButDoesOnItsChargingUnderEvFirst() {
        Site site = new Site().charging("P", 32).replace("P", c -> c.withMode(Mode.MIN_PV));
        // 0.2 kW exported, the battery charging at 4 kW
        site.measurements = grid(-200, Reading.fresh(4000));
        assertThat(reason(site.allocate(), "P").kind()).isEqualTo(Allocation.Kind.PV_SURPLUS);
        assertThat(limit(site.allocate(), "P")).isEqualTo(6.0);
        site.settings = site.settings.withBattery(EV_FIRST);
        // 4.2 kW over 3 phases at 230 V: 6.0 A
        assertThat(limit(site.allocate(), "P")).isEqualTo(6.0);
        site.charger("Q", null, PhaseRotation.NONE, 32, Phase.L1);
        site.connector(SiteSnapshot.Connector.charging("Q", 1, "s-Q").withMode(Mode.MIN_PV));
        site.measurements = grid(-200, Reading.fresh(6000));
        // 6.2 kW for a 3-phase car and a 1-phase car: 6.7 A each
        assertThat(limit(site.allocate(), "Q")).isEqualTo(6.7);
        site.settings = site.settings.withBattery(BATTERY_FIRST);
        assertThat(limit(site.allocate(), "Q")).isEqualTo(6.0);
        // a PV-only car waits while the battery is discharging, whatever the grid meter shows
        Site pv = new Site().charging("P", 32).replace("P", c -> c.withMode(Mode.PV));
        pv.measurements = grid(-500, Reading.fresh(-2000));
        BalancerState state = BalancerState.INITIAL;
        for (int minute = 0; minute <= 30; minute++) {
            Allocation a = Balancer.allocate(pv.snapshot(T0.plusSeconds(60L * minute), state));
            assertThat(limit(a, "P")).as("minute " + minute).isZero();
            state = a.next();
        }
    }

    @Test
    void whatASessionCountedAtItsDrawTakesIsNotSharedAgainByTheOthers() {
        // two MinPV cars; the battery holds the grid at zero and charges at 2 kW; X, a charger that does not follow
        // its limit (a slow one marked as ignoring it), draws 8 A on 3 phases (5.5 kW), Y 6 A (4.1 kW): the PV
        // surplus for cars is what they draw, 9.7 kW, of which X keeps its 5.5 kW. Y may have the other 4.1 kW,
        // not X's as well (before: 9.7 kW over 3 phases, 14 A, 5.5 kW from the battery)
        Site site = new Site().grid(63, 20).charging("X", 32).charging("Y", 32)
                .replace("X", c -> c.withMode(Mode.MIN_PV).withDraw(PhaseAmps.all(8))
                        .withControl(SiteSnapshot.Control.IGNORES, java.util.OptionalDouble.of(6)))
                .replace("Y", c -> c.withMode(Mode.MIN_PV).withDraw(PhaseAmps.all(6)));
        site.gridMeter(0, 0, 0);
        site.measurements = new Measurements(site.measurements.gridL1(), site.measurements.gridL2(),
                site.measurements.gridL3(), Reading.fresh(0), Reading.UNKNOWN, Reading.fresh(2000), Reading.UNKNOWN);
        for (BatteryPolicy p : new BatteryPolicy[] {BATTERY_FIRST, new BatteryPolicy(Kind.BATTERY_FIRST, 2000)}) {
            site.settings = site.settings.withBattery(p);
            Allocation a = site.allocate();
            assertThat(reason(a, "X").kind()).isEqualTo(Allocation.Kind.COUNTED_AS_DRAWN);
            assertThat(limit(a, "Y")).as(p + "").isEqualTo(6.0);
        }
        // under ev-first the battery's 2 kW count as well: 6.1 kW for Y, 8.8 A
        site.settings = site.settings.withBattery(EV_FIRST);
        assertThat(limit(site.allocate(), "Y")).isEqualTo(8.8);
    }

    @Test
    void policiesAreParsedAndMistakesNamed() {
        assertThat(BatteryPolicy.Kind.parse(" EV-First")).isEqualTo(Kind.EV_FIRST);
        assertThat(BatteryPolicy.Kind.parse("battery-first")).isEqualTo(Kind.BATTERY_FIRST);
        assertThatThrownBy(() -> BatteryPolicy.Kind.parse("car-first")).hasMessageContaining("car-first");
        assertThatThrownBy(() -> new BatteryPolicy(Kind.EV_FIRST, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
