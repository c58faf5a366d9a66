package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

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
 * After a power cut every charger reconnects the moment the gateway's port opens. The gateway (a
 * child process, on the shipped configuration with a CSMS upstream) is started {@value #STARTS}
 * times on the same data directory; each time a charger tries to connect every 20 ms from the
 * moment the process starts, and runs a whole transaction on its first connection at once. Every
 * call gets a CALLRESULT, and the CSMS gets each transaction's start, meter values and stop exactly
 * once, in order, after the charger's BootNotification.
 */
class StartupRaceIT {

    private static final int STARTS = 20;
    private static final String CP = "RACE-1";
    private static final int CSMS_FIRST_ID = 50001;

    private final Path work = GatewayRuntime.itDir().resolve("StartupRaceIT");
    private final int port = GatewayRuntime.freePort();
    private final int csmsPort = GatewayRuntime.freePort();
    private Process gateway;
    private RecordingCsms csms;

    @BeforeEach
    void prepare() throws Exception {
        GatewayRuntime.deleteTree(work);
        Path config = work.resolve("config");
        Files.createDirectories(config);
        GatewayRuntime.copyShippedConfig(config);
        Files.writeString(config.resolve("org.chargeedge.upstream.cfg"), String.join("\n",
                "url = ws://127.0.0.1:" + csmsPort + "/csms",
                "reconnectMinMillis = 100",
                "reconnectMaxMillis = 500",
                ""));
        csms = new RecordingCsms(csmsPort, CSMS_FIRST_ID);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (gateway != null) {
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        csms.close();
    }

    @Test
    void aChargerConnectingTheMomentThePortOpensHasItsTransactionDeliveredOnce() throws Exception {
        List<Long> connectedAfterMillis = new ArrayList<>();
        for (int run = 0; run < STARTS; run++) {
            Path log = work.resolve("gateway-" + run + ".log");
            long started = System.nanoTime();
            gateway = GatewayRuntime.startProcess(work, work.resolve("data"), log,
                    Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port)));
            OcppTestClient cp = connectAsSoonAsPossible(log);
            connectedAfterMillis.add((System.nanoTime() - started) / 1_000_000);
            try (cp) {
                Instant t = Instant.parse("2025-05-01T08:00:00Z").plusSeconds(3600L * run);
                expectResult(cp, "BootNotification", OcppTestClient.object().put("chargePointVendor", "Race")
                        .put("chargePointModel", "M"));
                int tx = expectResult(cp, "StartTransaction", OcppTestClient.object().put("connectorId", 1)
                        .put("idTag", "TAG-" + run).put("meterStart", run).put("timestamp", t.toString()))
                        .get("transactionId").asInt();
                ObjectNode reading = OcppTestClient.object().put("connectorId", 1).put("transactionId", tx);
                reading.putArray("meterValue").addObject().put("timestamp", t.plusSeconds(60).toString())
                        .putArray("sampledValue").addObject().put("value", String.valueOf(run));
                expectResult(cp, "MeterValues", reading);
                expectResult(cp, "StopTransaction", OcppTestClient.object().put("transactionId", tx)
                        .put("meterStop", run + 100).put("timestamp", t.plusSeconds(120).toString()));
                int expectedStops = run + 1;
                waitFor("run " + run + ": the stop at the CSMS (log " + log + ")", 20,
                        () -> count(StopTransactionRequest.class) >= expectedStops);
            }
            gateway.destroy();
            assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).as("run %d: the gateway stops on SIGTERM", run).isTrue();
        }
        Thread.sleep(300); // a late duplicate would arrive now

        List<Request> all = csms.of(CP);
        for (int run = 0; run < STARTS; run++) {
            String tag = "TAG-" + run;
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                Request r = all.get(i);
                if (r instanceof StartTransactionRequest s && s.getIdTag().equals(tag)
                        || r instanceof MeterValuesRequest m
                        && m.getMeterValue()[0].getSampledValue()[0].getValue().equals(String.valueOf(run))
                        || r instanceof StopTransactionRequest s2 && s2.getMeterStop() == run + 100) {
                    at.add(i);
                }
            }
            assertThat(at).as("run %d: start, meter values and stop, each once", run).hasSize(3);
            assertThat(all.get(at.get(0))).as("run %d: the start first", run).isInstanceOf(StartTransactionRequest.class);
            assertThat(all.get(at.get(1))).isInstanceOf(MeterValuesRequest.class);
            assertThat(all.get(at.get(2))).as("run %d: the stop last", run).isInstanceOf(StopTransactionRequest.class);
            assertThat(all.subList(0, at.get(0))).as("run %d: a BootNotification before the start", run)
                    .anyMatch(BootNotificationRequest.class::isInstance);
        }
        assertThat(count(StartTransactionRequest.class)).isEqualTo(STARTS);
        assertThat(count(MeterValuesRequest.class)).isEqualTo(STARTS);
        assertThat(count(StopTransactionRequest.class)).isEqualTo(STARTS);
        System.out.printf("StartupRaceIT: the charger connected %s ms after the process started%n",
                connectedAfterMillis);
    }

    private long count(Class<?> type) {
        return csms.of(CP).stream().filter(type::isInstance).count();
    }

    /** Tries every 20 ms from now on, as a charger after a power cut does. */
    private OcppTestClient connectAsSoonAsPossible(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return OcppTestClient.connect(port, CP);
            } catch (Exception e) {
                if (System.nanoTime() > deadline || !gateway.isAlive()) {
                    throw new AssertionError("the gateway never accepted the charger; log " + log, e);
                }
                Thread.sleep(20);
            }
        }
    }

    private static JsonNode expectResult(OcppTestClient cp, String action, ObjectNode payload) throws Exception {
        JsonNode answer = cp.call(action, payload);
        assertThat(answer.get(0).asInt()).as("%s answered with %s", action, answer).isEqualTo(3);
        return answer.get(2);
    }

    private static void waitFor(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %d s", what, seconds).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

}
