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

import org.chargeedge.centralsystem.internal.TestPki;
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
 * An installer's mistake: the upstream's {@code caFile} names a file that is not there, or
 * {@code clientKeyFile} the key of another certificate. The gateway (a child process on the shipped
 * configuration, a CSMS over wss:// with a test CA; for the client certificate, a CSMS that requires
 * one, OCPP security profile 3) says so as an ERROR naming the key and the fix, the shell shows the
 * link misconfigured, and the site charges locally. Once the configuration names the right file,
 * the CSMS gets the charger's BootNotification and every transaction message answered meanwhile,
 * once and in order. The files are read inside the gateway's OSGi framework, by
 * {@code org.chargeedge.tls} with the Bouncy Castle bundles.
 */
class MisconfiguredUpstreamIT {

    private static final String CP = "MISCONF-1";

    private final Path work = GatewayRuntime.itDir().resolve("MisconfiguredUpstreamIT");
    private final int port = GatewayRuntime.freePort();
    private final int csmsPort = GatewayRuntime.freePort();
    private Process gateway;
    private TestPki.Issued csmsCertificate;
    private RecordingCsms csms;
    private Path log;

    @BeforeEach
    void prepare() throws Exception {
        GatewayRuntime.deleteTree(work);
        Files.createDirectories(work.resolve("config"));
        GatewayRuntime.copyShippedConfig(work.resolve("config"));
        TestPki ca = new TestPki("Site CSMS CA");
        ca.writeCa(work.resolve("csms-ca.pem"));
        csmsCertificate = ca.server("localhost", List.of("localhost", "127.0.0.1"));
    }

    private void upstreamConfig(String... lines) throws IOException {
        Files.writeString(work.resolve("config").resolve("org.chargeedge.upstream.cfg"), String.join("\n",
                "url = wss://127.0.0.1:" + csmsPort + "/csms",
                "reconnectMinMillis = 100",
                "reconnectMaxMillis = 500",
                String.join("\n", lines),
                ""));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (gateway != null) {
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (csms != null) {
            csms.close();
        }
    }

    @Test
    void aMissingCaFileIsSaidLoudlyAndNothingAnsweredMeanwhileIsLost() throws Exception {
        csms = new RecordingCsms(csmsPort, 80001, csmsCertificate.serverContext());
        upstreamConfig("caFile = " + work.resolve("no-such-ca.pem"));
        misconfiguredUntilFixed(List.of("caFile", "no-such-ca.pem"), "caFile = " + work.resolve("csms-ca.pem"));
    }

    @Test
    void aClientKeyOfAnotherCertificateIsSaidLoudlyAndProfile3DeliversOnceFixed() throws Exception {
        TestPki chargers = new TestPki("Site Charger CA");
        csms = new RecordingCsms(csmsPort, 80001, csmsCertificate.serverContext(chargers.certificate()), true);
        chargers.client(CP).writeSec1(work.resolve("gateway.crt"), work.resolve("gateway.key"));
        chargers.client("ANOTHER").writeSec1(work.resolve("another.crt"), work.resolve("another.key"));
        String caFile = "caFile = " + work.resolve("csms-ca.pem");
        String certificate = "clientCertificateFile = " + work.resolve("gateway.crt");
        upstreamConfig(caFile, certificate, "clientKeyFile = " + work.resolve("another.key"));
        misconfiguredUntilFixed(List.of("clientKeyFile", "another.key", "does not belong to the certificate"),
                caFile, certificate, "clientKeyFile = " + work.resolve("gateway.key"));
        assertThat(log()).contains("Upstream client certificate: CN=" + CP + ", issued by ");
    }

    /**
     * The gateway starts on the configuration written, says it is misconfigured with {@code words},
     * answers the charger locally; then the configuration becomes {@code fixed}, and the CSMS gets it all.
     */
    private void misconfiguredUntilFixed(List<String> words, String... fixed) throws Exception {
        log = work.resolve("gateway.log");
        gateway = GatewayRuntime.startProcess(work, work.resolve("data"), log,
                Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port)), true);
        waitFor("the configuration error", 30, () -> logContains("Upstream link misconfigured, not started"));
        assertThat(log()).contains("ERROR", "Fix:").contains(words);

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

            upstreamConfig(fixed);
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
