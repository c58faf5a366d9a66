package org.chargeedge.balancer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.balancer.core.Site.T0;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.chargeedge.balancer.core.Allocation.ConnectorLimit;
import org.chargeedge.balancer.core.PhaseSwitching.Step;
import org.chargeedge.balancer.core.SiteSnapshot.Connector;
import org.chargeedge.balancer.core.SiteSnapshot.Measurements;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.junit.jupiter.api.Test;

/** The 1/3-phase hysteresis on its own, and a switching charger in the core. */
class PhaseSwitchingTest {

    private static final PhaseSwitching CFG = PhaseSwitching.DEFAULT;
    private static final double NEED3 = 3 * 6 * 230;
    private static final double MINUTE = 1 / 60.0;

    @Test
    void aShortfallGoesTo1PhaseOnlyOnceItsEnergyHasAccumulated() {
        Step s = new Step(3, null, 0);
        // 1 kW short: 100 Wh take 6 minutes
        for (int m = 1; m <= 5; m++) {
            s = CFG.next(s, true, NEED3 - 1000, MINUTE, T0.plusSeconds(60L * m), 230);
            assertThat(s.phases()).as("minute " + m).isEqualTo(3);
        }
        s = CFG.next(s, true, NEED3 - 1000, MINUTE, T0.plusSeconds(360), 230);
        assertThat(s).isEqualTo(new Step(1, T0.plusSeconds(360), 0));
    }

    @Test
    void aPassingCloudCostsNothingAndTheAccountIsClamped() {
        Step s = new Step(3, null, 0);
        s = CFG.next(s, true, NEED3 - 3000, MINUTE, T0, 230);
        assertThat(s.wh()).isEqualTo(50.0, org.assertj.core.data.Offset.offset(1e-9));
        // the sun is back for long: the account falls to 0, not below
        for (int m = 1; m <= 10; m++) {
            s = CFG.next(s, true, NEED3 + 3000, MINUTE, T0.plusSeconds(60L * m), 230);
        }
        assertThat(s).isEqualTo(new Step(3, null, 0));
        // a long shortfall fills it to 100 Wh at most
        s = new Step(3, T0, 0);
        for (int m = 1; m <= 4; m++) {
            s = CFG.next(s, true, 0, MINUTE, T0.plusSeconds(60L * m), 230);
        }
        assertThat(s.phases()).as("held").isEqualTo(3);
        assertThat(s.wh()).isEqualTo(100.0);
    }

    @Test
    void backTo3PhasesOnlyAboveTheMarginAndNotWithinTheHold() {
        Step s = new Step(1, T0, 0);
        // just above 3 x 6 A, below the margin: stays on 1 phase for ever
        for (int m = 1; m <= 30; m++) {
            s = CFG.next(s, true, NEED3 + 600, MINUTE, T0.plusSeconds(60L * m), 230);
        }
        assertThat(s.phases()).isEqualTo(1);
        assertThat(s.wh()).isZero();
        // 2 kW above the margin: 100 Wh in 3 minutes, but the hold of 5 minutes from the last switch waits
        s = new Step(1, T0, 0);
        for (int m = 1; m <= 4; m++) {
            s = CFG.next(s, true, NEED3 + 690 + 2000, MINUTE, T0.plusSeconds(60L * m), 230);
            assertThat(s.phases()).as("minute " + m).isEqualTo(1);
        }
        s = CFG.next(s, true, NEED3 + 690 + 2000, MINUTE, T0.plusSeconds(300), 230);
        assertThat(s).isEqualTo(new Step(3, T0.plusSeconds(300), 0));
    }

    @Test
    void anotherModeGoesBackTo3PhasesOnceTheHoldAllows() {
        assertThat(CFG.next(new Step(1, T0, 40), false, 0, MINUTE, T0.plusSeconds(60), 230))
                .isEqualTo(new Step(1, T0, 0));
        assertThat(CFG.next(new Step(1, T0, 40), false, 0, MINUTE, T0.plusSeconds(300), 230))
                .isEqualTo(new Step(3, T0.plusSeconds(300), 0));
        assertThat(CFG.next(new Step(3, null, 40), false, 0, MINUTE, T0, 230)).isEqualTo(new Step(3, null, 0));
    }

