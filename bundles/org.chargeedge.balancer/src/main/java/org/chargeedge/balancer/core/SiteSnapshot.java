package org.chargeedge.balancer.core;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Everything the core decides on, frozen at one instant. Immutable.
 *
 * @param now the instant of the snapshot (the only clock the core knows)
 * @param grid the grid connection
 * @param circuits sub-distribution boards below the grid connection (a tree; may be empty)
 * @param chargers the chargers and where they are wired
 * @param measurements the site's meters with their freshness
 * @param connectors every connector with its session, mode and demand
 * @param tariff price windows (may be empty)
 * @param settings the timing and threshold settings
 * @param previous the core's state from the previous allocation ({@link BalancerState#INITIAL} at start)
 */
public record SiteSnapshot(Instant now, Grid grid, List<Circuit> circuits, List<Charger> chargers,
                           Measurements measurements, List<Connector> connectors, Tariff tariff,
                           Settings settings, BalancerState previous) {

    public SiteSnapshot {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(grid, "grid");
        circuits = List.copyOf(circuits);
        chargers = List.copyOf(chargers);
        Objects.requireNonNull(measurements, "measurements");
        connectors = List.copyOf(connectors);
        Objects.requireNonNull(tariff, "tariff");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(previous, "previous");
    }

    /** Amps per phase, one value per site phase. */
    public record PhaseAmps(double l1, double l2, double l3) {
        public static final PhaseAmps ZERO = new PhaseAmps(0, 0, 0);

        public PhaseAmps {
            for (double v : new double[] {l1, l2, l3}) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("current " + v + " is not finite");
                }
            }
        }

        public static PhaseAmps all(double a) {
            return new PhaseAmps(a, a, a);
        }

        public double get(Phase p) {
            return switch (p) {
                case L1 -> l1;
                case L2 -> l2;
                case L3 -> l3;
            };
        }

        public static PhaseAmps of(Map<Phase, Double> m) {
            return new PhaseAmps(m.getOrDefault(Phase.L1, 0.0), m.getOrDefault(Phase.L2, 0.0),
                    m.getOrDefault(Phase.L3, 0.0));
        }

        public Map<Phase, Double> asMap() {
            Map<Phase, Double> m = new EnumMap<>(Phase.class);
            for (Phase p : Phase.values()) {
                m.put(p, get(p));
            }
            return m;
        }
    }

    /**
     * The grid connection.
     *
     * @param limit the fuse per phase, A
     * @param totalKw an optional limit on the total import, kW
     * @param safeBudget the worst-case load of everything but the chargers, per phase (A),
     *                   assumed whenever the grid meter is unknown
     */
    public record Grid(PhaseAmps limit, OptionalDouble totalKw, PhaseAmps safeBudget) {
        public Grid {
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(totalKw, "totalKw");
            Objects.requireNonNull(safeBudget, "safeBudget");
        }
    }

    /**
     * A sub-distribution board.
     *
     * @param id its name
     * @param parent the board it hangs from, null for the grid connection itself
     * @param limit its fuse per site phase, A
     */
    public record Circuit(String id, String parent, PhaseAmps limit) {
        public Circuit {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(limit, "limit");
        }
    }

    /**
     * A charger.
     *
     * @param id charge point id
     * @param circuit the board it hangs from, null for the grid connection
     * @param rotation how its phases are wired to the site's
     * @param wiredPhases its own phases that are connected (all three for a 3-phase charger)
     * @param maxA the most it can deliver per phase
     * @param switchesPhases it can switch a session between 3 phases and 1 (its L1) (since 1.1)
     */
    public record Charger(String id, String circuit, PhaseRotation rotation, Set<Phase> wiredPhases, double maxA,
                          boolean switchesPhases) {

        /** A charger that cannot switch between 1 and 3 phases. */
        public Charger(String id, String circuit, PhaseRotation rotation, Set<Phase> wiredPhases, double maxA) {
            this(id, circuit, rotation, wiredPhases, maxA, false);
        }

        public Charger withPhaseSwitching(boolean switches) {
            return new Charger(id, circuit, rotation, wiredPhases, maxA, switches);
        }

        public Charger {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(rotation, "rotation");
            wiredPhases = wiredPhases.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(wiredPhases));
            if (wiredPhases.isEmpty()) {
                throw new IllegalArgumentException("charger " + id + " has no phase wired");
            }
        }
    }

    /**
     * The site's meters. Grid current per phase is signed (negative = export); grid power W, signed; battery power
     * positive charging.
     *
     * @param batterySocPercent the house battery's state of charge, %: with the battery's maximum charging power
     *        ({@link BatteryPolicy#maxChargeW}), what tells battery-first whether it still takes more (since 1.2)
     */
    public record Measurements(Reading gridL1, Reading gridL2, Reading gridL3, Reading gridPowerW,
                               Reading pvPowerW, Reading batteryPowerW, Reading buildingPowerW,
                               Reading batterySocPercent) {
        public static final Measurements NONE = new Measurements(Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN,
                Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN, Reading.UNKNOWN);

        public Measurements {
            Objects.requireNonNull(batterySocPercent, "batterySocPercent");
        }

        /** Without the battery's state of charge (unknown). */
        public Measurements(Reading gridL1, Reading gridL2, Reading gridL3, Reading gridPowerW, Reading pvPowerW,
                            Reading batteryPowerW, Reading buildingPowerW) {
            this(gridL1, gridL2, gridL3, gridPowerW, pvPowerW, batteryPowerW, buildingPowerW, Reading.UNKNOWN);
        }

        public Reading gridCurrent(Phase p) {
            return switch (p) {
                case L1 -> gridL1;
                case L2 -> gridL2;
                case L3 -> gridL3;
            };
        }

        /** Whether the grid meter's current is fresh on all three phases (since 1.2). */
        public boolean gridCurrentsFresh() {
            return gridL1.usable() && gridL2.usable() && gridL3.usable();
        }
    }

    /** A session's charging mode. */
    public enum Mode {
        /** As much as allowed. */
        FAST,
        /** PV surplus only, with hysteresis on energy and minimum on and off times. */
        PV,
        /** 6 A always, plus PV surplus. */
        MIN_PV,
        /** Reach the energy target by the departure time in the cheapest tariff windows. */
        SCHEDULED,
        /** Nothing. */
        OFF
    }

    /** What the charger knows of its connector's car (OCPP statuses that matter here). */
    public enum ConnectorState {
        AVAILABLE, PREPARING, CHARGING, SUSPENDED_EV, SUSPENDED_EVSE, FINISHING, UNAVAILABLE, FAULTED
    }

    /** Whether the charger can be trusted to follow its limit. */
    public enum Control {
        /** It follows its limits. */
        OBEYS,
        /** It was seen drawing above its limit: counted at what it draws. */
        IGNORES,
        /** It is not connected: counted at its active limit (what it last got) or its draw, whichever is higher. */
        OFFLINE
    }

    /** A connector, identified by charge point id and connector id. */
    public record ConnectorRef(String chargerId, int connectorId) implements Comparable<ConnectorRef> {
        public ConnectorRef {
            Objects.requireNonNull(chargerId, "chargerId");
        }

        @Override
        public int compareTo(ConnectorRef o) {
            int c = chargerId.compareTo(o.chargerId);
            return c != 0 ? c : Integer.compare(connectorId, o.connectorId);
        }

        @Override
        public String toString() {
            return chargerId + "/" + connectorId;
        }
    }

    /**
     * A connector and its session.
     *
     * @param ref which connector
     * @param session the session on it (e.g. the transaction id), null when no car is charging
     * @param state the connector's status
     * @param draw what the car draws per charger phase (A), null when not measured
     * @param mode the session's mode
     * @param priority higher is served first
     * @param carMaxA the most the car takes per phase, if known
     * @param csmsLimitA an upper limit set by the CSMS, if any
     * @param departure when the car leaves, null if unknown
     * @param energyNeededWh energy still needed by departure (Scheduled mode)
     * @param control whether the charger follows its limits
     * @param activeLimitA the limit in force at the charger now, if known
     */
    public record Connector(ConnectorRef ref, String session, ConnectorState state, PhaseAmps draw, Mode mode,
                            int priority, OptionalDouble carMaxA, OptionalDouble csmsLimitA, Instant departure,
                            double energyNeededWh, Control control, OptionalDouble activeLimitA) {
        public Connector {
            Objects.requireNonNull(ref, "ref");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(carMaxA, "carMaxA");
            Objects.requireNonNull(csmsLimitA, "csmsLimitA");
            Objects.requireNonNull(control, "control");
            Objects.requireNonNull(activeLimitA, "activeLimitA");
        }

        /** A charging Fast-mode session of priority 0 that nothing else is known of. */
        public static Connector charging(String chargerId, int connectorId, String session) {
            return new Connector(new ConnectorRef(chargerId, connectorId), session, ConnectorState.CHARGING, null,
                    Mode.FAST, 0, OptionalDouble.empty(), OptionalDouble.empty(), null, 0, Control.OBEYS,
                    OptionalDouble.empty());
        }

        public Connector withMode(Mode m) {
            return new Connector(ref, session, state, draw, m, priority, carMaxA, csmsLimitA, departure,
                    energyNeededWh, control, activeLimitA);
        }

        public Connector withPriority(int p) {
            return new Connector(ref, session, state, draw, mode, p, carMaxA, csmsLimitA, departure,
                    energyNeededWh, control, activeLimitA);
        }

        public Connector withDraw(PhaseAmps d) {
            return new Connector(ref, session, state, d, mode, priority, carMaxA, csmsLimitA, departure,
                    energyNeededWh, control, activeLimitA);
        }

        public Connector withCarMax(double a) {
            return new Connector(ref, session, state, draw, mode, priority, OptionalDouble.of(a), csmsLimitA,
                    departure, energyNeededWh, control, activeLimitA);
        }

        public Connector withCsmsLimit(double a) {
            return new Connector(ref, session, state, draw, mode, priority, carMaxA, OptionalDouble.of(a),
                    departure, energyNeededWh, control, activeLimitA);
        }

        public Connector withControl(Control c, OptionalDouble active) {
            return new Connector(ref, session, state, draw, mode, priority, carMaxA, csmsLimitA, departure,
                    energyNeededWh, c, active);
        }

        public Connector withTarget(Instant leaves, double neededWh) {
            return new Connector(ref, session, state, draw, Mode.SCHEDULED, priority, carMaxA, csmsLimitA, leaves,
                    neededWh, control, activeLimitA);
        }
    }

    /** One price window, [from, to). */
    public record PriceWindow(Instant from, Instant to, double pricePerKwh) {
        public PriceWindow {
            if (!to.isAfter(from)) {
                throw new IllegalArgumentException("price window ends before it starts: " + from + " - " + to);
            }
        }
    }

    /**
     * Time-of-use prices: the windows, and the price outside them.
     */
    public record Tariff(List<PriceWindow> windows, double defaultPricePerKwh) {
        public static final Tariff FLAT = new Tariff(List.of(), 0);

        public Tariff {
            windows = List.copyOf(windows);
        }

        public double priceAt(Instant t) {
            for (PriceWindow w : windows) {
                if (!t.isBefore(w.from()) && t.isBefore(w.to())) {
                    return w.pricePerKwh();
                }
            }
            return defaultPricePerKwh;
        }
    }

    /**
     * Timing and thresholds.
     *
     * @param voltage phase-to-neutral voltage used to turn power into current
     * @param minOn a connector switched on stays on at least this long (unless safety needs it off)
     * @param minOff a connector switched off stays off at least this long
     * @param rotationTurn how long a connector keeps its turn when not everyone fits
     * @param pvStartWh surplus energy above the need of one more car that must accumulate before it starts
     * @param pvStopWh grid energy drawn by PV-mode charging that makes one car stop
     * @param battery how a house battery shares the PV surplus (since 1.1)
     * @param phaseSwitching 1/3-phase switching of PV and Min+PV sessions (since 1.1)
     */
    public record Settings(double voltage, Duration minOn, Duration minOff, Duration rotationTurn,
                           double pvStartWh, double pvStopWh, BatteryPolicy battery, PhaseSwitching phaseSwitching) {
        public static final Settings DEFAULT = new Settings(230, Duration.ofMinutes(5), Duration.ofMinutes(2),
                Duration.ofMinutes(15), 100, 100);

        public Settings {
            if (voltage <= 0 || minOn.isNegative() || minOff.isNegative() || rotationTurn.isNegative()
                    || pvStartWh < 0 || pvStopWh < 0 || battery == null || phaseSwitching == null) {
                throw new IllegalArgumentException("invalid balancer settings");
            }
        }

        /** With the default battery policy (battery first) and phase switching. */
        public Settings(double voltage, Duration minOn, Duration minOff, Duration rotationTurn, double pvStartWh,
                        double pvStopWh) {
            this(voltage, minOn, minOff, rotationTurn, pvStartWh, pvStopWh, BatteryPolicy.DEFAULT,
                    PhaseSwitching.DEFAULT);
        }

        public Settings withBattery(BatteryPolicy policy) {
            return new Settings(voltage, minOn, minOff, rotationTurn, pvStartWh, pvStopWh, policy, phaseSwitching);
        }

        public Settings withPhaseSwitching(PhaseSwitching switching) {
            return new Settings(voltage, minOn, minOff, rotationTurn, pvStartWh, pvStopWh, battery, switching);
        }
    }
}
