package org.chargeedge.balancer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.chargeedge.balancer.core.Site.T0;
import static org.chargeedge.balancer.core.Site.limit;
import static org.chargeedge.balancer.core.Site.reason;

import java.util.Map;
import java.util.OptionalDouble;

import org.chargeedge.balancer.core.BatteryPolicy.Kind;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.balancer.core.SiteSnapshot.Measurements;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.junit.jupiter.api.Test;

/**
 * The battery policies: discharge is never surplus; battery-first keeps the battery's reserve, and with the
 * battery's maximum charging power and a fresh state of charge below full its spare charging power too; ev-first
 * does not.
 */
class BatteryPolicyTest {

    private static final BatteryPolicy BATTERY_FIRST = BatteryPolicy.DEFAULT;
    private static final BatteryPolicy EV_FIRST = new BatteryPolicy(Kind.EV_FIRST, 0);
    /** Battery-first, all of its charging kept, a battery of 5 kW that counts as full from 95 %. */
    private static final BatteryPolicy MAX_5KW = BATTERY_FIRST.withMaxCharge(OptionalDouble.of(5000), 95);

    private static Measurements grid(double gridW, Reading battery) {
        return new Measurements(Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN, Reading.fresh(gridW),
                Reading.UNKNOWN, battery, Reading.UNKNOWN);
    }

    private static Measurements noGrid(double pvW, double buildingW, Reading battery) {
        return new Measurements(Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN,
                Reading.fresh(pvW), battery, Reading.fresh(buildingW));
    }

    private static Measurements withSoc(Measurements m, Reading soc) {
        return new Measurements(m.gridL1(), m.gridL2(), m.gridL3(), m.gridPowerW(), m.pvPowerW(), m.batteryPowerW(),
                m.buildingPowerW(), soc);
    }

