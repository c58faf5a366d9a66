package org.chargeedge.upstream.internal;

import java.net.InetAddress;
import java.net.Socket;
import java.net.ServerSocket;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import eu.chargetime.ocpp.AuthenticationException;
import eu.chargetime.ocpp.JSONServer;
import eu.chargetime.ocpp.ServerEvents;
import eu.chargetime.ocpp.feature.profile.ServerCoreEventHandler;
import eu.chargetime.ocpp.feature.profile.ServerCoreProfile;
import eu.chargetime.ocpp.feature.profile.ServerSmartChargingProfile;
import eu.chargetime.ocpp.model.Confirmation;
import eu.chargetime.ocpp.model.Request;
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
 * An independent OCPP 1.6J central system (ChargeTimeEU JSONServer) standing in for the cloud
 * CSMS: it issues its own transaction ids (from 7001), keeps every request it received in order,
 * and can be told to refuse idTags or to fail MeterValues.
 */
final class Csms implements AutoCloseable {

    static final int BOOT_INTERVAL = 123;
    static final int FIRST_ID = 7001;

    record Received(String chargePointId, String action, Request request) {}

    final List<Received> received = new CopyOnWriteArrayList<>();
    /** idTag (upper case) to the status the CSMS gives it; Accepted when absent. */
    final Map<String, AuthorizationStatus> statuses = new ConcurrentHashMap<>();
    /** MeterValues requests answered with a CALLERROR before the next ones are accepted. */
    final AtomicInteger failMeterValues = new AtomicInteger();
    /** MeterValues answered with a CALLERROR so far. */
    final AtomicInteger refusedMeterValues = new AtomicInteger();
    /** "user:password" of each handshake that carried HTTP Basic credentials, as the server decoded them. */
    final List<String> credentials = new CopyOnWriteArrayList<>();
    /** HTTP status the handshake is refused with; 0 accepts. */
    final AtomicInteger refuseWith = new AtomicInteger();
    private final AtomicInteger nextId = new AtomicInteger(FIRST_ID);
    /** While set, every handler waits for it before it records and answers: a CSMS that hangs, its connections open. */
    private volatile java.util.concurrent.CountDownLatch hung;
    private final Map<String, UUID> sessions = new ConcurrentHashMap<>();
    private final JSONServer server;
    private final WriteRaceRepair repair;
    private final int port;

    Csms() throws Exception {
        ServerCoreProfile core = new ServerCoreProfile(new Handler());
        server = new JSONServer(core);
        server.addFeatureProfile(new ServerSmartChargingProfile());
        server.addFeatureProfile(new eu.chargetime.ocpp.feature.profile.ServerLocalAuthListProfile());
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        server.open("127.0.0.1", port, new ServerEvents() {
            @Override
            public void authenticateSession(SessionInformation information, String username, byte[] password)
                    throws AuthenticationException {
                // Null without an Authorization header; the server itself refuses passwords outside 16-20 bytes.
                if (username != null) {
                    credentials.add(username + ":" + new String(password, java.nio.charset.StandardCharsets.UTF_8));
                }
                int refuse = refuseWith.get();
                if (refuse != 0) {
                    throw new AuthenticationException(refuse, "refused by the test");
                }
            }

            @Override
            public void newSession(UUID session, SessionInformation information) {
                // The identifier is the whole path.
                String path = information.getIdentifier();
                sessions.put(path.substring(path.lastIndexOf('/') + 1), session);
            }

            @Override
            public void lostSession(UUID session) {
                sessions.values().remove(session);
            }
        });
        repair = new WriteRaceRepair(server);
        // open() returns before the port is bound.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                break;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    int port() {
        return port;
    }

    boolean connected(String chargePointId) {
        return sessions.containsKey(chargePointId);
    }

    /** A CSMS-initiated call to the charger, through its session. */
    Confirmation send(String chargePointId, Request request) throws Exception {
        UUID session = sessions.get(chargePointId);
        if (session == null) {
            throw new IllegalStateException(chargePointId + " has no session at the CSMS");
        }
        return server.send(session, request).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** Action names received from a charger, in order. */
    List<String> actions(String chargePointId) {
        return received.stream().filter(r -> r.chargePointId().equals(chargePointId)).map(Received::action).toList();
    }

    @SuppressWarnings("unchecked")
    <T extends Request> List<T> of(String chargePointId, Class<T> type) {
        return received.stream().filter(r -> r.chargePointId().equals(chargePointId) && type.isInstance(r.request()))
                .map(r -> (T) r.request()).toList();
    }

    private String chargePointOf(UUID session) {
        return sessions.entrySet().stream().filter(e -> e.getValue().equals(session)).map(Map.Entry::getKey)
                .findFirst().orElse("?");
    }

    private IdTagInfo info(String idTag) {
        return new IdTagInfo(statuses.getOrDefault(idTag.toUpperCase(), AuthorizationStatus.Accepted));
    }

    /** Stops answering, keeping every connection open (a frozen process, a stuck database). */
    void hang() {
        hung = new java.util.concurrent.CountDownLatch(1);
    }

    /** Answers again: what waited is processed now. */
    void resume() {
        java.util.concurrent.CountDownLatch h = hung;
        hung = null;
        if (h != null) {
            h.countDown();
        }
    }

    @Override
    public void close() {
        resume();
        repair.close();
        server.close();
    }

    private final class Handler implements ServerCoreEventHandler {
        private void record(UUID session, String action, Request request) {
            java.util.concurrent.CountDownLatch h = hung;
            if (h != null) {
                try {
                    h.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            received.add(new Received(chargePointOf(session), action, request));
        }

        @Override
        public AuthorizeConfirmation handleAuthorizeRequest(UUID session, AuthorizeRequest request) {
            record(session, "Authorize", request);
            return new AuthorizeConfirmation(info(request.getIdTag()));
        }

        @Override
        public BootNotificationConfirmation handleBootNotificationRequest(UUID session, BootNotificationRequest request) {
            record(session, "BootNotification", request);
            return new BootNotificationConfirmation(ZonedDateTime.now(), BOOT_INTERVAL, RegistrationStatus.Accepted);
        }

        @Override
        public DataTransferConfirmation handleDataTransferRequest(UUID session, DataTransferRequest request) {
            record(session, "DataTransfer", request);
            return new DataTransferConfirmation(DataTransferStatus.Accepted);
        }

        @Override
        public HeartbeatConfirmation handleHeartbeatRequest(UUID session, HeartbeatRequest request) {
            record(session, "Heartbeat", request);
            return new HeartbeatConfirmation(ZonedDateTime.now());
        }

        @Override
        public MeterValuesConfirmation handleMeterValuesRequest(UUID session, MeterValuesRequest request) {
            if (failMeterValues.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                refusedMeterValues.incrementAndGet();
                throw new IllegalStateException("the CSMS refuses this MeterValues");
            }
            record(session, "MeterValues", request);
            return new MeterValuesConfirmation();
        }

        @Override
        public StartTransactionConfirmation handleStartTransactionRequest(UUID session, StartTransactionRequest request) {
            record(session, "StartTransaction", request);
            return new StartTransactionConfirmation(info(request.getIdTag()), nextId.getAndIncrement());
        }

        @Override
        public StatusNotificationConfirmation handleStatusNotificationRequest(UUID session,
                                                                              StatusNotificationRequest request) {
            record(session, "StatusNotification", request);
            return new StatusNotificationConfirmation();
        }

        @Override
        public StopTransactionConfirmation handleStopTransactionRequest(UUID session, StopTransactionRequest request) {
            record(session, "StopTransaction", request);
            return new StopTransactionConfirmation();
        }
    }
}
