package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Hostile clients against a real server, each case on raw sockets that write
 * every byte themselves ({@link HostileSocket}), while a strict charger keeps
 * transacting (a call every 150 ms, every answer checked). After every case:
 * the good charger saw no error and no disconnect and was answered throughout,
 * a new charger connects and is answered, every hostile socket is gone from
 * the server, the gateway's buffers and retained heap stayed bounded, and the
 * log grew by a bounded number of short, escaped lines.
 *
 * <p>Every case connects from loopback addresses of its own (127.0.N.x), so
 * the per-address limits and log limiter of one case do not touch another.
 */
class HostileClientTest {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    private static final int MAX_MESSAGE = 262_144;
    private static final int MAX_REQUEST_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    private static final int PER_ADDRESS = 32;
    /**
     * Bytes a client may write past a limit before it sees the answer: 512 bytes every
     * {@value #PACE_NANOS} ns, so 2.5 s of a busy server; what matters is that the answer comes without
     * the end of the line or the headers, long before the 64 MiB or 900 KB offered.
     */
    private static final long SLACK = 128 * 1024;
    private static final long PACE_NANOS = 10_000_000;
    private static final long BUFFERS_LIMIT = 64L * 1024 * 1024;
    private static final long HEAP_GROWTH_LIMIT = 64L * 1024 * 1024;
    private static final int LONGEST_LOG_LINE = 512;
    private static final List<String> KNOWN = IntStream.rangeClosed(1, 40)
            .mapToObj(i -> List.of(String.format("CP-%03d", i), String.format("FRESH-%03d", i)))
            .flatMap(List::stream).collect(Collectors.toList());

    private static Path dataDir;
    private static CentralSystemHarness harness;
    private static GoodCharger good;
    private static LogCapture logs;
    private static BufferSampler buffers;
    private static long baselineHeap;
    private static final AtomicInteger fresh = new AtomicInteger();

    private int logMark;
    private long goodAnsweredBefore;
    private int logBudget;
    private String caseName;
    private long caseStarted;

    @BeforeAll
    static void startGateway() throws Exception {
        logs = LogCapture.install();
        dataDir = Files.createTempDirectory("hostile");
        List<String> ids = new ArrayList<>(KNOWN);
        ids.add("GOOD");
        harness = new CentralSystemHarness(dataDir, Map.of(
                "unknownChargers", UnknownChargers.Wait,
                "chargePointIds", String.join(",", ids),
                "handshakeTimeoutSeconds", (int) HANDSHAKE_TIMEOUT.toSeconds()));
        RawCharger cp = RawCharger.connectReady(harness, "GOOD");
        good = GoodCharger.start(new GoodCharger.Link() {
            @Override
            public JsonNode callResult(String action, String payloadJson) throws Exception {
                JsonNode answer = cp.callAndAwait(action, payloadJson);
                assertThat(answer.get(0).asInt()).as("%s answered with %s", action, answer).isEqualTo(3);
                return answer.get(2);
            }

            @Override
            public boolean closed() {
                return cp.closed.isDone();
            }

            @Override
            public void close() {
                cp.close();
            }
        });
        buffers = BufferSampler.start();
        Await.until("the good charger answered", () -> good.answered() >= 3, Duration.ofSeconds(5));
        baselineHeap = retainedHeap();
    }

    @AfterAll
    static void stopGateway() throws Exception {
        try {
            if (good != null) {
                good.close();
            }
            if (buffers != null) {
                buffers.stop();
            }
            if (harness != null) {
                harness.close();
            }
        } finally {
            if (logs != null) {
                logs.uninstall();
            }
        }
    }

    @BeforeEach
    void mark(TestInfo info) {
        caseName = info.getDisplayName();
        caseStarted = System.nanoTime();
        logMark = logs.lineCount();
        goodAnsweredBefore = good.answered();
        logBudget = 20;
        buffers.resetPeak();
    }