    /** A PV surplus of 2.5 kW: a 3-phase car on a switching charger with rotation goes to 1 phase, on site L2. */
    @Test
    void aSwitchingChargerRunsACarOn1PhaseOnTheSitePhaseItsL1IsWiredTo() {
        Site site = new Site();
        site.chargers.add(new SiteSnapshot.Charger("P", null, PhaseRotation.parse("L2L3L1"),
                java.util.EnumSet.allOf(Phase.class), 32, true));
        site.connector(Connector.charging("P", 1, "s-P").withMode(Mode.MIN_PV).withDraw(PhaseAmps.all(6)));
        BalancerState state = BalancerState.INITIAL;
        ConnectorLimit l = null;
        Instant t = T0;
        for (int m = 0; m <= 12; m++) {
            t = T0.plusSeconds(60L * m);
            // the grid imports 1.64 kW while the car draws 6 A on 3 phases: a surplus of 2.5 kW
            double carW = l != null && l.numberPhases() == 1 ? l.limitA() * 230 : 6 * 3 * 230;
            site.measurements = new Measurements(Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN,
                    Reading.fresh(carW - 2500), Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN);
            if (l != null && l.numberPhases() == 1) {
                double a = l.limitA();
                site.replace("P", c -> c.withDraw(new PhaseAmps(a, 0, 0)));
            }
            Allocation alloc = Balancer.allocate(site.snapshot(t, state));
            l = alloc.limits().get(0);
            state = alloc.next();
        }
        assertThat(l.numberPhases()).isEqualTo(1);
        assertThat(l.sitePhases()).isEqualTo(Set.of(Phase.L2));
        // 2.5 kW on one phase: 10.8 A
        assertThat(l.limitA()).isEqualTo(10.8);
        assertThat(l.reason().text()).endsWith("(on 1 phase)");
        // a charger that does not switch keeps the car on 3 phases at 6 A
        Site fixed = new Site().charging("F", 32).replace("F", c -> c.withMode(Mode.MIN_PV)
                .withDraw(PhaseAmps.all(6)));
        fixed.measurements = site.measurements;
        BalancerState st = BalancerState.INITIAL;
        for (int m = 0; m <= 12; m++) {
            Allocation a = Balancer.allocate(fixed.snapshot(T0.plusSeconds(60L * m), st));
            st = a.next();
            assertThat(a.limits().get(0).numberPhases()).isZero();
            assertThat(a.limits().get(0).sitePhases()).hasSize(3);
        }
        // switching off in the settings: the same
        site.settings = site.settings.withPhaseSwitching(new PhaseSwitching(false, 100, Duration.ofMinutes(5), 690));
        site.replace("P", c -> c.withDraw(PhaseAmps.all(6)));
        Allocation off = Balancer.allocate(site.snapshot(t.plusSeconds(60), BalancerState.INITIAL));
        assertThat(off.limits().get(0).numberPhases()).isZero();
    }

    /**
     * A 1-phase car (seen drawing on L1 alone while offered 3 phases) that stops drawing, a 2.5 kW surplus: it is
     * not switched to 1 phase while it draws nothing (a switch would only pause it), nor when it draws again.
     */
    @Test
    void aCarSeenOn1PhaseIsNotSwitchedWhileItDrawsNothing() {
        Site site = new Site();
        site.chargers.add(new SiteSnapshot.Charger("P", null, PhaseRotation.parse("L1L2L3"),
                java.util.EnumSet.allOf(Phase.class), 32, true));
        site.connector(Connector.charging("P", 1, "s-P").withMode(Mode.MIN_PV).withDraw(new PhaseAmps(10, 0, 0)));
        site.measurements = new Measurements(Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN,
                Reading.fresh(10 * 230 - 2500), Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN);
        BalancerState state = BalancerState.INITIAL;
        for (int m = 0; m <= 12; m++) {
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(60L * m), state));
            state = a.next();
            assertThat(a.limits().get(0).numberPhases()).as("drawing on 1 phase at minute %d", m).isEqualTo(3);
        }
        assertThat(state.connectors().values().iterator().next().carPhases()).isEqualTo(1);
        // the car stops drawing (its battery management pauses it): 2.5 kW surplus, nothing drawn
        site.replace("P", c -> c.withDraw(PhaseAmps.all(0)));
        site.measurements = new Measurements(Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN,
                Reading.fresh(-2500), Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN);
        for (int m = 13; m <= 30; m++) {
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(60L * m), state));
            state = a.next();
            assertThat(a.limits().get(0).numberPhases()).as("drawing nothing at minute %d", m).isEqualTo(3);
        }
        // a car never seen drawing is switched as before: the same pause, a new session
        site.replace("P", c -> Connector.charging("P", 1, "s-Q").withMode(Mode.MIN_PV).withDraw(PhaseAmps.all(0)));
        int phases = 3;
        for (int m = 31; m <= 45; m++) {
            Allocation a = Balancer.allocate(site.snapshot(T0.plusSeconds(60L * m), state));
            state = a.next();
            phases = a.limits().get(0).numberPhases();
        }
        assertThat(phases).isEqualTo(1);
    }
}
