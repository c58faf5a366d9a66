package org.chargeedge.systemd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.OcppServerHealth;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoreHealth;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notify protocol against a datagram socket the test binds as systemd would (NOTIFY_SOCKET),
 * with the real central system: its OCPP port, its readiness and its health probe.
 */
class WatchdogTest {

    private static final Duration WATCHDOG_SEC = Duration.ofMillis(1800);

    @TempDir
    Path dir;
    private CentralSystemHarness centralSystem;
    private UnixDatagram systemd;
    private NotifySocket notify;
    private ScheduledExecutorService thread;
    /** Stands in for the store; the real store's failures are the store module's tests. */
    private volatile SiteStore store;

    /** One datagram as systemd receives it, with its arrival time. */
    private record Message(long nanos, String text) {
    }

    @AfterEach
    void stop() throws Exception {
        if (thread != null) {
            thread.shutdownNow();
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (notify != null) {
            notify.close();
        }
        if (systemd != null) {
            systemd.close();
        }
        if (centralSystem != null) {
            centralSystem.close();
        }
    }

    private void start(Map<String, Object> centralSystemSettings) throws Exception {
        String address = dir.resolve("notify").toString();
        systemd = UnixDatagram.bind(address);
        notify = new NotifySocket(address);
        centralSystem = new CentralSystemHarness(dir.resolve("data"), centralSystemSettings);
        OcppServerHealth health = (OcppServerHealth) centralSystem.siteView();
        Watchdog watchdog = new Watchdog(notify, new Watchdog.Settings(WATCHDOG_SEC.dividedBy(3), Duration.ofSeconds(30)),
                new OcppCheck(() -> health, Duration.ofMillis(250)),
                List.of(new StoreCheck(() -> store, Duration.ofMillis(900))),
                centralSystem::siteView, () -> null, System.nanoTime());
        thread = Executors.newSingleThreadScheduledExecutor();
        thread.scheduleWithFixedDelay(() -> watchdog.tick(System.nanoTime()), 0, Watchdog.TICK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private List<Message> receive(Duration during) throws Exception {
        List<Message> messages = new ArrayList<>();
        long end = System.nanoTime() + during.toNanos();
        while (System.nanoTime() < end) {
            byte[] datagram = systemd.receive(Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime())));
            if (datagram != null) {
                messages.add(new Message(System.nanoTime(), new String(datagram, StandardCharsets.UTF_8)));
            }
        }
        return messages;
    }

    private Message awaitMessage(String containing, Duration within) throws Exception {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            byte[] datagram = systemd.receive(Duration.ofMillis(100));
            if (datagram != null && new String(datagram, StandardCharsets.UTF_8).contains(containing)) {
                return new Message(System.nanoTime(), new String(datagram, StandardCharsets.UTF_8));
            }
        }
        throw new AssertionError("no message with " + containing + " within " + within);
    }

    private static List<Long> pings(List<Message> messages) {
        return messages.stream().filter(m -> m.text().lines().anyMatch("WATCHDOG=1"::equals)).map(Message::nanos)
                .toList();
    }

    @Test
    void readyOnlyOnceTheSiteIsReadyThenPingsWhileServingAndStopsWhenTheEventLoopIsStuck() throws Exception {
        store = healthyStore();
        start(Map.of("requiredParts", "store", "ioThreads", 1));
        Message waiting = awaitMessage("STATUS=", Duration.ofSeconds(5));
        assertThat(waiting.text()).isEqualTo("STATUS=NOT READY, waiting for store; 0 chargers connected;"
                + " no upstream CSMS");
        assertThat(receive(Duration.ofMillis(800))).as("no READY=1 while the store's part is missing")
                .noneMatch(m -> m.text().contains("READY=1"));

        ChargerCallHandler part = (ctx, request, chain) -> chain.proceed(request);
        centralSystem.addSitePart("store", part, 1000, "StartTransaction");
        Message ready = awaitMessage("READY=1", Duration.ofSeconds(5));
        assertThat(ready.text()).isEqualTo("READY=1\nSTATUS=ready; 0 chargers connected; no upstream CSMS");

        List<Long> pings = pings(receive(WATCHDOG_SEC.multipliedBy(2)));
        assertThat(pings).as("at least twice per WatchdogSec").hasSizeGreaterThanOrEqualTo(4);
        for (int i = 1; i < pings.size(); i++) {
            assertThat(pings.get(i) - pings.get(i - 1)).as("gap between pings")
                    .isLessThan(WATCHDOG_SEC.toNanos() / 2);
        }

        // A stuck event loop: the port still accepts, nobody answers. A restart cures that: no more pings.
        assertThat(new Diagnostics().stallocpp(4)).startsWith("OCPP I/O threads [chargeedge-ocpp-io");
        long stalled = System.nanoTime();
        List<Message> whileStuck = receive(Duration.ofMillis(3500));
        List<Long> late = pings(whileStuck).stream().filter(t -> t - stalled > WATCHDOG_SEC.toNanos() / 2).toList();
        assertThat(late).as("pings after the stall was seen").isEmpty();
        assertThat(whileStuck).anySatisfy(m -> assertThat(m.text()).startsWith("STATUS=ready; 0 chargers connected;"
                + " no upstream CSMS; FAILED: the OCPP server stopped serving: ws:// port " + centralSystem.port()
                + ": accepted the connection but did not answer within"));
        // Released, it serves again and the pings come back.
        Message back = awaitMessage("WATCHDOG=1", Duration.ofSeconds(5));
        assertThat(back.text()).isEqualTo("WATCHDOG=1\nSTATUS=ready; 0 chargers connected; no upstream CSMS");
    }

