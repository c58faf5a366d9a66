package org.chargeedge.balancer.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.chargeedge.api.balancer.BalancerModes.Target;
import org.chargeedge.api.balancer.BalancerStatus;
import org.chargeedge.api.balancer.BalancerStatus.ModeOrigin;
import org.chargeedge.api.balancer.ModeRefusedException;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.smartcharging.CsmsLimits;
import org.chargeedge.api.store.BalancerMemory;
import org.chargeedge.balancer.core.Allocation;
import org.chargeedge.balancer.core.Allocation.ConnectorLimit;
import org.chargeedge.balancer.core.Balancer;
import org.chargeedge.balancer.core.BalancerState;
import org.chargeedge.balancer.core.SiteSnapshot;
import org.chargeedge.balancer.core.SiteSnapshot.Circuit;
import org.chargeedge.balancer.core.SiteSnapshot.Connector;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.balancer.core.SiteSnapshot.Control;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.Reading;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.chargeedge.balancer.internal.ChargerLink.Desired;
import org.chargeedge.balancer.internal.ChargerLink.Sent;
import org.chargeedge.balancer.internal.SnapshotAdapter.ConnectorFacts;
import org.chargeedge.ocpp.v16.ChangeConfigurationConfirmation;
import org.chargeedge.ocpp.v16.ChangeConfigurationRequest;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingProfileStatus;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.ConfigurationStatus;
import org.chargeedge.ocpp.v16.GetConfigurationConfirmation;
import org.chargeedge.ocpp.v16.GetConfigurationRequest;
import org.chargeedge.ocpp.v16.KeyValue;
import org.chargeedge.ocpp.v16.MessageTrigger;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.SetChargingProfileConfirmation;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.chargeedge.ocpp.v16.TriggerMessageConfirmation;
import org.chargeedge.ocpp.v16.TriggerMessageRequest;
import org.chargeedge.ocpp.v16.TriggerMessageStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load balancing controller: on every event (a meter reading, a connector
 * status, a transaction start or stop, a configuration change) it builds a
 * site snapshot, runs the allocation core and brings each charger's profiles
 * in line with the result, one SetChargingProfile in flight per charger, only
 * what changed.
 *
 * <p>Threads: one controller thread ({@code chargeedge-balancer}) owns every
 * mutable field below the marker, and the {@link ChargerLink}s: runs, command
 * answers (handed over from whatever thread completes them) and mode changes
 * all execute on it, so there is no lock and no shared mutable map. Other
 * threads only post work to it ({@link #onEvent}, {@link #setSessionMode},
 * {@link #reconfigure}, {@link #remember}) and read {@link #status()}, an
 * immutable record in a volatile field. The store's reads happen on the
 * thread that binds it, its writes on the store's writer thread: the
 * controller thread only hands them over and never waits for the disk.
 */
final class BalancerController implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BalancerController.class);
    /** Profile ids: the gateway's TxDefaultProfile, and one TxProfile id per connector above it. */
    static final int DEFAULT_PROFILE_ID = 9100;
    static final int TX_PROFILE_ID_BASE = 9200;
    /** A run also happens this often without events: meters going stale send no event, and renewals fall due. */
    private static final Duration TICK = Duration.ofSeconds(1);
    /** A charger that connected without a BootNotification is first spoken to after this long. */
    static final Duration UNBOOTED_GRACE = Duration.ofSeconds(10);
    /** After a call failed (timeout, connection lost), the charger is not asked again before this. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private final SiteView view;
    private final ChargerCommands commands;
    private final Supplier<EnergySnapshot> energy;
    private final Supplier<CsmsLimits> csms;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final LongSupplier nanoTime;
    private volatile BalanceStatus status;
    /** The price series and the tariff, and each session's idTag group: see their own classes for threads. */
    private final Prices prices = new Prices();
    private final SessionGroups groups = new SessionGroups();

    // ---- owned by the controller thread ----
    /** Written by the controller thread only; volatile so that {@link #zone()} may read it from others. */
    private volatile SiteSettings settings;
    private BalancerState state = BalancerState.INITIAL;
    private final Map<String, ChargerLink> links = new HashMap<>();
    private final Map<ConnectorRef, Watch> watches = new HashMap<>();
    private final Map<ConnectorRef, ModeOverride> modes = new HashMap<>();
    /** Chargers' default modes set at run time; they win over the configuration's. */
    private final Map<String, Mode> chargerDefaults = new HashMap<>();
    /** The store, when one runs; and what it holds, so that only changes are written. */
    private BalancerMemory memory;
    private final Map<ConnectorRef, ModeOverride> savedModes = new HashMap<>();
    private final Map<String, BalancerMemory.ChargerCapabilities> savedCapabilities = new HashMap<>();
    /** By connector; connector 0 holds a charger's TxDefaultProfile share. */
    private final Map<ConnectorRef, BalancerMemory.SentProfile> savedProfiles = new HashMap<>();
    private boolean runPending;
    private long lastRunNanos;
    private String lastBudget;
    /** The grid meter's latest reading time, and the chargers' draws per site phase when it arrived. */
    private Instant gridReadAt;
    private double[] drawsAtGridReading = new double[3];
    /**
     * Per grid phase: since which reading the grid meter has read above the phase's limit (null: not above), when
     * it last did, when the correction last grew, and the correction (A counted as other load on top of the
     * meter's reading).
     */
    private final Instant[] gridOverSince = new Instant[3];
    private final Instant[] gridOverLast = new Instant[3];
    private final Instant[] gridCorrectedAt = new Instant[3];
    private final double[] gridCorrectionA = new double[3];
    /** Whether this run has a fresh grid meter on all three phases. Controller thread. */
    private boolean gridWhole;
    /** When a charger was last marked because the grid meter read above the limit too long. Controller thread. */
    private Instant markedForGridAt;
    /** Until when commands wait for the store (see {@link #start(Duration)}); null: they do not. */
    private Instant awaitingStoreUntil;
    private long runs;

    /** What the controller watches on a connector: the draw it last saw, and whether the charger obeys. */
    private static final class Watch {
        MeterValue meterValue;
        Instant seenAt;
        Instant overSince;
        boolean ignoring;
        /** When its limit last changed, either way: a rise waits the ramp interval after it, so it does not flap. */
        Instant lastChangeAt;
        /**
         * Its last change, if it was a rise of a car that used all of its limit before it: from, to, and when the
         * charger accepted it. Null after a fall, unless the fall stays above where the rise started within the
         * reaction time: then the lower limit is what it rose to. See {@link SnapshotAdapter#withFloor}.
         */
        Instant riseAt;
        double riseFromA;
        double riseToA;
        /** When a fall it had to follow was accepted, until a reading shows it followed; else null. */
        Instant fallAt;
        /**
         * What the car may still draw within the reaction time after the last change: the limit before it, or
         * its draw then if higher; unbounded after a session's first TxProfile (the charger may not have applied
         * its TxDefaultProfile to a session that had started).
         */
        double previousA = Double.POSITIVE_INFINITY;
        /** Its TxProfile is to be sent again: it drew more than it may after following it (once per episode). */
        boolean resend;
        boolean resent;
    }

    /** A mode set for a session ({@code session} null: for the next one on the connector), with its target. */
    private record ModeOverride(String session, Mode mode, Target target) {
    }

    /** More than any car's battery: a target above it is a typing error. */
    private static final double MAX_TARGET_WH = 200_000;

    BalancerController(SiteSettings settings, SiteView view, ChargerCommands commands,
                       Supplier<EnergySnapshot> energy, Clock clock) {
        this(settings, view, commands, energy, () -> null, clock);
    }

    /** @param csms the CSMS's limits as upper bounds; supplies null while there are none */
    BalancerController(SiteSettings settings, SiteView view, ChargerCommands commands,
                       Supplier<EnergySnapshot> energy, Supplier<CsmsLimits> csms, Clock clock) {
        this(settings, view, commands, energy, csms, clock, controllerThread(), System::nanoTime);
    }

    /**
     * With the thread and the monotonic time source given: the site simulation runs the controller on a scheduler
     * of virtual time, with {@code nanoTime} and {@code clock} following it.
     */
    BalancerController(SiteSettings settings, SiteView view, ChargerCommands commands,
                       Supplier<EnergySnapshot> energy, Supplier<CsmsLimits> csms, Clock clock,
                       ScheduledExecutorService thread, LongSupplier nanoTime) {
        this.csms = csms;
        this.settings = settings;
        this.view = view;
        this.commands = commands;
        this.energy = energy;
        this.clock = clock;
        this.thread = thread;
        this.nanoTime = nanoTime;
        this.lastRunNanos = nanoTime.getAsLong() - TimeUnit.DAYS.toNanos(1);
    }

    private static ScheduledExecutorService controllerThread() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "chargeedge-balancer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return t;
    }

    void start() {
        announce(settings);
        thread.scheduleWithFixedDelay(this::request, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts, sending no command for up to {@code grace} unless a store comes first ({@link #remember}): the
     * component's store is bound just after it started, and what the store kept (the profiles chargers accepted,
     * each session's phases) must be known before this controller replaces any of them, as after an update of
     * the balancer alone. Allocations run meanwhile; the previous controller's TxProfiles still hold.
     */
    void start(Duration grace) {
        post(() -> awaitingStoreUntil = clock.instant().plus(grace));
        start();
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The tariff's time zone, for departure times given as a time of day. Any thread (settings are immutable). */
    ZoneId zone() {
        return settings.tariff().zone();
    }

    /** The last decision; null before the first run. Any thread. */
    BalanceStatus status() {
        return status;
    }

    /** A charger or energy event: something changed, run soon. Any thread. */
    void onEvent(String topic) {
        post(this::request);
    }

    Prices prices() {
        return prices;
    }

    SessionGroups groups() {
        return groups;
    }

    /** New settings: the next run uses them. Any thread. */
    void reconfigure(SiteSettings next) {
        post(() -> {
            boolean wasDefault = settings.gridLimitDefault();
            settings = next;
            if (wasDefault != next.gridLimitDefault() || !next.enabled()) {
                announce(next);
            }
            request();
        });
    }

    /**
     * Sets the mode of the session on a connector or, when none runs, of the next one. Any thread; the stage
     * says what was done, or fails with a {@link ModeRefusedException}.
     */
    CompletableFuture<String> setSessionMode(String chargerId, int connectorId, Mode mode) {
        return setSessionMode(chargerId, connectorId, mode, null);
    }

    /** The same, with a Scheduled session's departure and energy (required with Scheduled, refused otherwise). */
    CompletableFuture<String> setSessionMode(String chargerId, int connectorId, Mode mode, Target target) {
        return onThread(() -> {
            ChargerInfo info = modeTarget(chargerId);
            Set<Integer> known = SnapshotAdapter.connectorsOf(info).keySet();
            if (connectorId < 1 || (!known.isEmpty() && !known.contains(connectorId))) {
                throw new ModeRefusedException(ModeRefusedException.Reason.UNKNOWN_CONNECTOR, chargerId
                        + " has no connector " + connectorId + (known.isEmpty() ? "" : " (it has " + known + ")"));
            }
            checkTarget(mode, target);
            String session = info.openTransactions().stream().filter(t -> t.connectorId() == connectorId)
                    .findFirst().map(t -> String.valueOf(t.transactionId())).orElse(null);
            ConnectorRef ref = new ConnectorRef(chargerId, connectorId);
            modes.put(ref, new ModeOverride(session, mode, target));
            persist();
            String what = session == null ? "the next session" : "transaction " + session;
            String goal = target == null ? "" : String.format(Locale.ROOT, ", %.1f kWh by %s",
                    target.energyWh() / 1000, target.departure());
            LOG.info("Balancer: {} set to mode {}{} ({})", ref, SiteSettings.modeName(mode), goal, what);
            request();
            return ref + ": " + SiteSettings.modeName(mode) + goal + " for " + what + "\n";
        });
    }

    /**
     * Sets a charger's default mode, for its sessions without a mode of their own. Any thread; as
     * {@link #setSessionMode}.
     */
    CompletableFuture<String> setChargerDefault(String chargerId, Mode mode) {
        return onThread(() -> {
            modeTarget(chargerId);
            if (mode == Mode.SCHEDULED) {
                throw new ModeRefusedException(ModeRefusedException.Reason.REFUSED, SiteSettings.SCHEDULED_REFUSED);
            }
            chargerDefaults.put(chargerId, mode);
            if (memory != null) {
                written(memory.saveChargerMode(chargerId, SiteSettings.modeName(mode)), () -> { });
            }
            LOG.info("Balancer: {} default mode set to {}", chargerId, SiteSettings.modeName(mode));
            request();
            return chargerId + ": " + SiteSettings.modeName(mode) + " by default, for its sessions without a mode "
                    + "of their own\n";
        });
    }

    /** Forgets a charger's default set at run time: the configured one applies again. Any thread. */
    CompletableFuture<String> clearChargerDefault(String chargerId) {
        return onThread(() -> {
            modeTarget(chargerId);
            chargerDefaults.remove(chargerId);
            if (memory != null) {
                written(memory.saveChargerMode(chargerId, null), () -> { });
            }
            LOG.info("Balancer: {} takes its configured default mode again", chargerId);
            request();
            return chargerId + ": " + SiteSettings.modeName(settings.modeOf(chargerId))
                    + " by default again, as configured\n";
        });
    }

    /** A Scheduled session needs a departure ahead and an energy above 0; other modes take no target. */
    private void checkTarget(Mode mode, Target target) throws ModeRefusedException {
        String refused = null;
        if (mode == Mode.SCHEDULED && target == null) {
            refused = "mode Scheduled needs a departure time and an energy target";
        } else if (mode != Mode.SCHEDULED && target != null) {
            refused = "a departure time and an energy target go with mode Scheduled only";
        } else if (target != null && (target.departure() == null || !target.departure().isAfter(clock.instant()))) {
            refused = "the departure time " + target.departure() + " is not in the future";
        } else if (target != null && !(target.energyWh() > 0 && target.energyWh() <= MAX_TARGET_WH)) {
            refused = String.format(Locale.ROOT, "the energy target must be above 0 and at most %.0f kWh",
                    MAX_TARGET_WH / 1000);
        }
        if (refused != null) {
            throw new ModeRefusedException(ModeRefusedException.Reason.REFUSED, refused);
        }
    }

    /** The charger a mode is set for, if balancing runs. Controller thread. */
    private ChargerInfo modeTarget(String chargerId) throws ModeRefusedException {
        if (!settings.enabled()) {
            throw new ModeRefusedException(ModeRefusedException.Reason.REFUSED, "load balancing is off");
        }
        return view.charger(chargerId).orElseThrow(() -> new ModeRefusedException(
                ModeRefusedException.Reason.UNKNOWN_CHARGER, "unknown charger " + chargerId));
    }

    /**
     * A store came: what it kept (read by the caller, on its thread, so the controller thread never waits for the
     * disk) is taken where nothing newer was set since the start, and changes are written to it from now on.
     * Any thread.
     */
    void remember(BalancerMemory store) {
        BalancerMemory.Remembered kept;
        try {
            kept = store.remembered();
        } catch (RuntimeException e) {
            LOG.warn("Balancer: cannot read the modes and capabilities kept in the store: {}", e.toString());
            return;
        }
        post(() -> {
            memory = store;
            awaitingStoreUntil = null;
            for (BalancerMemory.SessionMode m : kept.sessionModes()) {
                Mode mode = keptMode(m.mode(), m.chargePointId());
                if (mode != null) {
                    ConnectorRef ref = new ConnectorRef(m.chargePointId(), m.connectorId());
                    ModeOverride o = new ModeOverride(m.transactionId() == null ? null
                            : String.valueOf(m.transactionId()), mode, m.departure() == null || m.energyWh() == null
                            ? null : new Target(m.departure(), m.energyWh()));
                    modes.putIfAbsent(ref, o);
                    savedModes.put(ref, o);
                }
            }
            kept.chargerModes().forEach((charger, name) -> {
                Mode mode = keptMode(name, charger);
                if (mode != null) {
                    chargerDefaults.putIfAbsent(charger, mode);
                }
            });
            for (BalancerMemory.ChargerCapabilities c : kept.capabilities()) {
                ChargerLink link = links.computeIfAbsent(c.chargePointId(), ChargerLink::new);
                if (!link.configAsked && !link.unitLearnt && link.commands == 0) {
                    link.remember(c);
                }
                savedCapabilities.put(c.chargePointId(), c);
            }
            int profiles = rememberProfiles(kept.sentProfiles());
            LOG.info("Balancer: {} session modes, {} charger modes, the capabilities of {} chargers and {} charging "
                    + "profiles in force from the store", kept.sessionModes().size(), kept.chargerModes().size(),
                    kept.capabilities().size(), profiles);
            persist();
            request();
        });
    }

    /** The store is gone (if it is still the one in use): nothing is written until the next one. Any thread. */
    void forgetStore(BalancerMemory store) {
        post(() -> {
            if (memory != store) {
                return; // already replaced by a newer one
            }
            memory = null;
            savedModes.clear();
            savedCapabilities.clear();
            savedProfiles.clear();
        });
    }

    /**
     * Takes the profiles chargers accepted before a restart, where the charger has not booted since (a boot may
     * have cleared them) and nothing newer was accepted in this run: what each may still draw (see
     * {@link #withUnreconnected}), and each session's phases, last phase switch and since when it has been on or
     * paused, so that a session on 1 phase stays on it and minimum on and off times go on. Controller thread.
     *
     * @return how many were taken
     */
    private int rememberProfiles(List<BalancerMemory.SentProfile> kept) {
        Map<ConnectorRef, BalancerState.Memory> memories = new HashMap<>(state.connectors());
        int taken = 0;
        for (BalancerMemory.SentProfile p : kept) {
            ConnectorRef ref = new ConnectorRef(p.chargePointId(), p.connectorId());
            savedProfiles.put(ref, p);
            ChargerLink link = links.computeIfAbsent(p.chargePointId(), ChargerLink::new);
            if (link.bootedAt != null && !link.bootedAt.isBefore(p.acceptedAt())) {
                continue;
            }
            if (p.connectorId() == 0) {
                if (link.defaultSentA != null) {
                    continue;
                }
                link.defaultSentA = p.limitA();
                link.defaultSentAt = p.acceptedAt();
            } else {
                String session = String.valueOf(p.transactionId());
                if (link.sent.putIfAbsent(p.connectorId(), new Sent(session, p.limitA(), p.validTo(),
                        p.acceptedAt(), p.numberPhases())) != null) {
                    continue;
                }
                // nothing was accepted for it in this run: what the store kept is what the charger applies; once
                // the TxProfile ran out, its TxDefaultProfile (its safe share, on 3 phases: no numberPhases) since
                // validTo
                BalancerState.Memory m;
                if (p.validTo().isAfter(clock.instant())) {
                    boolean on = p.limitA() > 0;
                    m = new BalancerState.Memory(session, on, p.onOffSince() != null ? p.onOffSince()
                            : p.acceptedAt(), p.limitA(), OptionalDouble.empty(), on, p.numberPhases() == 1 ? 1 : 3,
                            p.phasesSince(), 0);
                } else {
                    double fallback = link.defaultSentA == null ? 0 : link.defaultSentA;
                    m = new BalancerState.Memory(session, fallback > 0, p.validTo(), fallback,
                            OptionalDouble.empty(), fallback > 0, 3,
                            p.numberPhases() == 1 ? p.validTo() : p.phasesSince(), 0);
                }
                memories.put(ref, m);
            }
            taken++;
        }
        state = new BalancerState(state.at(), memories, state.pvStartWh(), state.pvStopWh());
        return taken;
    }

    /**
     * The profiles in force as the store should keep them: each charger's TxDefaultProfile share (connector 0)
     * and its sessions' TxProfiles, with the phases and on/off times the core keeps of each session.
     */
    private Map<ConnectorRef, BalancerMemory.SentProfile> profilesInForce() {
        Map<ConnectorRef, BalancerMemory.SentProfile> out = new HashMap<>();
        for (ChargerLink link : links.values()) {
            if (link.defaultSentA != null && link.defaultSentAt != null) {
                out.put(new ConnectorRef(link.id, 0), new BalancerMemory.SentProfile(link.id, 0, null,
                        link.defaultSentA, null, link.defaultSentAt, 0, null, null));
            }
            for (var e : link.sent.entrySet()) {
                ConnectorRef ref = new ConnectorRef(link.id, e.getKey());
                Sent s = e.getValue();
                BalancerState.Memory m = state.connectors().get(ref);
                boolean same = m != null && s.session().equals(m.session());
                out.put(ref, new BalancerMemory.SentProfile(link.id, e.getKey(), Integer.valueOf(s.session()),
                        s.limitA(), s.validTo(), s.at(), s.numberPhases(), same ? m.phasesSince() : null,
                        same ? m.since() : null));
            }
        }
        return out;
    }

    private static Mode keptMode(String name, String where) {
        try {
            return SiteSettings.core(ChargingMode.parse(name));
        } catch (IllegalArgumentException e) {
            LOG.warn("Balancer: the store keeps mode '{}' for {}, which this balancer does not know: ignored", name,
                    where);
            return null;
        }
    }

    /**
     * Writes what changed since the store last took it: session modes, profiles in force and learnt capabilities.
     * Controller thread;
     * it only hands the writes to the store's writer thread and never waits for the commit. A write that fails is
     * tried again at the next run.
     */
    private void persist() {
        BalancerMemory store = memory;
        if (store == null) {
            return;
        }
        for (var e : modes.entrySet()) {
            if (!e.getValue().equals(savedModes.get(e.getKey()))) {
                ConnectorRef ref = e.getKey();
                ModeOverride o = e.getValue();
                savedModes.put(ref, o);
                written(store.saveSessionMode(new BalancerMemory.SessionMode(ref.chargerId(), ref.connectorId(),
                        o.session() == null ? null : Integer.valueOf(o.session()), SiteSettings.modeName(o.mode()),
                        o.target() == null ? null : o.target().departure(),
                        o.target() == null ? null : o.target().energyWh())), () -> savedModes.remove(ref, o));
            }
        }
        for (ConnectorRef ref : Set.copyOf(savedModes.keySet())) {
            if (!modes.containsKey(ref)) {
                ModeOverride was = savedModes.remove(ref);
                written(store.forgetSessionMode(ref.chargerId(), ref.connectorId()),
                        () -> savedModes.putIfAbsent(ref, was));
            }
        }
        Map<ConnectorRef, BalancerMemory.SentProfile> profiles = profilesInForce();
        for (var e : profiles.entrySet()) {
            ConnectorRef ref = e.getKey();
            BalancerMemory.SentProfile p = e.getValue();
            if (!p.equals(savedProfiles.get(ref))) {
                savedProfiles.put(ref, p);
                written(store.saveSentProfile(p), () -> savedProfiles.remove(ref, p));
            }
        }
        for (ConnectorRef ref : Set.copyOf(savedProfiles.keySet())) {
            if (!profiles.containsKey(ref)) {
                BalancerMemory.SentProfile was = savedProfiles.remove(ref);
                written(store.forgetSentProfile(ref.chargerId(), ref.connectorId()),
                        () -> savedProfiles.putIfAbsent(ref, was));
            }
        }
        for (ChargerLink link : links.values()) {
            BalancerMemory.ChargerCapabilities now = link.learnt(clock.instant());
            BalancerMemory.ChargerCapabilities saved = savedCapabilities.get(link.id);
            if (saved == null ? link.configAsked && (link.unitLearnt || !link.takesTxProfiles()
                    || link.txDefaultRejected || link.switchesPhases || link.reaction() != null
                    || link.relativeTxProfiles)
                    : !sameLearning(saved, now)) {
                savedCapabilities.put(link.id, now);
                written(store.saveCapabilities(now), () -> savedCapabilities.remove(link.id, now));
            }
        }
    }

    private static boolean sameLearning(BalancerMemory.ChargerCapabilities a, BalancerMemory.ChargerCapabilities b) {
        return Objects.equals(a.unit(), b.unit()) && a.txDefaultRejected() == b.txDefaultRejected()
                && a.txProfileRejected() == b.txProfileRejected() && a.noSmartCharging() == b.noSmartCharging()
                && Objects.equals(a.firmwareVersion(), b.firmwareVersion())
                && a.switchesPhases() == b.switchesPhases() && Objects.equals(a.reactionTime(), b.reactionTime())
                && a.relativeTxProfiles() == b.relativeTxProfiles();
    }

    /** Logs a failed write and runs {@code undo} on the controller thread, so the next run writes it again. */
    private void written(CompletionStage<Void> stage, Runnable undo) {
        stage.whenComplete((ok, err) -> {
            if (err != null) {
                LOG.warn("Balancer: the store did not take a change ({}); tried again", err.toString());
                post(undo);
            }
        });
    }

    /** Work that answers, run on the controller thread. */
    private interface Task<T> {
        T run() throws Exception;
    }

    private <T> CompletableFuture<T> onThread(Task<T> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        post(() -> {
            try {
                done.complete(task.run());
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
        if (thread.isShutdown()) {
            done.completeExceptionally(new ModeRefusedException(ModeRefusedException.Reason.REFUSED,
                    "load balancing is stopping"));
        }
        return done;
    }

    private void post(Runnable r) {
        try {
            thread.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.error("Balancer: {}", e.toString(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: nothing more to do
        }
    }

    private void announce(SiteSettings s) {
        if (!s.enabled()) {
            LOG.warn("Balancer: load balancing is OFF (enabled = false): no charging profile is sent");
        } else if (s.gridLimitDefault()) {
            LOG.warn("Balancer: the grid limit is not set; the conservative default of {} A per phase is used. "
                    + "Set gridLimitA in config/org.chargeedge.balancer.cfg or CHARGEEDGE_GRID_LIMIT_A.",
                    fmt(s.gridLimitA()));
        } else {
            LOG.info("Balancer: grid limit {} A per phase, safe budget {} A per phase", fmt(s.gridLimitA()),
                    fmt(s.safeBudgetA()));
        }
    }

    /** Asks for a run, at once or when the minimum interval since the last one has passed. Controller thread. */
    private void request() {
        if (runPending) {
            return;
        }
        runPending = true;
        long wait = settings.minInterval().toNanos() - (nanoTime.getAsLong() - lastRunNanos);
        if (wait <= 0) {
            thread.execute(this::runSafely);
        } else {
            thread.schedule(this::runSafely, wait, TimeUnit.NANOSECONDS);
        }
    }

    private void runSafely() {
        runPending = false;
        lastRunNanos = nanoTime.getAsLong();
        try {
            run();
        } catch (RuntimeException e) {
            LOG.error("Balancer: run failed: {}", e.toString(), e);
        }
    }

    /** The chargers that said they switch between 3 phases and 1 and take TxProfiles. Controller thread. */
    private Set<String> switchingChargers() {
        Set<String> out = new HashSet<>();
        links.values().stream().filter(l -> l.switchesPhases && l.takesTxProfiles()).forEach(l -> out.add(l.id));
        return out;
    }

    /** One run: snapshot, allocation, profiles. Controller thread. */
    private void run() {
        Instant now = clock.instant();
        runs++;
        List<ChargerInfo> chargers = withUnreconnected(view.chargers());
        syncLinks(chargers);
        if (!settings.enabled()) {
            status = new BalanceStatus(now, false, settings.gridLimitA(), settings.gridLimitDefault(), "-",
                    "balancing off", false, settings.safeBudgetA(), PhaseAmps.all(0), List.of(), List.of());
            return;
        }
        refreshOverrides(chargers);
        observeDraws(chargers, now);
        EnergySnapshot e = energy.get();
        gridWhole = SnapshotAdapter.measurements(e).gridCurrentsFresh();
        SiteSnapshot snapshot = groups.apply(scheduled(SnapshotAdapter.build(now, settings, e, chargers,
                this::facts, state, csms.get()), chargers, now), chargers, settings.idTagGroups());
        double[] drawsNow = SnapshotAdapter.chargerDraws(snapshot);
        Instant gridAt = SnapshotAdapter.gridReadAt(e);
        if (gridAt != null && !gridAt.equals(gridReadAt)) {
            gridReadAt = gridAt;
            drawsAtGridReading = drawsNow;
            noteGridOver(snapshot, gridAt);
        }
        snapshot = SnapshotAdapter.countUnmeasured(SnapshotAdapter.alignGrid(snapshot, drawsAtGridReading, drawsNow),
                settings);
        snapshot = SnapshotAdapter.addToGrid(snapshot, gridCorrectionA.clone());
        snapshot = SnapshotAdapter.withPhaseSwitching(snapshot, switchingChargers());
        Allocation allocation = Balancer.allocate(snapshot);
        if (LOG.isDebugEnabled()) {
            LOG.debug("Balancer: run {}: grid {} {} {}, draws at reading {}, now {}; {}", runs,
                    snapshot.measurements().gridL1(), snapshot.measurements().gridL2(),
                    snapshot.measurements().gridL3(), java.util.Arrays.toString(drawsAtGridReading),
                    java.util.Arrays.toString(drawsNow), allocation.limits());
        }
        state = allocation.next();
        logBudget(allocation);
        plan(snapshot, allocation, now);
        for (ChargerLink link : links.values()) {
            pump(link);
        }
        status = status(snapshot, allocation, now);
        persist();
    }

    /**
     * The site view, and the chargers that held a TxProfile when the gateway stopped and have not reconnected since
     * (the view knows only chargers connected since the start), each with those sessions open. They are counted
     * offline as any other: at their TxProfile's limit until its validTo, then at their TxDefaultProfile's share,
     * until they reconnect and tell, while the grid meter is not fresh. Without this, after a restart with the grid
     * meter stale they would be counted nowhere while still drawing what they were given. With a fresh grid meter
     * (no draw of theirs known) whatever they draw is in its reading, and they are counted there alone (see
     * {@link #facts}). Controller thread.
     */
    private List<ChargerInfo> withUnreconnected(List<ChargerInfo> seen) {
        Set<String> known = new HashSet<>();
        seen.forEach(c -> known.add(c.chargePointId()));
        List<ChargerInfo> out = null;
        for (ChargerLink link : links.values()) {
            if (known.contains(link.id) || link.sent.isEmpty()) {
                continue;
            }
            List<TransactionInfo> open = new ArrayList<>();
            new java.util.TreeMap<>(link.sent).forEach((connectorId, s) -> open.add(new TransactionInfo(
                    Integer.parseInt(s.session()), connectorId, null, 0, null, null)));
            out = out == null ? new ArrayList<>(seen) : out;
            out.add(new ChargerInfo(link.id, false, null, null, null, null, null, null, List.of(), open));
        }
        if (out == null) {
            return seen;
        }
        out.sort(java.util.Comparator.comparing(ChargerInfo::chargePointId));
        return out;
    }

    /**
     * The grid meter above a phase's limit for longer than chargers take to follow a fall: something the snapshot
     * does not explain draws more than it shows (a charger that takes 30 s to follow a fall, one that has not
     * reported its new draw, a car on a charger that is counted at its limit). The excess (at least
     * {@link #MIN_CORRECTION_A}) is then counted as other load on that phase, and added to again each
     * {@link #SUSTAINED_OVER} the meter still reads above the limit,
     * so that the others are reduced until it does not. The correction holds until the meter has read under the
     * limit for a reaction time. A shorter excess is left to the falls already sent.
     */
    static final Duration SUSTAINED_OVER = Duration.ofSeconds(6);
    /**
     * The least a correction grows by: the allocation may have left a little room unused (limits are whole tenths,
     * a car draws less than its limit), which would absorb a smaller one without reducing anyone.
     */
    private static final double MIN_CORRECTION_A = 2;

    private void noteGridOver(SiteSnapshot raw, Instant at) {
        Reading[] phases = {raw.measurements().gridL1(), raw.measurements().gridL2(), raw.measurements().gridL3()};
        PhaseAmps limit = raw.grid().limit();
        double[] limits = {limit.l1(), limit.l2(), limit.l3()};
        for (int i = 0; i < 3; i++) {
            boolean over = phases[i].usable() && phases[i].value() > limits[i] + 0.1;
            if (over) {
                gridOverSince[i] = gridOverSince[i] == null ? at : gridOverSince[i];
                gridOverLast[i] = at;
                if (!at.isBefore(gridOverSince[i].plus(SUSTAINED_OVER)) && (gridCorrectedAt[i] == null
                        || !at.isBefore(gridCorrectedAt[i].plus(SUSTAINED_OVER)))) {
                    gridCorrectedAt[i] = at;
                    if (markedForGridAt != null && at.isBefore(markedForGridAt.plus(SUSTAINED_OVER))) {
                        // a charger above its limit was just counted at its draw: that may explain it all
                        continue;
                    }
                    gridCorrectionA[i] += Math.max(MIN_CORRECTION_A, phases[i].value() - limits[i]);
                    LOG.warn("Balancer: the grid meter reads {} A on L{} for {} s, above the limit of {} A: {} A "
                            + "more counted as other load", fmt(phases[i].value()), i + 1,
                            Duration.between(gridOverSince[i], at).toSeconds(), fmt(limits[i]),
                            fmt(gridCorrectionA[i]));
                }
            } else {
                gridOverSince[i] = null;
                if (gridCorrectionA[i] > 0 && (!phases[i].usable()
                        || !at.isBefore(gridOverLast[i].plus(settings.reactionTime())))) {
                    gridCorrectionA[i] = 0;
                    gridCorrectedAt[i] = null;
                }
            }
        }
    }

    private void syncLinks(List<ChargerInfo> chargers) {
        int siteConnectors = 0;
        for (ChargerInfo ci : chargers) {
            ChargerLink link = links.computeIfAbsent(ci.chargePointId(), ChargerLink::new);
            if (ci.bootedAt() != null && !ci.bootedAt().equals(link.bootedAt)) {
                // a boot: the charger may have lost the profiles it accepted before, and its transactions are over
                // (first seen by a controller that took profiles accepted after it from the store: those stay)
                Instant boot = ci.bootedAt();
                link.bootedAt = boot;
                if (link.defaultSentAt == null || !link.defaultSentAt.isAfter(boot)) {
                    link.defaultSentA = null;
                }
                link.sent.values().removeIf(sent -> !sent.at().isAfter(boot));
                link.firmware = ci.boot() == null ? null : ci.boot().firmwareVersion();
                if (link.learntUnder != null && link.firmware != null && !link.learntUnder.equals(link.firmware)) {
                    LOG.info("Balancer: {} runs firmware {} now (was {}): its smart charging is learnt again",
                            link.id, link.firmware, link.learntUnder);
                    link.forgetCapabilities();
                }
                link.learntUnder = link.firmware;
            }
            if (ci.connected() && ci.connectedSince() != null && !ci.connectedSince().equals(link.connectedSince)) {
                // a new connection: read its capabilities again (the firmware may have changed)
                link.connectedSince = ci.connectedSince();
                link.configAsked = false;
                link.meterTriggered.clear();
                link.retryAt = null;
            }
            link.connected = ci.connected();
            link.runningThrough.clear();
            for (TransactionInfo t : ci.openTransactions()) {
                if (t.startedAt() != null && link.connectedSince != null && t.startedAt().isBefore(link.connectedSince)) {
                    link.runningThrough.add(t.connectorId());
                }
            }
            link.connectorCount = Math.max(1, SnapshotAdapter.connectorsOf(ci).size());
            siteConnectors += link.connectorCount;
        }
        // the safe share each charger keeps in its TxDefaultProfile for when the gateway is gone
        int shared = Math.max(settings.siteConnectors(), siteConnectors);
        Map<String, Integer> underCircuit = new HashMap<>();
        for (ChargerLink link : links.values()) {
            for (String c : circuitChain(settings.circuitOf(link.id))) {
                underCircuit.merge(c, link.connectorCount, Integer::sum);
            }
        }
        for (ChargerLink link : links.values()) {
            double share = (settings.gridLimitA() - settings.safeBudgetA()) / Math.max(1, shared);
            for (String c : circuitChain(settings.circuitOf(link.id))) {
                Circuit ci = circuit(c);
                share = Math.min(share, minPhase(ci.limit()) / underCircuit.get(c));
            }
            share = Math.min(share, settings.maxAOf(link.id));
            share = Math.floor(share * 10) / 10;
            link.defaultWantedA = share < 6 ? 0 : share;
        }
    }

    private List<String> circuitChain(String circuitId) {
        List<String> out = new ArrayList<>();
        for (String at = circuitId; at != null; at = circuit(at).parent()) {
            out.add(at);
        }
        return out;
    }

    private Circuit circuit(String id) {
        return settings.circuits().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    private static double minPhase(PhaseAmps a) {
        return Math.min(a.l1(), Math.min(a.l2(), a.l3()));
    }

    /**
     * Binds modes set for "the next session" to the session that started, and forgets those of sessions that
     * ended: another session runs on the connector, or it is Available again. A connector whose state is not known
     * yet (after a restart, before its charger reports) keeps its mode.
     */
    private void refreshOverrides(List<ChargerInfo> chargers) {
        Map<ConnectorRef, String> sessions = new HashMap<>();
        Set<ConnectorRef> available = new HashSet<>();
        for (ChargerInfo ci : chargers) {
            for (TransactionInfo t : ci.openTransactions()) {
                sessions.put(new ConnectorRef(ci.chargePointId(), t.connectorId()), String.valueOf(t.transactionId()));
            }
            for (var c : ci.connectors()) {
                if (c.status() == ChargePointStatus.Available) {
                    available.add(new ConnectorRef(ci.chargePointId(), c.connectorId()));
                }
            }
        }
        modes.entrySet().removeIf(e -> {
            String session = e.getValue().session();
            String now = sessions.get(e.getKey());
            return session != null && (now != null ? !session.equals(now) : available.contains(e.getKey()));
        });
        modes.replaceAll((ref, o) -> o.session() == null && sessions.containsKey(ref)
                ? new ModeOverride(sessions.get(ref), o.mode(), o.target()) : o);
    }

    /**
     * Notes when each connector's draw was seen, and whether a charger keeps drawing above the limit it accepted
     * for longer than its reaction time: measurements decide, not "Accepted".
     */
    private void observeDraws(List<ChargerInfo> chargers, Instant now) {
        Set<ConnectorRef> present = new HashSet<>();
        boolean gridOverLong = false;
        for (Instant since : gridOverSince) {
            gridOverLong |= since != null && !now.isBefore(since.plus(SUSTAINED_OVER));
        }
        for (ChargerInfo ci : chargers) {
            ChargerLink link = links.get(ci.chargePointId());
            for (var e : SnapshotAdapter.connectorsOf(ci).entrySet()) {
                int cid = e.getKey();
                ConnectorRef ref = new ConnectorRef(ci.chargePointId(), cid);
                present.add(ref);
                Optional<TransactionInfo> tx = ci.openTransactions().stream().filter(t -> t.connectorId() == cid)
                        .findFirst();
                Watch w = watches.computeIfAbsent(ref, r -> new Watch());
                MeterValue mv = SnapshotAdapter.latest(e.getValue(), tx.orElse(null));
                if (mv != null && mv != w.meterValue) {
                    w.meterValue = mv;
                    w.seenAt = now;
                }
                if (tx.isEmpty()) {
                    w.overSince = null;
                    w.ignoring = false;
                    w.resend = false;
                    w.resent = false;
                    continue;
                }
                Sent s = link.sent.get(cid);
                PhaseAmps draw = SnapshotAdapter.drawOf(w.meterValue);
                if (s == null || !s.session().equals(String.valueOf(tx.get().transactionId())) || draw == null
                        || w.seenAt == null || !w.seenAt.isAfter(s.at()) || !ci.connected()) {
                    continue;
                }
                double drawn = Math.max(draw.l1(), Math.max(draw.l2(), draw.l3()));
                double tolerance = tolerance(s.limitA());
                if (w.fallAt != null && drawn <= s.limitA() + tolerance) {
                    // the first reading within the fall's limit: how long this charger takes, as seen from here
                    link.reacted(Duration.between(w.fallAt, w.seenAt));
                    w.fallAt = null;
                }
                // within the reaction time after a fall, the car may still draw the limit before it; above both,
                // or above the limit once the reaction time has passed, the charger does not follow
                Duration reaction = reactionOf(link);
                boolean reacting = w.lastChangeAt != null && now.isBefore(w.lastChangeAt.plus(reaction));
                double mayDraw = reacting ? Math.max(s.limitA(), w.previousA) : s.limitA();
                if (drawn > mayDraw + tolerance(mayDraw)) {
                    // a charger that resumes at full current after a pause, or takes a rise beyond it: counted at
                    // what it draws at once, and its profile is sent again (a quirky charger takes it then)
                    w.overSince = w.overSince == null ? now : w.overSince;
                    if (!w.resent) {
                        w.resend = true;
                        w.resent = true;
                    }
                    if (!w.ignoring) {
                        w.ignoring = true;
                        LOG.warn("Balancer: {} draws {} A although it accepted a limit of {} A: counted at what it "
                                + "draws, the others are reduced, its profile is sent again", ref, fmt(drawn),
                                fmt(s.limitA()));
                    }
                } else if (drawn > s.limitA() + tolerance) {
                    if (w.overSince == null) {
                        w.overSince = now;
                    }
                    if (!w.ignoring && !now.isBefore(w.overSince.plus(reaction))) {
                        w.ignoring = true;
                        LOG.warn("Balancer: {} draws {} A for {} s although it accepted a limit of {} A: counted "
                                + "at what it draws, the others are reduced", ref, fmt(drawn),
                                Duration.between(w.overSince, now).toSeconds(), fmt(s.limitA()));
                    } else if (!w.ignoring && gridOverLong) {
                        // still within its reaction time, but the site cannot wait for it: the grid meter has read
                        // above the limit for SUSTAINED_OVER
                        w.ignoring = true;
                        markedForGridAt = now;
                        LOG.warn("Balancer: {} draws {} A, above its limit of {} A, while the grid meter has read "
                                + "above the limit for {} s: counted at what it draws, the others are reduced", ref,
                                fmt(drawn), fmt(s.limitA()), SUSTAINED_OVER.toSeconds());
                    }
                } else {
                    w.overSince = null;
                    w.resent = false;
                    w.resend = false;
                    if (w.ignoring) {
                        w.ignoring = false;
                        LOG.info("Balancer: {} follows its limit again ({} A at {} A)", ref, fmt(drawn),
                                fmt(s.limitA()));
                    }
                }
            }
        }
        watches.keySet().retainAll(present);
    }

    private ConnectorFacts facts(ConnectorRef ref, String session) {
        ChargerLink link = links.get(ref.chargerId());
        Mode mode = modeOf(ref, session).mode();
        int priority = settings.priorityOf(ref.chargerId());
        Watch w = watches.get(ref);
        boolean drawFresh = w != null && w.seenAt != null
                && !clock.instant().isAfter(w.seenAt.plus(settings.drawMaxAge()));
        Sent s = link == null ? null : link.sent.get(ref.connectorId());
        boolean sameSession = s != null && session != null && session.equals(s.session());
        if (session != null && link != null && !link.connected && link.connectedSince == null && gridWhole) {
            // not connected since the start, known from the store alone (see withUnreconnected): with no draw of
            // it known, whatever it draws is in the fresh grid meter's reading as other load; counted at its
            // limit as well, it would count twice
            return new ConnectorFacts(mode, priority, Control.OFFLINE, OptionalDouble.of(0), true,
                    OptionalDouble.of(0));
        }
        if (session != null && link != null && !link.connected) {
            // offline: it keeps its TxProfile until validTo, then falls back to its TxDefaultProfile (or to
            // nothing at all)
            Instant now = clock.instant();
            boolean profileInForce = sameSession && now.isBefore(s.validTo());
            double at = profileInForce ? s.limitA()
                    : link.defaultSentA != null ? link.defaultSentA : settings.maxAOf(ref.chargerId());
            // its last draw, however old, is the best guess of what the grid meter still sees of it; once its
            // profile ran out and its fallback applies, it draws at most that
            return new ConnectorFacts(mode, priority, Control.OFFLINE, OptionalDouble.of(at), true,
                    profileInForce ? OptionalDouble.empty() : OptionalDouble.of(at));
        }
        // the core learns a car's maximum from its draw under the limit in force: only from a draw measured once the
        // charger had its reaction time to follow that limit
        boolean settled = sameSession && w != null && w.seenAt != null
                && !w.seenAt.isBefore(s.at().plus(reactionOf(link)));
        OptionalDouble active = settled ? OptionalDouble.of(s.limitA()) : OptionalDouble.empty();
        if (session != null && link != null && (!link.takesTxProfiles() || (w != null && w.ignoring))) {
            return new ConnectorFacts(mode, priority, Control.IGNORES, active, drawFresh, OptionalDouble.empty());
        }
        return new ConnectorFacts(mode, priority, Control.OBEYS, active, drawFresh, OptionalDouble.empty(),
                sameSession ? risingTo(w, s, reactionOf(link)) : OptionalDouble.empty());
    }

    /**
     * How long a charger is given to follow a new limit: {@code reactionTimeSeconds}, or, for a charger measured
     * following its falls more slowly, the slowest of its last falls plus a quarter, at most
     * {@code reactionTimeMaxSeconds}. Never less than the configured time: a charger once seen quick may report
     * late another time. The grid meter's check ({@link #SUSTAINED_OVER}) does not wait for it.
     */
    private Duration reactionOf(ChargerLink link) {
        Duration configured = settings.reactionTime();
        Duration learnt = link == null ? null : link.reaction();
        if (learnt == null || learnt.compareTo(configured) <= 0) {
            return configured;
        }
        Duration padded = learnt.plus(learnt.dividedBy(4));
        return padded.compareTo(settings.reactionTimeMax()) > 0 ? settings.reactionTimeMax() : padded;
    }

    /** How far a measured draw may be from a limit and still be taken as that limit: 10 %, at least 1 A. */
    private static double tolerance(double limitA) {
        return Math.max(1.0, limitA * 0.1);
    }

    /**
     * The limit a connector was just raised to, while its charger has not reported the new draw yet: the rise
     * was accepted less than the reaction time ago, the car used all of its old limit when it was reported last,
     * and it has not been seen drawing the new one. Controller thread.
     */
    private OptionalDouble risingTo(Watch w, Sent s, Duration reaction) {
        if (w == null || w.riseAt == null || s.limitA() != w.riseToA
                || !clock.instant().isBefore(w.riseAt.plus(reaction))) {
            return OptionalDouble.empty();
        }
        PhaseAmps draw = SnapshotAdapter.drawOf(w.meterValue);
        if (draw == null) {
            return OptionalDouble.empty();
        }
        double drawn = Math.max(draw.l1(), Math.max(draw.l2(), draw.l3()));
        boolean usedAll = drawn >= w.riseFromA - tolerance(w.riseFromA);
        return usedAll && drawn < w.riseToA ? OptionalDouble.of(w.riseToA) : OptionalDouble.empty();
    }

    /**
     * The configured tariff for the days ahead, and each Scheduled session's departure and the energy it still
     * needs: its target minus what its meter counted since the session's start (none counted when the charger
     * reports no register: it charges for the whole target).
     */
    private SiteSnapshot scheduled(SiteSnapshot s, List<ChargerInfo> chargers, Instant now) {
        Map<ConnectorRef, MeterValue> latest = new HashMap<>();
        Map<ConnectorRef, TransactionInfo> open = new HashMap<>();
        for (ChargerInfo ci : chargers) {
            for (var e : SnapshotAdapter.connectorsOf(ci).entrySet()) {
                ConnectorRef ref = new ConnectorRef(ci.chargePointId(), e.getKey());
                TransactionInfo tx = ci.openTransactions().stream().filter(t -> t.connectorId() == e.getKey())
                        .findFirst().orElse(null);
                open.put(ref, tx);
                latest.put(ref, SnapshotAdapter.latest(e.getValue(), tx));
            }
        }
        List<Connector> out = new ArrayList<>(s.connectors().size());
        for (Connector c : s.connectors()) {
            TransactionInfo tx = open.get(c.ref());
            Target t = tx == null ? null : targetOf(c.ref(), String.valueOf(tx.transactionId()));
            if (c.mode() == Mode.SCHEDULED && t != null) {
                double delivered = Math.max(0, registerWh(latest.get(c.ref())) - tx.meterStart());
                c = c.withTarget(t.departure(), Math.max(0, t.energyWh() - delivered));
            }
            out.add(c);
        }
        return new SiteSnapshot(s.now(), s.grid(), s.circuits(), s.chargers(), s.measurements(), out,
                prices.tariff(settings.tariff(), now), s.settings(), s.previous());
    }

    /** Energy.Active.Import.Register of a meter value in Wh (the whole charger's, not the car side), or 0. */
    static double registerWh(MeterValue mv) {
        if (mv == null) {
            return 0;
        }
        for (var v : mv.sampledValue()) {
            if (v.measurandOrDefault() == org.chargeedge.ocpp.v16.Measurand.EnergyActiveImportRegister
                    && v.phase() == null && v.locationOrDefault() != org.chargeedge.ocpp.v16.Location.EV) {
                try {
                    double x = Double.parseDouble(v.value());
                    return v.unit() == org.chargeedge.ocpp.v16.UnitOfMeasure.kWh ? x * 1000 : x;
                } catch (NumberFormatException | NullPointerException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /**
     * The target set for the session running on a connector; null when it has none, or when the one kept was set
     * for another session (the next one's is taken once that session runs).
     */
    private Target targetOf(ConnectorRef ref, String session) {
        ModeOverride o = modes.get(ref);
        return o != null && o.target() != null && session != null && session.equals(o.session()) ? o.target() : null;
    }

    /** A session's mode: its own, else its charger's set at run time, else the configured one. */
    private BalanceStatus.ModeOf modeOf(ConnectorRef ref, String session) {
        ModeOverride o = modes.get(ref);
        if (o != null && Objects.equals(session, o.session())) {
            return new BalanceStatus.ModeOf(o.mode(), ModeOrigin.SESSION);
        }
        Mode d = chargerDefaults.get(ref.chargerId());
        return d != null ? new BalanceStatus.ModeOf(d, ModeOrigin.CHARGER)
                : new BalanceStatus.ModeOf(settings.modeOf(ref.chargerId()), ModeOrigin.CONFIGURATION);
    }

    private void logBudget(Allocation a) {
        String b = a.budget();
        if (b.equals(lastBudget)) {
            return;
        }
        if (b.startsWith("safe")) {
            LOG.warn("Balancer: {}: assuming the building draws {} A per phase", b, fmt(settings.safeBudgetA()));
        } else if (lastBudget != null) {
            LOG.info("Balancer: budget from the {} again", b);
        }
        lastBudget = b;
    }

    /**
     * The TxProfile limit each connector in a session should have now: falls at once, rises in steps, and no rise
     * while a fall has not been followed (see {@link #fallPending}).
     */
    private void plan(SiteSnapshot snapshot, Allocation allocation, Instant now) {
        for (ChargerLink link : links.values()) {
            link.desired.clear();
        }
        boolean holdRises = fallPending(now);
        Map<ConnectorRef, Connector> byRef = new HashMap<>();
        snapshot.connectors().forEach(c -> byRef.put(c.ref(), c));
        for (ConnectorLimit l : allocation.limits()) {
            Connector c = byRef.get(l.ref());
            ChargerLink link = links.get(l.ref().chargerId());
            int cid = l.ref().connectorId();
            if (c.session() == null) {
                link.sent.remove(cid);
                continue;
            }
            Sent s = link.sent.get(cid);
            if (s != null && !s.session().equals(c.session())) {
                link.sent.remove(cid);
                s = null;
            }
            double target = l.limitA();
            double want = target;
            // a new session rises from the safe share its TxDefaultProfile gave it
            double from = s != null ? s.limitA() : link.defaultSentA != null ? link.defaultSentA : 0;
            if (target > from) {
                Watch w = watches.get(l.ref());
                boolean waiting = s != null && w != null && w.lastChangeAt != null
                        && now.isBefore(w.lastChangeAt.plus(settings.rampUpInterval()));
                // a rise below minChangeA waits three ramp intervals, so that a small fall is not kept for ever
                boolean small = step(from, target) - from < settings.minChangeA() && (w == null
                        || w.lastChangeAt == null || now.isBefore(w.lastChangeAt.plus(
                                settings.rampUpInterval().multipliedBy(3))));
                want = holdRises ? Math.max(from, Math.min(target, s == null ? from : s.limitA()))
                        : s == null ? step(from, target) : waiting || small ? from : step(from, target);
            }
            link.desired.put(cid, new Desired(c.session(), Integer.parseInt(c.session()), want,
                    l.numberPhases() > 0 ? l.numberPhases() : Math.max(1, l.sitePhases().size()), l.numberPhases()));
        }
    }

    /**
     * Whether a connector's limit fell less than the reaction time ago and its charger has not yet reported a draw
     * within it. The core counts a fall as done at once; the capacity it frees is handed out only once the car
     * draws less (a charger may take up to the reaction time to follow), so that a slow charger and a fast rise
     * elsewhere do not add up above a limit.
     */
    private boolean fallPending(Instant now) {
        for (Map.Entry<ConnectorRef, Watch> e : watches.entrySet()) {
            Watch w = e.getValue();
            ChargerLink link = links.get(e.getKey().chargerId());
            Sent s = link == null ? null : link.sent.get(e.getKey().connectorId());
            if (s == null || w.lastChangeAt == null || !(w.previousA > s.limitA())
                    || w.previousA == Double.POSITIVE_INFINITY || !link.connected || w.ignoring
                    || !now.isBefore(w.lastChangeAt.plus(reactionOf(link)))) {
                continue;
            }
            PhaseAmps draw = SnapshotAdapter.drawOf(w.meterValue);
            boolean followed = w.seenAt != null && w.seenAt.isAfter(w.lastChangeAt) && draw != null
                    && Math.max(draw.l1(), Math.max(draw.l2(), draw.l3())) <= s.limitA() + tolerance(s.limitA());
            if (!followed) {
                return true;
            }
        }
        return false;
    }

    private double step(double from, double target) {
        return Math.min(target, Math.max(6, from + settings.rampUpStepA()));
    }

    /**
     * Sends the charger the next command it needs, if none is in flight: a fall first (safety), then its
     * configuration, its safe TxDefaultProfile, its MeterValues setup, new sessions, rises and renewals.
     * Controller thread.
     */
    private void pump(ChargerLink link) {
        Instant now = clock.instant();
        if (link.inFlight != null || link.judgingRejection || !link.connected || link.notSupported
                || (link.retryAt != null && now.isBefore(link.retryAt))) {
            return;
        }
        // OCPP: the central system speaks once the charger has booted; one that reconnects without booting
        // (the gateway restarted, the charger did not) is spoken to after a grace time, in which it may still
        // boot. Until then, and while the store is awaited, it is only asked for the MeterValues of sessions that
        // ran through its connection: until they come, the grid meter shows their cars as other load, which
        // would pause other sessions (and the minimum off time then holds them)
        if ((link.bootedAt == null && (link.connectedSince == null
                || now.isBefore(link.connectedSince.plus(UNBOOTED_GRACE))))
                || (awaitingStoreUntil != null && now.isBefore(awaitingStoreUntil))) {
            Integer running = link.connectedSince == null ? null : unmeasured(link);
            if (running != null) {
                triggerMeterValues(link, running);
            }
            return;
        }
        Integer fall = null;
        Integer other = null;
        if (link.takesTxProfiles()) {
            for (var e : new java.util.TreeMap<>(link.desired).entrySet()) {
                Sent s = link.sent.get(e.getKey());
                Desired d = e.getValue();
                Watch w = watches.get(new ConnectorRef(link.id, e.getKey()));
                if (s != null && (d.limitA() < s.limitA() || (w != null && w.resend))) {
                    fall = fall == null ? e.getKey() : fall;
                } else if (s == null || d.limitA() != s.limitA() || d.numberPhases() != s.numberPhases()
                        || !now.isBefore(s.validTo().minus(renewalLead(settings.profileValidity())))) {
                    other = other == null ? e.getKey() : other;
                }
            }
        }
        Integer unmeasured = unmeasured(link);
        if (fall != null) {
            sendTxProfile(link, fall, now);
        } else if (!link.configAsked) {
            readConfiguration(link);
        } else if (unmeasured != null) {
            triggerMeterValues(link, unmeasured);
        } else if (!link.txDefaultRejected && (link.defaultSentA == null
                || link.defaultSentA != link.defaultWantedA)) {
            sendDefault(link, now);
        } else if (!link.meterChanges.isEmpty()) {
            changeMeterSetup(link);
        } else if (other != null) {
            sendTxProfile(link, other, now);
        }
    }

    /**
     * A connector with a session that ran through the charger's connection (a reconnect, a gateway start) whose
     * draw has not been reported on this connection, not yet asked for it: until its next MeterValues, which may
     * be a minute away, the grid meter shows its car as other load. Null if none. Controller thread.
     */
    private Integer unmeasured(ChargerLink link) {
        for (Integer connectorId : link.runningThrough) {
            Watch w = watches.get(new ConnectorRef(link.id, connectorId));
            boolean reported = w != null && w.seenAt != null && link.connectedSince != null
                    && !w.seenAt.isBefore(link.connectedSince);
            if (!reported && !link.meterTriggered.contains(connectorId)) {
                return connectorId;
            }
        }
        return null;
    }

    /** Asks for a connector's MeterValues now (TriggerMessage); once per connector and connection. */
    private void triggerMeterValues(ChargerLink link, int connectorId) {
        link.meterTriggered.add(connectorId);
        call(link, "TriggerMessage MeterValues " + connectorId,
                new TriggerMessageRequest(MessageTrigger.MeterValues, connectorId),
                (TriggerMessageConfirmation conf, Throwable err) -> {
                    if (conf == null || conf.status() != TriggerMessageStatus.Accepted) {
                        LOG.debug("Balancer: {} does not send connector {}'s MeterValues on request ({}): its draw "
                                + "is known at its next MeterValues", link.id, connectorId,
                                conf != null ? conf.status() : err == null ? "no answer" : err.toString());
                    }
                });
    }

    /**
     * How long before its validTo a TxProfile is renewed: a fifth of its validity, at least 30 s (room for a
     * call that times out and its retry), at most half. With the default 300 s, every 240 s: 15 renewals an hour
     * for a session whose limit holds, instead of 24 at half.
     */
    static Duration renewalLead(Duration validity) {
        Duration fifth = validity.dividedBy(5);
        Duration lead = fifth.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : fifth;
        Duration half = validity.dividedBy(2);
        return lead.compareTo(half) > 0 ? half : lead;
    }

    private void readConfiguration(ChargerLink link) {
        link.configAsked = true;
        call(link, "GetConfiguration", new GetConfigurationRequest(List.of("ChargingScheduleAllowedChargingRateUnit",
                        "ConnectorSwitch3to1PhaseSupported", "MeterValueSampleInterval", "MeterValuesSampledData")),
                (GetConfigurationConfirmation conf, Throwable err) -> {
                    if (conf == null) {
                        return;
                    }
                    // configurationKey is optional in GetConfiguration.conf: a charger may answer {}.
                    List<KeyValue> keys = conf.configurationKey() == null ? List.of() : conf.configurationKey();
                    // the key is optional: a charger that does not report it true does not switch phases
                    link.switchesPhases = false;
                    link.sampleIntervalS = null;
                    link.sampledData = null;
                    link.meterProblem = null;
                    link.meterChanges.clear();
                    boolean intervalFixed = false;
                    boolean dataFixed = false;
                    for (KeyValue kv : keys) {
                        if (kv.key().equalsIgnoreCase("MeterValueSampleInterval") && kv.value() != null) {
                            try {
                                link.sampleIntervalS = Integer.valueOf(kv.value().trim());
                            } catch (NumberFormatException e) {
                                LOG.warn("Balancer: {} says MeterValueSampleInterval is '{}', not a number of "
                                        + "seconds", link.id, kv.value());
                            }
                            intervalFixed = kv.readonly();
                        }
                        if (kv.key().equalsIgnoreCase("MeterValuesSampledData") && kv.value() != null) {
                            link.sampledData = kv.value().trim();
                            dataFixed = kv.readonly();
                        }
                        if (kv.key().equalsIgnoreCase("ConnectorSwitch3to1PhaseSupported")) {
                            link.switchesPhases = kv.value() != null && kv.value().trim().equalsIgnoreCase("true");
                        }
                        if (kv.key().equalsIgnoreCase("ChargingScheduleAllowedChargingRateUnit") && kv.value() != null) {
                            String v = kv.value().toLowerCase(Locale.ROOT);
                            if (v.contains("current")) {
                                link.unit = ChargingRateUnitType.A;
                                link.unitLearnt = true;
                            } else if (v.contains("power")) {
                                link.unit = ChargingRateUnitType.W;
                                link.unitLearnt = true;
                            }
                        }
                    }
                    planMeterSetup(link, intervalFixed, dataFixed);
                });
    }

    /**
     * The changes a charger's MeterValues need for its draw to be measured: a sample interval where it has none
     * or a longer one than {@code meterValueSampleIntervalSeconds}, and Current.Import added to its sampled
     * measurands (the others kept, so the CSMS still gets what it asked for). A key the charger did not report
     * is left alone; a read-only one is only reported. Controller thread.
     */
    private void planMeterSetup(ChargerLink link, boolean intervalFixed, boolean dataFixed) {
        SiteSettings.MeterSetup setup = settings.meterSetup();
        long wanted = setup.sampleInterval().toSeconds();
        List<String> problems = new ArrayList<>();
        if (wanted > 0 && link.sampleIntervalS != null && (link.sampleIntervalS <= 0 || link.sampleIntervalS > wanted)) {
            if (intervalFixed) {
                problems.add("MeterValueSampleInterval " + link.sampleIntervalS + " s is read-only");
            } else {
                link.meterChanges.add(new String[] {"MeterValueSampleInterval", String.valueOf(wanted)});
            }
        }
        if (setup.addCurrent() && link.sampledData != null && !measures(link.sampledData, "Current.Import")) {
            if (dataFixed) {
                problems.add("MeterValuesSampledData is read-only without Current.Import");
            } else {
                link.meterChanges.add(new String[] {"MeterValuesSampledData",
                        link.sampledData.isEmpty() ? "Current.Import" : link.sampledData + ",Current.Import"});
            }
        }
        if (!problems.isEmpty()) {
            link.meterProblem = String.join(", ", problems) + ": its draw may not be measured";
            LOG.warn("Balancer: {}: {}", link.id, link.meterProblem);
        }
    }

    /** Whether a comma-separated list of measurands names {@code measurand}. */
    static boolean measures(String sampledData, String measurand) {
        for (String m : sampledData.split(",")) {
            if (m.trim().equalsIgnoreCase(measurand)) {
                return true;
            }
        }
        return false;
    }

    private void changeMeterSetup(ChargerLink link) {
        String[] change = link.meterChanges.peek();
        call(link, "ChangeConfiguration " + change[0] + "=" + change[1],
                new ChangeConfigurationRequest(change[0], change[1]),
                (ChangeConfigurationConfirmation conf, Throwable err) -> {
                    // asked once per connection, whatever the outcome: a charger that does not answer must not
                    // hold up its profiles (one command at a time)
                    link.meterChanges.poll();
                    Object st = conf != null ? conf.status() : unsupportedError(err) ? ConfigurationStatus.NotSupported
                            : "no answer (" + (err == null ? "none" : err.getMessage()) + ")";
                    if (st == ConfigurationStatus.Accepted || st == ConfigurationStatus.RebootRequired) {
                        if (change[0].equals("MeterValueSampleInterval")) {
                            link.sampleIntervalS = Integer.valueOf(change[1]);
                        } else {
                            link.sampledData = change[1];
                        }
                        LOG.info("Balancer: {}: {} set to {} so that its draw is measured{}", link.id, change[0],
                                change[1], st == ConfigurationStatus.RebootRequired ? " (from its next reboot)" : "");
                    } else {
                        String problem = change[0] + " " + change[1] + " not set (" + st + ")";
                        link.meterProblem = link.meterProblem == null ? problem : link.meterProblem + ", " + problem;
                        LOG.warn("Balancer: {}: {} = {} not set ({}): its draw may not be measured, and whether "
                                + "it follows its limits is then judged by the grid meter alone", link.id, change[0],
                                change[1], st);
                    }
                });
    }

    private void sendDefault(ChargerLink link, Instant now) {
        double share = link.defaultWantedA;
        ChargingRateUnitType unit = link.unit;
        int phases = settings.wiredPhasesOf(link.id).size();
        ChargingProfile p = new ChargingProfile(DEFAULT_PROFILE_ID, null, 0,
                ChargingProfilePurposeType.TxDefaultProfile, ChargingProfileKindType.Relative, null, null, null,
                schedule(null, unit, share, phases));
        call(link, String.format(Locale.ROOT, "TxDefaultProfile %s A", fmt(share)),
                new SetChargingProfileRequest(0, p), (SetChargingProfileConfirmation conf, Throwable err) -> {
                    ChargingProfileStatus st = answer(link, conf, err);
                    if (st == ChargingProfileStatus.Accepted) {
                        link.defaultSentA = share;
                        link.defaultSentAt = clock.instant();
                    } else if (st == ChargingProfileStatus.Rejected && !otherUnit(link, unit)) {
                        link.txDefaultRejected = true;
                        LOG.warn("Balancer: {} rejects the TxDefaultProfile: it has no safe fallback if the "
                                + "gateway stops", link.id);
                    }
                });
    }

    private void sendTxProfile(ChargerLink link, int connectorId, Instant now) {
        Desired d = link.desired.get(connectorId);
        Sent before = link.sent.get(connectorId);
        Instant validTo = now.plus(settings.profileValidity());
        ChargingRateUnitType unit = link.unit;
        // Absolute from now, or Relative (from the session's start: one period, the same limit) to a charger that
        // rejected Absolute
        boolean relative = link.relativeTxProfiles;
        ChargingProfile p = new ChargingProfile(TX_PROFILE_ID_BASE + connectorId, d.transactionId(), 0,
                ChargingProfilePurposeType.TxProfile, relative ? ChargingProfileKindType.Relative
                : ChargingProfileKindType.Absolute, null, null, validTo,
                schedule(relative ? null : now, unit, d.limitA(), d.phases(), d.numberPhases() > 0));
        ConnectorRef ref = new ConnectorRef(link.id, connectorId);
        call(link, String.format(Locale.ROOT, "TxProfile %d %s A", connectorId, fmt(d.limitA())),
                new SetChargingProfileRequest(connectorId, p), (SetChargingProfileConfirmation conf, Throwable err) -> {
                    ChargingProfileStatus st = answer(link, conf, err);
                    if (st == ChargingProfileStatus.Accepted) {
                        link.sent.put(connectorId, new Sent(d.session(), d.limitA(), validTo, clock.instant(),
                                d.numberPhases()));
                        Watch w = watches.get(ref);
                        if (w != null) {
                            w.resend = false;
                        }
                        if (w != null && (before == null || d.limitA() != before.limitA())) {
                            w.overSince = null;
                            PhaseAmps drawn = SnapshotAdapter.drawOf(w.meterValue);
                            double drawnA = drawn == null ? 0 : Math.max(drawn.l1(), Math.max(drawn.l2(), drawn.l3()));
                            double previous = before == null ? Double.POSITIVE_INFINITY
                                    : Math.max(before.limitA(), drawnA);
                            // changes within a reaction time of each other: the car may still follow any of them,
                            // unless it has been measured following the last one since
                            boolean followed = before != null && drawn != null && w.seenAt != null
                                    && w.lastChangeAt != null && w.seenAt.isAfter(w.lastChangeAt)
                                    && drawnA <= before.limitA() + tolerance(before.limitA());
                            boolean reacting = !followed && w.lastChangeAt != null
                                    && clock.instant().isBefore(w.lastChangeAt.plus(reactionOf(link)));
                            w.previousA = reacting ? Math.max(w.previousA, previous) : previous;
                            w.lastChangeAt = clock.instant();
                            boolean rise = before != null && d.limitA() > before.limitA();
                            // a fall that stays above where a rise not yet reported started: the car may have
                            // taken the rise, so it is counted at the lower limit until it reports, as after a rise.
                            // Counted at its old draw, the rise it took would come off the PV surplus twice, as a
                            // battery that holds the grid at zero already shows it (its charging fell by it): the
                            // limits would drop to the minimum and rise again, a hunt around the battery's maximum
                            boolean partOfRise = !rise && w.riseAt != null && d.limitA() > w.riseFromA
                                    && clock.instant().isBefore(w.riseAt.plus(reactionOf(link)));
                            if (rise) {
                                w.riseAt = w.lastChangeAt;
                                w.riseFromA = before.limitA();
                                w.riseToA = d.limitA();
                            } else if (partOfRise) {
                                w.riseToA = d.limitA();
                            } else {
                                w.riseAt = null;
                                w.riseFromA = 0;
                                w.riseToA = 0;
                            }
                            // a fall the car has to follow (it drew above the new limit): timed until it does
                            boolean fall = before != null && d.limitA() < before.limitA();
                            w.fallAt = fall && drawn != null && drawnA > d.limitA() + tolerance(d.limitA())
                                    ? w.lastChangeAt : null;
                        }
                    } else if (st == ChargingProfileStatus.Rejected && !otherUnit(link, unit)) {
                        // a charger rightly rejects a TxProfile for a transaction it has just ended (the car left as
                        // the profile went out; its StopTransaction may still be on the way): judged once that has
                        // had time to arrive, and nothing is sent to it meanwhile
                        link.judgingRejection = true;
                        String session = d.session();
                        thread.schedule(() -> post(() -> judgeRejection(link, connectorId, session)),
                                REJECTION_SETTLES.toMillis(), TimeUnit.MILLISECONDS);
                    }
                });
    }

    /** How long a rejected TxProfile waits for its transaction's StopTransaction before it marks the charger. */
    private static final Duration REJECTION_SETTLES = Duration.ofSeconds(2);

    /**
     * A TxProfile for a session still open was rejected: the charger takes them only as Relative (tried next, once),
     * or, if it rejected that too, not at all. Controller thread.
     */
    private void judgeRejection(ChargerLink link, int connectorId, String session) {
        link.judgingRejection = false;
        if (links.get(link.id) != link || link.txProfileRejected) {
            return;
        }
        if (!sessionOpen(link.id, connectorId, session)) {
            LOG.debug("Balancer: {} rejected a TxProfile for transaction {}, which has ended", link.id, session);
        } else if (!link.relativeTxProfiles) {
            // some chargers take only Relative profiles: tried once before it is marked
            link.relativeTxProfiles = true;
            LOG.info("Balancer: {} rejected an Absolute TxProfile; trying Relative", link.id);
        } else {
            link.txProfileRejected = true;
            LOG.warn("Balancer: {} rejects TxProfiles: its sessions are counted at what they draw and the other "
                    + "chargers are reduced", link.id);
        }
        link.retryAt = null;
        request();
        pump(link);
    }

    /** Whether transaction {@code session} is still open on the connector, as the site view knows now. */
    private boolean sessionOpen(String chargerId, int connectorId, String session) {
        return view.charger(chargerId).map(ci -> ci.openTransactions().stream().anyMatch(t -> t.connectorId()
                == connectorId && String.valueOf(t.transactionId()).equals(session))).orElse(false);
    }

    /** After a rejection: if the unit was only assumed, tries the other one next. */
    private static boolean otherUnit(ChargerLink link, ChargingRateUnitType tried) {
        if (link.unitLearnt) {
            return false;
        }
        link.unit = tried == ChargingRateUnitType.A ? ChargingRateUnitType.W : ChargingRateUnitType.A;
        link.unitLearnt = true;
        LOG.info("Balancer: {} rejected a profile in {}; trying {}", link.id, tried, link.unit);
        return true;
    }

    /** The charger's answer as a status; NotSupported (answer or CALLERROR) marks it; other failures wait. */
    private ChargingProfileStatus answer(ChargerLink link, SetChargingProfileConfirmation conf, Throwable err) {
        if (conf != null) {
            if (conf.status() == ChargingProfileStatus.NotSupported) {
                notSupported(link);
            }
            return conf.status();
        }
        if (unsupportedError(err)) {
            notSupported(link);
            return ChargingProfileStatus.NotSupported;
        }
        return null;
    }

    private static boolean unsupportedError(Throwable err) {
        Throwable t = err;
        while (t != null && !(t instanceof ChargerCallException)) {
            t = t.getCause();
        }
        return t instanceof ChargerCallException e && e.reason() == ChargerCallException.Reason.CALL_ERROR
                && e.errorCode().map(c -> c.equals("NotSupported") || c.equals("NotImplemented")).orElse(false);
    }

    private static void notSupported(ChargerLink link) {
        if (!link.notSupported) {
            link.notSupported = true;
            LOG.warn("Balancer: {} does not support smart charging: its sessions are counted at what they draw "
                    + "and the other chargers are reduced", link.id);
        }
    }

    private ChargingSchedule schedule(Instant start, ChargingRateUnitType unit, double limitA, int phases) {
        return schedule(start, unit, limitA, phases, false);
    }

    /** {@code numberPhases} is sent in W always, in A when the charger switches phases. */
    private ChargingSchedule schedule(Instant start, ChargingRateUnitType unit, double limitA, int phases,
                                      boolean switching) {
        double limit = unit == ChargingRateUnitType.A ? limitA
                : Math.floor(limitA * settings.voltage() * phases);
        return new ChargingSchedule(null, start, unit, List.of(new ChargingSchedulePeriod(0, limit,
                unit == ChargingRateUnitType.W || switching ? phases : null)), null);
    }

    /** What to do with an answer, on the controller thread. */
    private interface Answer<C> {
        void on(C confirmation, Throwable error);
    }

    private <C extends org.chargeedge.ocpp.v16.Confirmation> void call(ChargerLink link, String what,
            org.chargeedge.ocpp.v16.Request<C> request, Answer<C> then) {
        link.inFlight = what;
        link.commands++;
        if (link.firstCommandAt == null) {
            link.firstCommandAt = clock.instant();
        }
        CompletionStage<C> stage;
        try {
            stage = commands.call(link.id, request);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((conf, err) -> post(() -> {
            link.inFlight = null;
            if (err != null && !unsupportedError(err)) {
                link.retryAt = clock.instant().plus(RETRY_AFTER);
                LOG.debug("Balancer: {} to {} failed: {}", what, link.id, err.toString());
            }
            boolean marksBefore = link.takesTxProfiles();
            then.on(conf, err);
            if (links.get(link.id) == link) {
                pump(link);
            }
            if (marksBefore != link.takesTxProfiles()) {
                request();
            }
        }));
    }

    private BalanceStatus status(SiteSnapshot snapshot, Allocation a, Instant now) {
        Map<ConnectorRef, Connector> byRef = new HashMap<>();
        snapshot.connectors().forEach(c -> byRef.put(c.ref(), c));
        List<BalanceStatus.ConnectorRow> rows = new ArrayList<>();
        for (ConnectorLimit l : a.limits()) {
            Connector c = byRef.get(l.ref());
            ChargerLink link = links.get(l.ref().chargerId());
            Sent s = link.sent.get(l.ref().connectorId());
            BalancerStatus.Control kind = c.session() == null ? BalancerStatus.Control.IDLE : switch (c.control()) {
                case OBEYS -> BalancerStatus.Control.FOLLOWS;
                case IGNORES -> link.takesTxProfiles() ? BalancerStatus.Control.IGNORES_LIMIT
                        : BalancerStatus.Control.NO_PROFILES;
                case OFFLINE -> BalancerStatus.Control.OFFLINE;
            };
            // the target the core's departure and energy still needed came from in this run, shown as it was set
            Target target = c.mode() == Mode.SCHEDULED && c.departure() != null ? targetOf(l.ref(), c.session())
                    : null;
            String control = switch (kind) {
                case IDLE -> "-";
                case FOLLOWS -> "follows";
                case IGNORES_LIMIT -> "IGNORES its limit";
                case NO_PROFILES -> "takes no TxProfile";
                case OFFLINE -> "offline";
            };
            rows.add(new BalanceStatus.ConnectorRow(l.ref().toString(), c.session(),
                    SiteSettings.modeName(c.mode()), l.limitA(), s == null ? null : s.limitA(), drawText(c.draw()),
                    l.reason().text(), control, l.ref(), modeOf(l.ref(), c.session()), c.priority(), l.reason(),
                    kind, target == null ? null : c.departure(), target == null ? null : c.energyNeededWh(),
                    target == null ? null : target.energyWh()));
        }
        List<BalanceStatus.ChargerRow> chargers = new ArrayList<>();
        links.values().stream().sorted((x, y) -> x.id.compareTo(y.id)).forEach(link -> chargers.add(
                new BalanceStatus.ChargerRow(link.id, link.connected, link.capabilities(), link.defaultSentA,
                        link.commands, link.inFlight)));
        var m = snapshot.measurements();
        String gridMeter = "L1 " + m.gridL1().describe() + ", L2 " + m.gridL2().describe() + ", L3 "
                + m.gridL3().describe() + ", power " + m.gridPowerW().describe();
        return new BalanceStatus(now, true, settings.gridLimitA(), settings.gridLimitDefault(), gridMeter,
                a.budget(), a.budget().startsWith("safe"), settings.safeBudgetA(), a.available(), rows, chargers);
    }

    private static String drawText(PhaseAmps d) {
        return d == null ? "unknown" : String.format(Locale.ROOT, "%.1f/%.1f/%.1f A", d.l1(), d.l2(), d.l3());
    }

    static String fmt(double a) {
        return String.format(Locale.ROOT, "%.1f", a);
    }
}