    /** What must hold after every case. */
    @AfterEach
    void gatewayUnharmed() throws Exception {
        // The good charger transacted throughout, without an error or a disconnect.
        good.assertHealthy();
        Await.until(caseName + ": the good charger answered twice more since the case began",
                () -> good.answered() - goodAnsweredBefore >= 2, Duration.ofSeconds(5));
        good.assertHealthy();
        // A new charger connects and is answered.
        String id = String.format("FRESH-%03d", fresh.incrementAndGet());
        try (RawCharger newcomer = RawCharger.connectReady(harness, id)) {
            newcomer.assertHeartbeatAnswered();
        }
        // Every hostile socket is gone from the server: only the good charger's is left.
        Await.until(caseName + ": only the good charger's socket open",
                () -> harness.centralSystem.server().openSockets() == 1, Duration.ofSeconds(5));
        // Buffers and heap stayed bounded.
        assertThat(buffers.peak()).as("%s: Netty's pooled buffers at their peak", caseName)
                .isLessThan(BUFFERS_LIMIT);
        long heap = retainedHeap();
        assertThat(heap - baselineHeap).as("%s: heap retained after the case (MiB)", caseName)
                .isLessThan(HEAP_GROWTH_LIMIT);
        // The log grew by a bounded number of short, escaped lines.
        List<String> lines = logs.linesSince(logMark);
        assertThat(lines.size()).as("%s: log lines written, the first: %s", caseName,
                lines.subList(0, Math.min(10, lines.size()))).isLessThanOrEqualTo(logBudget);
        assertLinesSafe(lines);
        System.out.printf("%s: %d ms, %d log lines, buffers peak %d KiB, heap +%d KiB, good charger max answer %d ms%n",
                caseName, (System.nanoTime() - caseStarted) / 1_000_000, lines.size(), buffers.peak() / 1024,
                (heap - baselineHeap) / 1024, good.maxLatencyMillis());
    }

    private static void assertLinesSafe(List<String> lines) {
        for (String line : lines) {
            assertThat(line.length()).as("log line length: %s", line).isLessThanOrEqualTo(LONGEST_LOG_LINE);
            assertThat(line.chars().filter(c -> c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f).count())
                    .as("raw control characters in the log line %s", PeerText.longText(line)).isZero();
            assertThat(line).as("a forged log line").doesNotStartWith("FORGED");
            assertThat(line).as("a stack trace in the log").doesNotStartWith("\tat ")
                    .doesNotContain("Exception in thread");
        }
    }

    private static String address(int caseNumber, int host) {
        return "127.0." + caseNumber + "." + host;
    }

    private static int port() {
        return harness.port();
    }

    // ---- HTTP -------------------------------------------------------------------------------

    @Test
    void endlessRequestLineIsAnswered414OnceOverTheLimit() throws Exception {
        try (HostileSocket s = HostileSocket.connect(address(1, 1), port())) {
            s.write("GET /ocpp/");
            byte[] chunk = "a".repeat(512).getBytes(StandardCharsets.US_ASCII);
            long sent = s.sendUntilAnswered(i -> chunk, 64L * 1024 * 1024, PACE_NANOS);
            HostileSocket.Response r = s.readResponse(Duration.ofSeconds(5));
            assertThat(r).isNotNull();
            assertThat(r.status()).isEqualTo(414);
            assertThat(sent).as("bytes sent before the answer").isLessThan(MAX_REQUEST_LINE + SLACK);
            assertThat(s.closedWithin(Duration.ofSeconds(2))).as("closed after the 414").isTrue();
        }
        assertThat(logs.linesSince(logMark)).anyMatch(l -> l.contains("414") && l.contains("maxRequestLineLength"));
    }

