package org.chargeedge.balancer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.chargeedge.balancer.core.Site.T0;
import static org.chargeedge.balancer.core.Site.limit;
import static org.chargeedge.balancer.core.Site.reason;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

import org.chargeedge.balancer.core.Allocation.Kind;
import org.chargeedge.balancer.core.SiteSnapshot.Circuit;
import org.chargeedge.balancer.core.SiteSnapshot.Control;
import org.chargeedge.balancer.core.SiteSnapshot.Measurements;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.chargeedge.balancer.core.SiteSnapshot.PriceWindow;
import org.chargeedge.balancer.core.SiteSnapshot.Tariff;
import org.junit.jupiter.api.Test;

class BalancerTest {

    @Test
    void twoCarsShareWhatTheGridLeavesEqually() {
        Site site = new Site().grid(32, 10).gridMeter(10, 10, 10).charging("A", 32).charging("B", 32);
        Allocation a = site.allocate();
        assertThat(limit(a, "A")).isEqualTo(11.0);
        assertThat(limit(a, "B")).isEqualTo(11.0);
        assertThat(reason(a, "A").kind()).isEqualTo(Kind.SHARED);
        assertThat(reason(a, "A").text()).isEqualTo("grid L1 full");
        assertThat(a.budget()).isEqualTo("grid meter");
        assertThat(a.available()).isEqualTo(PhaseAmps.all(22));
    }

    @Test
    void aCarThatTakesLessLeavesTheRestToOthers() {
        Site site = new Site().grid(32, 10).gridMeter(10, 10, 10).charging("A", 32).charging("B", 32)
                .replace("A", c -> c.withCarMax(8));
        Allocation a = site.allocate();
        assertThat(limit(a, "A")).isEqualTo(8.0);
        assertThat(reason(a, "A").text()).isEqualTo("car takes at most 8.0 A");
        assertThat(limit(a, "B")).isEqualTo(14.0);
    }

    @Test
    void aCarSeenDrawingLessThanOfferedIsCappedNearItsDraw() {
        Site site = new Site().grid(32, 10).gridMeter(26, 26, 26).charging("A", 32).charging("B", 32)
                .replace("A", c -> c.withDraw(PhaseAmps.all(8)).withControl(Control.OBEYS, OptionalDouble.of(16)))
                .replace("B", c -> c.withDraw(PhaseAmps.all(8)).withControl(Control.OBEYS, OptionalDouble.of(16)));
        // the meter shows 26 A: 16 A of the two cars and 10 A of the building
        Allocation a = site.allocate();
        assertThat(limit(a, "A")).isEqualTo(9.0);
        assertThat(limit(a, "B")).isEqualTo(9.0);
        assertThat(reason(a, "A").text()).contains("car draws 8.0 A");
        assertThat(a.next().connectors().values()).allSatisfy(m -> assertThat(m.learntCarMaxA()).hasValue(9.0));
    }

    @Test
    void aStaleGridMeterMeansTheSafeBudgetNeverZeroLoad() {
        for (Reading.Freshness f : List.of(Reading.Freshness.STALE, Reading.Freshness.UNKNOWN,
                Reading.Freshness.AGE_UNKNOWN)) {
            Site site = new Site().grid(32, 20).charging("A", 32).charging("B", 32);
            Reading r = new Reading(0, f);
            site.measurements = new Measurements(r, r, r, r, Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN);
            Allocation a = site.allocate();
            assertThat(limit(a, "A")).as(f.name()).isEqualTo(6.0);
            assertThat(limit(a, "B")).isEqualTo(6.0);
            assertThat(a.budget()).isEqualTo("safe budget: grid meter " + r.describe());
            assertThat(reason(a, "A").text()).contains("safe budget");
        }
    }

    @Test
    void onlyTheGridPowerKnownCountsTheOtherLoadOnEveryPhase() {
        // 2.3 kW of building load could all be on one phase: 10 A counted on each
        Site site = new Site().grid(32, 25).gridPower(2300).charging("A", 32);
        Allocation a = site.allocate();
        assertThat(limit(a, "A")).isEqualTo(22.0);
    }

