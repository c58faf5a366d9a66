package org.chargeedge.balancer.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

import org.chargeedge.balancer.core.Allocation.ConnectorLimit;
import org.chargeedge.balancer.core.SiteSnapshot.Charger;
import org.chargeedge.balancer.core.SiteSnapshot.Connector;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.balancer.core.SiteSnapshot.Grid;
import org.chargeedge.balancer.core.SiteSnapshot.Measurements;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.chargeedge.balancer.core.SiteSnapshot.Tariff;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Phase switching over sequences: random sites of switching and fixed chargers with any rotation, PV, Min+PV and
 * Fast sessions, a PV production that wanders, a building load per phase. The cars follow each allocation at once,
 * on the phases it commands (a car on a charger that does not switch draws on all of its phases); the charger
 * reports that draw at the next step. Checked at every step, from the simulated currents, not the core's counting:
 * no site phase above the grid limit, even counting each car also on the phases it drew on a step before (a
 * charger that switches late), and no session switched twice within the hold time.
 */
class PhaseSwitchingProperties {

    private static final double EPS = 1e-6;
    private static final double V = 230;

    record Spec(PhaseRotation rotation, boolean switches, Mode mode, double maxA) {
    }

    record Day(List<Spec> chargers, double gridA, double[] other, List<Integer> pvW, int holdS, int switchWh) {
    }

    @Provide
    Arbitrary<Day> days() {
        Arbitrary<PhaseRotation> rotations = Arbitraries.of(PhaseRotation.NONE, PhaseRotation.parse("L2L3L1"),
                PhaseRotation.parse("L3L1L2"), PhaseRotation.parse("L1L3L2"));
        Arbitrary<Spec> spec = Combinators.combine(rotations, Arbitraries.of(true, true, false),
                Arbitraries.of(Mode.PV, Mode.MIN_PV, Mode.MIN_PV, Mode.FAST), Arbitraries.of(16.0, 32.0))
                .as(Spec::new);
        Arbitrary<double[]> other = Arbitraries.integers().between(0, 120).list().ofSize(3)
                .map(l -> new double[] {l.get(0) / 10.0, l.get(1) / 10.0, l.get(2) / 10.0});
        Arbitrary<List<Integer>> pv = Arbitraries.integers().between(0, 20_000).list().ofMinSize(5).ofMaxSize(12);
        return Combinators.combine(spec.list().ofMinSize(1).ofMaxSize(6),
                Arbitraries.integers().between(16, 63).map(Integer::doubleValue), other, pv,
                Arbitraries.of(0, 60, 300, 600), Arbitraries.of(0, 20, 100)).as(Day::new);
    }

    @Property(tries = 150)
    void noPhaseAboveTheGridLimitAndNoSwitchWithinTheHold(@ForAll("days") Day day) {
        PhaseSwitching switching = new PhaseSwitching(true, day.switchWh(), Duration.ofSeconds(day.holdS()), 690);
        SiteSnapshot.Settings settings = SiteSnapshot.Settings.DEFAULT.withPhaseSwitching(switching);
        List<Charger> chargers = new ArrayList<>();
        for (int i = 0; i < day.chargers().size(); i++) {
            Spec sp = day.chargers().get(i);
            chargers.add(new Charger("CP" + i, null, sp.rotation(), EnumSet.allOf(Phase.class), sp.maxA(),
                    sp.switches()));
        }
        Grid grid = new Grid(PhaseAmps.all(day.gridA()), OptionalDouble.empty(), PhaseAmps.all(10));
        Map<ConnectorRef, Set<Phase>> drawnOn = new HashMap<>();
        Map<ConnectorRef, Double> drawnA = new HashMap<>();
        Map<ConnectorRef, Integer> phases = new HashMap<>();
        Map<ConnectorRef, Instant> switchedAt = new HashMap<>();
        BalancerState state = BalancerState.INITIAL;
        int steps = day.pvW().size() * 20;
        for (int k = 0; k < steps; k++) {
            Instant t = Site.T0.plusSeconds(30L * k);
            // PV moves linearly between the points of the day
            int seg = Math.min(day.pvW().size() - 2, k / 20);
            double f = (k - 20.0 * seg) / 20.0;
            double pvW = day.pvW().get(seg) * (1 - f) + day.pvW().get(seg + 1) * f;
            List<Connector> connectors = new ArrayList<>();
            double[] onPhase = new double[3];
            for (int i = 0; i < chargers.size(); i++) {
                ConnectorRef ref = new ConnectorRef("CP" + i, 1);
                Charger ch = chargers.get(i);
                PhaseAmps draw = null;
                if (drawnOn.containsKey(ref)) {
                    Map<Phase, Double> d = new HashMap<>();
                    for (Phase p : drawnOn.get(ref)) {
                        d.put(p, drawnA.get(ref));
                        onPhase[ch.rotation().site(p).ordinal()] += drawnA.get(ref);
                    }
                    draw = PhaseAmps.of(d);
                }
                connectors.add(Connector.charging("CP" + i, 1, "s" + i).withMode(day.chargers().get(i).mode())
                        .withDraw(draw));
            }
            double gridW = 0;
            Reading[] gridA = new Reading[3];
            for (Phase p : Phase.values()) {
                double a = day.other()[p.ordinal()] + onPhase[p.ordinal()];
                gridA[p.ordinal()] = Reading.fresh(a - pvW / 3 / V);
                gridW += a * V;
            }
            Measurements m = new Measurements(gridA[0], gridA[1], gridA[2], Reading.fresh(gridW - pvW),
                    Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN);
            Allocation a = Balancer.allocate(new SiteSnapshot(t, grid, List.of(), chargers, m, connectors,
                    Tariff.FLAT, settings, state));
            state = a.next();
            double[] physical = new double[3];
            for (int i = 0; i < chargers.size(); i++) {
                ConnectorLimit l = a.limits().get(i);
                Charger ch = chargers.get(i);
                Set<Phase> now = l.numberPhases() == 1 ? EnumSet.of(Phase.L1) : EnumSet.allOf(Phase.class);
                EnumSet<Phase> worst = EnumSet.copyOf(now);
                if (l.limitA() > 0 && drawnOn.containsKey(l.ref())) {
                    worst.addAll(drawnOn.get(l.ref()));
                }
                for (Phase p : worst) {
                    physical[ch.rotation().site(p).ordinal()] += l.limitA();
                }
                if (l.numberPhases() > 0) {
                    Integer before = phases.put(l.ref(), l.numberPhases());
                    if (before != null && before != l.numberPhases()) {
                        Instant last = switchedAt.put(l.ref(), t);
                        if (last != null) {
                            assertThat(Duration.between(last, t)).as(l.ref() + " switched at " + last + " and " + t)
                                    .isGreaterThanOrEqualTo(switching.hold());
                        }
                    }
                } else {
                    assertThat(ch.switchesPhases()).isFalse();
                }
                if (l.limitA() > 0) {
                    drawnOn.put(l.ref(), now);
                    drawnA.put(l.ref(), l.limitA());
                } else {
                    drawnOn.remove(l.ref());
                }
            }
            // what the fuse sees: the building and the cars, less the PV spread over the phases
            for (Phase p : Phase.values()) {
                // (the building alone may be above the fuse: then the cars must add nothing)
                double room = Math.max(0, day.gridA() - Math.max(0, day.other()[p.ordinal()] - pvW / 3 / V));
                assertThat(physical[p.ordinal()]).as(p + " at step " + k + ": " + a.limits())
                        .isLessThanOrEqualTo(room + EPS);
            }
        }
    }
}
