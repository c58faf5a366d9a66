package org.chargeedge.balancer.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.balancer.BalancerModes;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingProfileStatus;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.GetConfigurationConfirmation;
import org.chargeedge.ocpp.v16.GetConfigurationRequest;
import org.chargeedge.ocpp.v16.KeyValue;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.SetChargingProfileConfirmation;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;

/**
 * A charging site through a day in virtual time: the real balancer controller (its core, its profile handling,
 * its rules on time) on a {@link VirtualTime} scheduler, against simulated chargers that answer its calls as OCPP
 * 1.6 chargers do (GetConfiguration, SetChargingProfile with TxDefaultProfile and TxProfile, validTo, the
 * fallback when a TxProfile ends) and cars that follow the profile in force after the charger's reaction time.
 * A building load curve, a PV curve, a grid meter read every two seconds, and a time-of-use tariff for the cost.
 * Some chargers are quirky, as real ones are: charger 3 takes only W, charger 7 reacts in 30 s, charger 9 resumes
 * wrongly after a 0 A pause (at full current, until its next SetChargingProfile), and with
 * {@link Trouble#IGNORING_CHARGER} charger 5 ignores its profiles.
 *
 * <p>Optionally ({@link #switchingChargers}, {@link #battery}, {@link #weather}, {@link #officesClosed}): chargers
 * 2, 6, 10, ... say {@code ConnectorSwitch3to1PhaseSupported} in GetConfiguration and follow the
 * {@code numberPhases} of the profile in force (a 3-phase car goes to 1 phase and back, a 1-phase car stays on 1;
 * either way the charger gives no current for {@link #SWITCH_PAUSE}), and their visitors charge in PV or MinPV
 * mode; a site battery holds the grid connection at zero as a plain self-consumption inverter does, within its
 * power and its state of charge, and reports its power and state of charge with the grid meter (on the same broker
 * as the PV inverter); a grey day; a building with its offices closed.
 *
 * <p>The chargers here implement the same contracts the central system offers the controller ({@code SiteView},
 * {@code ChargerCommands}) in-process, so that a day runs in seconds and every run is the same for a seed. The
 * path over real WebSockets is measured by {@code ReactionTimeTest} and {@code ReactionBenchmark}.
 *
 * <p>Everything runs on the thread that calls {@link #run}: the site, the chargers and the controller post their
 * work to the one virtual scheduler.
 */
final class SiteDay {

    static final double VOLTS = 230;

    /** What can go wrong during the day. */
    enum Trouble {
        /** The grid meter sends nothing from 10:00 to 11:00. */
        STALE_METER,
        /** Neither the grid meter nor the PV inverter is heard from 13:00 to 13:30 (the broker is down). */
        BROKER_OUTAGE,
        /** Charger 5 accepts every profile and lets its car draw what it wants. */
        IGNORING_CHARGER,
        /** The gateway is killed at 12:00 and starts again (without any memory) at 12:01. */
        GATEWAY_KILLED
    }

    /** Who decides the limits. */
    enum Policy {
        /** The gateway's balancer controller with the site's configuration. */
        CONTROLLER,
        /** First come, first served in a fixed 30 s loop from the grid meter; no modes, no tariff. */
        BASELINE
    }

    /** The PV curve of the day. */
    enum Weather {
        /** A clear day, cut to 35 % by a cloud for 7 minutes in every 35. */
        SUNNY,
        /** A grey day: half of the clear day's PV, no sun breaking through, varying by a quarter over 23 minutes. */
        GREY
    }

    /**
     * A site battery behind the grid meter, run as a plain self-consumption inverter: each second it charges with
     * what the site would export and discharges into what it would import (building and cars alike: it cannot
     * tell them apart), within {@code maxW} and between {@link #MIN_SOC} and full, its power tapering over the
     * last 5 % at either end as a battery management system's does. No losses. Its power is spread evenly over
     * the three phases.
     *
     * @param capacityWh usable capacity, Wh
     * @param maxW the most it charges or discharges, W
     * @param startSoc its state of charge when the run starts, 0..1
     */
    record Battery(double capacityWh, double maxW, double startSoc) {

        static final double MIN_SOC = 0.10;
        static final double TAPER = 0.05;

        /** 2.5 kWh and 1 kW per charger (50 kWh, 20 kW for 20), at {@code startSoc}. */
        static Battery forSite(int chargers, double startSoc) {
            return new Battery(2500.0 * chargers, 1000.0 * chargers, startSoc);
        }

        double chargeLimitW(double soc) {
            return maxW * Math.max(0, Math.min(1, (1 - soc) / TAPER));
        }

        double dischargeLimitW(double soc) {
            return maxW * Math.max(0, Math.min(1, (soc - MIN_SOC) / TAPER));
        }
    }

    /**
     * How long a charger that switches between 3 phases and 1 gives no current: it stops the car, waits for the
     * contactors to open, switches, and the car starts again.
     */
    static final Duration SWITCH_PAUSE = Duration.ofSeconds(20);

    /** One car's visit. */
    record Car(int charger, Instant arrives, Instant leaves, int phases, double maxA, double needWh, Mode mode) {
    }

    /** What the day gave. */
    record Result(Policy policy, Set<Trouble> troubles, int chargers, double hours, long overloadSeconds,
                  double maxOverloadA, double deliveredKwh, int sessions, int targetsMet, double pvKwh,
                  double pvExportKwh, double importKwh, double cost, double jain, long profileCommands,
                  long renewals, double maxPhaseA, Map<String, Long> overloadsByPlace, PvFigures pv) {

        double commandsPerChargerHour() {
            return profileCommands / (chargers * hours);
        }

        /** Profile commands that changed a limit (all but the renewals). */
        double changesPerChargerHour() {
            return (profileCommands - renewals) / (chargers * hours);
        }

        /** Of those, TxProfiles that only renewed the limit in force. */
        double renewalsPerChargerHour() {
            return renewals / (chargers * hours);
        }

        double selfConsumption() {
            return pvKwh == 0 ? 1 : (pvKwh - pvExportKwh) / pvKwh;
        }

        String row() {
            return String.format(Locale.ROOT,
                    "| %s | %s | %d s | %.1f A | %.1f A | %.0f kWh | %d of %d | %.0f %% | %.2f EUR | %.3f | %.2f (%.2f) |",
                    policy == Policy.CONTROLLER ? "controller" : "baseline",
                    troubles.isEmpty() ? "none" : troubles.toString().toLowerCase(Locale.ROOT).replace('_', ' '),
                    overloadSeconds, maxOverloadA, maxPhaseA, deliveredKwh, targetsMet, sessions,
                    100 * selfConsumption(), cost, jain, commandsPerChargerHour(), renewalsPerChargerHour())
                    + (overloadsByPlace.isEmpty() ? "" : " over: " + new java.util.TreeMap<>(overloadsByPlace));
        }

        static String header() {
            return "| policy | trouble | seconds above a limit after the reaction time | most above | highest grid phase | "
                    + "energy delivered | targets met | PV self-consumption | energy cost | Jain's index | "
                    + "profile commands per charger-hour (renewals) |\n|---|---|---|---|---|---|---|---|---|---|---|";
        }
    }