    /** The grid power, the battery and its state of charge: the battery holds the grid at zero if it can. */
    private static Measurements grid(double gridW, double batteryW, Reading soc) {
        return withSoc(grid(gridW, Reading.fresh(batteryW)), soc);
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
    void aBatteryBelowItsMaximumAndBelowFullTakesItsSpareChargingPowerFromTheCars() {
        // the battery holds the grid at zero charging 2 kW of its 5 kW while the cars draw 4 kW: they yield 3 kW
        Surplus s = Surplus.of(grid(0, 2000, Reading.fresh(60)), 4000, MAX_5KW);
        assertThat(s.watts()).isEqualTo(1000);
        assertThat(s.spareW()).isEqualTo(3000);
        assertThat(s.note()).isEqualTo("3.0 kW held back for the battery at 60 %, charging 2.0 of 5.0 kW");
        // without a grid meter the same balance: PV 7 kW, building 1 kW, battery 2 kW, cars 4 kW
        assertThat(Surplus.of(withSoc(noGrid(7000, 1000, Reading.fresh(2000)), Reading.fresh(60)), 0, MAX_5KW)
                .watts()).isEqualTo(1000);
        // idle (the cars took everything) or discharging: the cars leave all of the 5 kW, and the discharge is
        // taken off once only (PV minus the building is 3 kW here: -2 kW)
        assertThat(Surplus.of(grid(0, 0, Reading.fresh(60)), 6000, MAX_5KW).watts()).isEqualTo(1000);
        assertThat(Surplus.of(grid(0, -1000, Reading.fresh(60)), 4000, MAX_5KW).watts()).isEqualTo(-2000);
        // the reserve below the maximum is what the battery keeps: 4 kW of which it charges 2
        BatteryPolicy reserve = new BatteryPolicy(Kind.BATTERY_FIRST, 4000).withMaxCharge(OptionalDouble.of(5000), 95);
        assertThat(Surplus.of(grid(0, 2000, Reading.fresh(60)), 4000, reserve).watts()).isEqualTo(2000);
        // above the reserve nothing is spare, and the charging above it counts for the cars as before
        assertThat(Surplus.of(grid(0, 4500, Reading.fresh(60)), 4000, reserve).watts()).isEqualTo(4500);
    }

    @Test
    void aBatteryAtItsMaximumLeavesTheCarsTheExport() {
        // 5 kW into the battery and 1.5 kW exported: the cars get the export and what they draw, as without the
        // maximum
        Surplus s = Surplus.of(grid(-1500, 5000, Reading.fresh(60)), 4000, MAX_5KW);
        assertThat(s.watts()).isEqualTo(5500);
        assertThat(s.spareW()).isZero();
        assertThat(s.note()).isNull();
        assertThat(s.watts()).isEqualTo(Surplus.of(grid(-1500, Reading.fresh(5000)), 4000, BATTERY_FIRST).watts());
    }

    @Test
    void aFullBatteryLeavesTheCarsAllItDoesNotTake() {
        // at 95 % it counts as full: tapering to 1 kW it keeps what it charges, the cars get the rest
        for (double soc : new double[] {95, 100}) {
            Surplus s = Surplus.of(grid(-3000, 1000, Reading.fresh(soc)), 4000, MAX_5KW);
            assertThat(s.watts()).as(soc + " %").isEqualTo(7000);
            assertThat(s.note()).isNull();
        }
        assertThat(Surplus.of(grid(-3000, 0, Reading.fresh(100)), 4000, MAX_5KW).watts()).isEqualTo(7000);
        // a lower threshold: full from 90 %
        assertThat(Surplus.of(grid(0, 1000, Reading.fresh(92)), 4000,
                BATTERY_FIRST.withMaxCharge(OptionalDouble.of(5000), 90)).watts()).isEqualTo(4000);
    }

    @Test
    void withoutAFreshStateOfChargeOrWithoutTheMaximumBatteryFirstKeepsWhatTheBatteryChargesAndSaysSo() {
        // 2 kW into the battery, grid at zero, cars 4 kW: the old rule gives the cars what they draw
        for (Reading soc : new Reading[] {Reading.UNKNOWN, new Reading(60, Reading.Freshness.STALE),
                new Reading(60, Reading.Freshness.AGE_UNKNOWN)}) {
            Surplus s = Surplus.of(grid(0, 2000, soc), 4000, MAX_5KW);
            assertThat(s.watts()).as(soc.describe()).isEqualTo(4000);
            assertThat(s.spareW()).isZero();
            assertThat(s.note()).isEqualTo("battery state of charge " + soc.describe()
                    + ": only what it charges now is kept for it");
        }
        // a maximum without any battery reading: nothing to hold back for, and the reason says why
        assertThat(Surplus.of(grid(-1000, Reading.UNKNOWN), 4000, MAX_5KW).watts()).isEqualTo(5000);
        assertThat(Surplus.of(grid(-1000, Reading.UNKNOWN), 4000, MAX_5KW).note())
                .isEqualTo("battery power unknown: only what it charges now is kept for it");
        // no maximum: the old rule, nothing said
        Surplus old = Surplus.of(grid(0, 2000, Reading.fresh(60)), 4000, BATTERY_FIRST);
        assertThat(old.watts()).isEqualTo(4000);
        assertThat(old.note()).isNull();
        // a stale battery power still makes the surplus unknown
        assertThat(Surplus.of(withSoc(grid(0, new Reading(2000, Reading.Freshness.STALE)), Reading.fresh(60)),
                4000, MAX_5KW).unknown()).contains("battery meter stale");
    }

    @Test
    void evFirstIsUnaffectedByTheMaximum() {
        BatteryPolicy ev = EV_FIRST.withMaxCharge(OptionalDouble.of(5000), 95);
        assertThat(ev.spareW(2000, 60)).isZero();
        Surplus s = Surplus.of(grid(0, 2000, Reading.fresh(60)), 4000, ev);
        assertThat(s.watts()).isEqualTo(6000);
        assertThat(s.note()).isNull();
        assertThat(Surplus.of(grid(0, -1000, Reading.fresh(60)), 4000, ev).watts()).isEqualTo(3000);
    }

    /** What a self-consumption inverter charges (W, positive) with the PV the building and the cars leave. */
    private static double inverter(double pvLeftW, double carsW, double maxW) {
        return Math.max(-maxW, Math.min(maxW, pvLeftW - carsW));
    }

    @Test
    void carsRampDownUntilTheBatteryChargesAtItsMaximumThenGetTheRest() {
        // 10 kW of PV left after the building; a MinPV car on 3 phases has been taking 14 A (9.7 kW), the battery
        // the other 0.3 kW of its 5 kW
        Site site = new Site().grid(63, 0).charging("P", 32).replace("P", c -> c.withMode(Mode.MIN_PV));
        site.settings = site.settings.withBattery(MAX_5KW);
        double pv = 10000;
        double maxW = 5000;
        double carA = 14;
        BalancerState state = BalancerState.INITIAL;
        for (int step = 0; step < 6; step++) {
            double carW = carA * 3 * 230;
            double batteryW = inverter(pv, carW, maxW);
            site.replace("P", c -> c.withDraw(PhaseAmps.all(carW / 690)));
            site.measurements = grid(carW + batteryW - pv, batteryW, Reading.fresh(60));
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(10L * step), state));
            state = a.next();
            carA = limit(a, "P");
            if (step == 0) {
                // 4.7 kW held back: 5.0 kW left for the car, 7.2 A
                assertThat(reason(a, "P").text()).isEqualTo("PV surplus 5.0 kW shared by 1; 4.7 kW held back for "
                        + "the battery at 60 %, charging 0.3 of 5.0 kW");
            }
            assertThat(carA).as("step " + step).isEqualTo(7.2);
        }
        // at its maximum the battery leaves the cars what it does not take: PV up to 12 kW, 7.0 kW for the car
        pv = 12000;
        for (int step = 0; step < 2; step++) {
            double carW = carA * 690;
            double batteryW = inverter(pv, carW, maxW);
            assertThat(batteryW).isEqualTo(maxW);
            site.replace("P", c -> c.withDraw(PhaseAmps.all(carW / 690)));
            site.measurements = grid(carW + batteryW - pv, batteryW, Reading.fresh(60));
            carA = limit(Balancer.allocate(site.snapshot(T0.plusSeconds(100L + step), state)), "P");
        }
        assertThat(carA).isEqualTo(10.1);
        // full, tapering to 1 kW: the car gets the other 11 kW
        double carW = carA * 690;
        site.measurements = grid(carW + 1000 - pv, 1000, Reading.fresh(97));
        assertThat(limit(Balancer.allocate(site.snapshot(T0.plusSeconds(200), state)), "P")).isEqualTo(15.9);
        // without the maximum (as before) or without a fresh state of charge, the car keeps its 14 A and the
        // battery its 0.3 kW
        for (BatteryPolicy p : new BatteryPolicy[] {BATTERY_FIRST, MAX_5KW}) {
            site.settings = site.settings.withBattery(p);
            site.replace("P", c -> c.withDraw(PhaseAmps.all(14)));
            site.measurements = grid(0, 340, p == MAX_5KW ? Reading.UNKNOWN : Reading.fresh(60));
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(300), BalancerState.INITIAL));
            assertThat(limit(a, "P")).as(p + "").isEqualTo(14.0);
            assertThat(reason(a, "P").text()).as(p + "").isEqualTo("PV surplus 9.7 kW shared by 1" + (p == MAX_5KW
                    ? "; battery state of charge unknown: only what it charges now is kept for it" : ""));
        }
    }

    @Test
    void aBatteryTakingItsSpareStopsAPvCarThroughTheStopHysteresisAndMinPvKeeps6A() {
        // 6 kW of PV left after the building; a PV car on 3 phases at 6 A (4.1 kW), on for an hour; the battery
        // takes the other 1.9 kW of its 5 kW: 3.1 kW spare, the surplus 1.0 kW short of the car's 4.1 kW by 3.1 kW:
        // 100 Wh after 1.9 minutes. The car keeps 6 A until then, not 0 at once
        for (Mode mode : new Mode[] {Mode.PV, Mode.MIN_PV}) {
            Site site = new Site().grid(63, 0).charging("P", 32)
                    .replace("P", c -> c.withMode(mode).withDraw(PhaseAmps.all(6)));
            site.settings = site.settings.withBattery(MAX_5KW);
            site.measurements = grid(0, 6000 - 4140, Reading.fresh(50));
            BalancerState state = new BalancerState(T0, Map.of(new ConnectorRef("P", 1),
                    new BalancerState.Memory("s-P", true, T0.minusSeconds(3600), 6, OptionalDouble.empty(), true)),
                    0, 0);
            for (int minute = 1; minute <= 3; minute++) {
                Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(60L * minute), state));
                state = a.next();
                double expected = mode == Mode.MIN_PV || minute == 1 ? 6.0 : 0.0;
                assertThat(limit(a, "P")).as(mode + " minute " + minute).isEqualTo(expected);
                if (mode == Mode.PV && minute == 2) {
                    assertThat(reason(a, "P").text()).isEqualTo("PV: paused, 100 Wh short of surplus; 3.1 kW held "
                            + "back for the battery at 50 %, charging 1.9 of 5.0 kW");
                }
                if (expected == 0) {
                    // stopped: the battery takes its 5 kW, 1 kW is exported, not enough to start again
                    site.replace("P", c -> c.withDraw(PhaseAmps.all(0)));
                    site.measurements = grid(-1000, 5000, Reading.fresh(50));
                }
            }
            if (mode == Mode.PV) {
                assertThat(reason(Balancer.allocate(site.snapshot(T0.plusSeconds(240), state)), "P").text())
                        .startsWith("PV: waiting for surplus");
            }
        }
    }

    @Test
    void policiesAreParsedAndMistakesNamed() {
        assertThat(BatteryPolicy.Kind.parse(" EV-First")).isEqualTo(Kind.EV_FIRST);
        assertThat(BatteryPolicy.Kind.parse("battery-first")).isEqualTo(Kind.BATTERY_FIRST);
        assertThatThrownBy(() -> BatteryPolicy.Kind.parse("car-first")).hasMessageContaining("car-first");
        assertThatThrownBy(() -> new BatteryPolicy(Kind.EV_FIRST, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BATTERY_FIRST.withMaxCharge(OptionalDouble.of(0), 95))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BATTERY_FIRST.withMaxCharge(OptionalDouble.of(5000), 101))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