    @Test
    void aFullDiskKeepsThePingsGoingAndSaysSoButAStuckWriterStopsThem() throws Exception {
        store = healthyStore();
        start(Map.of());
        awaitMessage("READY=1", Duration.ofSeconds(5));
        awaitMessage("WATCHDOG=1", Duration.ofSeconds(2));

        store = store(new StoreHealth(false, "database or disk is full", java.time.Instant.parse("2026-01-01T00:00:00Z"),
                1), CompletableFuture.completedFuture(null));
        Message full = awaitMessage("disk is full", Duration.ofSeconds(3));
        assertThat(full.text()).isEqualTo("WATCHDOG=1\nSTATUS=ready; 0 chargers connected; no upstream CSMS;"
                + " the store cannot write since 2026-01-01T00:00:00Z: database or disk is full");
        assertThat(pings(receive(WATCHDOG_SEC))).as("a restart cannot free the disk: pings go on").hasSizeGreaterThan(1);

        store = store(new StoreHealth(true, null, java.time.Instant.now(), 1), new CompletableFuture<>());
        Message stuck = awaitMessage("FAILED", Duration.ofSeconds(3));
        assertThat(stuck.text()).startsWith("STATUS=ready; 0 chargers connected; no upstream CSMS; FAILED: the store"
                + " has not committed for");
        assertThat(pings(receive(WATCHDOG_SEC))).as("a stuck writer: no pings").isEmpty();
    }

    @Test
    void sockaddrOfPathsAndAbstractNames() {
        assertThat(UnixDatagram.sockaddr("/run/systemd/notify")).hasSize(2 + 19 + 1);
        byte[] abstractName = UnixDatagram.sockaddr("@sd-notify");
        assertThat(abstractName).hasSize(2 + 10);
        assertThat(abstractName[2]).isZero();
        assertThat(new String(abstractName, 3, 9, StandardCharsets.US_ASCII)).isEqualTo("sd-notify");
    }

    @Test
    void pingIntervalIsAThirdOfWatchdogSecForThisProcessOnly() {
        assertThat(SystemdNotifier.pingInterval("30000000", null)).isEqualTo(Duration.ofSeconds(10));
        assertThat(SystemdNotifier.pingInterval("30000000", Long.toString(ProcessHandle.current().pid())))
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(SystemdNotifier.pingInterval("30000000", "1")).isNull();
        assertThat(SystemdNotifier.pingInterval(null, null)).isNull();
        assertThat(SystemdNotifier.pingInterval("soon", null)).isNull();
    }

    private static SiteStore healthyStore() {
        return store(new StoreHealth(true, null, java.time.Instant.now(), 1), null);
    }

    /** A store whose health and write probe are given; a null probe completes every time. */
    private static SiteStore store(StoreHealth health, CompletableFuture<Void> probe) {
        return (SiteStore) java.lang.reflect.Proxy.newProxyInstance(SiteStore.class.getClassLoader(),
                new Class<?>[] {SiteStore.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "health" -> health;
                    case "writeProbe" -> probe == null ? CompletableFuture.completedFuture(null) : probe;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