    /**
     * Phase switching and the battery over a run (see {@code Stats#pvAndBattery} for how the flows are split).
     *
     * @param site the day's weather, switching chargers and battery, for the table
     * @param switchingChargers how many chargers switch phases
     * @param switches switches of a charger between 3 phases and 1 during a session, all chargers
     * @param shortestGap the shortest time between two switches in one session (null: never two)
     * @param gapsWithinHold how many switches came sooner than phaseSwitchHoldSeconds after the session's last
     * @param onePhaseKwh what 3-phase cars drew while switched to 1 phase
     * @param pvOnePhaseKwh PV that PV-mode cars took on 1 phase while the PV left for them was below 3 x 6 A: PV a
     *        3-phase minimum would have missed
     * @param batteryInKwh charged (NaN: no battery)
     * @param batteryOutKwh discharged
     * @param batteryToPvCarsKwh discharged because of what PV and MinPV cars drew
     * @param batteryToPvModeKwh of it, because of the PV-mode cars
     * @param batteryAboveMinKwh discharged because of what PV and MinPV cars drew above 6 A
     * @param batteryAboveMinSeconds seconds in which that was above 230 W, other than within the reaction time after
     *        the PV left for those cars changed (see {@code Stats#pvAndBattery})
     * @param batteryAboveMinAt those seconds by minute
     * @param roomTakenKwh PV the battery had room for and would have stored without the PV and MinPV cars
     * @param roomTakenAboveMinKwh the same for their draw above 6 A
     * @param roomTakenAboveMinSeconds seconds in which that was above 230 W (the battery charged below what it could
     *        while those cars drew above 6 A), other than within the reaction time after the PV left for them changed
     * @param socStart state of charge at the start, 0..1
     * @param socMin the lowest
     * @param socEnd at the end
     */
    record PvFigures(String site, int switchingChargers, long switches, Duration shortestGap, long gapsWithinHold,
                     double onePhaseKwh, double pvOnePhaseKwh, double batteryInKwh, double batteryOutKwh,
                     double batteryToPvCarsKwh, double batteryToPvModeKwh, double batteryAboveMinKwh,
                     long batteryAboveMinSeconds, Map<String, Long> batteryAboveMinAt, double roomTakenKwh,
                     double roomTakenAboveMinKwh, long roomTakenAboveMinSeconds, double socStart, double socMin,
                     double socEnd) {

        String row(Result r) {
            String battery = Double.isNaN(batteryInKwh) ? "- | - | - | -" : String.format(Locale.ROOT,
                    "%.1f / %.1f kWh | %.0f to %.0f %% (lowest %.0f %%) | %.2f kWh (PV mode %.2f; above 6 A %.2f, "
                            + "%d s outside the reaction time) | %.1f kWh (above 6 A %.2f, %d s outside the reaction "
                            + "time)",
                    batteryInKwh, batteryOutKwh, 100 * socStart, 100 * socEnd, 100 * socMin, batteryToPvCarsKwh,
                    batteryToPvModeKwh, batteryAboveMinKwh, batteryAboveMinSeconds, roomTakenKwh,
                    roomTakenAboveMinKwh, roomTakenAboveMinSeconds);
            return String.format(Locale.ROOT, "| %s | %s | %s | %d (%.2f per switching charger-hour) | %s | %d | "
                            + "%.1f kWh | %.2f kWh | %.1f / %.1f kWh | %s |",
                    r.policy() == Policy.CONTROLLER ? "controller" : "baseline",
                    r.troubles().isEmpty() ? "none"
                            : r.troubles().toString().toLowerCase(Locale.ROOT).replace('_', ' '),
                    site, switches, switchingChargers == 0 ? 0 : switches / (switchingChargers * r.hours()),
                    shortestGap == null ? "-" : shortestGap.toSeconds() + " s", gapsWithinHold, onePhaseKwh,
                    pvOnePhaseKwh, r.pvExportKwh(), r.importKwh(), battery)
                    + (batteryAboveMinAt.isEmpty() ? "" : " battery above 6 A at: "
                    + new java.util.TreeMap<>(batteryAboveMinAt));
        }

        static String header() {
            return "| policy | trouble | site | phase switches | shortest time between two in a session | "
                    + "sooner than the hold | drawn on 1 phase | PV on 1 phase below 3 x 6 A | PV exported / grid "
                    + "import | battery in / out | state of charge | battery to PV and MinPV cars | PV they took that "
                    + "the battery had room for |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|";
        }
    }

    // ---- the site ----
    final int chargerCount;
    final double gridLimitA;
    final double circuitLimitA;
    final double safeBudgetA;
    final double pvPeakW;
    /**
     * An overload of the grid connection shorter than this is the reaction time (grid meter every 2 s, controller,
     * charger), not counted.
     */
    static final Duration GRID_GRACE = Duration.ofSeconds(10);
    /**
     * The circuits have no meter: a charger that draws more than its limit is only known from its MeterValues and
     * counted at its draw after the controller's {@code reactionTimeSeconds} (30 s); an overload of a circuit
     * shorter than that plus one MeterValues interval is not counted.
     */
    static final Duration CIRCUIT_GRACE = Duration.ofSeconds(40);

    private final VirtualTime time;
    private final Instant dayStart;
    private final Instant from;
    private final Instant to;
    private final Policy policy;
    private final Set<Trouble> troubles;
    private List<Car> cars;
    private final List<SimPoint> points = new ArrayList<>();
    private final Map<String, SimPoint> byId = new HashMap<>();
    private final Map<String, Object> config;
    private BalancerController controller;
    private final java.util.concurrent.ScheduledExecutorService siteExecutor;
    private int nextTransaction = 1;

    // grid meter state: the last reading per phase and its time
    private final double[] meterA = new double[3];
    private double meterW;
    private Instant meterAt;
    private double pvReadW;
    private Instant pvAt;

    private Weather weather = Weather.SUNNY;
    private boolean officesClosed;
    private boolean switching;
    // the site battery (null: none), its state, and its last reading as the gateway got it
    private Battery battery;
    private double socWh;
    private double batteryW;
    private double batteryReadW;
    private double socRead;
    private Instant batteryAt;
    // what the battery saw in its last second (W, import positive) and its limits then
    private double loadW;
    private double chargeLimitW;
    private double dischargeLimitW;

