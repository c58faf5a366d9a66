package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.chargeedge.upstream.internal.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import eu.chargetime.ocpp.model.Request;
import eu.chargetime.ocpp.model.core.BootNotificationRequest;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * An installer's mistake: the upstream's {@code caFile} names a file that is not there. The gateway
 * (a child process on the shipped configuration, a CSMS over wss:// with a test CA) says so as an
 * ERROR naming the key and the fix, the shell shows the link misconfigured, and the site charges
 * locally. Once the configuration names the right file, the CSMS gets the charger's BootNotification
 * and every transaction message answered meanwhile, once and in order.
 */
class MisconfiguredUpstreamIT {

    private static final String CP = "MISCONF-1";

    private final Path work = GatewayRuntime.itDir().resolve("MisconfiguredUpstreamIT");
    private final int port = GatewayRuntime.freePort();
    private final int csmsPort = GatewayRuntime.freePort();
    private Process gateway;
    private RecordingCsms csms;
    private Path log;

    @BeforeEach
    void prepare() throws Exception {
        GatewayRuntime.deleteTree(work);
        Files.createDirectories(work.resolve("config"));
        GatewayRuntime.copyShippedConfig(work.resolve("config"));
        TestPki ca = new TestPki("Site CSMS CA");
        ca.writeCa(work.resolve("csms-ca.pem"));
        csms = new RecordingCsms(csmsPort, 80001, ca.server("localhost", List.of("localhost", "127.0.0.1"))
                .serverContext());
        upstreamConfig(work.resolve("no-such-ca.pem"));
    }

    private void upstreamConfig(Path caFile) throws IOException {
        Files.writeString(work.resolve("config").resolve("org.chargeedge.upstream.cfg"), String.join("\n",
                "url = wss://127.0.0.1:" + csmsPort + "/csms",
                "caFile = " + caFile,
                "reconnectMinMillis = 100",
                "reconnectMaxMillis = 500",
                ""));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (gateway != null) {
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        csms.close();
    }

    @Test
    void aMissingCaFileIsSaidLoudlyAndNothingAnsweredMeanwhileIsLost() throws Exception {
        log = work.resolve("gateway.log");
        gateway = GatewayRuntime.startProcess(work, work.resolve("data"), log,
                Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port)), true);
        waitFor("the configuration error", 30, () -> logContains("Upstream link misconfigured, not started"));
        assertThat(log()).contains("ERROR", "caFile", "no-such-ca.pem", "Fix:");

        try (OcppTestClient cp = connect()) {
            cp.boot("Acme", "Wallbox", "1.0");
            int tx = result(cp, "StartTransaction", OcppTestClient.object().put("connectorId", 1).put("idTag", "TAG-1")
                    .put("meterStart", 100).put("timestamp", "2026-12-01T08:00:00Z")).get("transactionId").asInt();
            ObjectNode reading = OcppTestClient.object().put("connectorId", 1).put("transactionId", tx);
            reading.putArray("meterValue").addObject().put("timestamp", "2026-12-01T08:05:00Z")
                    .putArray("sampledValue").addObject().put("value", "150");
            result(cp, "MeterValues", reading);
            result(cp, "StopTransaction", OcppTestClient.object().put("transactionId", tx).put("meterStop", 900)
                    .put("timestamp", "2026-12-01T09:00:00Z"));

            shell("chargeedge:upstream");
            waitFor("the shell's answer", 10, () -> logContains("upstream link MISCONFIGURED"));
            assertThat(csms.of(CP)).as("nothing reached the CSMS").isEmpty();

            upstreamConfig(work.resolve("csms-ca.pem"));
            waitFor("the stop at the CSMS", 30, () -> csms.of(CP).stream()
                    .anyMatch(StopTransactionRequest.class::isInstance));
            Thread.sleep(500); // a duplicate would arrive now
        }
        List<Request> got = csms.of(CP);
        assertThat(got.get(0)).as("the charger's boot first").isInstanceOf(BootNotificationRequest.class);
        List<Request> transaction = got.stream().filter(r -> r instanceof StartTransactionRequest
                || r instanceof MeterValuesRequest || r instanceof StopTransactionRequest).toList();
        assertThat(transaction).hasSize(3);
        assertThat(transaction.get(0)).isInstanceOf(StartTransactionRequest.class);
        assertThat(transaction.get(1)).isInstanceOf(MeterValuesRequest.class);
        assertThat(transaction.get(2)).isInstanceOf(StopTransactionRequest.class);
        assertThat(((StopTransactionRequest) transaction.get(2)).getTransactionId()).as("under the CSMS's id")
                .isEqualTo(80001);
    }

    private OcppTestClient connect() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                return OcppTestClient.connect(port, CP);
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static JsonNode result(OcppTestClient cp, String action, ObjectNode payload) throws Exception {
        JsonNode answer = cp.call(action, payload);
        assertThat(answer.get(0).asInt()).as("%s answered with %s", action, answer).isEqualTo(3);
        return answer.get(2);
    }

    private void shell(String command) throws IOException {
        gateway.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        gateway.getOutputStream().flush();
    }

    private String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private boolean logContains(String text) {
        return log().contains(text);
    }

    private static void waitFor(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %d s", what, seconds).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
