package org.chargeedge.balancer.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.BiFunction;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Freshness;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.api.smartcharging.CsmsLimits;
import org.chargeedge.balancer.core.BalancerState;
import org.chargeedge.balancer.core.Phase;
import org.chargeedge.balancer.core.Reading;
import org.chargeedge.balancer.core.SiteSnapshot;
import org.chargeedge.balancer.core.SiteSnapshot.Charger;
import org.chargeedge.balancer.core.SiteSnapshot.Connector;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorState;
import org.chargeedge.balancer.core.SiteSnapshot.Control;
import org.chargeedge.balancer.core.SiteSnapshot.Measurements;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.chargeedge.balancer.core.SiteSnapshot.Tariff;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.UnitOfMeasure;

/**
 * Turns the live site (the energy model, the site view) and what the
 * controller knows of each connector into the core's {@link SiteSnapshot}.
 * Pure: no clock, no I/O.
 */
final class SnapshotAdapter {

    /**
     * What the controller adds to a connector: its mode, priority, whether its charger follows its limit, the
     * limit in force, whether the measured draw may be used, a cap on it (an offline charger whose profile ran
     * out draws at most its fallback), and a floor on it: the limit a car that used all of its limit was just
     * raised to, counted on the phases it draws on until its charger reports the new draw or its reaction time
     * has passed (see {@link #withFloor}).
     */
    record ConnectorFacts(Mode mode, int priority, Control control, OptionalDouble activeLimitA, boolean drawFresh,
                          OptionalDouble drawCapA, OptionalDouble drawFloorA) {

        ConnectorFacts(Mode mode, int priority, Control control, OptionalDouble activeLimitA, boolean drawFresh,
                       OptionalDouble drawCapA) {
            this(mode, priority, control, activeLimitA, drawFresh, drawCapA, OptionalDouble.empty());
        }
    }

    private SnapshotAdapter() {
    }

    static SiteSnapshot build(Instant now, SiteSettings settings, EnergySnapshot energy, List<ChargerInfo> view,
                              BiFunction<ConnectorRef, String, ConnectorFacts> facts, BalancerState previous) {
        return build(now, settings, energy, view, facts, previous, null);
    }

    /**
     * The snapshot, with the CSMS's limits of {@code csms} (null: none) as each connector's upper
     * bound: a limit in W counts on the phases the car draws on, else on the charger's wired phases.
     */
    static SiteSnapshot build(Instant now, SiteSettings settings, EnergySnapshot energy, List<ChargerInfo> view,
                              BiFunction<ConnectorRef, String, ConnectorFacts> facts, BalancerState previous,
                              CsmsLimits csms) {
        List<Charger> chargers = new ArrayList<>();
        List<Connector> connectors = new ArrayList<>();
        for (ChargerInfo ci : view) {
            String id = ci.chargePointId();
            chargers.add(new Charger(id, settings.circuitOf(id), settings.rotationOf(id), settings.wiredPhasesOf(id),
                    settings.maxAOf(id)));
            for (Map.Entry<Integer, ConnectorInfo> e : connectorsOf(ci).entrySet()) {
                int connectorId = e.getKey();
                ConnectorInfo info = e.getValue();
                Optional<TransactionInfo> tx = ci.openTransactions().stream()
                        .filter(t -> t.connectorId() == connectorId).findFirst();
                ConnectorRef ref = new ConnectorRef(id, connectorId);
                String session = tx.map(t -> String.valueOf(t.transactionId())).orElse(null);
                ConnectorFacts f = facts.apply(ref, session);
                MeterValue mv = latest(info, tx.orElse(null));
                PhaseAmps draw = f.drawFresh() ? stoppedSince(info, mv) ? PhaseAmps.all(0) : drawOf(mv) : null;
                if (draw != null && f.drawCapA().isPresent()) {
                    double cap = f.drawCapA().getAsDouble();
                    draw = new PhaseAmps(Math.min(draw.l1(), cap), Math.min(draw.l2(), cap), Math.min(draw.l3(), cap));
                }
                if (draw != null && f.drawFloorA().isPresent()) {
                    draw = withFloor(draw, f.drawFloorA().getAsDouble());
                }
                OptionalDouble csmsLimitA = csms == null ? OptionalDouble.empty()
                        : csms.limitA(id, connectorId, now, phases(draw, settings.wiredPhasesOf(id).size()));
                connectors.add(new Connector(ref, session, state(info == null ? null : info.status(), session != null),
                        draw, f.mode(), f.priority(), OptionalDouble.empty(), csmsLimitA, null, 0,
                        f.control(), f.activeLimitA()));
            }
        }
        SiteSnapshot.Grid grid = new SiteSnapshot.Grid(settings.gridLimit(), settings.totalKw(),
                settings.safeBudget());
        return new SiteSnapshot(now, grid, settings.circuits(), chargers, measurements(energy), connectors,
                Tariff.FLAT, timing(settings), previous);
    }

