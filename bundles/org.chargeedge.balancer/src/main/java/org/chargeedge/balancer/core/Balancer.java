package org.chargeedge.balancer.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

import org.chargeedge.balancer.core.Allocation.ConnectorLimit;
import org.chargeedge.balancer.core.Allocation.Kind;
import org.chargeedge.balancer.core.Allocation.Reason;
import org.chargeedge.balancer.core.BalancerState.Memory;
import org.chargeedge.balancer.core.SiteSnapshot.Charger;
import org.chargeedge.balancer.core.SiteSnapshot.Circuit;
import org.chargeedge.balancer.core.SiteSnapshot.Connector;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorState;
import org.chargeedge.balancer.core.SiteSnapshot.Control;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.chargeedge.balancer.core.SiteSnapshot.PriceWindow;

/**
 * The allocation: a pure function of a {@link SiteSnapshot}.
 *
 * <p>Currents are computed in whole tenths of an amp (OCPP limits have one
 * decimal), rounded down, so sums never exceed a limit by rounding. Steps:
 * what each connector may take (its cap) and whether it wants to charge now
 * (mode, schedule, PV hysteresis); the room each limit leaves (grid minus the
 * other load, or minus the safe budget when the grid meter is unknown;
 * circuits; total power; PV surplus), after counting chargers that do not
 * follow their limits at what they draw; admission of 6 A each by priority
 * and rotation order; then water-filling, priority class by priority class.
 *
 * <p>Threads: the core keeps no state of its own; every call works on its own
 * copies, so any thread may call it, and the caller owns the returned state.
 */
public final class Balancer {

    /** The lowest current a charger can signal (IEC 61851); below it a car pauses. */
    public static final double MIN_CURRENT_A = 6.0;
    private static final long MIN = 60;

    private Balancer() {
    }

    /** One limit: the room it leaves and who is counted against it. */
    private static final class Limit {
        final String name;
        long room;
        final Map<Integer, Integer> coef = new HashMap<>();

        Limit(String name, long room) {
            this.name = name;
            this.room = room;
        }

        int coef(int i) {
            return coef.getOrDefault(i, 0);
        }
    }

    /** Per connector working values; index = position in the snapshot. */
    private static final class Work {
        final Connector c;
        Set<Phase> sitePhases;
        long cap;
        String capWhy;
        boolean wants;
        Reason reason;
        long level;
        long counted;
        boolean fixed;
        Memory memory;
        OptionalDouble learnt = OptionalDouble.empty();
        /** On a charger that switches phases: 1 or 3, with its last switch and account; 0 otherwise. */
        int phases;
        PhaseSwitching.Step phaseStep;

        Work(Connector c) {
            this.c = c;
        }
    }

