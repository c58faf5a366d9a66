package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.chargeedge.centralsystem.internal.GoodCharger;
import org.chargeedge.centralsystem.internal.HostileSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Hostile clients against the real gateway: the jar as a child process with {@code -Xmx128m},
 * {@code -XX:+ExitOnOutOfMemoryError} and at most {@value #FILE_LIMIT} open files, while a charger
 * runs transactions through the store ({@code requireStore}, the store a required site part). Cases:
 * more sockets than the process may have files, endless fragmented messages on several connections
 * at once, pings whose pongs are never read. After each: the process lives, the good charger saw no
 * error and no disconnect and is still answered, a new charger connects and is answered, and the
 * log grew by a bounded number of lines; the process's resident memory is printed.
 */
class HostileGatewayIT {

    private static final int FILE_LIMIT = 512;
    private static final int MAX_MESSAGE = 262_144;
    /** Message bytes the server may read past the limit: the batch between two pings (HostileSocket). */
    private static final long SLACK = 32 * 1024;

    private static Path work;
    private static Path log;
    private static int port;
    private static Process gateway;
    private static GoodCharger good;
    private static int freshCount;

    private long logMark;
    private long goodAnsweredBefore;
    private int logBudget;
    private String caseName;

    @BeforeAll
    static void startGateway() throws Exception {
        work = GatewayRuntime.itDir().resolve("HostileGatewayIT");
        GatewayRuntime.deleteTree(work);
        Path config = work.resolve("config");
        Files.createDirectories(config);
        GatewayRuntime.copyShippedConfig(config);
        // No CSMS here: the site is ready with the store and the authorization. Hostile sockets are held
        // open by the test for as long as a case needs them, not closed by the handshake timeout.
        Path centralSystem = config.resolve("org.chargeedge.centralsystem.cfg");
        Files.writeString(centralSystem, Files.readString(centralSystem) + String.join("\n",
                "host = 127.0.0.1",
                "requiredParts = store, authorization",
                "handshakeTimeoutSeconds = 60",
                ""));
        port = GatewayRuntime.freePort();
        log = work.resolve("gateway.log");
        gateway = GatewayRuntime.startProcess(work, work.resolve("data"), log,
                Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port)), false,
                GatewayRuntime.withFileLimit(FILE_LIMIT));
        waitFor("the gateway listening (log " + log + ")", 30, () -> logText().contains("central system listening on"));
        OcppTestClient cp = OcppTestClient.connect(port, "GOOD");
        cp.boot("Hostile", "Good", "1.0");
        good = GoodCharger.start(new GoodCharger.Link() {
            @Override
            public JsonNode callResult(String action, String payloadJson) throws Exception {
                return cp.callResult(action, (ObjectNode) OcppTestClient.JSON.readTree(payloadJson));
            }

            @Override
            public boolean closed() {
                return cp.closed().isDone();
            }

            @Override
            public void close() {
                cp.close();
            }
        });
        waitFor("the good charger's first transaction", 20, () -> good.answered() >= 6);
        System.out.printf("HostileGatewayIT: gateway pid %d, %d open files at the start, VmRSS %s%n", gateway.pid(),
                openFiles(), vmRss());
    }

    @AfterAll
    static void stopGateway() throws Exception {
        if (good != null) {
            good.close();
        }
        if (gateway != null && gateway.isAlive()) {
            System.out.printf("HostileGatewayIT: after the cases VmRSS %s; heap:%n%s", vmRss(), heapInfo());
        }
        if (gateway != null) {
            gateway.destroy();
            if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @BeforeEach
    void mark(TestInfo info) throws IOException {
        caseName = info.getDisplayName();
        logMark = logLines();
        goodAnsweredBefore = good.answered();
        logBudget = 20;
    }

    @AfterEach
    void gatewayUnharmed() throws Exception {
        assertThat(gateway.isAlive()).as("%s: the gateway process is alive (log %s)", caseName, log).isTrue();
        waitFor(caseName + ": the good charger answered twice more since the case began", 10,
                () -> good.answered() - goodAnsweredBefore >= 2);
        good.assertHealthy();
        // The port accepts: a new charger connects and is answered.
        String id = "FRESH-" + (++freshCount);
        try (OcppTestClient fresh = connectWithin(id, Duration.ofSeconds(10))) {
            assertThat(fresh.heartbeat().has("currentTime")).isTrue();
        }
        long lines = logLines() - logMark;
        System.out.printf("%s: VmRSS %s, %d open files, %d log lines, good charger %d answers, max %d ms%n", caseName,
                vmRss(), openFiles(), lines, good.answered() - goodAnsweredBefore, good.maxLatencyMillis());
        assertThat(lines).as("%s: log lines written", caseName).isLessThanOrEqualTo(logBudget);
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void moreSocketsThanTheProcessMayOpenFiles() throws Exception {
        List<HostileSocket> sockets = new ArrayList<>();
        int peak = 0;
        try {
            // 25 from each address (under maxConnectionsPerAddress), more than the file limit in all.
            for (int i = 0; i < FILE_LIMIT + 200; i++) {
                sockets.add(HostileSocket.connect("127.1." + (1 + i / 25) + ".1", port));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < until) {
                peak = Math.max(peak, openFiles());
                Thread.sleep(100);
            }
            assertThat(peak).as("the gateway's open files at their peak").isGreaterThanOrEqualTo(FILE_LIMIT - 2);
            assertThat(gateway.isAlive()).as("alive with every file in use").isTrue();
            long answered = good.answered();
            waitFor("the good charger answered while the files are exhausted", 10, () -> good.answered() > answered + 2);
        } finally {
            sockets.forEach(HostileSocket::close);
        }
        System.out.printf("%d hostile sockets, the gateway at %d of %d files%n", sockets.size(), peak, FILE_LIMIT);
        List<String> lines = logSince(logMark);
        assertThat(lines).as("the cause named in the log").anyMatch(l -> l.contains("open-file limit"));
        assertThat(lines).as("no stack traces in the log").noneMatch(l -> l.startsWith("\tat "));
    }

    @Test
    void endlessFragmentedMessagesOnEightConnectionsAtOnce() throws Exception {
        logBudget = 8 * 3 + 5; // each: connected, closed with 1009, disconnected
        List<String> outcomes = inParallel(8, "fragments", this::endlessFragments);
        assertThat(outcomes).hasSize(8).allMatch(o -> o.startsWith("1009 after"), "closed with 1009 in time");
        System.out.println("endless fragments: " + outcomes);
    }

    private String endlessFragments(int n) {
        try (HostileSocket s = HostileSocket.upgraded("127.2." + n + ".1", port, "/ocpp/FRAG-" + n)) {
            HostileSocket.EndlessMessage endless = s.sendEndlessMessage();
            long sent = endless.sent();
            HostileSocket.Frame close = endless.close();
            if (close == null || close.closeCode() != 1009) {
                return "no 1009 but " + (close == null ? "no close frame" : close.closeCode()) + " after " + sent;
            }
            return sent > MAX_MESSAGE && sent <= MAX_MESSAGE + SLACK ? "1009 after " + sent : "1009, but after " + sent;
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void pingsWhosePongsAreNeverReadOnFourConnections() throws Exception {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 64; i++) {
            batch.writeBytes(HostileSocket.frame(HostileSocket.PING, true, new byte[125], true));
        }
        byte[] pings = batch.toByteArray();
        List<String> outcomes = inParallel(4, "pings", n -> {
            try (HostileSocket s = HostileSocket.upgraded("127.3." + n + ".1", port, "/ocpp/PING-" + n, 4096)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                try {
                    while (System.nanoTime() < deadline) {
                        s.write(pings);
                    }
                    return "still open after " + s.sent() + " bytes";
                } catch (IOException e) {
                    return "closed after " + s.sent() / 1024 + " KiB";
                }
            } catch (IOException e) {
                return "no handshake: " + e;
            }
        });
        assertThat(outcomes).hasSize(4).allMatch(o -> o.startsWith("closed"), "closed by the gateway");
        System.out.println("unread pongs: " + outcomes);
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** Runs {@code task} for 0 .. {@code count - 1} on threads of its own; their outcomes, in any order. */
    private static List<String> inParallel(int count, String name, java.util.function.IntFunction<String> task)
            throws InterruptedException {
        ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            int n = c;
            Thread t = new Thread(() -> outcomes.add(task.apply(n)), name + "-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        return List.copyOf(outcomes);
    }

    /** Connects as {@code id}, retrying while the gateway may still be recovering its files. */
    private static OcppTestClient connectWithin(String id, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return OcppTestClient.connect(port, id);
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(id + " could not connect within " + within + " (log " + log + ")", e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static long logLines() throws IOException {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }

    private static List<String> logSince(long mark) throws IOException {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.skip(mark).toList();
        }
    }

    /** The gateway's open file descriptors (Linux). */
    private static int openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(gateway.pid()), "fd"))) {
            return (int) fds.count();
        }
    }

    /** The gateway's resident memory, as /proc says it. */
    private static String vmRss() throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(gateway.pid()), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).map(l -> l.substring(6).trim()).findFirst().orElse("?");
    }

    /** The gateway's heap as jcmd's GC.heap_info tells it; what went wrong otherwise. */
    private static String heapInfo() {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(gateway.pid()), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            return "jcmd failed: " + e + "\n";
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(String what, int seconds, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("%s within %d s", what, seconds).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