    @Test
    void fortyThousandHeadersAreAnswered431OnceOverTheLimit() throws Exception {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            all.append("X-Hostile-").append(i).append(": v\r\n");
        }
        byte[] headers = all.toString().getBytes(StandardCharsets.US_ASCII);
        try (HostileSocket s = HostileSocket.connect(address(2, 1), port())) {
            s.write("GET /ocpp/CP-002 HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            long start = s.sent();
            int chunk = 512;
            long sent = s.sendUntilAnswered(i -> Arrays.copyOfRange(headers, (int) (i * chunk),
                    (int) Math.min(headers.length, (i + 1) * chunk)), start + headers.length, PACE_NANOS) - start;
            HostileSocket.Response r = s.readResponse(Duration.ofSeconds(5));
            assertThat(r).isNotNull();
            assertThat(r.status()).isEqualTo(431);
            assertThat(sent).as("header bytes sent before the answer (of %d)", headers.length)
                    .isLessThan(MAX_HEADERS + SLACK);
            assertThat(s.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
        assertThat(logs.linesSince(logMark)).anyMatch(l -> l.contains("431") && l.contains("maxHeaderSize"));
    }

    @Test
    void hundredKilobyteIdInThePathIs414AndLoggedShort() throws Exception {
        byte[] request = HostileSocket.upgradeRequest("/ocpp/" + "A".repeat(100_000), "13", HostileSocket.key())
                .getBytes(StandardCharsets.US_ASCII);
        try (HostileSocket s = HostileSocket.connect(address(3, 1), port())) {
            s.sendUntilAnswered(i -> Arrays.copyOfRange(request, (int) i * 4096,
                    (int) Math.min(request.length, (i + 1) * 4096)), request.length, 0);
            HostileSocket.Response r = s.readResponse(Duration.ofSeconds(5));
            assertThat(r).isNotNull();
            assertThat(r.status()).isEqualTo(414);
            assertThat(s.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
        assertThat(logs.linesSince(logMark)).noneMatch(l -> l.contains("A".repeat(200)));
    }

    @Test
    void idOfFourThousandCharactersWithinTheLineLimitIsRefusedAndLoggedCut() throws Exception {
        try (HostileSocket s = HostileSocket.connect(address(4, 1), port())) {
            HostileSocket.Response r = s.handshake("/ocpp/" + "B".repeat(4000));
            assertThat(r).isNotNull();
            assertThat(r.status()).isEqualTo(404);
            assertThat(s.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
        List<String> lines = logs.linesSince(logMark);
        assertThat(lines).anyMatch(l -> l.contains("404") && l.contains("(4006 characters)"));
        assertThat(lines).noneMatch(l -> l.contains("B".repeat(200)));
    }

    @Test
    void controlCharactersInThePathAreRefusedAndEscapedInTheLog() throws Exception {
        List<String> paths = List.of(
                "/ocpp/CP\u001b[2J\u001b[31mRED\u0007",
                "/ocpp/CP\rFORGED carriage return",
                "/ocpp/CP\u007f\u0085\u009b31m",
                "/ocpp/CP\u0000NUL");
        int host = 1;
        for (String path : paths) {
            try (HostileSocket s = HostileSocket.connect(address(5, host++), port())) {
                HostileSocket.Response r = s.handshake(path);
                assertThat(r == null || r.status() >= 400).as("%s refused: %s", PeerText.longText(path), r).isTrue();
                assertThat(s.closedWithin(Duration.ofSeconds(2))).isTrue();
            }
        }
        // A bare LF ends the request line early: what follows must not become a log line of its own.
        try (HostileSocket s = HostileSocket.connect(address(5, host), port())) {
            s.write("GET /ocpp/CP\nFORGED line feed HTTP/1.1\r\nHost: x\r\n\r\n");
            HostileSocket.Response r = s.readResponse(Duration.ofSeconds(5));
            assertThat(r == null || r.status() >= 400).as("refused: %s", r).isTrue();
            assertThat(s.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
        assertThat(logs.linesSince(logMark)).as("one refusal logged per address").hasSizeGreaterThanOrEqualTo(5);
    }

    @Test
    void wrongWebSocketVersionGets426NamingVersion13() throws Exception {
        try (HostileSocket s = HostileSocket.connect(address(6, 1), port())) {
            s.write(HostileSocket.upgradeRequest("/ocpp/CP-006", "8", HostileSocket.key()));
            HostileSocket.Response r = s.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(426);
            assertThat(r.headers()).containsEntry("sec-websocket-version", "13");
            assertThat(s.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
    }

    @Test
    void badKeyGets400() throws Exception {
        try (HostileSocket s = HostileSocket.connect(address(7, 1), port())) {
            s.write(HostileSocket.upgradeRequest("/ocpp/CP-007", "13", "not-sixteen-bytes"));
            HostileSocket.Response r = s.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(400);
            assertThat(s.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
    }

    @Test
    void tlsClientHelloOnThePlainPortIsClosedAtOnceAndNamedInTheLog() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("127.0.0.1", port());
        engine.setUseClientMode(true);
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        byte[] bytes = new byte[hello.remaining()];
        hello.get(bytes);
        try (HostileSocket s = HostileSocket.connect(address(8, 1), port())) {
            s.write(bytes);
            long start = System.nanoTime();
            assertThat(s.closedWithin(HANDSHAKE_TIMEOUT.plusSeconds(2))).as("closed").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed at once, not at the handshake timeout")
                    .isLessThan(HANDSHAKE_TIMEOUT.dividedBy(2));
        }
        assertThat(logs.linesSince(logMark)).anyMatch(l -> l.contains("127.0.8.1") && l.contains("TLS"));
        assertThat(harness.centralSystem.recentRefusals()).as("listed for the site view")
                .anyMatch(r -> r.chargePointId() == null && "127.0.8.1".equals(r.remoteAddress())
                        && r.reason().contains("wss:// (TLS) on the plain ws:// port"));
    }

    @Test
    void slowlorisSocketsAreClosedAfterTheHandshakeTimeout() throws Exception {
        logBudget = 8 + 5; // one line for each of the 8 addresses
        List<HostileSocket> sockets = new ArrayList<>();
        try {
            // 200 sockets from 8 addresses, 25 each: under the per-address limit, so the timeout must close them.
            for (int i = 0; i < 200; i++) {
                HostileSocket s = HostileSocket.connect(address(9, 1 + i % 8), port());
                sockets.add(s);
                s.write("GET /ocpp/CP-009 HTTP/1.1\r\n");
            }
            long start = System.nanoTime();
            byte[] dribble = "X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII);
            List<HostileSocket> open = new ArrayList<>(sockets);
            int second = 0;
            while (!open.isEmpty() && System.nanoTime() - start < HANDSHAKE_TIMEOUT.plusSeconds(3).toNanos()) {
                byte[] next = {dribble[second++ % dribble.length]};
                for (HostileSocket s : open) {
                    try {
                        s.write(next);
                    } catch (IOException e) {
                        // closed by the server
                    }
                }
                long secondEnds = start + TimeUnit.SECONDS.toNanos(second);
                List<HostileSocket> closed = new ArrayList<>();
                for (HostileSocket s : open) {
                    if (s.closedWithin(Duration.ofMillis(1))) {
                        closed.add(s);
                    }
                }
                if (second == 1) {
                    assertThat(closed).as("closed before the handshake timeout").isEmpty();
                }
                open.removeAll(closed);
                long wait = secondEnds - System.nanoTime();
                if (!open.isEmpty() && wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            assertThat(open).as("slowloris sockets still open %d s after their handshake began",
                    (System.nanoTime() - start) / 1_000_000_000).isEmpty();
        } finally {
            sockets.forEach(HostileSocket::close);
        }
    }

    @Test
    void silentSocketsAreClosedAfterTheHandshakeTimeout() throws Exception {
        List<HostileSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                sockets.add(HostileSocket.connect(address(10, 1 + i % 2), port()));
            }
            long start = System.nanoTime();
            for (HostileSocket s : sockets) {
                long left = HANDSHAKE_TIMEOUT.plusSeconds(2).toNanos() - (System.nanoTime() - start);
                assertThat(s.closedWithin(Duration.ofNanos(Math.max(1_000_000, left)))).as("silent socket closed")
                        .isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(HANDSHAKE_TIMEOUT.minusMillis(500));
        } finally {
            sockets.forEach(HostileSocket::close);
        }
    }

    @Test
    void socketsOverThePerAddressLimitAreClosedAtOnce() throws Exception {
        List<HostileSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS + 8; i++) {
                sockets.add(HostileSocket.connect(address(11, 1), port()));
            }
            Thread.sleep(500);
            long closed = 0;
            for (HostileSocket s : sockets) {
                if (s.closedWithin(Duration.ofMillis(5))) {
                    closed++;
                }
            }
            assertThat(closed).as("sockets closed of %d from one address", sockets.size()).isEqualTo(8);
        } finally {
            sockets.forEach(HostileSocket::close);
        }
        // The count is released when they close: the address may connect again.
        Await.until("the address's sockets released", () -> harness.centralSystem.server().openSockets() == 1);
        try (HostileSocket again = HostileSocket.upgraded(address(11, 1), port(), "/ocpp/CP-011")) {
            again.sendText("[2,\"again\",\"Heartbeat\",{}]");
            assertThat(again.readFrame(Duration.ofSeconds(5)).text()).startsWith("[3,\"again\"");
        }
        assertThat(logs.linesSince(logMark)).anyMatch(l -> l.contains("maxConnectionsPerAddress"));
    }

    @Test
    void churnOfUnknownIdsIsRefusedWithABoundedWaitingListAndLog() throws Exception {
        logBudget = 50;
        int threads = 4;
        int each = 500;
        List<Thread> workers = new ArrayList<>();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            int worker = t;
            Thread w = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    String id = "UNKNOWN-" + worker + "-" + i;
                    try (HostileSocket s = HostileSocket.connect(address(12, 1 + worker), port())) {
                        HostileSocket.Response r = s.handshake("/ocpp/" + id);
                        if (r == null || r.status() != 404) {
                            problems.add(id + ": " + r);
                        }
                    } catch (IOException e) {
                        problems.add(id + ": " + e);
                    }
                }
            });
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(problems).as("handshakes not refused with 404").isEmpty();
        // The list keeps the latest: the next one shows.
        try (HostileSocket s = HostileSocket.connect(address(12, 9), port())) {
            assertThat(s.handshake("/ocpp/UNKNOWN-LAST").status()).isEqualTo(404);
        }
        assertThat(harness.centralSystem.waitingChargers()).hasSizeLessThanOrEqualTo(AccessControl.MAX_WAITING)
                .extracting(w -> w.chargePointId()).contains("UNKNOWN-LAST");
    }

    // ---- WebSocket frames -------------------------------------------------------------------

    @Test
    void endlessContinuationFragmentsAreClosedWith1009OnceTheMessageIsTooBig() throws Exception {
        try (HostileSocket s = HostileSocket.upgraded(address(13, 1), port(), "/ocpp/CP-013")) {
            HostileSocket.EndlessMessage endless = s.sendEndlessMessage();
            assertThat(endless.close()).as("a close frame").isNotNull();
            assertThat(endless.close().closeCode()).isEqualTo(1009);
            assertThat(endless.sent()).as("message bytes sent before the close (read by the server up to the last pong)")
                    .isGreaterThan(MAX_MESSAGE).isLessThanOrEqualTo(MAX_MESSAGE + 32 * 1024);
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void pingsWhosePongsAreNeverReadGetTheSocketClosed() throws Exception {
        byte[] pings;
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 64; i++) {
            batch.writeBytes(HostileSocket.frame(HostileSocket.PING, true, new byte[125], true));
        }
        pings = batch.toByteArray();
        try (HostileSocket s = HostileSocket.upgraded(address(14, 1), port(), "/ocpp/CP-014", 4096)) {
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(20);
            boolean closed = false;
            try {
                while (System.nanoTime() < deadline) {
                    s.write(pings);
                }
            } catch (IOException e) {
                closed = true;
            }
            assertThat(closed).as("closed by the server after %d bytes of pings", s.sent()).isTrue();
            System.out.printf("unread pongs: closed after %d ms, %d KiB of pings%n",
                    (System.nanoTime() - start) / 1_000_000, s.sent() / 1024);
        }
        assertThat(logs.linesSince(logMark)).anyMatch(l -> l.contains("does not read"));
    }

    @Test
    void unmaskedClientFrameIsClosedWith1002() throws Exception {
        try (HostileSocket s = HostileSocket.upgraded(address(15, 1), port(), "/ocpp/CP-015")) {
            s.write(HostileSocket.frame(HostileSocket.TEXT, true,
                    "[2,\"u\",\"Heartbeat\",{}]".getBytes(StandardCharsets.US_ASCII), false));
            HostileSocket.Frame close = s.awaitClose(Duration.ofSeconds(5));
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1002);
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void closeFrameWithAnInvalidUtf8ReasonIsClosedWith1007AndOneWarning() throws Exception {
        try (HostileSocket s = HostileSocket.upgraded(address(16, 1), port(), "/ocpp/CP-016")) {
            s.sendFrame(HostileSocket.CLOSE, true, HostileSocket.closePayload(1000, new byte[] {(byte) 0xc3, 0x28}));
            HostileSocket.Frame close = s.awaitClose(Duration.ofSeconds(5));
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1007);
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
        }
        Await.until("CP-016 seen and disconnected", () -> harness.centralSystem.charger("CP-016")
                .map(c -> !c.connected()).orElse(false));
        List<String> warnings = logs.linesSince(logMark).stream().filter(l -> l.contains(" WARN ")).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("1007");
    }

    @Test
    void callWithA250000CharacterMessageIdGetsACallErrorEchoing36() throws Exception {
        String id = "i".repeat(250_000);
        try (HostileSocket s = HostileSocket.upgraded(address(17, 1), port(), "/ocpp/CP-017")) {
            s.sendText("[2,\"" + id + "\",\"Heartbeat\",{}]");
            HostileSocket.Frame answer = s.readFrame(Duration.ofSeconds(5));
            assertThat(answer).isNotNull();
            assertThat(answer.payload().length).as("CALLERROR size").isLessThan(512);
            JsonNode error = RawCharger.JSON.readTree(answer.text());
            assertThat(error.get(0).asInt()).isEqualTo(4);
            assertThat(error.get(1).asText()).isEqualTo(id.substring(0, 36));
            assertThat(error.get(2).asText()).isEqualTo("FormationViolation");
            // The connection goes on.
            s.sendText("[2,\"after\",\"Heartbeat\",{}]");
            assertThat(s.readFrame(Duration.ofSeconds(5)).text()).startsWith("[3,\"after\"");
        }
        assertThat(logs.linesSince(logMark)).noneMatch(l -> l.contains("i".repeat(100)));
    }

    @Test
    void controlCharactersInMessageIdsAndFramesAreEscapedAndTheirLogLinesLimited() throws Exception {
        List<String> frames = List.of(
                // an answer to a call never made, its id with ESC, LF and a forged line
                "[3,\"a\\u001b[31m\\nFORGED answer\",{}]",
                // a call with an invalid payload: answered, and its id logged
                "[2,\"b\\u0007\\r\\nFORGED call\",\"Heartbeat\",[]]",
                // not JSON at all, raw ESC and LF in the frame
                "\u001b]0;title\u0007\nFORGED frame",
                // a CALLERROR for a call never made
                "[4,\"c\\nFORGED error\",\"GenericError\",\"\",{}]");
        try (HostileSocket s = HostileSocket.upgraded(address(18, 1), port(), "/ocpp/CP-018")) {
            for (int round = 0; round < 200; round++) {
                for (String f : frames) {
                    s.sendText(f);
                }
                if (round % 20 == 0) {
                    s.sendText("[2,\"hb" + round + "\",\"Heartbeat\",{}]");
                    String expected = "[3,\"hb" + round + "\"";
                    HostileSocket.Frame answer;
                    do {
                        answer = s.readFrame(Duration.ofSeconds(5));
                        assertThat(answer).as("connection open").isNotNull();
                    } while (!answer.text().startsWith(expected));
                }
            }
        }
        assertThat(logs.linesSince(logMark)).as("the first round is logged").anyMatch(l -> l.contains("FORGED"));
    }

    @Test
    void meterValuesFloodIsPausedOrClosedWithBoundedMemory() throws Exception {
        String meterValues = "{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2030-01-01T00:00:00Z\","
                + "\"sampledValue\":[{\"value\":\"1234\"}]}]}";
        try (HostileSocket s = HostileSocket.upgraded(address(19, 1), port(), "/ocpp/CP-019", 4096)) {
            AtomicLong written = new AtomicLong();
            AtomicBoolean closed = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                try {
                    for (long i = 0; ; i++) {
                        ByteArrayOutputStream batch = new ByteArrayOutputStream();
                        for (int j = 0; j < 16; j++) {
                            batch.writeBytes(HostileSocket.frame(HostileSocket.TEXT, true,
                                    ("[2,\"mv" + (i * 16 + j) + "\",\"MeterValues\"," + meterValues + "]")
                                            .getBytes(StandardCharsets.US_ASCII), true));
                        }
                        s.write(batch.toByteArray());
                        written.addAndGet(16);
                    }
                } catch (IOException e) {
                    closed.set(true);
                }
            });
            writer.setDaemon(true);
            writer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long last = -1;
            long stalledSince = System.nanoTime();
            String outcome = null;
            while (outcome == null && System.nanoTime() < deadline) {
                Thread.sleep(100);
                long now = written.get();
                if (closed.get()) {
                    outcome = "closed";
                } else if (now != last) {
                    last = now;
                    stalledSince = System.nanoTime();
                } else if (System.nanoTime() - stalledSince > TimeUnit.MILLISECONDS.toNanos(1500)) {
                    outcome = "paused";
                }
            }
            assertThat(outcome).as("the flood (%d calls written) was neither closed nor paused", written.get())
                    .isNotNull();
            System.out.printf("MeterValues flood: %s after %d calls%n", outcome, written.get());
            s.close();
            writer.join(5000);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** Heap in use after a full collection. */
    private static long retainedHeap() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Samples the bytes Netty's pooled allocator holds (the server's buffers) every 10 ms; keeps the peak. */
    private static final class BufferSampler {
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(this::run, "buffer-sampler");

        static BufferSampler start() {
            BufferSampler s = new BufferSampler();
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        private void run() {
            while (running.get()) {
                var metric = PooledByteBufAllocator.DEFAULT.metric();
                peak.accumulateAndGet(metric.usedDirectMemory() + metric.usedHeapMemory(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long peak() {
            return peak.get();
        }

        void resetPeak() {
            peak.set(0);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(1000);
        }
    }

    /**
     * Everything written to System.err (where slf4j-simple logs in tests) from installation on, still
     * passed on to the real System.err, as lines.
     */
    private static final class LogCapture extends OutputStream {
        private final PrintStream original;
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();
        private final List<String> lines = new ArrayList<>();

        private LogCapture(PrintStream original) {
            this.original = original;
        }

        static LogCapture install() {
            LogCapture c = new LogCapture(System.err);
            System.setErr(new PrintStream(c, true, StandardCharsets.UTF_8));
            return c;
        }

        void uninstall() {
            System.setErr(original);
        }

        @Override
        public synchronized void write(int b) {
            original.write(b);
            if (b == '\n') {
                lines.add(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public void flush() {
            original.flush();
        }

        synchronized int lineCount() {
            return lines.size();
        }

        synchronized List<String> linesSince(int mark) {
            return List.copyOf(lines.subList(mark, lines.size()));
        }
    }
}