    SiteDay(int chargerCount, Instant dayStart, Instant from, Instant to, Policy policy, Set<Trouble> troubles,
            long seed) {
        this.chargerCount = chargerCount;
        this.gridLimitA = 4 * chargerCount + 40;
        this.circuitLimitA = Math.max(40, 3.5 * chargerCount);
        this.safeBudgetA = 45;
        this.pvPeakW = 3000.0 * chargerCount;
        this.dayStart = dayStart;
        this.from = from;
        this.to = to;
        this.policy = policy;
        this.troubles = troubles.isEmpty() ? EnumSet.noneOf(Trouble.class) : EnumSet.copyOf(troubles);
        this.time = new VirtualTime(from);
        this.siteExecutor = time.executor();
        for (int i = 1; i <= chargerCount; i++) {
            SimPoint p = new SimPoint(String.format(Locale.ROOT, "SIM%02d", i), i);
            points.add(p);
            byId.put(p.id, p);
        }
        this.cars = cars(new Random(seed));
        StringBuilder circuits = new StringBuilder();
        StringBuilder rotation = new StringBuilder();
        StringBuilder maxA = new StringBuilder();
        for (SimPoint p : points) {
            circuits.append(circuits.isEmpty() ? "" : ",").append(p.id).append('=').append(p.circuit);
            String[] rotations = {"L1L2L3", "L2L3L1", "L3L1L2"};
            rotation.append(rotation.isEmpty() ? "" : ",").append(p.id).append('=').append(rotations[p.rotation]);
            maxA.append(maxA.isEmpty() ? "" : ",").append(p.id).append('=').append((int) p.maxA);
        }
        config = new HashMap<>(Map.of("gridLimitA", gridLimitA, "safeBudgetA", safeBudgetA,
                "circuits", "garage-a:" + (int) circuitLimitA + ",garage-b:" + (int) circuitLimitA,
                "chargerCircuits", circuits.toString(), "phaseRotation", rotation.toString(),
                "chargerMaxA", maxA.toString(),
                "tariffWindows", "Mon-Sun 22:00-06:00=0.22,Mon-Sun 17:00-20:00=0.41", "tariffDefaultPrice", 0.31,
                "tariffTimeZone", "UTC"));
    }

    /** Changes one key of the controller's configuration (before {@link #run}). */
    SiteDay with(String key, Object value) {
        config.put(key, value);
        return this;
    }

    /** The day's PV curve (before {@link #run}); sunny unless set. */
    SiteDay weather(Weather w) {
        weather = w;
        return this;
    }

    /** A day the offices are closed (before {@link #run}): the building draws its base load and the motor only. */
    SiteDay officesClosed() {
        officesClosed = true;
        return this;
    }

    /**
     * Chargers 2, 6, 10, ... switch between 3 phases and 1 (before {@link #run}): they say so in GetConfiguration
     * and follow {@code numberPhases}. Their visitors, who chose such a charger to charge on the sun, come in PV
     * mode (those who would have come in Fast or Scheduled) or keep MinPV or PV.
     */
    SiteDay switchingChargers() {
        switching = true;
        for (SimPoint p : points) {
            p.switchesPhases = switchingCharger(p.index);
        }
        cars = cars.stream().map(c -> !switchingCharger(c.charger()) || c.mode() == Mode.PV || c.mode() == Mode.MIN_PV
                ? c : new Car(c.charger(), c.arrives(), c.leaves(), c.phases(), c.maxA(), c.needWh(), Mode.PV))
                .toList();
        return this;
    }

    static boolean switchingCharger(int charger) {
        return charger % 4 == 2;
    }

    /** A site battery (before {@link #run}). */
    SiteDay battery(Battery b) {
        battery = b;
        socWh = b.capacityWh() * b.startSoc();
        return this;
    }

    /** The visits of the day: commuters in the morning, short visits at noon, a few in the evening. */
    private List<Car> cars(Random r) {
        List<Car> out = new ArrayList<>();
        Mode[] modes = {Mode.FAST, Mode.FAST, Mode.PV, Mode.MIN_PV, Mode.SCHEDULED};
        for (int c = 1; c <= chargerCount; c++) {
            Instant t = dayStart.plus(Duration.ofMinutes(390 + r.nextInt(180)));
            Instant end = dayStart.plus(Duration.ofHours(24));
            while (t.isBefore(end.minus(Duration.ofMinutes(30)))) {
                long stayMin = t.isBefore(dayStart.plus(Duration.ofHours(11))) ? 240 + r.nextInt(360)
                        : 60 + r.nextInt(180);
                Instant leaves = t.plus(Duration.ofMinutes(stayMin));
                if (leaves.isAfter(end)) {
                    leaves = end;
                }
                int phases = r.nextInt(4) == 0 ? 1 : 3;
                double max = phases == 1 ? (r.nextBoolean() ? 16 : 32) : (r.nextInt(3) == 0 ? 32 : 16);
                double need = 1000 * (5 + r.nextInt(36));
                out.add(new Car(c, t, leaves, phases, max, need, modes[r.nextInt(modes.length)]));
                t = leaves.plus(Duration.ofMinutes(20 + r.nextInt(240)));
            }
        }
        out.sort(Comparator.comparing(Car::arrives));
        return out;
    }

    // ---- loads ----

    /** The building's own load on each site phase, A: a base, office hours, lunch, and a few large motors. */
    double buildingA(Instant at, int phase) {
        double h = hourOf(at);
        double office = h > 7 && h < 19 && !officesClosed ? 28 * Math.sin(Math.PI * (h - 7) / 12) : 0;
        double lunch = h > 11.5 && h < 13.5 && !officesClosed ? 10 : 0;
        long minute = Duration.between(dayStart, at).toMinutes();
        double motor = (minute % 97) < 6 ? 15 : 0;
        double[] imbalance = {1.2, 1.0, 0.85};
        return (10 + office + lunch) * imbalance[phase] + (phase == 0 ? motor : 0);
    }

    /** PV power, W: a clear day with some clouds, or a grey day (see {@link Weather}). */
    double pvW(Instant at) {
        double h = hourOf(at);
        if (h < 6.5 || h > 19.5) {
            return 0;
        }
        double clear = pvPeakW * Math.pow(Math.max(0, Math.sin(Math.PI * (h - 6.5) / 13)), 1.5);
        long minute = Duration.between(dayStart, at).toMinutes();
        if (weather == Weather.GREY) {
            double minutes = Duration.between(dayStart, at).toSeconds() / 60.0;
            return clear * GREY_PV * (1 + 0.25 * Math.sin(2 * Math.PI * minutes / 23));
        }
        return (minute / 7) % 5 == 0 ? clear * 0.35 : clear;
    }

    /** The grey day's PV, as a share of the clear day's. */
    static final double GREY_PV = 0.5;

    /** Time-of-use price, EUR per kWh. */
    static double price(double hour) {
        if (hour < 6 || hour >= 22) {
            return 0.22;
        }
        return hour >= 17 && hour < 20 ? 0.41 : 0.31;
    }

    private double hourOf(Instant at) {
        return Duration.between(dayStart, at).toSeconds() / 3600.0;
    }

    // ---- the run ----