    /**
     * Whether the connector said it stopped supplying or the car stopped taking (SuspendedEV, SuspendedEVSE,
     * Finishing) after its latest meter value was taken, both by the charger's clock: its car draws nothing now,
     * although no MeterValues said so yet. Counted at its reported draw until they do, a car that stops on its own
     * would look like PV surplus (the grid meter sees it gone first) and like room at the grid connection; at
     * nothing, the error is on the safe side either way (a car still drawing is in the grid meter's reading).
     */
    static boolean stoppedSince(ConnectorInfo info, MeterValue mv) {
        if (info == null || info.statusTimestamp() == null || mv == null || mv.timestamp() == null) {
            return false;
        }
        boolean stopped = info.status() == ChargePointStatus.SuspendedEV
                || info.status() == ChargePointStatus.SuspendedEVSE || info.status() == ChargePointStatus.Finishing;
        return stopped && info.statusTimestamp().isAfter(mv.timestamp());
    }

    /**
     * A draw raised to {@code floorA} on the phases the car draws more than 1 A on. A rise reaches the grid meter
     * before the charger's next MeterValues: counted at its reported draw, the car's new current would look like
     * other load on the grid meter for that while, the limits would fall back and rise again on the next report
     * (a flap every MeterValues interval near the limit). Counting it at the limit it was raised to keeps the
     * grid meter's reading whole (the reading minus the draws when it came, plus the draws now); if the car does
     * not take the rise, the other load is under-counted by at most the rise (one ramp step, as it is between a
     * fall and the report that shows it), and only until the report or the reaction time.
     */
    static PhaseAmps withFloor(PhaseAmps draw, double floorA) {
        return new PhaseAmps(floor(draw.l1(), floorA), floor(draw.l2(), floorA), floor(draw.l3(), floorA));
    }

    private static double floor(double drawA, double floorA) {
        return drawA > 1 ? Math.max(drawA, floorA) : drawA;
    }

    /** The phases a car charges on: those it draws more than 1 A on, else the charger's wired phases. */
    static int phases(PhaseAmps draw, int wired) {
        if (draw != null) {
            int drawn = (draw.l1() > 1 ? 1 : 0) + (draw.l2() > 1 ? 1 : 0) + (draw.l3() > 1 ? 1 : 0);
            if (drawn > 0) {
                return drawn;
            }
        }
        return Math.max(1, Math.min(3, wired));
    }

    /** The snapshot with the chargers named in {@code switching} marked as switching between 1 and 3 phases. */
    static SiteSnapshot withPhaseSwitching(SiteSnapshot s, Set<String> switching) {
        if (switching.isEmpty()) {
            return s;
        }
        List<Charger> chargers = new ArrayList<>();
        for (Charger ch : s.chargers()) {
            chargers.add(switching.contains(ch.id()) ? ch.withPhaseSwitching(true) : ch);
        }
        return new SiteSnapshot(s.now(), s.grid(), s.circuits(), chargers, s.measurements(), s.connectors(),
                s.tariff(), s.settings(), s.previous());
    }

    /** The site's minimum on and off times, voltage, battery policy and phase switching; the core's default rotation turn and PV thresholds. */
    private static SiteSnapshot.Settings timing(SiteSettings settings) {
        SiteSnapshot.Settings d = SiteSnapshot.Settings.DEFAULT;
        return new SiteSnapshot.Settings(settings.voltage(), settings.minOn(), settings.minOff(), d.rotationTurn(), d.pvStartWh(),
                d.pvStopWh(), settings.battery(), settings.phaseSwitching());
    }

    /**
     * Without a fresh grid meter, a session whose charger does not follow its limit and reports no current is
     * counted at all it can draw: the safe budget does not contain it. (With a fresh grid meter its draw, whatever
     * it is, is inside the meter's reading and needs no guess.) Applied after {@link #alignGrid}, whose draws are
     * measured ones only.
     */
    static SiteSnapshot countUnmeasured(SiteSnapshot s, SiteSettings settings) {
        Measurements m = s.measurements();
        if (m.gridCurrentsFresh()) {
            return s;
        }
        List<Connector> out = new ArrayList<>();
        boolean changed = false;
        for (Connector c : s.connectors()) {
            if (c.draw() == null && c.session() != null && c.control() == Control.IGNORES) {
                out.add(c.withDraw(wiredDraw(settings, c.ref().chargerId())));
                changed = true;
            } else {
                out.add(c);
            }
        }
        return !changed ? s : new SiteSnapshot(s.now(), s.grid(), s.circuits(), s.chargers(), m, out, s.tariff(),
                s.settings(), s.previous());
    }

