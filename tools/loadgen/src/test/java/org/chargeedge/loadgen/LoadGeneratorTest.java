package org.chargeedge.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the load generator against {@link StubCentralSystem}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {

    private StubCentralSystem stub;

    @AfterEach
    void stopStub() throws InterruptedException {
        if (stub != null) {
            stub.shutdown();
        }
    }

    private StubCentralSystem stub(StubCentralSystem.Config config) throws InterruptedException {
        stub = new StubCentralSystem(config).startAndWait();
        return stub;
    }

    /** Result of {@link LoadGenerator#execute}: exit code, stdout, and the JSON of the result line. */
    private record Run(int exitCode, String out, String err, Map<String, Object> json) {
        @SuppressWarnings("unchecked")
        Map<String, Object> section(String name) {
            return (Map<String, Object>) json.get(name);
        }

        long calls(String field) {
            return ((Number) section("calls").get(field)).longValue();
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> errorsByKind() {
            return (Map<String, Object>) section("errors").get("byKind");
        }

        long errorTotal() {
            return ((Number) section("errors").get("total")).longValue();
        }

        long connect(String field) {
            return ((Number) section("connect").get(field)).longValue();
        }
    }

    @SuppressWarnings("unchecked")
    private static Run execute(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LoadGenerator.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stdout = out.toString(StandardCharsets.UTF_8);
        List<String> resultLines = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith(Report.LINE_PREFIX)) {
                resultLines.add(line);
            }
        }
        Map<String, Object> json = null;
        if (!resultLines.isEmpty()) {
            assertThat(resultLines).as("exactly one machine-readable line").hasSize(1);
            json = RunState.JSON.readValue(resultLines.get(0).substring(Report.LINE_PREFIX.length()), Map.class);
            assertThat(((Number) json.get("exitCode")).intValue()).isEqualTo(code);
        }
        return new Run(code, stdout, err.toString(StandardCharsets.UTF_8), json);
    }

    private String[] args(String scenario, int chargers, String... more) {
        List<String> a = new ArrayList<>(List.of("--url", stub.url(), "--scenario", scenario,
                "--chargers", Integer.toString(chargers), "--warmup", "500ms", "--duration", "2s",
                "--connect-concurrency", "20"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private void assertCleanStub(int chargers) {
        assertThat(stub.problems).isEmpty();
        assertThat(stub.outstandingViolations.sum()).as("one outstanding CALL per charger").isZero();
        assertThat(stub.protocolViolations.sum()).isZero();
        assertThat(stub.transactionMismatches.sum()).isZero();
        assertThat(stub.badMeterValues.sum()).isZero();
        assertThat(stub.opened.sum()).isEqualTo(chargers);
        assertThat(stub.chargePointIds).hasSize(chargers).contains("LG-0001", "LG-" + String.format("%04d", chargers));
    }

    private void assertClosedCleanly(int chargers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stub.closedByClient.sum() < chargers && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(stub.closedByClient.sum()).isEqualTo(chargers);
        assertThat(stub.closeCodes.keySet()).containsExactly(1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"heartbeat", "meter", "mixed", "transactions"})
    void scenarioRunsCleanlyWith50Chargers(String scenario) throws Exception {
        stub(new StubCentralSystem.Config());
        Run r = execute(args(scenario, 50, "--meter-values-per-tx", "3"));

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.connect("connected")).isEqualTo(50);
        assertThat(r.connect("failed")).isZero();
        assertThat(r.errorTotal()).as(r.out()).isZero();
        long sent = r.calls("sent");
        assertThat(r.calls("answered")).isEqualTo(sent);
        assertThat(r.calls("results")).isEqualTo(sent);
        assertThat(r.calls("timeouts") + r.calls("lost") + r.calls("callErrors")).isZero();
        assertThat(stub.calls.sum()).as("calls the stub received").isEqualTo(sent);
        assertThat(sent).isGreaterThan(200); // boot + setup + at least some loop calls per charger
        assertThat(r.calls("measuredAnswered")).isPositive().isLessThanOrEqualTo(sent);
        assertThat(((Number) r.section("calls").get("perSecond")).doubleValue()).isPositive();
        Map<String, Object> latency = r.section("latencyMs");
        assertThat(((Number) latency.get("count")).longValue()).isPositive();
        assertThat(((Number) latency.get("p50")).doubleValue())
                .isLessThanOrEqualTo(((Number) latency.get("p99")).doubleValue());
        assertThat(((Number) latency.get("p99")).doubleValue())
                .isLessThanOrEqualTo(((Number) latency.get("max")).doubleValue());
        assertThat(r.section("close")).containsEntry("clean", 50L).containsEntry("forced", 0L);
        assertCleanStub(50);
        assertClosedCleanly(50);

        assertThat(stub.count("BootNotification")).isEqualTo(50);
        switch (scenario) {
            case "heartbeat":
                assertThat(stub.actions.keySet()).containsExactlyInAnyOrder("BootNotification", "Heartbeat");
                break;
            case "meter":
                assertThat(stub.actions.keySet()).containsExactlyInAnyOrder("BootNotification",
                        "StatusNotification", "StartTransaction", "MeterValues");
                assertThat(stub.count("StatusNotification")).isEqualTo(50);
                assertThat(stub.count("StartTransaction")).isEqualTo(50);
                assertThat(stub.count("MeterValues")).isGreaterThan(50);
                break;
            case "mixed": {
                assertThat(stub.actions.keySet()).containsExactlyInAnyOrder("BootNotification", "Heartbeat", "MeterValues");
                long hb = stub.count("Heartbeat");
                long mv = stub.count("MeterValues");
                assertThat(hb - mv).as("alternation: per charger heartbeats - meter values is 0 or 1").isBetween(0L, 50L);
                assertThat(mv).isGreaterThan(50);
                break;
            }
            case "transactions": {
                assertThat(stub.actions.keySet()).containsExactlyInAnyOrder("BootNotification", "StartTransaction",
                        "MeterValues", "StopTransaction");
                long start = stub.count("StartTransaction");
                long stop = stub.count("StopTransaction");
                long mv = stub.count("MeterValues");
                assertThat(stop).isGreaterThan(50);
                assertThat(start - stop).as("at most one open transaction per charger").isBetween(0L, 50L);
                assertThat(mv).isBetween(3 * stop, 3 * start);
                break;
            }
            default:
                throw new AssertionError(scenario);
        }
    }

    @Test
    void callErrorsAreCountedAndFailTheRun() throws Exception {
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.errorAction = "Heartbeat";
        stub(c);
        Run r = execute(args("heartbeat", 10));

        assertThat(r.exitCode()).isEqualTo(1);
        long callErrors = r.calls("callErrors");
        assertThat(callErrors).isEqualTo(stub.count("Heartbeat")).isGreaterThan(10);
        assertThat(r.errorsByKind()).containsOnlyKeys("CALLERROR:InternalError");
        assertThat(((Number) r.errorsByKind().get("CALLERROR:InternalError")).longValue()).isEqualTo(callErrors);
        assertThat(r.calls("answered")).isEqualTo(r.calls("sent"));
        assertThat(r.calls("results")).isEqualTo(10); // the BootNotifications
        assertThat(r.out()).contains("FAILED (exit 1)");
        assertThat(stub.outstandingViolations.sum()).isZero();
    }

    @Test
    void droppedConnectionsAreCountedAsUnexpectedClose() throws Exception {
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.dropAtCall = 3;
        c.dropConnections = 5;
        stub(c);
        Run r = execute(args("mixed", 20, "--call-timeout", "3s"));

        assertThat(r.exitCode()).isEqualTo(1);
        // Each dropped connection is one error: the charger sees the connection close while its call is out.
        assertThat(r.errorsByKind()).containsOnly(java.util.Map.entry("unexpected-close", 5L));
        assertThat(r.calls("timeouts")).isZero();
        assertThat(r.calls("lost")).isEqualTo(5);
        assertThat(r.calls("sent")).isEqualTo(r.calls("answered") + 5);
        assertThat(r.section("close")).containsEntry("clean", 15L);
        assertThat(stub.outstandingViolations.sum()).isZero();
    }

    @Test
    void unansweredCallsTimeOut() throws Exception {
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.silentAction = "Heartbeat";
        stub(c);
        Run r = execute(args("heartbeat", 5, "--call-timeout", "300ms", "--warmup", "0s", "--duration", "1s"));

        assertThat(r.exitCode()).isEqualTo(1);
        long timeouts = r.calls("timeouts");
        assertThat(timeouts).isGreaterThanOrEqualTo(5).isEqualTo(stub.count("Heartbeat"));
        assertThat(r.errorsByKind()).containsOnlyKeys("timeout");
        assertThat(((Number) r.errorsByKind().get("timeout")).longValue()).isEqualTo(timeouts);
        assertThat(r.calls("sent")).isEqualTo(r.calls("answered") + timeouts);
        // a charger waits for the timeout before its next call: at most about 1.3 s / 300 ms each
        assertThat(timeouts).isLessThanOrEqualTo(5 * 6);
    }

    @Test
    void callsFromTheCentralSystemAreAnsweredNotSupported() throws Exception {
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.callChargerAfterBoot = true;
        stub(c);
        Run r = execute(args("heartbeat", 10, "--duration", "1s"));

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.calls("incomingCalls")).isEqualTo(10);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stub.chargerAnswers.sum() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(stub.chargerAnswers.sum()).isEqualTo(10);
        assertThat(stub.outstandingViolations.sum()).isZero();
    }

    @Test
    void fragmentedAnswersAreJoined() throws Exception {
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.fragmentAnswers = true; // every answer comes as a text frame and two continuation frames
        stub(c);
        Run r = execute(args("mixed", 10, "--duration", "1s"));

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.errorTotal()).isZero();
        assertThat(r.calls("answered")).isEqualTo(r.calls("sent")).isEqualTo(stub.calls.sum()).isGreaterThan(20);
        assertCleanStub(10);
    }

    @Test
    void pingsAreAnswered() throws Exception {
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.pingIntervalSeconds = 1; // the stub drops a connection that has not answered a ping for 1.5 s
        stub(c);
        Run r = execute(args("heartbeat", 10, "--warmup", "0s", "--duration", "3s"));

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.errorTotal()).isZero();
        assertThat(stub.pongs.sum()).as("pongs the stub received").isGreaterThanOrEqualTo(10);
        assertThat(r.section("close")).containsEntry("clean", 10L);
    }

    @Test
    void wssWorksWithACertificateTheTrustStoreHolds(@TempDir Path dir) throws Exception {
        TestCertificates certs = new TestCertificates(dir, "ip:127.0.0.1");
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.tls = certs.serverContext();
        stub(c);
        assertThat(stub.url()).startsWith("wss://127.0.0.1:");
        Run r = withTrustStore(certs.trustStore, () -> execute(args("mixed", 10, "--duration", "1s")));

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.errorTotal()).isZero();
        assertThat(r.calls("answered")).isEqualTo(r.calls("sent")).isEqualTo(stub.calls.sum()).isGreaterThan(20);
        assertThat(r.section("close")).containsEntry("clean", 10L);
        assertCleanStub(10);
        assertClosedCleanly(10);
    }

    @Test
    void wssRefusesAnUntrustedCertificateOrOneForAnotherHost(@TempDir Path dir) throws Exception {
        TestCertificates certs = new TestCertificates(dir, "dns:localhost"); // the URL names 127.0.0.1
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.tls = certs.serverContext();
        stub(c);
        String[] a = args("heartbeat", 3, "--warmup", "0s", "--duration", "500ms");

        Run otherHost = withTrustStore(certs.trustStore, () -> execute(a)); // trusted, but not for 127.0.0.1
        Run untrusted = execute(a); // the JDK's default trust store does not know the certificate
        for (Run r : List.of(otherHost, untrusted)) {
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.connect("failed")).isEqualTo(3);
            assertThat(r.section("connect").get("errors").toString()).contains("SSLHandshakeException");
        }
        assertThat(stub.opened.sum()).isZero();
    }

    private interface RunCall {
        Run call() throws Exception;
    }

    /** Runs with the JDK's default trust store replaced by {@code trustStore}, then restores the properties. */
    private static Run withTrustStore(Path trustStore, RunCall body) throws Exception {
        String[] keys = {"javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType"};
        String[] values = {trustStore.toString(), TestCertificates.PASSWORD, "PKCS12"};
        String[] old = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            old[i] = System.getProperty(keys[i]);
            System.setProperty(keys[i], values[i]);
        }
        try {
            return body.call();
        } finally {
            for (int i = 0; i < keys.length; i++) {
                if (old[i] == null) {
                    System.clearProperty(keys[i]);
                } else {
                    System.setProperty(keys[i], old[i]);
                }
            }
        }
    }

    @Test
    void rateLimitRoughlyHolds() throws Exception {
        stub(new StubCentralSystem.Config());
        Run r = execute(args("heartbeat", 50, "--rate", "200"));

        assertThat(r.exitCode()).as(r.out()).isZero();
        double perSecond = ((Number) r.section("calls").get("perSecond")).doubleValue();
        // loose bounds: CI machines are small and noisy
        assertThat(perSecond).isBetween(100.0, 300.0);
        // 2.5 s at 200/s is 500 calls; unlimited would be many thousands
        assertThat(r.calls("sent")).isBetween(250L, 800L);
        assertThat(r.section("latencyMs")).containsEntry("coordinatedOmissionCorrected", true);
        assertThat(r.out()).contains("service ms");
        assertThat(stub.outstandingViolations.sum()).isZero();
    }

    @Test
    void jsonReportContainsTheFields(@TempDir Path dir) throws Exception {
        stub(new StubCentralSystem.Config());
        Path file = dir.resolve("sub/report.json");
        long pid = ProcessHandle.current().pid();
        Run r = execute(args("mixed", 10, "--duration", "1s", "--json", file.toString(),
                "--gateway-pid", Long.toString(pid)));
        assertThat(r.exitCode()).as(r.out()).isZero();

        @SuppressWarnings("unchecked")
        Map<String, Object> json = RunState.JSON.readValue(Files.readString(file), Map.class);
        assertThat(json).isEqualTo(r.json());
        assertThat(json).containsKeys("tool", "scenario", "url", "chargers", "rate", "durationS", "warmupS",
                "connect", "calls", "latencyMs", "serviceTimeMs", "errors", "warnings", "close", "gateway", "ok",
                "exitCode");
        assertThat(json).containsEntry("scenario", "mixed").containsEntry("chargers", 10L).containsEntry("ok", true);
        assertThat(r.section("connect")).containsKeys("timeMs", "connected", "failed", "errors");
        assertThat(r.section("calls")).containsKeys("sent", "answered", "results", "callErrors", "timeouts", "lost",
                "perSecond", "measuredAnswered");
        assertThat(r.section("latencyMs")).containsKeys("count", "p50", "p90", "p99", "p999", "max", "mean");
        assertThat(r.section("errors")).containsKeys("total", "byKind");
        Map<String, Object> gateway = r.section("gateway");
        assertThat(gateway).containsEntry("pid", pid);
        long rss = ((Number) gateway.get("rssKiB")).longValue();
        assertThat(rss).isPositive();
        assertThat(((Number) gateway.get("rssMaxKiB")).longValue()).isGreaterThanOrEqualTo(rss);
        // VmHWM is read after the close, VmRSS before it; the kernel does not raise the high-water mark for
        // every page, so only one read could be compared with another of the same moment.
        assertThat(((Number) gateway.get("hwmKiB")).longValue()).isPositive();
        assertThat(r.out()).contains("gateway rss", "latency ms", "throughput", "OK (exit 0)");
    }

    @Test
    void handshakeWithoutOcppSubprotocolIsRefusedByTheStub() throws Exception {
        stub(new StubCentralSystem.Config());
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create(stub.url() + "NOPROTO");
        assertThatThrownBy(() -> client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() { }).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class);
        assertThat(stub.refusedHandshakes.sum()).isEqualTo(1);
        WebSocket ws = client.newWebSocketBuilder().subprotocols("ocpp1.6")
                .buildAsync(URI.create(stub.url() + "WITHPROTO"), new WebSocket.Listener() { }).join();
        assertThat(ws.getSubprotocol()).isEqualTo("ocpp1.6");
        ws.sendClose(1000, "").join();
    }

    @Test
    void serverThatDoesNotSelectOcpp16FailsTheConnects() throws Exception {
        StubCentralSystem.Config c = new StubCentralSystem.Config();
        c.requireOcppProtocol = false;
        c.selectOcppProtocol = false;
        stub(c);
        Run r = execute(args("heartbeat", 5, "--duration", "500ms"));

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.connect("failed")).isEqualTo(5);
        assertThat(r.connect("connected")).isZero();
        assertThat(r.calls("sent")).isZero();
        assertThat(stub.calls.sum()).isZero();
    }

    @Test
    void nothingListeningMeansFailedConnectsAndExitCode1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = execute("--url", "ws://127.0.0.1:" + port + "/ocpp/", "--chargers", "3", "--duration", "500ms",
                "--warmup", "0s");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.connect("failed")).isEqualTo(3);
        assertThat(r.section("connect").get("errors").toString()).contains("connection-refused");
        assertThat(r.out()).contains("0/3 connected");
    }

    @Test
    void usageErrorsExitWith2() throws Exception {
        Run r = execute("--chargers", "zero");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--chargers expects an integer");
        assertThat(execute("--scenario", "nope").exitCode()).isEqualTo(2);
        assertThat(execute("--url", "http://127.0.0.1:9000/").exitCode()).isEqualTo(2);
        Run help = execute("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--connect-concurrency", "--gateway-pid", "--json", "transactions");
    }
}