    Result run() {
        for (Car car : cars) {
            if (car.leaves().isAfter(from) && car.arrives().isBefore(to)) {
                Instant arrive = car.arrives().isBefore(from) ? from : car.arrives();
                siteExecutor.schedule(() -> arrive(car), nanosUntil(arrive), TimeUnit.NANOSECONDS);
            }
        }
        siteExecutor.scheduleWithFixedDelay(this::gridMeter, 0, 2, TimeUnit.SECONDS);
        siteExecutor.scheduleWithFixedDelay(this::meterValues, 3, 10, TimeUnit.SECONDS);
        if (policy == Policy.CONTROLLER) {
            startController();
            if (troubles.contains(Trouble.GATEWAY_KILLED)) {
                at(12, 0, () -> {
                    controller.close();
                    controller = null;
                });
                at(12, 1, this::startController);
            }
        } else {
            siteExecutor.scheduleWithFixedDelay(this::baseline, 1, 30, TimeUnit.SECONDS);
        }
        Stats stats = new Stats();
        for (Instant t = from; t.isBefore(to); t = t.plusSeconds(1)) {
            time.advanceTo(t);
            step(t, stats);
        }
        if (controller != null) {
            controller.close();
        }
        for (SimPoint p : points) {
            if (p.car != null) {
                stats.sessionEnded(p);
            }
        }
        double hours = Duration.between(from, to).toSeconds() / 3600.0;
        return new Result(policy, troubles, chargerCount, hours, stats.overloadSeconds, stats.maxOverloadA,
                stats.deliveredWh / 1000, stats.sessions, stats.targetsMet, stats.pvWh / 1000,
                stats.exportWh / 1000, stats.importWh / 1000, stats.cost,
                stats.jainSeconds == 0 ? 1 : stats.jainSum / stats.jainSeconds,
                points.stream().mapToLong(p -> p.profileCommands).sum(), points.stream().mapToLong(p -> p.renewals).sum(),
                stats.maxPhaseA, Map.copyOf(stats.byPlace), pvFigures(stats));
    }