    private static PhaseAmps wiredDraw(SiteSettings settings, String chargerId) {
        Map<Phase, Double> m = new EnumMap<>(Phase.class);
        settings.wiredPhasesOf(chargerId).forEach(p -> m.put(p, settings.maxAOf(chargerId)));
        return PhaseAmps.of(m);
    }

    /** What the chargers' measured draws add up to on each site phase (A), as the core subtracts them. */
    static double[] chargerDraws(SiteSnapshot s) {
        Map<String, Charger> chargers = new java.util.HashMap<>();
        s.chargers().forEach(c -> chargers.put(c.id(), c));
        double[] out = new double[3];
        for (Connector c : s.connectors()) {
            if (c.draw() == null) {
                continue;
            }
            Charger ch = chargers.get(c.ref().chargerId());
            for (Phase cp : Phase.values()) {
                out[ch.rotation().site(cp).ordinal()] += Math.max(0, c.draw().get(cp));
            }
        }
        return out;
    }

    /**
     * The grid meter as it would read with the chargers' draws of now: its reading minus what the chargers drew
     * when it arrived, plus what they draw now. The other load (grid minus chargers) thus stays what it was when
     * the reading arrived until the next one, instead of rising each time a charger reports a lower draw between
     * two grid readings (a feedback that would ramp every charger down).
     */
    static SiteSnapshot alignGrid(SiteSnapshot s, double[] drawsAtReading, double[] drawsNow) {
        Measurements m = s.measurements();
        Reading[] phases = {m.gridL1(), m.gridL2(), m.gridL3()};
        double sumAt = 0;
        double sumNow = 0;
        for (int i = 0; i < 3; i++) {
            sumAt += drawsAtReading[i];
            sumNow += drawsNow[i];
            if (phases[i].usable()) {
                phases[i] = Reading.fresh(phases[i].value() - drawsAtReading[i] + drawsNow[i]);
            }
        }
        Reading power = m.gridPowerW().usable()
                ? Reading.fresh(m.gridPowerW().value() + (sumNow - sumAt) * s.settings().voltage()) : m.gridPowerW();
        return withGrid(s, phases, power);
    }

    private static SiteSnapshot withGrid(SiteSnapshot s, Reading[] phases, Reading power) {
        Measurements m = s.measurements();
        return new SiteSnapshot(s.now(), s.grid(), s.circuits(), s.chargers(), new Measurements(phases[0], phases[1],
                phases[2], power, m.pvPowerW(), m.batteryPowerW(), m.buildingPowerW(), m.batterySocPercent()),
                s.connectors(), s.tariff(), s.settings(), s.previous());
    }

    /** The grid meter's phases raised by {@code extraA} (A per phase): load the snapshot does not explain. */
    static SiteSnapshot addToGrid(SiteSnapshot s, double[] extraA) {
        if (extraA[0] == 0 && extraA[1] == 0 && extraA[2] == 0) {
            return s;
        }
        Measurements m = s.measurements();
        Reading[] phases = {m.gridL1(), m.gridL2(), m.gridL3()};
        double extraW = 0;
        for (int i = 0; i < 3; i++) {
            if (phases[i].usable()) {
                phases[i] = Reading.fresh(phases[i].value() + extraA[i]);
                extraW += extraA[i] * s.settings().voltage();
            }
        }
        Reading power = m.gridPowerW().usable() ? Reading.fresh(m.gridPowerW().value() + extraW) : m.gridPowerW();
        return withGrid(s, phases, power);
    }

    /** When the grid meter's newest reading was measured, or null without one. */
    static Instant gridReadAt(EnergySnapshot e) {
        if (e == null) {
            return null;
        }
        Instant at = null;
        for (PhaseRef p : PhaseRef.values()) {
            for (Quantity q : new Quantity[] {Quantity.CURRENT, Quantity.POWER}) {
                var m = e.measurement(new MeasurementKey(Meter.GRID, q, p));
                if (m.isPresent() && (at == null || m.get().measuredAt().isAfter(at))) {
                    at = m.get().measuredAt();
                }
            }
        }
        return at;
    }

    /** Connectors above 0, from their statuses and the open transactions, by id. */
    static Map<Integer, ConnectorInfo> connectorsOf(ChargerInfo ci) {
        Map<Integer, ConnectorInfo> out = new TreeMap<>();
        for (ConnectorInfo c : ci.connectors()) {
            if (c.connectorId() > 0) {
                out.put(c.connectorId(), c);
            }
        }
        for (TransactionInfo t : ci.openTransactions()) {
            if (t.connectorId() > 0) {
                out.putIfAbsent(t.connectorId(), null);
            }
        }
        return out;
    }

