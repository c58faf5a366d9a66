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
import org.chargeedge.balancer.core.SiteSnapshot.Circuit;
import org.chargeedge.balancer.core.SiteSnapshot.Connector;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.balancer.core.SiteSnapshot.Grid;
import org.chargeedge.balancer.core.SiteSnapshot.Measurements;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.chargeedge.balancer.core.SiteSnapshot.Settings;
import org.chargeedge.balancer.core.SiteSnapshot.Tariff;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties over random sites: grid limits, a safe budget or a fresh meter, up to two levels of circuits,
 * 1- and 3-phase chargers with any rotation, cars that take less than the charger gives, CSMS limits,
 * priorities and modes. The checks recompute the limits from the snapshot, not from the core's internals.
 */
class BalancerProperties {

    private static final double EPS = 1e-6;
    private static final double STEP = 0.1;

    /** A random site; all chargers follow their limits. */
    record RandomSite(SiteSnapshot snapshot, double[] otherLoad) {
    }

    @Provide
    Arbitrary<RandomSite> sites() {
        Arbitrary<Double> amps = Arbitraries.integers().between(10, 63).map(Integer::doubleValue);
        Arbitrary<List<ChargerSpec>> specs = chargerSpec().list().ofMinSize(1).ofMaxSize(10);
        Arbitrary<Boolean> meterFresh = Arbitraries.of(true, false);
        Arbitrary<double[]> other = Arbitraries.integers().between(0, 150).list().ofSize(3)
                .map(l -> new double[] {l.get(0) / 10.0, l.get(1) / 10.0, l.get(2) / 10.0});
        Arbitrary<double[]> circuitLimits = Arbitraries.integers().between(6, 40).list().ofSize(6)
                .map(l -> l.stream().mapToDouble(Integer::doubleValue).toArray());
        return Combinators.combine(amps, specs, meterFresh, other, circuitLimits, Arbitraries.of(true, false))
                .as((gridA, cs, fresh, load, cl, totalKw) -> build(gridA, cs, fresh, load, cl, totalKw));
    }

    record ChargerSpec(int circuit, PhaseRotation rotation, boolean onePhase, double maxA, Double carMax,
                       Double csms, int priority, Mode mode) {
    }

    private Arbitrary<ChargerSpec> chargerSpec() {
        Arbitrary<PhaseRotation> rotations = Arbitraries.of(PhaseRotation.NONE, PhaseRotation.parse("L2L3L1"),
                PhaseRotation.parse("L3L1L2"), PhaseRotation.parse("L1L3L2"));
        Arbitrary<Double> optAmps = Arbitraries.integers().between(4, 32).map(Integer::doubleValue).injectNull(0.5);
        return Combinators.combine(Arbitraries.integers().between(0, 3), rotations, Arbitraries.of(true, false),
                Arbitraries.of(16.0, 32.0), optAmps, optAmps.injectNull(0.6), Arbitraries.integers().between(0, 2),
                Arbitraries.of(Mode.FAST, Mode.FAST, Mode.FAST, Mode.OFF, Mode.MIN_PV))
                .as(ChargerSpec::new);
    }

