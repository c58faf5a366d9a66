package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import eu.chargetime.ocpp.JSONServer;
import eu.chargetime.ocpp.ServerEvents;
import eu.chargetime.ocpp.feature.profile.ServerCoreEventHandler;
import eu.chargetime.ocpp.feature.profile.ServerCoreProfile;
import eu.chargetime.ocpp.model.SessionInformation;
import eu.chargetime.ocpp.model.core.AuthorizationStatus;
import eu.chargetime.ocpp.model.core.AuthorizeConfirmation;
import eu.chargetime.ocpp.model.core.AuthorizeRequest;
import eu.chargetime.ocpp.model.core.BootNotificationConfirmation;
import eu.chargetime.ocpp.model.core.BootNotificationRequest;
import eu.chargetime.ocpp.model.core.DataTransferConfirmation;
import eu.chargetime.ocpp.model.core.DataTransferRequest;
import eu.chargetime.ocpp.model.core.DataTransferStatus;
import eu.chargetime.ocpp.model.core.HeartbeatConfirmation;
import eu.chargetime.ocpp.model.core.HeartbeatRequest;
import eu.chargetime.ocpp.model.core.IdTagInfo;
import eu.chargetime.ocpp.model.core.MeterValuesConfirmation;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.RegistrationStatus;
import eu.chargetime.ocpp.model.core.StartTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StatusNotificationConfirmation;
import eu.chargetime.ocpp.model.core.StatusNotificationRequest;
import eu.chargetime.ocpp.model.core.StopTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * The gateway as a child process with CHARGEEDGE_UPSTREAM_URL, killed with SIGKILL during an
 * outage of its CSMS (a ChargeTimeEU central system in this JVM, started only after the kill):
 * after the restart and the charger's reconnection the CSMS has the transaction's start, meter
 * values and stop exactly once, in order, under its own id.
 */
class UpstreamOutageIT {

    private static final String CP = "OUTAGE-1";
    private static final int METER_VALUES = 20;

    private Path work;
    private Path data;
    private int port;
    private int csmsPort;
    private final List<Process> processes = new ArrayList<>();
    private JSONServer csms;
    private org.chargeedge.upstream.internal.WriteRaceRepair csmsRepair;
    /** What the CSMS received, in order; written by its worker threads. */
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void prepare() throws IOException {
        work = GatewayRuntime.itDir().resolve("UpstreamOutageIT");
        if (Files.exists(work)) {
            GatewayRuntime.deleteTree(work);
        }
        data = work.resolve("data");
        Files.createDirectories(work.resolve("config"));
        port = GatewayRuntime.freePort();
        csmsPort = GatewayRuntime.freePort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (csms != null) {
            csmsRepair.close();
            csms.close();
        }
    }