    public static Allocation allocate(SiteSnapshot s) {
        Map<String, Charger> chargers = new HashMap<>();
        s.chargers().forEach(ch -> chargers.put(ch.id(), ch));
        Map<String, Circuit> circuits = new HashMap<>();
        s.circuits().forEach(ci -> circuits.put(ci.id(), ci));
        double v = s.settings().voltage();
        Instant now = s.now();

        List<Work> work = new ArrayList<>();
        for (Connector c : s.connectors()) {
            Work w = new Work(c);
            work.add(w);
            Charger ch = chargers.get(c.ref().chargerId());
            if (ch == null) {
                throw new IllegalArgumentException("connector " + c.ref() + " names no known charger");
            }
            Memory m = s.previous().connectors().get(c.ref());
            w.memory = m != null && c.session() != null && c.session().equals(m.session()) ? m : null;
            w.sitePhases = ch.rotation().site(carPhases(c, ch));
            capOf(w, ch);
        }
        switchPhases(s, work, chargers, v);

        // The other load on the grid connection, per phase.
        String budget;
        long[] other = new long[3];
        if (s.measurements().gridCurrentsFresh()) {
            budget = "grid meter";
            for (Phase p : Phase.values()) {
                double chargersOnP = 0;
                for (Work w : work) {
                    chargersOnP += drawOnSitePhase(w, chargers.get(w.c.ref().chargerId()), p);
                }
                other[p.ordinal()] = Math.max(0, ceil(s.measurements().gridCurrent(p).value() - chargersOnP));
            }
        } else if (s.measurements().gridPowerW().usable()) {
            budget = "grid power meter (no per-phase currents: the other load is counted on every phase)";
            double chargersW = 0;
            for (Work w : work) {
                chargersW += totalDraw(w.c) * v;
            }
            long perPhase = Math.max(0, ceil((s.measurements().gridPowerW().value() - chargersW) / v));
            other = new long[] {perPhase, perPhase, perPhase};
        } else {
            budget = "safe budget: grid meter " + s.measurements().gridL1().describe();
            for (Phase p : Phase.values()) {
                other[p.ordinal()] = ceil(s.grid().safeBudget().get(p));
            }
        }

        // The limits.
        List<Limit> limits = new ArrayList<>();
        Map<Phase, Limit> gridPhase = new HashMap<>();
        boolean safe = budget.startsWith("safe");
        for (Phase p : Phase.values()) {
            Limit l = new Limit("grid " + p + (safe ? " (" + budget + ")" : ""),
                    floor(s.grid().limit().get(p)) - other[p.ordinal()]);
            gridPhase.put(p, l);
            limits.add(l);
        }
        PhaseAmps available = new PhaseAmps(Math.max(0, gridPhase.get(Phase.L1).room) / 10.0,
                Math.max(0, gridPhase.get(Phase.L2).room) / 10.0, Math.max(0, gridPhase.get(Phase.L3).room) / 10.0);
        Limit total = null;
        if (s.grid().totalKw().isPresent()) {
            double kw = s.grid().totalKw().getAsDouble();
            total = new Limit(String.format(Locale.ROOT, "grid %.1f kW", kw),
                    floor(kw * 1000 / v) - other[0] - other[1] - other[2]);
            limits.add(total);
        }
        Map<String, Map<Phase, Limit>> circuitLimits = new HashMap<>();
        for (Circuit ci : s.circuits()) {
            Map<Phase, Limit> byPhase = new HashMap<>();
            for (Phase p : Phase.values()) {
                Limit l = new Limit("circuit " + ci.id() + " " + p, floor(ci.limit().get(p)));
                byPhase.put(p, l);
                limits.add(l);
            }
            circuitLimits.put(ci.id(), byPhase);
        }
        for (int i = 0; i < work.size(); i++) {
            Work w = work.get(i);
            for (Phase p : w.sitePhases) {
                gridPhase.get(p).coef.put(i, 1);
                for (String ci : path(chargers.get(w.c.ref().chargerId()).circuit(), circuits)) {
                    circuitLimits.get(ci).get(p).coef.put(i, 1);
                }
            }
            if (total != null) {
                total.coef.put(i, w.sitePhases.size());
            }
        }

        // Who wants to charge now, before room is considered.
        for (Work w : work) {
            wants(w, s);
        }
        PvGate pv = pvGate(s, work, v);

        // Chargers that do not follow their limits are counted at what they may draw, before anyone else.
        for (int i = 0; i < work.size(); i++) {
            Work w = work.get(i);
            long fixedAt = fixedLoad(w);
            if (fixedAt < 0) {
                continue;
            }
            w.fixed = true;
            w.counted = fixedAt;
            for (Limit l : limits) {
                l.room -= (long) l.coef(i) * fixedAt;
            }
        }

        Limit pvLimit = null;
        if (pv.members.size() > 0) {
            // the surplus counts what every PV and MinPV session draws; what those the limit below does not share
            // out draw (counted at their draw, or paused and still slowing down) stays theirs, not the others'
            long minimums = 0;
            double keptW = 0;
            for (int i = 0; i < work.size(); i++) {
                Work w = work.get(i);
                boolean shared = pv.members.contains(i) && !w.fixed;
                if (shared) {
                    minimums += MIN * w.sitePhases.size();
                } else if (w.c.mode() == Mode.PV || w.c.mode() == Mode.MIN_PV) {
                    keptW += totalDraw(w.c) * v;
                }
            }
            pvLimit = new Limit(String.format(Locale.ROOT, "PV surplus %.1f kW", pv.surplusW / 1000),
                    Math.max(minimums, floor((pv.surplusW - keptW) / v)));
            for (int i : pv.members) {
                pvLimit.coef.put(i, work.get(i).sitePhases.size());
            }
            limits.add(pvLimit);
        }

        // Admission: 6 A each, by priority, then rotation order.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < work.size(); i++) {
            if (work.get(i).wants && !work.get(i).fixed) {
                order.add(i);
            }
        }
        Duration turn = s.settings().rotationTurn().compareTo(s.settings().minOn()) > 0
                ? s.settings().rotationTurn() : s.settings().minOn();
        order.sort(Comparator.<Integer>comparingInt(i -> -work.get(i).c.priority())
                .thenComparingInt(i -> rotationGroup(work.get(i), now, turn))
                .thenComparing(i -> rotationKey(work.get(i), now))
                .thenComparing(i -> work.get(i).c.ref()));
        List<Integer> admitted = new ArrayList<>();
        for (int i : order) {
            Work w = work.get(i);
            if (w.memory != null && w.memory.heldOff(now, s.settings().minOff())) {
                Instant until = w.memory.since().plus(s.settings().minOff());
                w.reason = new Reason(Kind.ROTATION, "paused: minimum off time, resumes in " + in(now, until), until);
                continue;
            }
            Limit full = null;
            for (Limit l : limits) {
                if ((long) l.coef(i) * MIN > l.room) {
                    full = l;
                    break;
                }
            }
            if (full != null) {
                w.reason = pausedReason(w, i, full, admitted, work, now, turn);
                continue;
            }
            for (Limit l : limits) {
                l.room -= (long) l.coef(i) * MIN;
            }
            w.level = MIN;
            admitted.add(i);
        }