    @Test
    void whenNotEveryoneFitsTheRestWaitsForItsTurn() {
        Site site = new Site().grid(32, 10).gridMeter(10, 10, 10).charging("A", 32).charging("B", 32)
                .charging("C", 32).charging("D", 32);
        Allocation a = site.allocate();
        assertThat(List.of(limit(a, "A"), limit(a, "B"), limit(a, "C"))).containsOnly(7.3);
        assertThat(limit(a, "D")).isZero();
        assertThat(reason(a, "D").kind()).isEqualTo(Kind.ROTATION);
        assertThat(reason(a, "D").text()).isEqualTo("paused: rotation (grid L1 full), resumes in 15 min");
        assertThat(reason(a, "D").until()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
    }

    @Test
    void oneCarPerRotatedPhaseEachGetsAWholePhase() {
        Site site = new Site().grid(16, 0).gridMeter(10, 10, 10);
        String[] rot = {"L1L2L3", "L2L3L1", "L3L1L2"};
        for (int i = 0; i < 3; i++) {
            String id = "R" + i;
            site.charger(id, null, PhaseRotation.parse(rot[i]), 32);
            site.connector(SiteSnapshot.Connector.charging(id, 1, "s" + i).withDraw(new PhaseAmps(10, 0, 0)));
        }
        Allocation a = site.allocate();
        for (int i = 0; i < 3; i++) {
            assertThat(limit(a, "R" + i)).isEqualTo(16.0);
        }
        assertThat(a.limit(new SiteSnapshot.ConnectorRef("R1", 1)).orElseThrow().sitePhases())
                .containsExactly(Phase.L2);
    }

    @Test
    void oneCarPerUnrotatedChargerCrowdsOnePhase() {
        Site site = new Site().grid(16, 0).gridMeter(30, 0, 0);
        for (int i = 0; i < 3; i++) {
            site.charger("R" + i, null, PhaseRotation.NONE, 32);
            site.connector(SiteSnapshot.Connector.charging("R" + i, 1, "s" + i).withDraw(new PhaseAmps(10, 0, 0)));
        }
        Allocation a = site.allocate();
        assertThat(List.of(limit(a, "R0"), limit(a, "R1"), limit(a, "R2"))).containsExactlyInAnyOrder(8.0, 8.0, 0.0);
    }

    @Test
    void higherPriorityFillsFirstLowerKeepsItsMinimum() {
        Site site = new Site().grid(32, 10).gridMeter(10, 10, 10).charging("A", 32).charging("B", 32)
                .replace("A", c -> c.withPriority(1));
        Allocation a = site.allocate();
        assertThat(limit(a, "A")).isEqualTo(16.0);
        assertThat(limit(a, "B")).isEqualTo(6.0);
    }

    @Test
    void theCsmsLimitIsAnUpperBoundAndBelow6APauses() {
        Site site = new Site().grid(32, 0).gridMeter(0, 0, 0).charging("A", 32).charging("B", 32)
                .replace("A", c -> c.withCsmsLimit(10)).replace("B", c -> c.withCsmsLimit(4));
        Allocation a = site.allocate();
        assertThat(limit(a, "A")).isEqualTo(10.0);
        assertThat(reason(a, "A").text()).isEqualTo("CSMS limit 10.0 A");
        assertThat(limit(a, "B")).isZero();
        assertThat(reason(a, "B").text()).isEqualTo("CSMS limit 4.0 A (below 6 A: paused)");
    }

    @Test
    void offGetsNothingAndNoSessionNothing() {
        Site site = new Site().grid(32, 0).gridMeter(0, 0, 0).charging("A", 32).charging("B", 32)
                .replace("A", c -> c.withMode(Mode.OFF));
        site.charger("C", null, PhaseRotation.NONE, 32);
        site.connector(new SiteSnapshot.Connector(new SiteSnapshot.ConnectorRef("C", 1), null,
                SiteSnapshot.ConnectorState.AVAILABLE, null, Mode.FAST, 0, OptionalDouble.empty(),
                OptionalDouble.empty(), null, 0, Control.OBEYS, OptionalDouble.empty()));
        Allocation a = site.allocate();
        assertThat(limit(a, "A")).isZero();
        assertThat(reason(a, "A").kind()).isEqualTo(Kind.OFF);
        assertThat(limit(a, "C")).isZero();
        assertThat(reason(a, "C").text()).isEqualTo("no session");
        assertThat(limit(a, "B")).isEqualTo(32.0);
    }

    @Test
    void aCircuitLimitsItsChargersAndTheRestGoesElsewhere() {
        Site site = new Site().grid(32, 0).gridMeter(0, 0, 0);
        site.circuits.add(new Circuit("garage", null, PhaseAmps.all(16)));
        site.charger("G1", "garage", PhaseRotation.NONE, 32).charger("G2", "garage", PhaseRotation.NONE, 32)
                .charger("Y", null, PhaseRotation.NONE, 32);
        for (String id : List.of("G1", "G2", "Y")) {
            site.connector(SiteSnapshot.Connector.charging(id, 1, "s" + id));
        }
        Allocation a = site.allocate();
        assertThat(limit(a, "G1")).isEqualTo(8.0);
        assertThat(limit(a, "G2")).isEqualTo(8.0);
        assertThat(reason(a, "G1").text()).isEqualTo("circuit garage L1 full");
        assertThat(limit(a, "Y")).isEqualTo(16.0);
    }

    @Test
    void aChargerThatIgnoresItsLimitIsCountedAtItsDraw() {
        Site site = new Site().grid(32, 0).gridMeter(20, 20, 20).charging("X", 32).charging("B", 32)
                .replace("X", c -> c.withDraw(PhaseAmps.all(20)).withControl(Control.IGNORES, OptionalDouble.of(6)));
        Allocation a = site.allocate();
        assertThat(limit(a, "B")).isEqualTo(12.0);
        Allocation.ConnectorLimit x = a.limit(new SiteSnapshot.ConnectorRef("X", 1)).orElseThrow();
        assertThat(x.limitA()).isEqualTo(6.0);
        assertThat(x.countedA()).isEqualTo(20.0);
        assertThat(x.reason().text()).isEqualTo("ignores its limit: counted at the 20.0 A it draws");
    }

    @Test
    void anOfflineChargerIsCountedAtItsLastLimit() {
        Site site = new Site().grid(32, 0).gridMeter(0, 0, 0).charging("X", 32).charging("B", 32)
                .replace("X", c -> c.withControl(Control.OFFLINE, OptionalDouble.of(16)));
        Allocation a = site.allocate();
        assertThat(limit(a, "X")).isEqualTo(16.0);
        assertThat(limit(a, "B")).isEqualTo(16.0);
        assertThat(reason(a, "X").kind()).isEqualTo(Kind.COUNTED_AS_DRAWN);
    }

    /**
     * A charger counted offline at 0 A (back from the store after a restart, its draw in the grid meter's reading) is
     * not paused by it: what was decided for its session stays, and once it is back it is not held off.
     */
    @Test
    void anOfflineChargerCountedAtNothingKeepsItsSessionsMemory() {
        Site site = new Site().grid(32, 10).gridMeter(10, 10, 10).charging("A", 32)
                .replace("A", c -> c.withControl(Control.OFFLINE, OptionalDouble.of(0)));
        SiteSnapshot.ConnectorRef a = new SiteSnapshot.ConnectorRef("A", 1);
        BalancerState.Memory on = new BalancerState.Memory("s-A", true, T0.minusSeconds(600), 6,
                OptionalDouble.empty(), true);
        Allocation offline = Balancer.allocate(site.snapshot(T0, new BalancerState(T0.minusSeconds(1),
                java.util.Map.of(a, on), 0, 0)));
        assertThat(limit(offline, "A")).isZero();
        assertThat(reason(offline, "A").text()).isEqualTo("charger offline: what it draws is in the grid meter's reading");
        assertThat(offline.next().connectors().get(a)).isEqualTo(on);
        // without a memory, none is made up
        assertThat(Balancer.allocate(site.snapshot(T0, BalancerState.INITIAL)).next().connectors()).isEmpty();

        site.replace("A", c -> c.withControl(Control.OBEYS, OptionalDouble.empty()));
        Allocation back = Balancer.allocate(site.snapshot(T0.plusSeconds(5), offline.next()));
        assertThat(limit(back, "A")).isEqualTo(22.0);
    }

    @Test
    void theTotalPowerLimitBindsBeforeThePhases() {
        Site site = new Site().gridMeter(0, 0, 0).charging("A", 32);
        site.grid = new SiteSnapshot.Grid(PhaseAmps.all(32), OptionalDouble.of(11.04), PhaseAmps.all(0));
        Allocation a = site.allocate();
        assertThat(limit(a, "A")).isEqualTo(16.0);
        assertThat(reason(a, "A").text()).isEqualTo("grid 11.0 kW full");
    }

    @Test
    void pvStartsOnceEnoughSurplusEnergyAccumulatedAndStopsOnlyAfterTheGridEnergyAndMinimumOnTime() {
        Site site = new Site().grid(32, 0).gridMeter(0, 0, 0).gridPower(-3000);
        site.charger("P", null, PhaseRotation.NONE, 32, Phase.L1);
        site.connector(SiteSnapshot.Connector.charging("P", 1, "sp").withMode(Mode.PV));
        BalancerState state = BalancerState.INITIAL;
        // 3000 W surplus, 1380 W needed at 6 A on one phase: 100 Wh after 3.7 min
        double[] expected = {0, 0, 0, 0, 13.0};
        for (int minute = 0; minute <= 4; minute++) {
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(60L * minute), state));
            assertThat(limit(a, "P")).as("minute " + minute).isEqualTo(expected[minute]);
            if (minute < 4) {
                assertThat(reason(a, "P").kind()).isEqualTo(Kind.PV_WAITING);
            } else {
                assertThat(reason(a, "P").text()).isEqualTo("PV surplus 3.0 kW shared by 1");
            }
            state = a.next();
        }
        BalancerState startedAtMinute4 = state;
        // the sun goes after minute 4: 1380 W drawn from the grid, 100 Wh after 4.3 min
        site.gridPower(1380).replace("P", c -> c.withDraw(new PhaseAmps(6, 0, 0)));
        for (int minute = 5; minute <= 9; minute++) {
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(60L * minute), state));
            assertThat(limit(a, "P")).as("minute " + minute).isEqualTo(minute < 9 ? 6.0 : 0.0);
            state = a.next();
        }
        assertThat(reason(Balancer.allocate(site.snapshot(T0.plusSeconds(600), state)), "P").kind())
                .isEqualTo(Kind.PV_WAITING);

        // a deep deficit reaches 100 Wh in one minute, but the minimum on time (5 min from minute 4) holds
        site.gridPower(7380);
        state = startedAtMinute4;
        for (int minute = 5; minute <= 9; minute++) {
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(60L * minute), state));
            assertThat(limit(a, "P")).as("deep, minute " + minute).isEqualTo(minute < 9 ? 6.0 : 0.0);
            state = a.next();
        }
    }

    @Test
    void aShortCloudDoesNotStopPv() {
        Site site = new Site().grid(32, 0).gridMeter(0, 0, 0).gridPower(-1620);
        site.charger("P", null, PhaseRotation.NONE, 32, Phase.L1);
        site.connector(SiteSnapshot.Connector.charging("P", 1, "sp").withMode(Mode.PV)
                .withDraw(new PhaseAmps(6, 0, 0)));
        BalancerState on = new BalancerState(T0, java.util.Map.of(new SiteSnapshot.ConnectorRef("P", 1),
                new BalancerState.Memory("sp", true, T0.minusSeconds(3600), 6, OptionalDouble.empty(), true)), 0, 0);
        // surplus 3000 W; then two minutes at 1380 W from the grid (46 Wh), then the sun is back
        site.gridPower(1380);
        Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(120), on));
        assertThat(limit(a, "P")).isEqualTo(6.0);
        assertThat(a.next().pvStopWh()).isCloseTo(46, org.assertj.core.data.Offset.offset(0.1));
        site.gridPower(-1620);
        Allocation back = Balancer.allocate(site.snapshot(T0.plusSeconds(180), a.next()));
        assertThat(limit(back, "P")).isEqualTo(13.0);
        // one minute of 1620 W above the need pays back 27 Wh
        assertThat(back.next().pvStopWh()).isCloseTo(19, org.assertj.core.data.Offset.offset(0.1));
    }

    @Test
    void pvWithoutAKnownSurplusDoesNotStart() {
        Site site = new Site().grid(32, 0);
        site.charger("P", null, PhaseRotation.NONE, 32);
        site.connector(SiteSnapshot.Connector.charging("P", 1, "sp").withMode(Mode.PV));
        BalancerState state = BalancerState.INITIAL;
        for (int minute = 0; minute <= 30; minute += 5) {
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(60L * minute), state));
            assertThat(limit(a, "P")).isZero();
            assertThat(reason(a, "P").text()).contains("PV surplus unknown");
            state = a.next();
        }
    }

    @Test
    void minPlusPvGets6AWithoutSurplusAndTheSurplusOnTop() {
        Site site = new Site().grid(32, 0).gridMeter(0, 0, 0).gridPower(500).charging("M", 32)
                .replace("M", c -> c.withMode(Mode.MIN_PV));
        assertThat(limit(site.allocate(), "M")).isEqualTo(6.0);
        site.gridPower(-6900);
        Allocation a = site.allocate();
        assertThat(limit(a, "M")).isEqualTo(10.0);
        assertThat(reason(a, "M").kind()).isEqualTo(Kind.PV_SURPLUS);
    }

    @Test
    void scheduledWaitsForTheCheapWindowWhenItHoldsTheNeed() {
        Instant evening = Instant.parse("2026-06-01T22:00:00Z");
        Instant night = Instant.parse("2026-06-02T02:00:00Z");
        Instant departure = Instant.parse("2026-06-02T07:00:00Z");
        Site site = new Site().grid(32, 0).gridMeter(0, 0, 0).charging("S", 16)
                .replace("S", c -> c.withTarget(departure, 11_040));
        site.tariff = new Tariff(List.of(new PriceWindow(night, night.plus(Duration.ofHours(3)), 0.10)), 0.30);
        Allocation a = Balancer.allocate(site.snapshot(evening, BalancerState.INITIAL));
        assertThat(limit(a, "S")).isZero();
        assertThat(reason(a, "S").text()).isEqualTo("scheduled: waits for the window at 0.100/kWh, starts in 4 h 0 min");
        assertThat(reason(a, "S").until()).isEqualTo(night);
        Allocation inWindow = Balancer.allocate(site.snapshot(night.plusSeconds(1800), BalancerState.INITIAL));
        assertThat(limit(inWindow, "S")).isEqualTo(16.0);
        // more than the window holds: charge now too
        site.replace("S", c -> c.withTarget(departure, 50_000));
        assertThat(limit(Balancer.allocate(site.snapshot(evening, BalancerState.INITIAL)), "S")).isEqualTo(16.0);
        site.replace("S", c -> c.withTarget(departure, 0));
        Allocation done = Balancer.allocate(site.snapshot(night, BalancerState.INITIAL));
        assertThat(limit(done, "S")).isZero();
        assertThat(reason(done, "S").text()).isEqualTo("scheduled: energy target reached");
    }

    @Test
    void minimumOffTimeHoldsACarThatWasPaused() {
        Site site = new Site().grid(32, 10).gridMeter(10, 10, 10).charging("A", 32);
        BalancerState paused = new BalancerState(T0.minusSeconds(30), java.util.Map.of(
                new SiteSnapshot.ConnectorRef("A", 1),
                new BalancerState.Memory("s-A", false, T0.minusSeconds(30), 0, OptionalDouble.empty(), true)), 0, 0);
        Allocation a = Balancer.allocate(site.snapshot(T0, paused));
        assertThat(limit(a, "A")).isZero();
        assertThat(reason(a, "A").text()).isEqualTo("paused: minimum off time, resumes in 2 min");
        assertThat(limit(Balancer.allocate(site.snapshot(T0.plusSeconds(90), paused)), "A")).isEqualTo(22.0);
    }

    @Test
    void badTopologyIsRefused() {
        Site site = new Site().charging("A", 32);
        site.chargers.clear();
        site.charger("A", "nowhere", PhaseRotation.NONE, 32);
        assertThatThrownBy(site::allocate).hasMessageContaining("unknown circuit nowhere");
        assertThatThrownBy(() -> PhaseRotation.parse("L1L1L2")).hasMessageContaining("twice");
    }

    @Test
    void theSameSnapshotGivesTheSameAllocation() {
        Site site = new Site().grid(32, 10).gridMeter(10, 12, 9).charging("A", 32).charging("B", 16)
                .charging("C", 32).charging("D", 32);
        SiteSnapshot s = site.snapshot(T0, BalancerState.INITIAL);
        assertThat(Balancer.allocate(s)).isEqualTo(Balancer.allocate(s));
    }
}
