package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;

/** The registry's readiness: presence from the handlers' properties, the snapshot, waiters and the log. */
class HandlerRegistryReadinessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Log lines as "LEVEL message". */
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final HandlerRegistry.ReadinessLog log = new HandlerRegistry.ReadinessLog() {
        @Override
        public void debug(String message) {
            logged.add("DEBUG " + message);
        }

        @Override
        public void info(String message) {
            logged.add("INFO " + message);
        }

        @Override
        public void warn(String message) {
            logged.add("WARN " + message);
        }

        @Override
        public void error(String message) {
            logged.add("ERROR " + message);
        }
    };
    private final HandlerRegistry registry = new HandlerRegistry(Clock.systemUTC(), log);
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private long nextServiceId = 1;

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private static ChargerCallHandler handler(String name) {
        return new ChargerCallHandler() {
            @Override
            public CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain) {
                return chain.proceed(request);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private ChargerCallHandler addPart(Object part, String... actions) {
        ChargerCallHandler h = handler(String.valueOf(part));
        Map<String, Object> p = new HashMap<>();
        p.put(ChargerCallHandler.ACTIONS, actions);
        p.put(ChargerCallHandler.SITE_PART, part);
        p.put(Constants.SERVICE_ID, nextServiceId++);
        registry.add(h, p);
        return h;
    }

    private ChargerCallHandler addPart(String part) {
        return addPart(part, "StartTransaction", "Heartbeat");
    }

    private void require(Duration timeout, String... parts) {
        registry.require(List.of(parts), timeout, timer, stopping::get);
    }

    private List<String> levels(String level) {
        return logged.stream().filter(l -> l.startsWith(level + " ")).toList();
    }

    @Test
    void nothingRequiredIsReadyAndSaysSo() {
        require(TIMEOUT);
        assertThat(registry.snapshot().ready()).isTrue();
        assertThat(registry.whenReady()).isCompleted();
        assertThat(logged).containsExactly("INFO No site parts are required (requiredParts is empty): chargers' calls "
                + "are answered by the call handlers that are there");
    }

    @Test
    void readinessAndTheChainsComeFromTheSameSnapshot() {
        Instant before = Instant.now();
        require(TIMEOUT, "store", "upstream");
        HandlerRegistry.Snapshot waiting = registry.snapshot();
        assertThat(waiting.readiness()).isEqualTo(new SiteReadiness(false, List.of("store", "upstream"),
                List.of("store", "upstream"), waiting.readiness().since()));
        assertThat(waiting.readiness().since()).isAfterOrEqualTo(before);

        ChargerCallHandler store = addPart("store");
        assertThat(registry.snapshot().readiness().missing()).containsExactly("upstream");
        assertThat(registry.snapshot().readiness().since()).as("still the same not-ready state")
                .isEqualTo(waiting.readiness().since());
        ChargerCallHandler upstream = addPart("upstream", "StartTransaction");

        HandlerRegistry.Snapshot ready = registry.snapshot();
        assertThat(ready.ready()).isTrue();
        assertThat(ready.handlers(Action.StartTransaction)).containsExactlyInAnyOrder(store, upstream);
        assertThat(ready.handlers(Action.Heartbeat)).containsExactly(store);
        assertThat(ready.readiness().since()).isAfterOrEqualTo(waiting.readiness().since());
        assertThat(waiting.handlers(Action.StartTransaction)).as("snapshots are immutable").isEmpty();

        registry.remove(upstream);
        HandlerRegistry.Snapshot gone = registry.snapshot();
        assertThat(gone.readiness().missing()).containsExactly("upstream");
        assertThat(gone.handlers(Action.StartTransaction)).containsExactly(store);
    }

    @Test
    void waitersAreCompletedWithTheFirstReadySnapshot() throws Exception {
        require(TIMEOUT, "store", "upstream");
        CompletableFuture<HandlerRegistry.Snapshot> first = registry.whenReady();
        CompletableFuture<HandlerRegistry.Snapshot> second = registry.whenReady();
        assertThat(registry.waiting()).isEqualTo(2);
        addPart("store");
        assertThat(first).isNotDone();
        ChargerCallHandler upstream = addPart("upstream");
        assertThat(first).isCompleted();
        HandlerRegistry.Snapshot ready = first.get();
        assertThat(ready.ready()).isTrue();
        assertThat(ready.handlers(Action.StartTransaction)).contains(upstream);
        assertThat(second.get()).isSameAs(ready);
        assertThat(registry.waiting()).isZero();
    }

    @Test
    void aWaiterThatGivesUpIsForgotten() {
        require(TIMEOUT, "upstream");
        CompletableFuture<HandlerRegistry.Snapshot> waiter = registry.whenReady();
        assertThat(registry.waiting()).isEqualTo(1);
        waiter.complete(null);
        assertThat(registry.waiting()).isZero();
    }

    @Test
    void aPartWithoutActionsOrWithoutANameIsNoPart() {
        require(TIMEOUT, "store");
        addPart("store", "NoSuchAction");
        addPart(42, "Heartbeat");
        addPart("  ", "Heartbeat");
        assertThat(registry.snapshot().readiness().missing()).containsExactly("store");
        addPart(" store ", "Heartbeat");
        assertThat(registry.snapshot().ready()).isTrue();
    }

    @Test
    void aPartIsThereWhileAnyOfItsHandlersIs() {
        require(TIMEOUT, "store");
        ChargerCallHandler old = addPart("store");
        ChargerCallHandler updated = addPart("store");
        registry.remove(old);
        assertThat(registry.snapshot().ready()).isTrue();
        registry.remove(updated);
        assertThat(registry.snapshot().ready()).isFalse();
    }

    @Test
    void theLogFollowsTheTransitions() {
        require(TIMEOUT, "store", "upstream");
        ChargerCallHandler store = addPart("store");
        ChargerCallHandler upstream = addPart("upstream");
        registry.remove(upstream);
        upstream = addPart("upstream");
        registry.remove(store);
        registry.remove(upstream);
        addPart("upstream");
        addPart("store");

        assertThat(logged).hasSize(9);
        assertThat(logged.get(0)).isEqualTo("INFO Site not ready yet: waiting for store, upstream; chargers' calls "
                + "wait up to 10 s for them");
        assertThat(logged.get(1)).isEqualTo("DEBUG Site part store is there; still waiting for upstream");
        assertThat(logged.get(2)).matches("INFO Site ready \\d+ ms after the central system started \\(store, upstream\\)");
        assertThat(logged.get(3)).isEqualTo("WARN Site not ready: upstream went away; chargers' calls wait up to "
                + "10 s for it");
        assertThat(logged.get(4)).matches("INFO Site ready again after \\d+ ms: upstream is back");
        assertThat(logged.get(5)).isEqualTo("WARN Site not ready: store went away; chargers' calls wait up to "
                + "10 s for it");
        assertThat(logged.get(6)).isEqualTo("WARN Site not ready: upstream went away; chargers' calls wait up to "
                + "10 s for them (missing: store, upstream)");
        assertThat(logged.get(7)).isEqualTo("DEBUG Site part upstream is there; still waiting for store");
        assertThat(logged.get(8)).matches("INFO Site ready again after \\d+ ms: store is back");
        assertThat(levels("ERROR")).isEmpty();
    }

    @Test
    void readyAtStartIsLoggedAtOnce() {
        addPart("store");
        require(TIMEOUT, "store");
        assertThat(logged).singleElement().asString()
                .matches("INFO Site ready \\d+ ms after the central system started \\(store\\)");
    }

    @Test
    void anEpisodeThatOutlastsTheTimeoutIsOneError() throws Exception {
        require(Duration.ofMillis(100), "store", "upstream");
        addPart("store");
        Await.until("the error", () -> !levels("ERROR").isEmpty());
        Thread.sleep(300);
        assertThat(levels("ERROR")).containsExactly("ERROR Site not ready for 100 ms: upstream is missing (bundle not "
                + "installed or not active? see lb and scr:list). Until it is back, chargers' StartTransaction, "
                + "StopTransaction, MeterValues and Authorize get CALLERROR InternalError after waiting 100 ms, and "
                + "their other calls are answered without it");

        // Ready, then a new episode: a new error.
        ChargerCallHandler upstream = addPart("upstream");
        registry.remove(upstream);
        Await.until("the second error", () -> levels("ERROR").size() == 2);
        Thread.sleep(300);
        assertThat(levels("ERROR")).hasSize(2);
    }

    @Test
    void anEpisodeThatEndsInTimeIsNoError() throws Exception {
        require(Duration.ofMillis(200), "store");
        addPart("store");
        Thread.sleep(500);
        assertThat(levels("ERROR")).isEmpty();
    }

    @Test
    void partsGoingAwayWhileTheFrameworkStopsAreNoWarning() throws Exception {
        require(Duration.ofMillis(100), "store");
        ChargerCallHandler store = addPart("store");
        stopping.set(true);
        registry.remove(store);
        Thread.sleep(300);
        assertThat(levels("WARN")).isEmpty();
        assertThat(levels("ERROR")).isEmpty();
        assertThat(levels("DEBUG")).anySatisfy(l -> assertThat(l).contains("store went away", "framework is stopping"));
    }

    @Test
    void nothingIsReportedBeforeStartOrAfterStop() throws Exception {
        ChargerCallHandler early = addPart("store");
        registry.remove(early);
        assertThat(logged).isEmpty();
        require(Duration.ofMillis(100), "store");
        addPart("store");
        logged.clear();
        registry.stop();
        registry.remove(registry.snapshot().handlers(Action.Heartbeat).get(0));
        Thread.sleep(300);
        assertThat(logged).isEmpty();
    }
}