    @Test
    void aGatewayKilledDuringTheOutageDeliversEverythingOnceWhenTheCsmsReturns() throws Exception {
        Process first = startGateway(1);
        List<Integer> ids = new ArrayList<>();
        try (OcppTestClient cp = OcppTestClient.connect(port, CP)) {
            cp.boot("Vendor", "Model", "1.0");
            int tx = cp.callResult("StartTransaction", OcppTestClient.object().put("connectorId", 1)
                    .put("idTag", "TAG-1").put("meterStart", 0).put("timestamp", "2025-03-01T10:00:00Z"))
                    .get("transactionId").asInt();
            ids.add(tx);
            for (int i = 1; i <= METER_VALUES; i++) {
                cp.callResult("MeterValues", meterValues(tx, i));
            }
            cp.callResult("StopTransaction", OcppTestClient.object().put("transactionId", tx).put("meterStop", 999)
                    .put("timestamp", "2025-03-01T11:00:00Z"));
        }
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();

        startCsms();
        startGateway(2);
        try (OcppTestClient cp = OcppTestClient.connect(port, CP)) {
            cp.heartbeat();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.stream().noneMatch(r -> r.startsWith("Stop"))) {
                assertThat(System.nanoTime()).as("the replay within 30 s; received %s", received).isLessThan(deadline);
                Thread.sleep(50);
            }
            Thread.sleep(500); // anything sent twice would arrive now
        }
        List<String> expected = new ArrayList<>();
        expected.add("Start:TAG-1:2025-03-01T10:00:00Z");
        for (int i = 1; i <= METER_VALUES; i++) {
            expected.add("MeterValues:7001:" + i);
        }
        expected.add("Stop:7001");
        assertThat(received.stream().filter(r -> !r.startsWith("Boot") && !r.startsWith("Status")
                && !r.startsWith("Heartbeat")).toList()).containsExactlyElementsOf(expected);
        assertThat(ids).doesNotContain(7001);
    }

    private static ObjectNode meterValues(int tx, int i) {
        ObjectNode payload = OcppTestClient.object().put("connectorId", 1).put("transactionId", tx);
        ObjectNode value = payload.putArray("meterValue").addObject()
                .put("timestamp", String.format("2025-03-01T10:%02d:00Z", i));
        value.putArray("sampledValue").addObject().put("value", String.valueOf(i));
        return payload;
    }

    private void startCsms() throws Exception {
        AtomicInteger nextId = new AtomicInteger(7001);
        csms = new JSONServer(new ServerCoreProfile(new ServerCoreEventHandler() {
            @Override
            public AuthorizeConfirmation handleAuthorizeRequest(UUID s, AuthorizeRequest r) {
                return new AuthorizeConfirmation(new IdTagInfo(AuthorizationStatus.Accepted));
            }

            @Override
            public BootNotificationConfirmation handleBootNotificationRequest(UUID s, BootNotificationRequest r) {
                received.add("Boot");
                return new BootNotificationConfirmation(ZonedDateTime.now(), 300, RegistrationStatus.Accepted);
            }

            @Override
            public DataTransferConfirmation handleDataTransferRequest(UUID s, DataTransferRequest r) {
                return new DataTransferConfirmation(DataTransferStatus.Accepted);
            }

            @Override
            public HeartbeatConfirmation handleHeartbeatRequest(UUID s, HeartbeatRequest r) {
                received.add("Heartbeat");
                return new HeartbeatConfirmation(ZonedDateTime.now());
            }

            @Override
            public MeterValuesConfirmation handleMeterValuesRequest(UUID s, MeterValuesRequest r) {
                received.add("MeterValues:" + r.getTransactionId() + ":"
                        + r.getMeterValue()[0].getSampledValue()[0].getValue());
                return new MeterValuesConfirmation();
            }

            @Override
            public StartTransactionConfirmation handleStartTransactionRequest(UUID s, StartTransactionRequest r) {
                received.add("Start:" + r.getIdTag() + ":" + r.getTimestamp().toInstant());
                return new StartTransactionConfirmation(new IdTagInfo(AuthorizationStatus.Accepted),
                        nextId.getAndIncrement());
            }

            @Override
            public StatusNotificationConfirmation handleStatusNotificationRequest(UUID s, StatusNotificationRequest r) {
                received.add("Status");
                return new StatusNotificationConfirmation();
            }

            @Override
            public StopTransactionConfirmation handleStopTransactionRequest(UUID s, StopTransactionRequest r) {
                received.add("Stop:" + r.getTransactionId());
                return new StopTransactionConfirmation();
            }
        }));
        csmsRepair = new org.chargeedge.upstream.internal.WriteRaceRepair(csms);
        csms.open("127.0.0.1", csmsPort, new ServerEvents() {
            @Override
            public void authenticateSession(SessionInformation information, String username, byte[] password) {
            }

            @Override
            public void newSession(UUID session, SessionInformation information) {
            }

            @Override
            public void lostSession(UUID session) {
            }
        });
        // open() returns before the port is bound.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), csmsPort)) {
                return;
            } catch (IOException e) {
                assertThat(System.nanoTime()).as("the CSMS listening").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    private Process startGateway(int n) throws Exception {
        Path log = work.resolve("gateway-" + n + ".log");
        Process p = GatewayRuntime.startProcess(work, data, log, Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port),
                "CHARGEEDGE_UPSTREAM_URL", "ws://127.0.0.1:" + csmsPort + "/csms"));
        processes.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log, StandardCharsets.UTF_8).contains("Upstream link to")) {
            assertThat(System.nanoTime()).as("the upstream link component within 30 s in:\n%s", Files.readString(log))
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
        return p;
    }
}
