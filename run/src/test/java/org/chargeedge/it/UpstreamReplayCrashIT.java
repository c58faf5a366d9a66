package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * The gateway as a child process, killed with SIGKILL in the middle of a rate-limited replay to a
 * ChargeTimeEU CSMS in this JVM, then restarted on the same data directory: the CSMS ends up with
 * the transaction's start once and first, every meter value in order, the stop once and last, all
 * under its own id. The only repeats allowed are those the upstream readme documents: meter values
 * around the kill point (answered ones whose acknowledgement had not committed, at most
 * {@value #ACK_WINDOW}, and the one in flight), sent again right after the restart.
 */
class UpstreamReplayCrashIT {

    private static final String CP = "CRASH-1";
    private static final int METER_VALUES = 200;
    private static final int KILL_AFTER = 60;
    private static final int RATE = 50;
    /** Delivery.WINDOW in org.chargeedge.upstream: answered messages whose acknowledgement may be lost. */
    private static final int ACK_WINDOW = 1000;
    private static final int CSMS_FIRST_ID = 90001;

    private final Path work = GatewayRuntime.itDir().resolve("UpstreamReplayCrashIT");
    /** The gateway's OCPP port and the CSMS's, fixed for both gateway processes. */
    private final int port = GatewayRuntime.freePort();
    private final int csmsPort = GatewayRuntime.freePort();
    private final List<Process> gateways = new ArrayList<>();
    private RecordingCsms csms;

    @BeforeEach
    void prepare() throws IOException {
        GatewayRuntime.deleteTree(work);
        Files.createDirectories(work.resolve("config"));
        // Quick reconnects, a replay slow enough to be cut in the middle, the CSMS given time to answer.
        Files.writeString(work.resolve("config").resolve("org.chargeedge.upstream.cfg"), String.join("\n",
                "url = ws://127.0.0.1:" + csmsPort + "/csms",
                "reconnectMinMillis = 100",
                "reconnectMaxMillis = 300",
                "replayRatePerSecond = " + RATE,
                "callTimeoutMillis = 10000",
                ""));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Process g : gateways) {
            g.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (csms != null) {
            csms.close();
        }
    }

    @Test
    void aGatewayKilledDuringTheReplayDeliversEverythingAfterItsRestart() throws Exception {
        Process first = gateway(1);
        int chargerTx;
        int atKill;
        try (OcppTestClient cp = OcppTestClient.connect(port, CP)) {
            cp.boot("Vendor", "Model", "1.0");
            chargerTx = cp.callResult("StartTransaction", OcppTestClient.object().put("connectorId", 1)
                    .put("idTag", "TAG-9").put("meterStart", 0).put("timestamp", "2025-04-01T08:00:00Z"))
                    .get("transactionId").asInt();
            for (int i = 1; i <= METER_VALUES; i++) {
                cp.callResult("MeterValues", reading(chargerTx, i));
            }
            cp.callResult("StopTransaction", OcppTestClient.object().put("transactionId", chargerTx)
                    .put("meterStop", 5000).put("timestamp", "2025-04-01T12:00:00Z"));

            // The charger stays connected, so its link replays as soon as the CSMS is back.
            startCsms();
            waitFor("the CSMS receiving " + KILL_AFTER + " transaction messages", 15, () -> record().size() >= KILL_AFTER);
            first.destroyForcibly();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            atKill = record().size();
        }
        assertThat(record().get(atKill - 1)).as("killed in the middle of the meter values")
                .isInstanceOf(MeterValuesRequest.class);

        gateway(2);
        try (OcppTestClient cp = OcppTestClient.connect(port, CP)) {
            assertThat(cp.heartbeat().has("currentTime")).isTrue();
            waitFor("the stop at the CSMS", 20, () -> record().stream().anyMatch(StopTransactionRequest.class::isInstance));
            Thread.sleep(500); // a duplicate would arrive now
        }

        List<Object> all = record();
        assertThat(all.get(0)).as("the start comes first").isInstanceOf(StartTransactionRequest.class);
        assertThat(all.stream().filter(StartTransactionRequest.class::isInstance)).as("starts").hasSize(1);
        assertThat(all.get(all.size() - 1)).as("the stop comes last").isInstanceOf(StopTransactionRequest.class);
        assertThat(all.stream().filter(StopTransactionRequest.class::isInstance)).as("stops").hasSize(1);
        StartTransactionRequest start = (StartTransactionRequest) all.get(0);
        assertThat(start.getIdTag()).isEqualTo("TAG-9");
        assertThat(start.getTimestamp().toInstant()).hasToString("2025-04-01T08:00:00Z");
        StopTransactionRequest stop = (StopTransactionRequest) all.get(all.size() - 1);
        assertThat(stop.getTransactionId()).as("the stop under the CSMS's id").isEqualTo(CSMS_FIRST_ID);
        assertThat(chargerTx).as("the charger's id is the gateway's").isNotEqualTo(CSMS_FIRST_ID);

        List<Integer> values = new ArrayList<>();
        for (Object r : all.subList(1, all.size() - 1)) {
            MeterValuesRequest mv = (MeterValuesRequest) r;
            assertThat(mv.getTransactionId()).as("meter values under the CSMS's id").isEqualTo(CSMS_FIRST_ID);
            values.add(Integer.valueOf(mv.getMeterValue()[0].getSampledValue()[0].getValue()));
        }
        // Before the kill: 1..k in order. After it: j..200 in order, j <= k + 1 (k - j + 1 meter values
        // sent again, only those the first gateway had sent, at most the acknowledgement window plus the
        // one in flight).
        int beforeKill = atKill - 1;
        List<Integer> sentBefore = values.subList(0, beforeKill);
        List<Integer> afterKill = values.subList(beforeKill, values.size());
        assertThat(sentBefore).as("meter values before the kill").isEqualTo(range(1, beforeKill));
        assertThat(afterKill).as("meter values after the restart").isNotEmpty();
        int resumedAt = afterKill.get(0);
        assertThat(resumedAt).as("the restart resumes at or before the first value the CSMS lacks")
                .isBetween(Math.max(1, beforeKill + 1 - ACK_WINDOW - 1), beforeKill + 1);
        assertThat(afterKill).as("meter values after the restart").isEqualTo(range(resumedAt, METER_VALUES));
        System.out.printf("UpstreamReplayCrashIT: killed after %d messages at the CSMS; %d meter values sent again%n",
                atKill, beforeKill + 1 - resumedAt);
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            r.add(i);
        }
        return r;
    }

    private static ObjectNode reading(int tx, int i) {
        ObjectNode payload = OcppTestClient.object().put("connectorId", 1).put("transactionId", tx);
        payload.putArray("meterValue").addObject()
                .put("timestamp", String.format("2025-04-01T09:%02d:%02dZ", i / 60, i % 60))
                .putArray("sampledValue").addObject().put("value", String.valueOf(i));
        return payload;
    }

    private static void waitFor(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %d s", what, seconds).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private void startCsms() throws Exception {
        csms = new RecordingCsms(csmsPort, CSMS_FIRST_ID);
    }

    /** The CSMS's record of transaction messages, in arrival order. */
    private List<Object> record() {
        return csms.of(CP).stream().filter(r -> r instanceof StartTransactionRequest || r instanceof MeterValuesRequest
                || r instanceof StopTransactionRequest).map(Object.class::cast).toList();
    }

    /** Gateway {@code n} on the shared data directory, once its upstream component is active. */
    private Process gateway(int n) throws Exception {
        Path log = work.resolve("gateway-" + n + ".log");
        Process p = GatewayRuntime.startProcess(work, work.resolve("data"), log,
                Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port)));
        gateways.add(p);
        waitFor("the upstream link component", 30, () -> {
            try {
                return Files.readString(log, StandardCharsets.UTF_8).contains("Upstream link to");
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }
}