    /** The newer of the connector's and the transaction's latest meter value. */
    static MeterValue latest(ConnectorInfo info, TransactionInfo tx) {
        MeterValue a = info == null ? null : info.latestMeterValue();
        MeterValue b = tx == null ? null : tx.latestMeterValue();
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.timestamp().isAfter(a.timestamp()) ? b : a;
    }

    /**
     * Current.Import per charger phase, or null when the meter value has none. A current without a phase is
     * counted on every phase: the car could draw it on any of them.
     */
    static PhaseAmps drawOf(MeterValue mv) {
        if (mv == null) {
            return null;
        }
        Map<Phase, Double> perPhase = new EnumMap<>(Phase.class);
        Double unphased = null;
        for (SampledValue sv : mv.sampledValue()) {
            if (sv.measurandOrDefault() != Measurand.CurrentImport
                    || (sv.unit() != null && sv.unit() != UnitOfMeasure.A)) {
                continue;
            }
            double a;
            try {
                a = Double.parseDouble(sv.value());
            } catch (NumberFormatException e) {
                continue;
            }
            if (!Double.isFinite(a)) {
                continue;
            }
            Phase p = phase(sv.phase());
            if (p == null) {
                unphased = a;
            } else {
                perPhase.merge(p, a, Math::max);
            }
        }
        if (!perPhase.isEmpty()) {
            return PhaseAmps.of(perPhase);
        }
        return unphased == null ? null : PhaseAmps.all(unphased);
    }

    private static Phase phase(org.chargeedge.ocpp.v16.Phase p) {
        if (p == null) {
            return null;
        }
        return switch (p) {
            case L1, L1_N -> Phase.L1;
            case L2, L2_N -> Phase.L2;
            case L3, L3_N -> Phase.L3;
            default -> null;
        };
    }

    static ConnectorState state(ChargePointStatus status, boolean inTransaction) {
        if (status == null) {
            return inTransaction ? ConnectorState.CHARGING : ConnectorState.AVAILABLE;
        }
        return switch (status) {
            // a transaction has started: the car is about to draw, so it is counted as charging
            case Available, Preparing, Reserved -> inTransaction ? ConnectorState.CHARGING
                    : status == ChargePointStatus.Preparing ? ConnectorState.PREPARING : ConnectorState.AVAILABLE;
            case Charging -> ConnectorState.CHARGING;
            case SuspendedEV -> ConnectorState.SUSPENDED_EV;
            case SuspendedEVSE -> ConnectorState.SUSPENDED_EVSE;
            case Finishing -> ConnectorState.FINISHING;
            case Unavailable -> ConnectorState.UNAVAILABLE;
            case Faulted -> ConnectorState.FAULTED;
        };
    }

    /**
     * The meters the core decides on, with their freshness; the battery's state of charge (the energy model's
     * {@code battery} / {@code STATE_OF_CHARGE}, %, as the victron preset or a {@code battery SOC} mapping gives it)
     * is used fresh only, like every other value.
     */
    static Measurements measurements(EnergySnapshot e) {
        return new Measurements(reading(e, Meter.GRID, Quantity.CURRENT, PhaseRef.L1),
                reading(e, Meter.GRID, Quantity.CURRENT, PhaseRef.L2),
                reading(e, Meter.GRID, Quantity.CURRENT, PhaseRef.L3),
                reading(e, Meter.GRID, Quantity.POWER, PhaseRef.TOTAL),
                reading(e, Meter.PV, Quantity.POWER, PhaseRef.TOTAL),
                reading(e, Meter.BATTERY, Quantity.POWER, PhaseRef.TOTAL),
                reading(e, Meter.BUILDING, Quantity.POWER, PhaseRef.TOTAL),
                reading(e, Meter.BATTERY, Quantity.STATE_OF_CHARGE, PhaseRef.TOTAL));
    }

    /** Only a fresh value is a value; stale, missing and of unknown age keep their reason. */
    static Reading reading(EnergySnapshot e, Meter meter, Quantity q, PhaseRef phase) {
        if (e == null) {
            return Reading.UNKNOWN;
        }
        MeasurementKey key = new MeasurementKey(meter, q, phase);
        Freshness f = e.freshness(key);
        return switch (f) {
            case FRESH -> Reading.fresh(e.value(key).getAsDouble());
            case STALE -> new Reading(0, Reading.Freshness.STALE);
            case AGE_UNKNOWN -> new Reading(0, Reading.Freshness.AGE_UNKNOWN);
            case MISSING -> Reading.UNKNOWN;
        };
    }
}
