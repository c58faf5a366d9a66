package org.chargeedge.it;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import eu.chargetime.ocpp.JSONServer;
import eu.chargetime.ocpp.ServerEvents;
import eu.chargetime.ocpp.feature.profile.ServerCoreEventHandler;
import eu.chargetime.ocpp.feature.profile.ServerCoreProfile;
import eu.chargetime.ocpp.model.Confirmation;
import eu.chargetime.ocpp.model.Request;
import eu.chargetime.ocpp.model.SessionInformation;
import eu.chargetime.ocpp.model.core.AuthorizationStatus;
import eu.chargetime.ocpp.model.core.AuthorizeConfirmation;
import eu.chargetime.ocpp.model.core.BootNotificationConfirmation;
import eu.chargetime.ocpp.model.core.DataTransferConfirmation;
import eu.chargetime.ocpp.model.core.DataTransferStatus;
import eu.chargetime.ocpp.model.core.HeartbeatConfirmation;
import eu.chargetime.ocpp.model.core.IdTagInfo;
import eu.chargetime.ocpp.model.core.MeterValuesConfirmation;
import eu.chargetime.ocpp.model.core.RegistrationStatus;
import eu.chargetime.ocpp.model.core.StartTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StatusNotificationConfirmation;
import eu.chargetime.ocpp.model.core.StopTransactionConfirmation;

/**
 * A cloud CSMS for the process tests: ChargeTimeEU's JSON central system (an independent OCPP
 * implementation) that answers every core call at once, gives transaction ids from
 * {@code firstId} on, and records every request it receives with the charger's path, in arrival
 * order.
 */
final class RecordingCsms implements AutoCloseable {

    /** A request the CSMS received; {@code session} is the path the charger's link connected on. */
    record Received(String session, Request request) {
    }

    private final JSONServer server;
    private final org.chargeedge.upstream.internal.WriteRaceRepair repair;
    /** Written by the server's worker threads, read by the test. */
    final List<Received> received = new CopyOnWriteArrayList<>();
    /** Sessions by id, to name the charger of each request; written on new sessions. */
    private final java.util.Map<java.util.UUID, String> sessions = new java.util.concurrent.ConcurrentHashMap<>();

    RecordingCsms(int port, int firstId) throws Exception {
        this(port, firstId, null);
    }

    /** With {@code tls}, it serves wss:// with that context's certificate. */
    RecordingCsms(int port, int firstId, javax.net.ssl.SSLContext tls) throws Exception {
        this(port, firstId, tls, false);
    }

    /**
     * With {@code needClientAuth}, the TLS handshake requires a client certificate of a CA that
     * {@code tls}'s trust managers trust (OCPP security profile 3).
     */
    RecordingCsms(int port, int firstId, javax.net.ssl.SSLContext tls, boolean needClientAuth) throws Exception {
        AtomicInteger nextId = new AtomicInteger(firstId);
        IdTagInfo accepted = new IdTagInfo(AuthorizationStatus.Accepted);
        ServerCoreEventHandler handler = (ServerCoreEventHandler) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServerCoreEventHandler.class}, (proxy, method, args) -> {
                    received.add(new Received(sessions.getOrDefault((java.util.UUID) args[0], "?"),
                            (Request) args[1]));
                    Confirmation answer = switch (method.getName()) {
                        case "handleStartTransactionRequest" ->
                                new StartTransactionConfirmation(accepted, nextId.getAndIncrement());
                        case "handleMeterValuesRequest" -> new MeterValuesConfirmation();
                        case "handleStopTransactionRequest" -> new StopTransactionConfirmation();
                        case "handleBootNotificationRequest" ->
                                new BootNotificationConfirmation(ZonedDateTime.now(), 300, RegistrationStatus.Accepted);
                        case "handleHeartbeatRequest" -> new HeartbeatConfirmation(ZonedDateTime.now());
                        case "handleStatusNotificationRequest" -> new StatusNotificationConfirmation();
                        case "handleAuthorizeRequest" -> new AuthorizeConfirmation(accepted);
                        case "handleDataTransferRequest" -> new DataTransferConfirmation(DataTransferStatus.Accepted);
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                    return answer;
                });
        server = new JSONServer(new ServerCoreProfile(handler));
        if (tls != null && needClientAuth) {
            javax.net.ssl.SSLParameters parameters = tls.getDefaultSSLParameters();
            parameters.setNeedClientAuth(true);
            server.enableWSS(new eu.chargetime.ocpp.wss.WssFactoryBuilder() {
                @Override
                public org.java_websocket.WebSocketServerFactory build() {
                    return new org.java_websocket.server.SSLParametersWebSocketServerFactory(tls, parameters);
                }

                @Override
                public void verify() {
                    // The context and parameters are given.
                }
            });
        } else if (tls != null) {
            server.enableWSS(tls);
        }
        repair = new org.chargeedge.upstream.internal.WriteRaceRepair(server);
        server.open("127.0.0.1", port, new ServerEvents() {
            @Override
            public void authenticateSession(SessionInformation information, String username, byte[] password) {
            }

            @Override
            public void newSession(java.util.UUID session, SessionInformation information) {
                sessions.put(session, information.getIdentifier());
            }

            @Override
            public void lostSession(java.util.UUID session) {
            }
        });
        // open() returns before the port is bound.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the CSMS does not listen on " + port, e);
                }
                Thread.sleep(10);
            }
        }
    }

    /** What the charger whose link path ends with {@code chargePointId} sent, in arrival order. */
    List<Request> of(String chargePointId) {
        return received.stream().filter(r -> r.session().endsWith("/" + chargePointId)).map(Received::request)
                .toList();
    }

    @Override
    public void close() {
        repair.close();
        server.close();
    }
}