        // Water-filling, one priority class after the other.
        Map<Integer, Limit> frozenBy = new HashMap<>();
        List<Integer> classes = admitted.stream().map(i -> work.get(i).c.priority()).distinct()
                .sorted(Comparator.reverseOrder()).toList();
        for (int prio : classes) {
            List<Integer> active = new ArrayList<>();
            for (int i : admitted) {
                if (work.get(i).c.priority() == prio && work.get(i).level < work.get(i).cap) {
                    active.add(i);
                }
            }
            fill(active, work, limits, frozenBy);
        }

        // Reasons and the next state.
        List<ConnectorLimit> out = new ArrayList<>();
        Map<ConnectorRef, Memory> memories = new HashMap<>();
        for (int i = 0; i < work.size(); i++) {
            Work w = work.get(i);
            if (!w.fixed) {
                w.counted = w.level;
            }
            if (w.reason == null) {
                if (w.level >= w.cap) {
                    w.reason = new Reason(Kind.CAPPED, w.capWhy, null);
                } else {
                    Limit l = frozenBy.get(i);
                    if (l == pvLimit && l != null) {
                        w.reason = new Reason(Kind.PV_SURPLUS, String.format(Locale.ROOT,
                                "PV surplus %.1f kW shared by %d", Math.max(0, pv.surplusW) / 1000,
                                pv.members.stream().filter(admitted::contains).count()) + pv.note(), null);
                    } else {
                        w.reason = new Reason(Kind.SHARED, (l == null ? "limit" : l.name) + " full", null);
                    }
                }
            }
            double limitA = w.fixed ? (w.c.control() == Control.OFFLINE
                    ? w.c.activeLimitA().orElse(0) : (w.wants ? MIN_CURRENT_A : 0)) : w.level / 10.0;
            if (w.phases == 1) {
                w.reason = new Reason(w.reason.kind(), w.reason.text() + " (on 1 phase)", w.reason.until());
            }
            out.add(new ConnectorLimit(w.c.ref(), limitA, w.sitePhases, w.counted / 10.0, w.reason, w.phases));
            if (w.c.session() != null && w.c.control() == Control.OFFLINE) {
                // not controlled now: what was decided for it stays as it was (counted at 0, as a charger not
                // back after a restart whose draw the grid meter holds, is no pause and starts no off time)
                if (w.memory != null) {
                    memories.put(w.c.ref(), w.memory);
                }
            } else if (w.c.session() != null) {
                boolean on = limitA > 0;
                Instant since = w.memory != null && w.memory.on() == on ? w.memory.since() : now;
                PhaseSwitching.Step ps = w.phaseStep != null ? w.phaseStep : new PhaseSwitching.Step(3, null, 0);
                memories.put(w.c.ref(), new Memory(w.c.session(), on, since, limitA, w.learnt,
                        on || (w.memory != null && w.memory.wasOn()), ps.phases(), ps.since(), ps.wh(),
                        carPhasesSeen(w, chargers.get(w.c.ref().chargerId()), now,
                                s.settings().phaseSwitching().hold())));
            }
        }
        BalancerState next = new BalancerState(now, memories, pv.startWh, pv.stopWh);
        return new Allocation(now, out, budget, available, next);
    }


    /** The phases (of the charger) the car is counted on: those it draws on, else all wired. */
    private static Set<Phase> carPhases(Connector c, Charger ch) {
        if (c.draw() != null && c.state() == ConnectorState.CHARGING) {
            EnumSet<Phase> drawing = EnumSet.noneOf(Phase.class);
            for (Phase p : ch.wiredPhases()) {
                if (c.draw().get(p) >= 1.0) {
                    drawing.add(p);
                }
            }
            if (!drawing.isEmpty()) {
                return drawing;
            }
        }
        return ch.wiredPhases();
    }

    /**
     * On how many phases the session's car draws, as far as seen: counted from a draw of at least 6 A on some
     * phase while the charger offered all 3 of its phases (not switched to 1, and not within the hold after a
     * switch back to 3, when the car may not have followed yet); else what was seen before, 0 if nothing.
     */
    private static int carPhasesSeen(Work w, Charger ch, Instant now, Duration hold) {
        int before = w.memory == null ? 0 : w.memory.carPhases();
        Connector c = w.c;
        boolean offered3 = ch.wiredPhases().size() == 3 && (w.phaseStep == null || (w.phaseStep.phases() == 3
                && (w.phaseStep.since() == null || now.isAfter(w.phaseStep.since().plus(hold)))));
        if (!offered3 || c.draw() == null || c.state() != ConnectorState.CHARGING || maxDraw(c) < MIN_CURRENT_A) {
            return before;
        }
        int n = 0;
        for (Phase p : ch.wiredPhases()) {
            n += c.draw().get(p) >= 1.0 ? 1 : 0;
        }
        return n;
    }

    private static double drawOnSitePhase(Work w, Charger ch, Phase sitePhase) {
        if (w.c.draw() == null) {
            return 0;
        }
        double sum = 0;
        for (Phase cp : Phase.values()) {
            if (ch.rotation().site(cp) == sitePhase) {
                sum += w.c.draw().get(cp);
            }
        }
        return Math.max(0, sum);
    }

    private static double totalDraw(Connector c) {
        return c.draw() == null ? 0 : Math.max(0, c.draw().l1()) + Math.max(0, c.draw().l2())
                + Math.max(0, c.draw().l3());
    }

    private static double maxDraw(Connector c) {
        return c.draw() == null ? 0 : Math.max(c.draw().l1(), Math.max(c.draw().l2(), c.draw().l3()));
    }

    private static void capOf(Work w, Charger ch) {
        Connector c = w.c;
        double cap = ch.maxA();
        String why = String.format(Locale.ROOT, "charger maximum %.1f A", ch.maxA());
        if (c.carMaxA().isPresent() && c.carMaxA().getAsDouble() < cap) {
            cap = c.carMaxA().getAsDouble();
            why = String.format(Locale.ROOT, "car takes at most %.1f A", cap);
        }
        w.learnt = learnt(w);
        if (w.learnt.isPresent() && w.learnt.getAsDouble() < cap) {
            cap = w.learnt.getAsDouble();
            why = String.format(Locale.ROOT, "car draws %.1f A: capped there, the rest goes to others", cap - 1);
        }
        if (c.state() == ConnectorState.SUSPENDED_EV && MIN_CURRENT_A < cap) {
            cap = MIN_CURRENT_A;
            why = "car paused itself: kept at 6 A";
        }
        if (c.csmsLimitA().isPresent() && c.csmsLimitA().getAsDouble() < cap) {
            cap = c.csmsLimitA().getAsDouble();
            why = String.format(Locale.ROOT, "CSMS limit %.1f A", cap);
        }
        w.cap = floor(cap);
        w.capWhy = why;
    }

    /** What the car was seen to take at most in this session, from the memory and the draw against the limit in force. */
    private static OptionalDouble learnt(Work w) {
        OptionalDouble before = w.memory == null ? OptionalDouble.empty() : w.memory.learntCarMaxA();
        if (w.c.draw() == null || w.c.state() != ConnectorState.CHARGING || w.c.activeLimitA().isEmpty()) {
            return before;
        }
        double draw = maxDraw(w.c);
        double offered = w.c.activeLimitA().getAsDouble();
        if (offered >= MIN_CURRENT_A && draw < offered - 2 && draw >= 1) {
            return OptionalDouble.of(Math.max(MIN_CURRENT_A, Math.floor((draw + 1) * 10) / 10));
        }
        if (before.isPresent() && draw >= before.getAsDouble() - 0.5) {
            return OptionalDouble.empty();
        }
        return before;
    }

    /** Decides whether the session wants current now (PV mode is decided by the PV gate). */
    private static void wants(Work w, SiteSnapshot s) {
        Connector c = w.c;
        boolean charging = c.session() != null && (c.state() == ConnectorState.CHARGING
                || c.state() == ConnectorState.SUSPENDED_EV || c.state() == ConnectorState.SUSPENDED_EVSE);
        if (!charging) {
            w.reason = new Reason(Kind.IDLE, c.session() == null ? "no session" : "not charging ("
                    + c.state().name().toLowerCase(Locale.ROOT) + ")", null);
            return;
        }
        if (c.mode() == Mode.OFF) {
            w.reason = new Reason(Kind.OFF, "mode Off", null);
            return;
        }
        if (w.cap < MIN) {
            w.reason = new Reason(Kind.CAPPED, w.capWhy + " (below 6 A: paused)", null);
            return;
        }
        if (c.mode() == Mode.SCHEDULED) {
            scheduled(w, s);
            return;
        }
        w.wants = c.mode() != Mode.PV;
    }

    /**
     * Scheduled mode: the cheapest slices of time between now and departure that hold the energy still
     * needed at the connector's full current; charge now if now is one of them.
     */
    private static void scheduled(Work w, SiteSnapshot s) {
        Connector c = w.c;
        Instant now = s.now();
        if (c.energyNeededWh() <= 0) {
            w.reason = new Reason(Kind.SCHEDULED_WAITING, "scheduled: energy target reached", null);
            return;
        }
        if (c.departure() == null || !c.departure().isAfter(now)) {
            w.wants = true;
            w.reason = null;
            return;
        }
        double rateW = w.cap / 10.0 * w.sitePhases.size() * s.settings().voltage();
        long neededS = (long) Math.ceil(c.energyNeededWh() / rateW * 3600);
        List<Instant> cuts = new ArrayList<>(List.of(now, c.departure()));
        for (PriceWindow pw : s.tariff().windows()) {
            for (Instant t : List.of(pw.from(), pw.to())) {
                if (t.isAfter(now) && t.isBefore(c.departure())) {
                    cuts.add(t);
                }
            }
        }
        List<Instant> sorted = cuts.stream().distinct().sorted().toList();
        List<Instant[]> slices = new ArrayList<>();
        for (int k = 0; k + 1 < sorted.size(); k++) {
            slices.add(new Instant[] {sorted.get(k), sorted.get(k + 1)});
        }
        slices.sort(Comparator.<Instant[]>comparingDouble(x -> s.tariff().priceAt(x[0])).thenComparing(x -> x[0]));
        long covered = 0;
        Instant firstChosen = null;
        boolean nowChosen = false;
        for (Instant[] sl : slices) {
            if (covered >= neededS) {
                break;
            }
            covered += Duration.between(sl[0], sl[1]).getSeconds();
            nowChosen |= sl[0].equals(now);
            if (firstChosen == null || sl[0].isBefore(firstChosen)) {
                firstChosen = sl[0];
            }
        }
        if (covered < neededS || nowChosen) {
            w.wants = true;
            return;
        }
        w.reason = new Reason(Kind.SCHEDULED_WAITING, String.format(Locale.ROOT,
                "scheduled: waits for the window at %.3f/kWh, starts in %s", s.tariff().priceAt(firstChosen),
                in(now, firstChosen)), firstChosen);
    }

    /** The PV-mode decision: which PV sessions are on, and the surplus shared by PV and Min+PV sessions. */
    private static final class PvGate {
        double surplusW;
        double startWh;
        double stopWh;
        /** The battery's spare charging power taken off the surplus, W ({@link Surplus#spareW}). */
        double spareW;
        /** What the battery's spare charging power did to the surplus ({@link Surplus#note}); null: nothing. */
        String batteryNote;
        final List<Integer> members = new ArrayList<>();

        /** The battery's note for a reason: empty, or {@code "; "} and the note. */
        String note() {
            return batteryNote == null ? "" : "; " + batteryNote;
        }
    }

    private static PvGate pvGate(SiteSnapshot s, List<Work> work, double v) {
        PvGate g = new PvGate();
        Surplus surplus = surplus(s, work, v);
        g.surplusW = surplus.watts();
        g.spareW = surplus.spareW();
        g.batteryNote = surplus.note();
        String unknown = surplus.unknown();
        double hours = s.previous().at() == null ? 0
                : Math.max(0, Duration.between(s.previous().at(), s.now()).toMillis()) / 3_600_000.0;
        Instant now = s.now();

        double need = 0;
        List<Work> pvOn = new ArrayList<>();
        List<Work> pvWaiting = new ArrayList<>();
        for (int i = 0; i < work.size(); i++) {
            Work w = work.get(i);
            if (w.wants && w.c.mode() == Mode.MIN_PV) {
                need += MIN_CURRENT_A * w.sitePhases.size() * v;
                g.members.add(i);
            } else if (w.reason == null && w.c.mode() == Mode.PV && w.cap >= MIN) {
                if (w.memory != null && w.memory.on()) {
                    pvOn.add(w);
                    need += MIN_CURRENT_A * w.sitePhases.size() * v;
                } else {
                    pvWaiting.add(w);
                }
            }
        }
        Comparator<Work> byTurn = Comparator.<Work>comparingInt(w -> -w.c.priority())
                .thenComparing(w -> w.memory == null ? now : w.memory.since()).thenComparing(w -> w.c.ref());
        pvWaiting.sort(byTurn);
        Work next = pvWaiting.stream().filter(w -> w.memory == null || !w.memory.heldOff(now, s.settings().minOff()))
                .findFirst().orElse(null);
        double needNext = next == null ? 0 : need + MIN_CURRENT_A * next.sitePhases.size() * v;

        g.startWh = next == null ? 0 : clamp(s.previous().pvStartWh() + (g.surplusW - needNext) * hours,
                s.settings().pvStartWh());
        g.stopWh = pvOn.isEmpty() ? 0 : clamp(s.previous().pvStopWh() + (need - g.surplusW) * hours,
                s.settings().pvStopWh());
        Work stopping = null;
        if (!pvOn.isEmpty() && g.stopWh >= s.settings().pvStopWh()) {
            // the lowest priority, longest on, whose minimum on time is over
            stopping = pvOn.stream().filter(w -> !w.memory.since().plus(s.settings().minOn()).isAfter(now))
                    .min(Comparator.<Work>comparingInt(w -> w.c.priority()).thenComparing(w -> w.memory.since())
                            .thenComparing(w -> w.c.ref())).orElse(null);
            if (stopping != null) {
                g.stopWh = 0;
            }
        }
        Work starting = null;
        if (stopping == null && next != null && g.startWh >= s.settings().pvStartWh()) {
            starting = next;
            g.startWh = 0;
        }
        for (Work w : pvOn) {
            if (w == stopping) {
                // with the battery's spare charging power held back, the shortfall is the battery's, not the grid's
                w.reason = new Reason(Kind.PV_WAITING, String.format(Locale.ROOT,
                        "PV: paused, %.0f Wh %s", s.settings().pvStopWh(), g.spareW > 0
                                ? "short of surplus" : "drawn from the grid") + g.note(), null);
            } else {
                w.wants = true;
                g.members.add(work.indexOf(w));
            }
        }
        for (Work w : pvWaiting) {
            if (w == starting) {
                w.wants = true;
                g.members.add(work.indexOf(w));
            } else {
                w.reason = new Reason(Kind.PV_WAITING, unknown != null ? "PV: waiting; " + unknown
                        : String.format(Locale.ROOT, "PV: waiting for surplus (%.0f of %.0f Wh%s)",
                        w == next ? g.startWh : 0, s.settings().pvStartWh(),
                        w == next ? "" : ", next in line: " + (next == null ? "none" : next.c.ref())) + g.note(),
                        null);
            }
        }
        g.members.sort(Comparator.naturalOrder());
        return g;
    }

    /** The PV surplus: the meters, what PV and Min+PV sessions draw, the battery policy. */
    private static Surplus surplus(SiteSnapshot s, List<Work> work, double v) {
        double controlledW = 0;
        for (Work w : work) {
            if (w.c.mode() == Mode.PV || w.c.mode() == Mode.MIN_PV) {
                controlledW += totalDraw(w.c) * v;
            }
        }
        return Surplus.of(s.measurements(), controlledW, s.settings().battery());
    }

    /**
     * 1/3-phase switching ({@link PhaseSwitching}) for sessions on chargers that switch, before any limit is
     * counted: a session on 1 phase is counted on the site phase its charger's L1 is wired to (and on every phase
     * it still draws on, until the charger has switched); one switched back to 3 on all three until the hold
     * time has passed, whatever its draw still shows. Sessions are taken by priority, then connector, each
     * seeing the surplus less 6 A on the phases of every other PV and Min+PV session as decided so far.
     */
    private static void switchPhases(SiteSnapshot s, List<Work> work, Map<String, Charger> chargers, double v) {
        PhaseSwitching cfg = s.settings().phaseSwitching();
        Instant now = s.now();
        List<Work> switching = new ArrayList<>();
        for (Work w : work) {
            Charger ch = chargers.get(w.c.ref().chargerId());
            if (!cfg.enabled() || !ch.switchesPhases() || ch.wiredPhases().size() != 3 || w.c.session() == null) {
                continue;
            }
            w.phaseStep = w.memory == null ? new PhaseSwitching.Step(3, null, 0)
                    : new PhaseSwitching.Step(w.memory.phases(), w.memory.phasesSince(), w.memory.phaseWh());
            w.phases = w.phaseStep.phases();
            w.sitePhases = phaseSites(w, ch, now, cfg);
            switching.add(w);
        }
        if (switching.isEmpty()) {
            return;
        }
        Surplus surplus = surplus(s, work, v);
        double hours = s.previous().at() == null ? 0
                : Math.max(0, Duration.between(s.previous().at(), now).toMillis()) / 3_600_000.0;
        switching.sort(Comparator.<Work>comparingInt(w -> -w.c.priority()).thenComparing(w -> w.c.ref()));
        for (Work w : switching) {
            Charger ch = chargers.get(w.c.ref().chargerId());
            if (w.c.control() != Control.OBEYS || !charging(w.c) || (w.phases == 3 && w.sitePhases.size() < 3)
                    || (w.memory != null && w.memory.carPhases() > 0 && w.memory.carPhases() < 3)) {
                // not charging, not following, or a car that draws on fewer phases anyway (now, or as seen
                // earlier in its session, while it draws nothing): left as it is, a switch would only pause it
                continue;
            }
            double others = 0;
            for (Work o : work) {
                if (o != w && pvSession(o)) {
                    others += MIN_CURRENT_A * o.sitePhases.size() * v;
                }
            }
            double share = surplus.unknown() == null ? surplus.watts() - others : 0;
            boolean pvMode = w.c.mode() == Mode.PV || w.c.mode() == Mode.MIN_PV;
            w.phaseStep = cfg.next(w.phaseStep, pvMode, share, hours, now, v);
            w.phases = w.phaseStep.phases();
            w.sitePhases = phaseSites(w, ch, now, cfg);
        }
    }

    /** The site phases a session on a switching charger is counted on (see {@link #switchPhases}). */
    private static Set<Phase> phaseSites(Work w, Charger ch, Instant now, PhaseSwitching cfg) {
        if (w.phases == 1) {
            EnumSet<Phase> p = EnumSet.of(Phase.L1);
            if (w.c.draw() != null && w.c.state() == ConnectorState.CHARGING) {
                p.addAll(carPhases(w.c, ch));
            }
            return ch.rotation().site(p);
        }
        PhaseSwitching.Step st = w.phaseStep;
        if (st.since() != null && !now.isAfter(st.since().plus(cfg.hold()))) {
            return ch.rotation().site(ch.wiredPhases());
        }
        return ch.rotation().site(carPhases(w.c, ch));
    }

    private static boolean charging(Connector c) {
        return c.state() == ConnectorState.CHARGING || c.state() == ConnectorState.SUSPENDED_EV
                || c.state() == ConnectorState.SUSPENDED_EVSE;
    }

    /** A session that takes a share of the PV surplus: Min+PV charging, or PV that is on. */
    private static boolean pvSession(Work w) {
        return w.c.session() != null && charging(w.c) && (w.c.mode() == Mode.MIN_PV
                || (w.c.mode() == Mode.PV && w.memory != null && w.memory.on()));
    }

    private static double clamp(double v, double max) {
        return Math.max(0, Math.min(max, v));
    }

    /** What a charger that does not follow its limit is counted at (tenths of A), or -1 if it follows. */
    private static long fixedLoad(Work w) {
        Connector c = w.c;
        if (c.control() == Control.OFFLINE) {
            long at = Math.max(ceil(maxDraw(c)), ceil(c.activeLimitA().orElse(0)));
            w.reason = new Reason(Kind.COUNTED_AS_DRAWN, at == 0
                    ? "charger offline: what it draws is in the grid meter's reading"
                    : String.format(Locale.ROOT, "charger offline: counted at its last limit %.1f A until its "
                            + "fallback applies", at / 10.0), null);
            return at;
        }
        if (c.control() == Control.IGNORES || (!w.wants && maxDraw(c) >= 1.0)) {
            // an ignoring charger is asked for 6 A, and counted at no less
            long at = Math.max(ceil(maxDraw(c)), c.control() == Control.IGNORES && w.wants ? MIN : 0);
            if (c.control() != Control.IGNORES && w.reason != null) {
                // paused a moment ago and still slowing down: counted at its draw, the pause is the reason
                return at;
            }
            w.reason = new Reason(Kind.COUNTED_AS_DRAWN, String.format(Locale.ROOT,
                    "%s: counted at the %.1f A it draws", c.control() == Control.IGNORES ? "ignores its limit"
                            : "draws without a session or limit", at / 10.0), null);
            return at;
        }
        return -1;
    }

    /** 0: on and within its turn; 1: waiting; 2: on, turn over. */
    private static int rotationGroup(Work w, Instant now, Duration turn) {
        if (w.memory == null || !w.memory.on()) {
            return 1;
        }
        return w.memory.since().plus(turn).isAfter(now) ? 0 : 2;
    }

    /** Within a group: the longest waiting first; among those whose turn is over, the longest on last. */
    private static long rotationKey(Work w, Instant now) {
        if (w.memory == null) {
            return now.getEpochSecond();
        }
        return w.memory.on() ? -w.memory.since().getEpochSecond() : w.memory.since().getEpochSecond();
    }

    private static Reason pausedReason(Work w, int i, Limit full, List<Integer> admitted, List<Work> work,
                                       Instant now, Duration turn) {
        Instant resumes = null;
        for (int j : admitted) {
            Work o = work.get(j);
            if (full.coef(j) > 0 && o.c.priority() == w.c.priority()) {
                Instant end = o.memory != null && o.memory.on() ? o.memory.since().plus(turn) : now.plus(turn);
                if (end.isBefore(now)) {
                    end = now;
                }
                if (resumes == null || end.isBefore(resumes)) {
                    resumes = end;
                }
            }
        }
        if (resumes != null) {
            return new Reason(Kind.ROTATION, "paused: rotation (" + full.name + " full), resumes in "
                    + in(now, resumes), resumes);
        }
        return new Reason(Kind.NO_ROOM, "paused: " + full.name + " full", null);
    }

    private static void fill(List<Integer> active, List<Work> work, List<Limit> limits, Map<Integer, Limit> frozenBy) {
        while (!active.isEmpty()) {
            long delta = Long.MAX_VALUE;
            for (int i : active) {
                delta = Math.min(delta, work.get(i).cap - work.get(i).level);
            }
            for (Limit l : limits) {
                long weight = weight(l, active);
                if (weight > 0) {
                    delta = Math.min(delta, Math.max(0, l.room) / weight);
                }
            }
            for (int i : active) {
                work.get(i).level += delta;
            }
            for (Limit l : limits) {
                l.room -= delta * weight(l, active);
            }
            Set<Integer> frozen = new HashSet<>();
            for (int i : active) {
                if (work.get(i).level >= work.get(i).cap) {
                    frozen.add(i);
                }
            }
            for (Limit l : limits) {
                long weight = weight(l, active);
                if (weight > 0 && l.room < weight) {
                    // the rounding rest of a full limit stays unused, so lower priorities never get more
                    // through it than a higher priority held by it
                    l.room = Math.min(l.room, 0);
                    for (int i : active) {
                        if (l.coef(i) > 0 && !frozen.contains(i)) {
                            frozen.add(i);
                            frozenBy.put(i, l);
                        }
                    }
                }
            }
            if (frozen.isEmpty()) {
                throw new IllegalStateException("water-filling made no progress");
            }
            active = active.stream().filter(i -> !frozen.contains(i)).toList();
        }
    }

    private static long weight(Limit l, List<Integer> active) {
        long sum = 0;
        for (int i : active) {
            sum += l.coef(i);
        }
        return sum;
    }

    /** The boards from the charger's own up to the top, each once. */
    private static List<String> path(String circuit, Map<String, Circuit> circuits) {
        List<String> out = new ArrayList<>();
        String at = circuit;
        while (at != null) {
            if (out.contains(at)) {
                throw new IllegalArgumentException("circuit " + at + " is its own ancestor");
            }
            Circuit ci = circuits.get(at);
            if (ci == null) {
                throw new IllegalArgumentException("unknown circuit " + at);
            }
            out.add(at);
            at = ci.parent();
        }
        return out;
    }

    private static long floor(double amps) {
        return (long) Math.floor(amps * 10 + 1e-9);
    }

    private static long ceil(double amps) {
        return (long) Math.ceil(amps * 10 - 1e-9);
    }

    private static String in(Instant now, Instant then) {
        long s = Math.max(0, Duration.between(now, then).getSeconds());
        if (s < 60) {
            return s + " s";
        }
        long min = (s + 59) / 60;
        return min < 60 ? min + " min" : (min / 60) + " h " + (min % 60) + " min";
    }
}