    private RandomSite build(double gridA, List<ChargerSpec> specs, boolean fresh, double[] load, double[] cl,
                             boolean totalKw) {
        // circuit 0: the grid; 1 and 2: boards under the grid; 3: a board under 1
        List<Circuit> circuits = List.of(new Circuit("c1", null, new PhaseAmps(cl[0], cl[1], cl[2])),
                new Circuit("c2", null, PhaseAmps.all(cl[3])), new Circuit("c3", "c1", new PhaseAmps(cl[4], cl[5], cl[4])));
        List<Charger> chargers = new ArrayList<>();
        List<Connector> connectors = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            ChargerSpec sp = specs.get(i);
            String id = "CP" + i;
            chargers.add(new Charger(id, sp.circuit() == 0 ? null : "c" + sp.circuit(), sp.rotation(),
                    sp.onePhase() ? EnumSet.of(Phase.L1) : EnumSet.allOf(Phase.class), sp.maxA()));
            Connector c = Connector.charging(id, 1, "s" + i).withPriority(sp.priority()).withMode(sp.mode());
            if (sp.carMax() != null) {
                c = c.withCarMax(sp.carMax());
            }
            if (sp.csms() != null) {
                c = c.withCsmsLimit(sp.csms());
            }
            connectors.add(c);
        }
        PhaseAmps safe = new PhaseAmps(load[0], load[1], load[2]);
        Measurements m = fresh
                ? new Measurements(Reading.fresh(load[0]), Reading.fresh(load[1]), Reading.fresh(load[2]),
                Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN)
                : Measurements.NONE;
        // without a meter the safe budget is what is assumed: the same figures either way
        Grid grid = new Grid(PhaseAmps.all(gridA), totalKw ? OptionalDouble.of(gridA * 2 * 230 / 1000) : OptionalDouble.empty(), safe);
        SiteSnapshot s = new SiteSnapshot(Site.T0, grid, circuits, chargers, m, connectors, Tariff.FLAT,
                Settings.DEFAULT, BalancerState.INITIAL);
        return new RandomSite(s, load);
    }

    /** One limit of the site, as the test sees it. */
    record Bound(String name, double room, Map<ConnectorRef, Integer> coef) {
    }

    private static List<Bound> bounds(RandomSite rs) {
        SiteSnapshot s = rs.snapshot();
        Map<String, Charger> chargers = new HashMap<>();
        s.chargers().forEach(c -> chargers.put(c.id(), c));
        List<Bound> out = new ArrayList<>();
        for (Phase p : Phase.values()) {
            Map<ConnectorRef, Integer> coef = new HashMap<>();
            for (Connector c : s.connectors()) {
                if (sitePhases(c, chargers).contains(p)) {
                    coef.put(c.ref(), 1);
                }
            }
            out.add(new Bound("grid " + p, s.grid().limit().get(p) - rs.otherLoad()[p.ordinal()], coef));
            for (Circuit ci : s.circuits()) {
                Map<ConnectorRef, Integer> inCircuit = new HashMap<>();
                for (Connector c : s.connectors()) {
                    if (sitePhases(c, chargers).contains(p) && under(chargers.get(c.ref().chargerId()).circuit(),
                            ci.id(), s.circuits())) {
                        inCircuit.put(c.ref(), 1);
                    }
                }
                out.add(new Bound("circuit " + ci.id() + " " + p, ci.limit().get(p), inCircuit));
            }
        }
        if (s.grid().totalKw().isPresent()) {
            Map<ConnectorRef, Integer> coef = new HashMap<>();
            for (Connector c : s.connectors()) {
                coef.put(c.ref(), sitePhases(c, chargers).size());
            }
            double other = rs.otherLoad()[0] + rs.otherLoad()[1] + rs.otherLoad()[2];
            out.add(new Bound("total", s.grid().totalKw().getAsDouble() * 1000 / 230 - other, coef));
        }
        return out;
    }

    private static Map<String, Charger> chargersOf(RandomSite rs) {
        Map<String, Charger> chargers = new HashMap<>();
        rs.snapshot().chargers().forEach(c -> chargers.put(c.id(), c));
        return chargers;
    }

    private static boolean under(String circuit, String ancestor, List<Circuit> circuits) {
        String at = circuit;
        while (at != null) {
            if (at.equals(ancestor)) {
                return true;
            }
            String cur = at;
            at = circuits.stream().filter(c -> c.id().equals(cur)).findFirst().orElseThrow().parent();
        }
        return false;
    }

    private static Set<Phase> sitePhases(Connector c, Map<String, Charger> chargers) {
        Charger ch = chargers.get(c.ref().chargerId());
        return ch.rotation().site(ch.wiredPhases());
    }

    private static double used(Bound b, Allocation a) {
        double sum = 0;
        for (ConnectorLimit l : a.limits()) {
            sum += b.coef().getOrDefault(l.ref(), 0) * l.countedA();
        }
        return sum;
    }

    private static double cap(Connector c, Charger ch) {
        double cap = ch.maxA();
        if (c.carMaxA().isPresent()) {
            cap = Math.min(cap, c.carMaxA().getAsDouble());
        }
        if (c.csmsLimitA().isPresent()) {
            cap = Math.min(cap, c.csmsLimitA().getAsDouble());
        }
        return cap;
    }

    @Property(tries = 400)
    void noPhaseOfAnyLimitIsExceeded(@ForAll("sites") RandomSite rs) {
        Allocation a = Balancer.allocate(rs.snapshot());
        for (Bound b : bounds(rs)) {
            assertThat(used(b, a)).as(b.name()).isLessThanOrEqualTo(Math.max(0, b.room()) + EPS);
        }
    }

    /**
     * Some chargers ignore their limits and draw what they like: the others fit in what those leave, and
     * the site stays within every limit whenever the ignoring chargers alone do.
     */
    @Property(tries = 300)
    void chargersThatIgnoreTheirLimitsAreCountedAndTheOthersFitAroundThem(@ForAll("sites") RandomSite rs,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 320) int drawTenths) {
        SiteSnapshot s = rs.snapshot();
        List<Connector> connectors = new ArrayList<>();
        for (int i = 0; i < s.connectors().size(); i++) {
            Connector c = s.connectors().get(i);
            connectors.add(i % 3 == 0 ? c.withDraw(PhaseAmps.all(drawTenths / 10.0))
                    .withControl(SiteSnapshot.Control.IGNORES, OptionalDouble.of(6)) : c);
        }
        // no meter: the other load is the safe budget, whatever the chargers draw
        RandomSite withIgnoring = new RandomSite(new SiteSnapshot(s.now(), s.grid(), s.circuits(), s.chargers(),
                Measurements.NONE, connectors, s.tariff(), s.settings(), s.previous()), rs.otherLoad());
        Allocation a = Balancer.allocate(withIgnoring.snapshot());
        for (Bound b : bounds(withIgnoring)) {
            double ignoring = 0;
            double obeying = 0;
            for (int i = 0; i < a.limits().size(); i++) {
                double counted = b.coef().getOrDefault(a.limits().get(i).ref(), 0) * a.limits().get(i).countedA();
                if (connectors.get(i).control() == SiteSnapshot.Control.IGNORES) {
                    assertThat(a.limits().get(i).countedA()).isGreaterThanOrEqualTo(
                            Math.max(drawTenths / 10.0, a.limits().get(i).limitA()) - EPS);
                    ignoring += counted;
                } else {
                    obeying += counted;
                }
            }
            assertThat(obeying).as(b.name()).isLessThanOrEqualTo(Math.max(0, b.room() - ignoring) + EPS);
        }
    }

    @Property(tries = 400)
    void noLimitBetween0And6AndNoneAboveWhatTheConnectorMayTake(@ForAll("sites") RandomSite rs) {
        Allocation a = Balancer.allocate(rs.snapshot());
        Map<String, Charger> chargers = chargersOf(rs);
        for (int i = 0; i < a.limits().size(); i++) {
            ConnectorLimit l = a.limits().get(i);
            Connector c = rs.snapshot().connectors().get(i);
            assertThat(l.limitA() == 0 || l.limitA() >= 6.0).as(l + "").isTrue();
            assertThat(l.limitA()).isLessThanOrEqualTo(cap(c, chargers.get(c.ref().chargerId())) + EPS);
            if (c.mode() == Mode.OFF) {
                assertThat(l.limitA()).isZero();
            }
            assertThat(Math.round(l.limitA() * 10) / 10.0).isEqualTo(l.limitA());
        }
    }

    /**
     * Max-min fairness within a priority class: a connector below what it may take has a limit that is
     * full (to the rounding step) among whose members of its class it has the most.
     */
    @Property(tries = 400)
    void fairShareHoldsWithinEachPriorityClass(@ForAll("sites") RandomSite rs) {
        Allocation a = Balancer.allocate(rs.snapshot());
        Map<String, Charger> chargers = chargersOf(rs);
        List<Bound> bounds = bounds(rs);
        for (int i = 0; i < a.limits().size(); i++) {
            ConnectorLimit l = a.limits().get(i);
            Connector c = rs.snapshot().connectors().get(i);
            if (!onBelowCap(l, c, chargers)) {
                continue;
            }
            boolean bottleneck = bounds.stream().anyMatch(b -> b.coef().containsKey(l.ref())
                    && full(b, a)
                    && sameClass(b, a, rs, c.priority()).stream().allMatch(o -> o <= l.limitA() + EPS));
            assertThat(bottleneck).as("no bottleneck for " + l + " in " + a.limits()).isTrue();
        }
    }

    /** Full to the rounding step: less room left than a tenth of an amp for each member. */
    private static boolean full(Bound b, Allocation a) {
        return Math.max(0, b.room()) - used(b, a) <= STEP * b.coef().values().stream().mapToInt(x -> x).sum() + EPS;
    }

    /** A Fast-mode connector that is on and below what it may take. */
    private static boolean onBelowCap(ConnectorLimit l, Connector c, Map<String, Charger> chargers) {
        return l.limitA() > 0 && c.mode() == Mode.FAST
                && l.limitA() < cap(c, chargers.get(c.ref().chargerId())) - STEP;
    }

    private static List<Double> sameClass(Bound b, Allocation a, RandomSite rs, int priority) {
        List<Double> out = new ArrayList<>();
        for (int j = 0; j < a.limits().size(); j++) {
            Connector o = rs.snapshot().connectors().get(j);
            if (b.coef().containsKey(o.ref()) && o.priority() == priority && o.mode() == Mode.FAST) {
                out.add(a.limits().get(j).limitA());
            }
        }
        return out;
    }

    /** A lower priority gets more than its 6 A only where no higher priority still wants more. */
    @Property(tries = 400)
    void higherPrioritiesAreServedFirst(@ForAll("sites") RandomSite rs) {
        Allocation a = Balancer.allocate(rs.snapshot());
        Map<String, Charger> chargers = chargersOf(rs);
        List<Bound> bounds = bounds(rs);
        for (int i = 0; i < a.limits().size(); i++) {
            ConnectorLimit hi = a.limits().get(i);
            Connector ch = rs.snapshot().connectors().get(i);
            if (!onBelowCap(hi, ch, chargers)) {
                continue;
            }
            for (int j = 0; j < a.limits().size(); j++) {
                ConnectorLimit lo = a.limits().get(j);
                Connector cl = rs.snapshot().connectors().get(j);
                if (cl.priority() >= ch.priority() || lo.limitA() <= 6.0 + EPS) {
                    continue;
                }
                // hi is held by a full limit that lo is not in
                boolean heldElsewhere = bounds.stream().anyMatch(b -> b.coef().containsKey(hi.ref())
                        && !b.coef().containsKey(lo.ref())
                        && full(b, a));
                assertThat(heldElsewhere).as(hi + " below its cap while " + lo + " gets more than 6 A").isTrue();
            }
        }
    }

    @Property(tries = 200)
    void theSameSnapshotGivesTheSameAllocation(@ForAll("sites") RandomSite rs) {
        Allocation first = Balancer.allocate(rs.snapshot());
        assertThat(Balancer.allocate(rs.snapshot())).isEqualTo(first);
        SiteSnapshot later = new SiteSnapshot(Site.T0.plusSeconds(60), rs.snapshot().grid(),
                rs.snapshot().circuits(), rs.snapshot().chargers(), rs.snapshot().measurements(),
                rs.snapshot().connectors(), Tariff.FLAT, Settings.DEFAULT, first.next());
        assertThat(Balancer.allocate(later)).isEqualTo(Balancer.allocate(later));
    }

    /**
     * Not everyone fits: over a sequence of snapshots every car gets its turn, nobody is switched off before
     * its minimum on time nor on again before its minimum off time, and the limits hold at every step.
     */
    @Property(tries = 60)
    void nobodyStarvesAndMinimumTimesHold(@ForAll("crowds") int[] crowd) {
        int cars = crowd[0];
        double gridA = crowd[1];
        Settings settings = new Settings(230, Duration.ofMinutes(crowd[2]), Duration.ofMinutes(crowd[3]),
                Duration.ofMinutes(crowd[4]), 100, 100);
        List<Charger> chargers = new ArrayList<>();
        List<Connector> connectors = new ArrayList<>();
        for (int i = 0; i < cars; i++) {
            chargers.add(new Charger("CP" + i, null, PhaseRotation.NONE, EnumSet.allOf(Phase.class), 32));
            connectors.add(Connector.charging("CP" + i, 1, "s" + i));
        }
        Grid grid = new Grid(PhaseAmps.all(gridA), OptionalDouble.empty(), PhaseAmps.ZERO);
        int fit = (int) (gridA / 6);
        // a turn lasts at least the minimum on time
        Duration turn = settings.rotationTurn().compareTo(settings.minOn()) > 0 ? settings.rotationTurn()
                : settings.minOn();
        Duration horizon = turn.plus(settings.minOff()).plusMinutes(2)
                .multipliedBy((cars + fit - 1) / Math.max(1, fit) + 1);
        BalancerState state = BalancerState.INITIAL;
        Map<ConnectorRef, Instant> lastChange = new HashMap<>();
        Map<ConnectorRef, Boolean> on = new HashMap<>();
        Set<ConnectorRef> served = new java.util.HashSet<>();
        for (Instant t = Site.T0; !t.isAfter(Site.T0.plus(horizon)); t = t.plusSeconds(60)) {
            SiteSnapshot s = new SiteSnapshot(t, grid, List.of(), chargers, Measurements.NONE, connectors,
                    Tariff.FLAT, settings, state);
            Allocation a = Balancer.allocate(s);
            double sum = 0;
            for (ConnectorLimit l : a.limits()) {
                sum += l.limitA();
                boolean isOn = l.limitA() > 0;
                Boolean was = on.get(l.ref());
                // the minimum off time counts from a switch-off; a car waiting since it arrived has none
                if (was != null && was != isOn && served.contains(l.ref())) {
                    Duration held = Duration.between(lastChange.get(l.ref()), t);
                    assertThat(held).as(l.ref() + (was ? " on" : " off") + " at " + t)
                            .isGreaterThanOrEqualTo(was ? settings.minOn() : settings.minOff());
                }
                if (was == null || was != isOn) {
                    lastChange.put(l.ref(), t);
                }
                on.put(l.ref(), isOn);
                if (isOn) {
                    served.add(l.ref());
                }
            }
            assertThat(sum).isLessThanOrEqualTo(gridA + EPS);
            state = a.next();
        }
        assertThat(served).as("served within " + horizon).hasSize(cars);
    }

    @Provide
    Arbitrary<int[]> crowds() {
        return Combinators.combine(Arbitraries.integers().between(2, 12), Arbitraries.integers().between(6, 40),
                Arbitraries.integers().between(1, 10), Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(1, 20)).as((n, a, minOn, minOff, turn) -> new int[] {n, a, minOn, minOff, turn});
    }
}
