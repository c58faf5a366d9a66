package org.chargeedge.centralsystem.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.ocpp.v16.Action;
import org.osgi.framework.Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ChargerCallHandler} whiteboard: which handlers take part in each
 * action, highest {@code service.ranking} first (then lowest service id), and
 * whether the site parts the central system requires are there.
 *
 * <p>A site part is a handler with the {@link ChargerCallHandler#SITE_PART}
 * property. Every change publishes one immutable {@link Snapshot} holding both
 * the chains by action and the readiness computed from the same entries, so a
 * call that finds the site ready in a snapshot finds every required part's
 * handler in that snapshot's chains.
 *
 * <p>Threads: the entries, the required parts, the waiters and the state of
 * the current not-ready episode are guarded by this object's monitor. They are
 * written by DS bind and unbind threads ({@link #add}, {@link #remove}), by the
 * activating and deactivating thread ({@link #require}, {@link #stop}) and by
 * the central system's timer thread (the episode check, waiters that time
 * out). The snapshot is written only under the monitor and read without
 * locking by the WebSocket worker threads on every call. Waiters are completed
 * outside the monitor, on the thread that made the site ready.
 */
final class HandlerRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(HandlerRegistry.class);

    /** Where readiness changes are reported; the central system's log, or a recorder in tests. */
    interface ReadinessLog {
        void debug(String message);

        void info(String message);

        void warn(String message);

        void error(String message);
    }

    static final ReadinessLog SLF4J = new ReadinessLog() {
        private final Logger log = LoggerFactory.getLogger(CentralSystem.class);

        @Override
        public void debug(String message) {
            log.debug(message);
        }

        @Override
        public void info(String message) {
            log.info(message);
        }

        @Override
        public void warn(String message) {
            log.warn(message);
        }

        @Override
        public void error(String message) {
            log.error(message);
        }
    };

    /**
     * What one call sees: the chains by action and the site's readiness, both
     * from the same entries.
     */
    record Snapshot(Map<Action, List<ChargerCallHandler>> byAction, SiteReadiness readiness) {

        List<ChargerCallHandler> handlers(Action action) {
            return byAction.getOrDefault(action, List.of());
        }

        boolean ready() {
            return readiness.ready();
        }
    }

    private record Entry(ChargerCallHandler handler, int ranking, long serviceId, Set<Action> actions, String part) {}

    private static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    private final Clock clock;
    private final ReadinessLog log;

    // Guarded by this; changed only when services come and go.
    private final List<Entry> entries = new ArrayList<>();
    // Guarded by this: calls waiting for the site to be ready, completed outside the monitor.
    private final Set<CompletableFuture<Snapshot>> waiters = new HashSet<>();
    // Guarded by this: set by require(), the scheduler cleared again by stop(); no readiness log without it.
    private List<String> required = List.of();
    private Duration timeout = Duration.ZERO;
    private ScheduledExecutorService scheduler;
    private BooleanSupplier stopping = () -> false;
    private long startedNanos;
    private boolean everReady;
    // Guarded by this: the current not-ready episode (from not ready until ready again).
    private int episode;
    private long notReadySinceNanos;
    private ScheduledFuture<?> episodeCheck;

    // Immutable snapshot, replaced under the monitor on every change, read without locking by every call.
    private volatile Snapshot snapshot;

    HandlerRegistry() {
        this(Clock.systemUTC(), SLF4J);
    }

    HandlerRegistry(Clock clock, ReadinessLog log) {
        this.clock = clock;
        this.log = log;
        this.snapshot = new Snapshot(Map.of(), new SiteReadiness(true, List.of(), List.of(), clock.instant()));
    }

    void add(ChargerCallHandler handler, Map<String, Object> properties) {
        Set<Action> actions = actions(handler, properties.get(ChargerCallHandler.ACTIONS));
        if (actions.isEmpty()) {
            LOG.warn("Call handler {} names no known action in {}; ignored", handler, ChargerCallHandler.ACTIONS);
            return;
        }
        String part = part(handler, properties.get(ChargerCallHandler.SITE_PART));
        List<CompletableFuture<Snapshot>> wake;
        Snapshot published;
        synchronized (this) {
            entries.add(new Entry(handler, intProperty(properties.get(Constants.SERVICE_RANKING)),
                    longProperty(properties.get(Constants.SERVICE_ID)), actions, part));
            LOG.info("Call handler {} takes part in {}{}", handler, actions,
                    part == null ? "" : " as the site part '" + part + "'");
            wake = publish(false);
            published = snapshot;
        }
        wake(wake, published);
    }

    void remove(ChargerCallHandler handler) {
        synchronized (this) {
            if (entries.removeIf(e -> e.handler() == handler)) {
                publish(false);
            }
        }
        // Removing a handler never makes the site ready: there is nobody to wake.
    }

    /**
     * Starts readiness for an activated central system: from now on a call
     * needs every part in {@code parts}. Logs the state at start and every
     * change after it; {@code stopping} says when the framework is shutting
     * down, when parts going away are expected and logged only at debug level.
     */
    void require(List<String> parts, Duration timeout, ScheduledExecutorService scheduler, BooleanSupplier stopping) {
        List<CompletableFuture<Snapshot>> wake;
        Snapshot published;
        synchronized (this) {
            this.required = List.copyOf(parts);
            this.timeout = timeout;
            this.scheduler = scheduler;
            this.stopping = stopping;
            this.startedNanos = System.nanoTime();
            this.everReady = false;
            wake = publish(true);
            published = snapshot;
            if (required.isEmpty()) {
                log.info("No site parts are required (requiredParts is empty): chargers' calls are answered by "
                        + "the call handlers that are there");
            } else if (published.ready()) {
                everReady = true;
                log.info("Site ready " + millisSince(startedNanos) + " ms after the central system started ("
                        + String.join(", ", required) + ")");
            } else {
                startEpisode(startedNanos);
                List<String> missing = published.readiness().missing();
                log.info("Site not ready yet: waiting for " + String.join(", ", missing) + "; chargers' calls wait up to "
                        + seconds(timeout) + " for " + (missing.size() == 1 ? "it" : "them"));
            }
        }
        wake(wake, published);
    }

    /** Ends readiness reporting when the central system deactivates; waiting calls are left to their sessions. */
    synchronized void stop() {
        scheduler = null;
        cancelEpisodeCheck();
        waiters.clear();
    }

    List<ChargerCallHandler> handlers(Action action) {
        return snapshot.handlers(action);
    }

    /** The current snapshot; read without locking. */
    Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Completes with the first ready snapshot: at once when the current one is
     * ready, else on the thread that makes the site ready. Not completed when
     * the site never becomes ready; the caller may complete it itself (its
     * timeout) and the registry then forgets it.
     */
    CompletableFuture<Snapshot> whenReady() {
        Snapshot current = snapshot;
        if (current.ready()) {
            return CompletableFuture.completedFuture(current);
        }
        CompletableFuture<Snapshot> waiter = new CompletableFuture<>();
        synchronized (this) {
            current = snapshot;
            if (current.ready()) {
                return CompletableFuture.completedFuture(current);
            }
            waiters.add(waiter);
        }
        waiter.whenComplete((s, e) -> forget(waiter));
        return waiter;
    }

    /** Calls waiting for the site now. */
    synchronized int waiting() {
        return waiters.size();
    }

    private synchronized void forget(CompletableFuture<Snapshot> waiter) {
        waiters.remove(waiter);
    }

    private static void wake(List<CompletableFuture<Snapshot>> waiters, Snapshot ready) {
        waiters.forEach(w -> w.complete(ready));
    }

    /**
     * Publishes a new snapshot from the entries and reports what changed.
     * Caller holds the monitor. Returns the waiters to complete (outside the
     * monitor) when the new snapshot is ready.
     */
    private List<CompletableFuture<Snapshot>> publish(boolean starting) {
        Map<Action, List<ChargerCallHandler>> map = new EnumMap<>(Action.class);
        entries.stream().sorted(ORDER).forEach(e -> e.actions()
                .forEach(a -> map.computeIfAbsent(a, k -> new ArrayList<>()).add(e.handler())));
        map.replaceAll((a, list) -> List.copyOf(list));
        Set<String> present = entries.stream().map(Entry::part).filter(p -> p != null)
                .collect(Collectors.toSet());
        List<String> missing = required.stream().filter(p -> !present.contains(p)).toList();
        boolean ready = missing.isEmpty();

        Snapshot previous = snapshot;
        SiteReadiness before = previous.readiness();
        boolean changed = starting || before.ready() != ready;
        snapshot = new Snapshot(Map.copyOf(map),
                new SiteReadiness(ready, required, missing, changed ? clock.instant() : before.since()));

        if (!starting && scheduler != null) {
            report(before, missing);
        }
        if (!ready || waiters.isEmpty()) {
            return List.of();
        }
        List<CompletableFuture<Snapshot>> wake = List.copyOf(waiters);
        waiters.clear();
        return wake;
    }

    /** Logs a change of readiness after start; caller holds the monitor. */
    private void report(SiteReadiness before, List<String> missing) {
        List<String> gone = missing.stream().filter(p -> !before.missing().contains(p)).toList();
        List<String> back = before.missing().stream().filter(p -> !missing.contains(p)).toList();
        boolean quiet = isStopping();
        if (!gone.isEmpty()) {
            if (before.ready()) {
                startEpisode(System.nanoTime());
            }
            String message = "Site not ready: " + String.join(" and ", gone)
                    + " went away; chargers' calls wait up to " + seconds(timeout) + " for "
                    + (missing.size() == 1 ? "it" : "them") + (gone.size() < missing.size()
                    ? " (missing: " + String.join(", ", missing) + ")" : "");
            if (quiet) {
                log.debug(message + " (the framework is stopping)");
            } else {
                log.warn(message);
            }
        }
        if (missing.isEmpty() && !before.ready()) {
            cancelEpisodeCheck();
            if (!everReady) {
                everReady = true;
                log.info("Site ready " + millisSince(startedNanos) + " ms after the central system started ("
                        + String.join(", ", required) + ")");
            } else {
                log.info("Site ready again after " + millisSince(notReadySinceNanos) + " ms: "
                        + String.join(", ", back) + (back.size() == 1 ? " is" : " are") + " back");
            }
        } else if (!back.isEmpty() && !missing.isEmpty()) {
            log.debug("Site part " + String.join(", ", back) + " is there; still waiting for "
                    + String.join(", ", missing));
        }
    }

    /** A new not-ready episode: reported as an error if it outlasts the timeout. Caller holds the monitor. */
    private void startEpisode(long sinceNanos) {
        episode++;
        notReadySinceNanos = sinceNanos;
        cancelEpisodeCheck();
        int current = episode;
        try {
            episodeCheck = scheduler.schedule(() -> checkEpisode(current), timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            episodeCheck = null; // the central system is stopping
        }
    }

    private void cancelEpisodeCheck() {
        if (episodeCheck != null) {
            episodeCheck.cancel(false);
            episodeCheck = null;
        }
    }

    /** Runs on the timer thread once an episode has lasted the timeout: one error per episode. */
    private synchronized void checkEpisode(int checked) {
        episodeCheck = null;
        Snapshot current = snapshot;
        if (scheduler == null || checked != episode || current.ready()) {
            return;
        }
        List<String> missing = current.readiness().missing();
        boolean one = missing.size() == 1;
        String message = "Site not ready for " + seconds(timeout) + ": " + names(missing)
                + (one ? " is" : " are") + " missing (bundle not installed or not active? see lb and scr:list). Until "
                + (one ? "it is" : "they are") + " back, chargers' StartTransaction, StopTransaction, MeterValues and "
                + "Authorize get CALLERROR InternalError after waiting " + seconds(timeout)
                + ", and their other calls are answered without " + (one ? "it" : "them");
        if (isStopping()) {
            log.debug(message + " (the framework is stopping)");
        } else {
            log.error(message);
        }
    }

    private boolean isStopping() {
        try {
            return stopping.getAsBoolean();
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** "upstream", "store and upstream", "store, authorization and upstream". */
    static String names(List<String> names) {
        int n = names.size();
        return n <= 1 ? String.join("", names)
                : String.join(", ", names.subList(0, n - 1)) + " and " + names.get(n - 1);
    }

    /** "10 s", or "250 ms" for a timeout that is not whole seconds (tests). */
    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String part(ChargerCallHandler handler, Object property) {
        if (property == null) {
            return null;
        }
        if (property instanceof String s && !s.isBlank()) {
            return s.trim();
        }
        LOG.warn("Call handler {} has {} '{}', which is not a part name; it counts as no site part", handler,
                ChargerCallHandler.SITE_PART, property);
        return null;
    }

    private static Set<Action> actions(ChargerCallHandler handler, Object property) {
        Stream<String> names;
        if (property == null) {
            names = Stream.empty();
        } else if (property instanceof String s) {
            names = Stream.of(s.split(","));
        } else if (property instanceof String[] a) {
            names = Stream.of(a);
        } else if (property instanceof Iterable<?> it) {
            names = StreamSupport.stream(it.spliterator(), false).map(String::valueOf);
        } else {
            names = Stream.of(String.valueOf(property));
        }
        return names.map(String::trim).filter(n -> !n.isEmpty()).map(n -> {
            Optional<Action> a = Action.byName(n);
            if (a.isEmpty()) {
                LOG.warn("Call handler {} names unknown action '{}'", handler, n);
            } else if (!a.get().initiator().chargePoint()) {
                LOG.warn("Call handler {} names {}, which chargers never send", handler, n);
                return Optional.<Action>empty();
            }
            return a;
        }).flatMap(Optional::stream).collect(Collectors.toUnmodifiableSet());
    }

    private static int intProperty(Object value) {
        return value instanceof Integer i ? i : 0;
    }

    private static long longProperty(Object value) {
        return value instanceof Long l ? l : Long.MAX_VALUE;
    }
}