    private PvFigures pvFigures(Stats stats) {
        Duration shortest = points.stream().map(p -> p.shortestGap).filter(java.util.Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        String site = weather.name().toLowerCase(Locale.ROOT) + (officesClosed ? ", offices closed" : "")
                + (switching ? ", switching chargers" : "")
                + (Boolean.FALSE.equals(config.get("phaseSwitching")) ? " (phase switching off)" : "")
                + (battery == null ? "" : String.format(Locale.ROOT, ", battery %.0f kWh / %.0f kW",
                battery.capacityWh() / 1000, battery.maxW() / 1000))
                + (battery == null || policy == Policy.BASELINE ? "" : ", "
                + config.getOrDefault("batteryPolicy", "battery-first")
                + (config.containsKey("batteryReserveW") ? " " + config.get("batteryReserveW") + " W" : "")
                + (config.containsKey("batteryMaxChargeW") ? ", max " + config.get("batteryMaxChargeW") + " W" : ""));
        boolean b = battery != null;
        return new PvFigures(site, (int) points.stream().filter(p -> p.switchesPhases).count(),
                points.stream().mapToLong(p -> p.phaseSwitches).sum(), shortest,
                points.stream().mapToLong(p -> p.gapsWithinHold).sum(), stats.onePhaseWh / 1000,
                stats.pvOnePhaseWh / 1000, b ? stats.batteryInWh / 1000 : Double.NaN, stats.batteryOutWh / 1000,
                stats.batteryToPvCarsWh / 1000, stats.batteryToPvModeWh / 1000, stats.batteryAboveMinWh / 1000,
                stats.batteryAboveMinSeconds, Map.copyOf(stats.batteryAboveMinAt), stats.roomTakenWh / 1000,
                stats.roomTakenAboveMinWh / 1000, stats.roomTakenAboveMinSeconds, stats.socStart,
                stats.socMin, b ? socWh / battery.capacityWh() : Double.NaN);
    }

    private void at(int hour, int minute, Runnable r) {
        Instant when = dayStart.plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
        if (!when.isBefore(from) && when.isBefore(to)) {
            siteExecutor.schedule(r, nanosUntil(when), TimeUnit.NANOSECONDS);
        }
    }

    private long nanosUntil(Instant when) {
        return Math.max(0, Duration.between(time.now(), when).toNanos());
    }

    private void startController() {
        controller = new BalancerController(SiteSettings.from(TestSite.config(config)), new View(), new Commands(),
                this::energy, () -> null, time.clock(), time.executor(), time::nanoTime);
        controller.start();
        // a controller started again knows no session's mode (no store here): they all charge in the default mode
        for (SimPoint p : points) {
            p.mode = Mode.FAST;
        }
    }

    private void event(String topic) {
        if (controller != null) {
            controller.onEvent(topic);
        }
    }

    private boolean meterSilent(Instant t, boolean grid) {
        double h = hourOf(t);
        return (grid && troubles.contains(Trouble.STALE_METER) && h >= 10 && h < 11)
                || (troubles.contains(Trouble.BROKER_OUTAGE) && h >= 13 && h < 13.5);
    }

    private void gridMeter() {
        Instant t = time.now();
        double[] net = netA(t);
        if (!meterSilent(t, true)) {
            System.arraycopy(net, 0, meterA, 0, 3);
            meterW = (net[0] + net[1] + net[2]) * VOLTS;
            meterAt = t;
            event("org/chargeedge/energy/MEASUREMENT");
        }
        if (!meterSilent(t, false)) {
            pvReadW = pvW(t);
            pvAt = t;
            if (battery != null) {
                batteryReadW = batteryW;
                socRead = 100 * socWh / battery.capacityWh();
                batteryAt = t;
            }
        }
    }

    /** The grid connection's current per site phase now (negative when exporting). */
    private double[] netA(Instant t) {
        double[] net = loadA(t);
        for (int p = 0; p < 3; p++) {
            net[p] += batteryW / (3 * VOLTS);
        }
        return net;
    }

    /** The same without the battery: building, PV and cars. */
    private double[] loadA(Instant t) {
        double pvA = pvW(t) / (3 * VOLTS);
        double[] net = new double[3];
        for (int p = 0; p < 3; p++) {
            net[p] = buildingA(t, p) - pvA;
        }
        for (SimPoint sp : points) {
            double[] site = sp.sitePhaseA();
            for (int p = 0; p < 3; p++) {
                net[p] += site[p];
            }
        }
        return net;
    }

    /** The battery's inverter for one second: it holds the grid at zero, within its limits (see {@link Battery}). */
    private void runBattery(Instant t) {
        if (battery == null) {
            return;
        }
        double[] load = loadA(t);
        loadW = (load[0] + load[1] + load[2]) * VOLTS;
        double soc = socWh / battery.capacityWh();
        chargeLimitW = battery.chargeLimitW(soc);
        dischargeLimitW = battery.dischargeLimitW(soc);
        batteryW = Math.max(-dischargeLimitW, Math.min(chargeLimitW, -loadW));
        socWh += batteryW / 3600;
    }

    /** What the battery would charge (positive) or discharge with {@code loadW} to hold at zero this second. */
    private double batteryFor(double load) {
        return Math.max(-dischargeLimitW, Math.min(chargeLimitW, -load));
    }

    /** phaseSwitchHoldSeconds as the controller is configured. */
    private Duration hold() {
        Object v = config.get("phaseSwitchHoldSeconds");
        return Duration.ofSeconds(v == null ? 300 : ((Number) v).longValue());
    }

    private EnergySnapshot energy() {
        Instant now = time.now();
        Map<MeasurementKey, Measurement> fresh = new HashMap<>();
        Map<MeasurementKey, Measurement> withheld = new HashMap<>();
        Duration staleAfter = Duration.ofSeconds(10);
        if (meterAt != null) {
            PhaseRef[] refs = {PhaseRef.L1, PhaseRef.L2, PhaseRef.L3};
            boolean ok = !now.isAfter(meterAt.plus(staleAfter));
            for (int p = 0; p < 3; p++) {
                MeasurementKey k = new MeasurementKey(Meter.GRID, Quantity.CURRENT, refs[p]);
                (ok ? fresh : withheld).put(k, new Measurement(k, meterA[p], meterAt, staleAfter, "sim grid"));
            }
            MeasurementKey k = new MeasurementKey(Meter.GRID, Quantity.POWER, PhaseRef.TOTAL);
            (ok ? fresh : withheld).put(k, new Measurement(k, meterW, meterAt, staleAfter, "sim grid"));
        }
        if (pvAt != null) {
            boolean ok = !now.isAfter(pvAt.plus(staleAfter));
            MeasurementKey k = new MeasurementKey(Meter.PV, Quantity.POWER, PhaseRef.TOTAL);
            (ok ? fresh : withheld).put(k, new Measurement(k, pvReadW, pvAt, staleAfter, "sim pv"));
        }
        if (batteryAt != null) {
            boolean ok = !now.isAfter(batteryAt.plus(staleAfter));
            MeasurementKey k = new MeasurementKey(Meter.BATTERY, Quantity.POWER, PhaseRef.TOTAL);
            (ok ? fresh : withheld).put(k, new Measurement(k, batteryReadW, batteryAt, staleAfter, "sim battery"));
            MeasurementKey soc = new MeasurementKey(Meter.BATTERY, Quantity.STATE_OF_CHARGE, PhaseRef.TOTAL);
            (ok ? fresh : withheld).put(soc, new Measurement(soc, socRead, batteryAt, staleAfter, "sim battery"));
        }
        return new EnergySnapshot(now, fresh, withheld);
    }

    private void arrive(Car car) {
        SimPoint p = points.get(car.charger() - 1);
        if (p.car != null) {
            return; // still occupied: this visitor drives on
        }
        p.car = car;
        p.deliveredWh = 0;
        p.sessionStart = time.now();
        p.mode = Mode.FAST;
        if (policy == Policy.CONTROLLER && controller != null && car.mode() != Mode.FAST) {
            controller.setSessionMode(p.id, 1, car.mode(), car.mode() == Mode.SCHEDULED
                    ? new BalancerModes.Target(car.leaves(), car.needWh()) : null);
            p.mode = car.mode();
        }
        p.status(ChargePointStatus.Preparing);
        siteExecutor.schedule(() -> {
            p.transactionId = nextTransaction++;
            p.status(ChargePointStatus.Charging);
            event("org/chargeedge/charger/TRANSACTION_STARTED");
        }, 5, TimeUnit.SECONDS);
        Instant leaves = car.leaves().isAfter(to) ? to : car.leaves();
        siteExecutor.schedule(() -> leave(p), nanosUntil(leaves), TimeUnit.NANOSECONDS);
    }

    private Stats current;

    private void leave(SimPoint p) {
        if (current != null) {
            current.sessionEnded(p);
        }
        p.car = null;
        p.transactionId = null;
        p.txProfile = null;
        p.drawA = 0;
        p.status(ChargePointStatus.Available);
        event("org/chargeedge/charger/TRANSACTION_STOPPED");
    }

    private void meterValues() {
        Instant t = time.now();
        for (SimPoint p : points) {
            if (p.transactionId != null) {
                List<SampledValue> values = new ArrayList<>();
                Phase[] phases = {Phase.L1, Phase.L2, Phase.L3};
                for (int i = 0; i < 3; i++) {
                    double a = i < p.carPhases() ? p.drawA : 0;
                    values.add(new SampledValue(String.format(Locale.ROOT, "%.1f", a), null, null,
                            Measurand.CurrentImport, phases[i], null, UnitOfMeasure.A));
                }
                values.add(new SampledValue(String.format(Locale.ROOT, "%.0f", p.deliveredWh), null, null,
                        Measurand.EnergyActiveImportRegister, null, null, UnitOfMeasure.Wh));
                p.meterValue = new MeterValue(t, values);
            }
        }
        event("org/chargeedge/charger/METER_VALUES");
    }

    /** One second of the site: the cars follow their limits, the figures are counted. */
    private void step(Instant t, Stats stats) {
        current = stats;
        for (SimPoint p : points) {
            p.follow(t);
        }
        runBattery(t);
        double[] net = netA(t);
        stats.second(t, net, points, this);
    }

    // ---- the baseline: first come first served every 30 s ----

    private void baseline() {
        Instant now = time.now();
        double[] avail = new double[3];
        boolean fresh = meterAt != null && !now.isAfter(meterAt.plusSeconds(10));
        for (int p = 0; p < 3; p++) {
            double other = safeBudgetA;
            if (fresh) {
                other = meterA[p];
                for (SimPoint sp : points) {
                    other -= sp.reportedSiteA()[p];
                }
            }
            avail[p] = gridLimitA - other;
        }
        Map<String, double[]> circuitAvail = new HashMap<>();
        circuitAvail.put("garage-a", new double[] {circuitLimitA, circuitLimitA, circuitLimitA});
        circuitAvail.put("garage-b", new double[] {circuitLimitA, circuitLimitA, circuitLimitA});
        List<SimPoint> order = new ArrayList<>(points);
        order.removeIf(p -> p.transactionId == null);
        order.sort(Comparator.comparing(p -> p.sessionStart));
        for (SimPoint p : order) {
            double want = Math.min(p.maxA, p.car.maxA());
            double[] ca = circuitAvail.get(p.circuit);
            for (int i = 0; i < p.carPhases(); i++) {
                int site = (i + p.rotation) % 3;
                want = Math.min(want, Math.min(avail[site], ca[site]));
            }
            double give = want < 6 ? 0 : Math.floor(want);
            for (int i = 0; i < p.carPhases(); i++) {
                int site = (i + p.rotation) % 3;
                avail[site] -= give;
                ca[site] -= give;
            }
            if (p.txProfile == null || p.txProfile.limitA != give) {
                p.profileCommands++;
                p.txProfile = new Profile(give, null, p.transactionId, 3);
                p.limitChanged(now);
            }
        }
    }

    // ---- the figures ----

    /**
     * {@code -Dsim.trace=FROM,TO} (instants, e.g. {@code 2026-06-17T12:17:00Z,2026-06-17T12:18:00Z}) prints every
     * second between them: the grid's current and the meter's last reading per phase, the building, PV, and each
     * charger's car phases, draw, limit in force and TxProfile (W: resumed wrongly).
     */
    private static final Instant[] TRACE = System.getProperty("sim.trace") == null ? null
            : java.util.Arrays.stream(System.getProperty("sim.trace").split(",")).map(Instant::parse)
                    .toArray(Instant[]::new);

    private void trace(Instant t, double[] net) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%s grid %.1f %.1f %.1f meter %.1f %.1f %.1f building L1 %.1f PV %.0f battery %.0f W %.1f %%:", t,
                net[0], net[1], net[2], meterA[0], meterA[1], meterA[2], buildingA(t, 0), pvW(t), batteryW,
                battery == null ? 0 : 100 * socWh / battery.capacityWh()));
        for (SimPoint sp : points) {
            b.append(String.format(Locale.ROOT, " %d[%s%s%s draw %.0f limit %.0f tx %s]", sp.index,
                    sp.car == null ? "-" : sp.carPhases(), sp.car == null ? "" : sp.mode.name().charAt(0) + "",
                    sp.resumedWrongly ? "W" : "", sp.drawA, sp.limitNow(t),
                    sp.txProfile == null ? "-" : String.format(Locale.ROOT, "%.1f/%d", sp.txProfile.limitA,
                            sp.txProfile.phases)));
        }
        System.out.println(b);
    }


    private static final class Stats {
        long overloadSeconds;
        double maxOverloadA;
        double maxPhaseA;
        final Map<String, Instant> overSince = new HashMap<>();
        final Map<String, Long> byPlace = new HashMap<>();
        double deliveredWh;
        int sessions;
        int targetsMet;
        double pvWh;
        double exportWh;
        double importWh;
        double cost;
        double jainSum;
        long jainSeconds;
        // phase switching and the battery (see PvFigures and pvAndBattery)
        double onePhaseWh;
        double pvOnePhaseWh;
        double batteryInWh;
        double batteryOutWh;
        double batteryToPvCarsWh;
        double batteryToPvModeWh;
        double batteryAboveMinWh;
        long batteryAboveMinSeconds;
        final Map<String, Long> batteryAboveMinAt = new HashMap<>();
        double roomTakenWh;
        double roomTakenAboveMinWh;
        long roomTakenAboveMinSeconds;
        double freeBefore = Double.NEGATIVE_INFINITY;
        Instant freeChangedAt;
        double socMin = Double.NaN;
        double socStart = Double.NaN;

        void second(Instant t, double[] net, List<SimPoint> points, SiteDay day) {
            double netW = 0;
            if (TRACE != null && !t.isBefore(TRACE[0]) && t.isBefore(TRACE[1])) {
                day.trace(t, net);
            }
            pvAndBattery(t, points, day);
            for (int p = 0; p < 3; p++) {
                maxPhaseA = Math.max(maxPhaseA, Math.abs(net[p]));
                over("grid L" + (p + 1), Math.abs(net[p]) - day.gridLimitA, t, GRID_GRACE);
                netW += net[p] * VOLTS;
            }
            for (String circuit : List.of("garage-a", "garage-b")) {
                double[] sum = new double[3];
                for (SimPoint sp : points) {
                    if (sp.circuit.equals(circuit)) {
                        double[] s = sp.sitePhaseA();
                        for (int p = 0; p < 3; p++) {
                            sum[p] += s[p];
                        }
                    }
                }
                for (int p = 0; p < 3; p++) {
                    over(circuit + " L" + (p + 1), sum[p] - day.circuitLimitA, t, CIRCUIT_GRACE);
                }
            }
            double pv = day.pvW(t);
            pvWh += pv / 3600;
            if (netW > 0) {
                importWh += netW / 3600;
                cost += netW / 3600 / 1000 * price(day.hourOf(t));
            } else {
                exportWh += -netW / 3600;
            }
            double sum = 0;
            double squares = 0;
            int n = 0;
            for (SimPoint sp : points) {
                if (sp.car != null) {
                    deliveredWh += sp.drawA * sp.carPhases() * VOLTS / 3600;
                    sp.deliveredWh += sp.drawA * sp.carPhases() * VOLTS / 3600;
                    if (sp.transactionId != null && sp.car.mode() == Mode.FAST && sp.deliveredWh < sp.car.needWh()) {
                        double x = sp.drawA / Math.min(sp.maxA, sp.car.maxA());
                        sum += x;
                        squares += x * x;
                        n++;
                    }
                }
            }
            if (n >= 2 && squares > 0) {
                jainSum += sum * sum / (n * squares);
                jainSeconds++;
            }
        }

        private void over(String where, double excessA, Instant t, Duration grace) {
            Instant since = lasting(where, excessA > 0.05, t, grace);
            if (since != null) {
                overloadSeconds++;
                byPlace.merge(where + " from " + since.atOffset(ZoneOffset.UTC).toLocalTime(), 1L, Long::sum);
                maxOverloadA = Math.max(maxOverloadA, excessA);
            }
        }

        /** Since when {@code what} has held, if it has held for longer than {@code grace}; else null. */
        private Instant lasting(String what, boolean holds, Instant t, Duration grace) {
            if (!holds) {
                overSince.remove(what);
                return null;
            }
            Instant since = overSince.computeIfAbsent(what, w -> t);
            return Duration.between(since, t).compareTo(grace) > 0 ? since : null;
        }

        /**
         * The second's energy flows around the PV and MinPV cars (in the mode the controller runs them in), the cars
         * switched to 1 phase and the battery.
         *
         * <p>The battery's share in a load is what it gives because of that load: its discharge minus what it
         * would have discharged in the same second without that load (so the building and the other cars are served
         * first, and a car is only charged with the battery energy it added). Likewise, PV the battery had room for
         * that some cars took is what the battery would have charged more without them. "Above 6 A" is the part of a
         * PV or MinPV car's current above 6 A on each of its phases: the controller may give 6 A from the grid (to
         * MinPV always, to PV while its minimum on time and its stop hysteresis run), but what is above it only from
         * PV surplus. The battery paying for that is excused only within {@link SiteDay#CIRCUIT_GRACE} (the slowest
         * charger's 30 s, a grid reading, a command) after the PV left for those cars changed by more than 230 W in a
         * second (a cloud, the motor, a car in another mode starting, stopping, or full: the grid meter sees that
         * before the car's next MeterValues) or the run started; at any other time it is counted. So are, under the
         * same excuse, the seconds in which those cars drew above 6 A PV the battery had room for (more than 230 W):
         * under battery-first with {@code batteryMaxChargeW} the battery charges at what it can before the cars get
         * more than 6 A.
         */
        private void pvAndBattery(Instant t, List<SimPoint> points, SiteDay day) {
            double v = VOLTS;
            double pv = day.pvW(t);
            double building = (day.buildingA(t, 0) + day.buildingA(t, 1) + day.buildingA(t, 2)) * v;
            double others = 0;
            double pvCars = 0;
            double pvModeCars = 0;
            double aboveMin = 0;
            double switchedPv = 0;
            for (SimPoint sp : points) {
                if (sp.car == null) {
                    continue;
                }
                double w = sp.drawA * sp.carPhases() * v;
                if (sp.mode == Mode.PV || sp.mode == Mode.MIN_PV) {
                    pvCars += w;
                    aboveMin += Math.max(0, sp.drawA - 6) * sp.carPhases() * v;
                    pvModeCars += sp.mode == Mode.PV ? w : 0;
                } else {
                    others += w;
                }
                if (sp.switchesPhases && sp.car.phases() == 3 && sp.phasesOn == 1) {
                    onePhaseWh += w / 3600;
                    switchedPv += sp.mode == Mode.PV ? w : 0;
                }
            }
            // PV left for the PV-mode cars on 1 phase after the building and every other car: below 3 x 6 A, a
            // 3-phase car in PV mode could not have charged on it at all
            double left = Math.max(0, pv - building - others - (pvCars - switchedPv));
            if (left < 3 * 6 * v) {
                pvOnePhaseWh += Math.min(left, switchedPv) / 3600;
            }
            double free = pv - building - others;
            if (freeChangedAt == null || Math.abs(free - freeBefore) > v) {
                // (the start of a run counts as such a change: the controller starts without a state)
                freeChangedAt = t;
            }
            freeBefore = free;
            if (day.battery == null) {
                return;
            }
            double soc = day.socWh / day.battery.capacityWh();
            socStart = Double.isNaN(socStart) ? soc : socStart;
            socMin = Double.isNaN(socMin) ? soc : Math.min(socMin, soc);
            double b = day.batteryW;
            batteryInWh += Math.max(0, b) / 3600;
            batteryOutWh += Math.max(0, -b) / 3600;
            double withoutPvCars = day.batteryFor(day.loadW - pvCars);
            double withoutAboveMin = day.batteryFor(day.loadW - aboveMin);
            batteryToPvCarsWh += (Math.max(0, -b) - Math.max(0, -withoutPvCars)) / 3600;
            batteryToPvModeWh += (Math.max(0, -b) - Math.max(0, -day.batteryFor(day.loadW - pvModeCars))) / 3600;
            double toAboveMin = Math.max(0, -b) - Math.max(0, -withoutAboveMin);
            batteryAboveMinWh += toAboveMin / 3600;
            if (toAboveMin > v && (Duration.between(freeChangedAt, t).compareTo(CIRCUIT_GRACE) > 0)) {
                batteryAboveMinSeconds++;
                batteryAboveMinAt.merge(t.atOffset(ZoneOffset.UTC).toLocalTime().withSecond(0).toString(), 1L,
                        Long::sum);
            }
            roomTakenWh += (Math.max(0, withoutPvCars) - Math.max(0, b)) / 3600;
            double roomAboveMin = Math.max(0, withoutAboveMin) - Math.max(0, b);
            roomTakenAboveMinWh += roomAboveMin / 3600;
            if (roomAboveMin > v && (Duration.between(freeChangedAt, t).compareTo(CIRCUIT_GRACE) > 0)) {
                roomTakenAboveMinSeconds++;
            }
        }

        void sessionEnded(SimPoint p) {
            sessions++;
            if (p.deliveredWh >= p.car.needWh() - 1) {
                targetsMet++;
            }
        }
    }

    // ---- a charger with one connector, and its car ----

    /** A profile in force at the charger: its limit per phase, validTo, transaction and numberPhases (3 if none). */
    private record Profile(double limitA, Instant validTo, Integer transactionId, int phases) {
    }

    private record Change(Instant at, double limitA, int phases) {
    }

    private static Change second(Deque<Change> changes) {
        var it = changes.iterator();
        it.next();
        return it.next();
    }

    private final class SimPoint {
        final String id;
        final int index;
        final String circuit;
        final int rotation;
        final double maxA;
        final Duration reaction;
        final boolean ignores;
        final boolean powerOnly;
        /**
         * Resumes wrongly after a 0 A pause: once its limit fell below 6 A in a session and rose again, it lets the
         * car draw all it can until it gets its next SetChargingProfile.
         */
        final boolean resumesWrongly;
        /** Says ConnectorSwitch3to1PhaseSupported = true and follows numberPhases (see {@link #switchingChargers}). */
        boolean switchesPhases;
        /**
         * The mode the controller runs its session in: the car's, if the controller was told (the baseline has no
         * modes; a controller started again has forgotten them).
         */
        Mode mode = Mode.FAST;
        boolean paused;
        boolean resumedWrongly;
        Car car;
        Instant sessionStart;
        Integer transactionId;
        double deliveredWh;
        double drawA;
        ChargePointStatus status = ChargePointStatus.Available;
        Instant statusAt;
        MeterValue meterValue;
        Double defaultA;
        int defaultPhases = 3;
        Profile txProfile;
        long profileCommands;
        long renewals;
        /** Limits in force as they changed: the car follows the one that was in force a reaction time ago. */
        final Deque<Change> changes = new ArrayDeque<>();
        double lastLimit = Double.NaN;
        int lastPhases = 3;
        /** The phases its contactors give (1 or 3), and until when a switch keeps the car from charging. */
        int phasesOn = 3;
        Instant switchingUntil;
        /** Its switches; the last one's time in this session; the shortest time between two in a session. */
        long phaseSwitches;
        Instant lastSwitch;
        Duration shortestGap;
        long gapsWithinHold;

        SimPoint(String id, int index) {
            this.id = id;
            this.index = index;
            this.circuit = index % 2 == 1 ? "garage-a" : "garage-b";
            this.rotation = index % 3;
            this.maxA = index % 4 == 0 ? 16 : 32;
            this.reaction = Duration.ofSeconds(index == 7 ? 30 : 2 + index % 4);
            this.ignores = index == 5 && troubles.contains(Trouble.IGNORING_CHARGER);
            this.powerOnly = index == 3;
            this.resumesWrongly = index == 9;
        }

        void status(ChargePointStatus s) {
            status = s;
            statusAt = time.now();
            event("org/chargeedge/charger/STATUS");
        }

        private boolean txInForce(Instant t) {
            return txProfile != null && transactionId != null && transactionId.equals(txProfile.transactionId)
                    && (txProfile.validTo == null || t.isBefore(txProfile.validTo));
        }

        /** The limit the charger applies now, from its profiles; its own maximum without one. */
        double limitNow(Instant t) {
            if (txInForce(t)) {
                return txProfile.limitA;
            }
            return defaultA != null ? defaultA : maxA;
        }

        /** The numberPhases of the profile in force (3 without one or without numberPhases). */
        int phasesNow(Instant t) {
            return txInForce(t) ? txProfile.phases : defaultA != null ? defaultPhases : 3;
        }

        void limitChanged(Instant t) {
            double l = limitNow(t);
            int ph = phasesNow(t);
            if (l != lastLimit || ph != lastPhases) {
                changes.addLast(new Change(t, l, ph));
                lastLimit = l;
                lastPhases = ph;
            }
        }

        /** The phases the car draws on: a 1-phase car on 1, a 3-phase car on those its charger gives. */
        int carPhases() {
            return car == null ? 0 : car.phases() == 1 ? 1 : phasesOn;
        }

        void follow(Instant t) {
            limitChanged(t);
            Instant cut = t.minus(reaction);
            while (changes.size() > 1 && !second(changes).at().isAfter(cut)) {
                changes.removeFirst();
            }
            Change first = changes.peekFirst();
            boolean known = first != null && !first.at().isAfter(cut);
            double applied = known ? first.limitA() : maxA;
            int appliedPhases = known ? first.phases() : 3;
            if (ignores) {
                applied = maxA;
            }
            if (car == null || transactionId == null) {
                drawA = 0;
                paused = false;
                resumedWrongly = false;
                phasesOn = 3;
                switchingUntil = null;
                lastSwitch = null;
                return;
            }
            if (switchesPhases && !ignores && appliedPhases != phasesOn) {
                switched(t);
                phasesOn = appliedPhases;
                switchingUntil = t.plus(SWITCH_PAUSE);
            }
            if (resumesWrongly) {
                if (applied < 6) {
                    paused = true;
                } else if (paused) {
                    paused = false;
                    resumedWrongly = true;
                }
                if (resumedWrongly) {
                    applied = maxA;
                }
            }
            boolean full = deliveredWh >= car.needWh();
            boolean switchingNow = switchingUntil != null && t.isBefore(switchingUntil);
            double draw = full || applied < 6 || switchingNow ? 0 : Math.min(applied, Math.min(maxA, car.maxA()));
            ChargePointStatus s = full ? ChargePointStatus.SuspendedEV
                    : draw == 0 ? ChargePointStatus.SuspendedEVSE : ChargePointStatus.Charging;
            drawA = draw;
            if (s != status) {
                status(s);
            }
        }

        /** A switch of its contactors in a session: counted, with the time since the last one in the session. */
        private void switched(Instant t) {
            phaseSwitches++;
            if (lastSwitch != null) {
                Duration gap = Duration.between(lastSwitch, t);
                shortestGap = shortestGap == null || gap.compareTo(shortestGap) < 0 ? gap : shortestGap;
                if (gap.compareTo(hold()) < 0) {
                    gapsWithinHold++;
                }
            }
            lastSwitch = t;
        }

        /** What the car draws on each site phase. */
        double[] sitePhaseA() {
            double[] out = new double[3];
            for (int i = 0; i < carPhases(); i++) {
                out[(i + rotation) % 3] += drawA;
            }
            return out;
        }

        /** The same from the last MeterValues, as the gateway knows it. */
        double[] reportedSiteA() {
            double[] out = new double[3];
            if (car != null && meterValue != null && transactionId != null) {
                for (int i = 0; i < 3; i++) {
                    out[(i + rotation) % 3] += Double.parseDouble(meterValue.sampledValue().get(i).value());
                }
            }
            return out;
        }

        ChargerInfo info() {
            Instant since = dayStart;
            ConnectorInfo c = new ConnectorInfo(1, status, ChargePointErrorCode.NoError, null, null, statusAt,
                    meterValue);
            List<TransactionInfo> tx = transactionId == null ? List.of()
                    : List.of(new TransactionInfo(transactionId, 1, "TAG" + index, 0, sessionStart, meterValue));
            return new ChargerInfo(id, true, since, null, "sim", null, since, time.now(), List.of(c), tx);
        }

        /** A SetChargingProfile, as a 1.6 charger applies it. */
        ChargingProfileStatus set(SetChargingProfileRequest r) {
            ChargingProfile p = r.csChargingProfiles();
            ChargingRateUnitType unit = p.chargingSchedule().chargingRateUnit();
            if (powerOnly && unit != ChargingRateUnitType.W) {
                return ChargingProfileStatus.Rejected;
            }
            ChargingSchedulePeriod first = p.chargingSchedule().chargingSchedulePeriod().get(0);
            int phases = first.numberPhases() == null ? 3 : first.numberPhases();
            double a = unit == ChargingRateUnitType.W ? first.limit() / (VOLTS * phases) : first.limit();
            Instant now = time.now();
            resumedWrongly = false;
            if (p.chargingProfilePurpose() == ChargingProfilePurposeType.TxDefaultProfile) {
                defaultA = a;
                defaultPhases = phases;
            } else if (p.chargingProfilePurpose() == ChargingProfilePurposeType.TxProfile) {
                Integer tx = p.transactionId() != null ? p.transactionId() : transactionId;
                if (transactionId == null || !transactionId.equals(tx)) {
                    return ChargingProfileStatus.Rejected;
                }
                if (txProfile != null && txProfile.limitA == a && txProfile.phases == phases
                        && tx.equals(txProfile.transactionId)
                        && (txProfile.validTo == null || now.isBefore(txProfile.validTo))) {
                    renewals++;
                }
                txProfile = new Profile(a, p.validTo(), tx, phases);
            } else {
                return ChargingProfileStatus.Rejected;
            }
            limitChanged(now);
            return ChargingProfileStatus.Accepted;
        }
    }

    private final class View implements SiteView {
        @Override
        public List<ChargerInfo> chargers() {
            List<ChargerInfo> out = new ArrayList<>();
            for (SimPoint p : points) {
                out.add(p.info());
            }
            return out;
        }

        @Override
        public Optional<ChargerInfo> charger(String chargePointId) {
            SimPoint p = byId.get(chargePointId);
            return p == null ? Optional.empty() : Optional.of(p.info());
        }
    }

    /** The chargers' answers come 300 ms after the call, on the site's scheduler. */
    private final class Commands implements ChargerCommands {
        @Override
        @SuppressWarnings("unchecked")
        public <C extends Confirmation> CompletionStage<C> call(String chargePointId, Request<C> request) {
            SimPoint p = byId.get(chargePointId);
            CompletableFuture<C> answer = new CompletableFuture<>();
            siteExecutor.schedule(() -> {
                if (request instanceof SetChargingProfileRequest r) {
                    p.profileCommands++;
                    answer.complete((C) new SetChargingProfileConfirmation(p.set(r)));
                } else if (request instanceof GetConfigurationRequest) {
                    List<KeyValue> keys = new ArrayList<>(List.of(new KeyValue(
                            "ChargingScheduleAllowedChargingRateUnit", true, p.powerOnly ? "Power" : "Current")));
                    if (p.switchesPhases) {
                        keys.add(new KeyValue("ConnectorSwitch3to1PhaseSupported", true, "true"));
                    }
                    answer.complete((C) new GetConfigurationConfirmation(keys, List.of()));
                } else {
                    answer.completeExceptionally(new UnsupportedOperationException(request.getClass().getName()));
                }
            }, 300, TimeUnit.MILLISECONDS);
            return answer;
        }
    }

    static Instant day(int year, int month, int dayOfMonth) {
        return java.time.LocalDate.of(year, month, dayOfMonth).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
