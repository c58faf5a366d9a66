package org.chargeedge.upstream.internal;

import org.chargeedge.centralsystem.internal.TestPki;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.WrappedByteChannel;
import org.java_websocket.drafts.Draft;
import org.java_websocket.interfaces.ISSLChannel;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.DefaultWebSocketServerFactory;
import org.java_websocket.server.SSLParametersWebSocketServerFactory;

import eu.chargetime.ocpp.AuthenticationException;
import eu.chargetime.ocpp.JSONServer;
import eu.chargetime.ocpp.ServerEvents;
import eu.chargetime.ocpp.wss.WssFactoryBuilder;
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
 *
 * <p>It serves {@code ws://}, or {@code wss://} with a given TLS context (ChargeTimeEU's
 * {@code enableWSS}), and can be restarted on the same port with another certificate, as an
 * operator renewing it does ({@link #restart}); what it received is kept. A charger given a
 * password that presents other HTTP Basic credentials (user: the charge point id) is refused with
 * 401. The ChargeTimeEU server asks {@link ServerEvents#authenticateSession} only about handshakes
 * that carry credentials (one without is let in), and refuses passwords outside 16 to 20 bytes
 * itself (with 404), so the passwords of these tests have 16 bytes.
 *
 * <p>Over {@code wss://} it can require a client certificate (OCPP security profile 3): the TLS
 * context's trust managers decide which CAs it accepts ({@link TestPki.Issued#serverContext}); the
 * subjects of the certificates that got through are kept ({@link #clientCertificates}).
 *
 * <p>Java-WebSocket, under the ChargeTimeEU server, answers every refused handshake with 404,
 * whatever status the refusal named. With TLS or passwords, this CSMS therefore makes its own
 * connections ({@link StatusFactory}): a handshake refused with a status goes out with that
 * status, 401 with {@code WWW-Authenticate}. The plain CSMS of {@code new Csms()} answers as
 * Java-WebSocket does.
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
    /** Handshakes refused, as "charge point id: status". */
    final List<String> refusals = new CopyOnWriteArrayList<>();
    /** The subject of each client certificate a connection presented, in order. */
    final List<String> clientCertificates = new CopyOnWriteArrayList<>();
    /** Connections accepted (TCP), whatever became of their TLS and WebSocket handshakes. */
    final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger nextId = new AtomicInteger(FIRST_ID);
    /** While set, every handler waits for it before it records and answers: a CSMS that hangs, its connections open. */
    private volatile java.util.concurrent.CountDownLatch hung;
    private final Map<String, UUID> sessions = new ConcurrentHashMap<>();
    /** Charge point id to the password it must present. */
    private final Map<String, String> passwords;
    /** Whether this CSMS makes its own connections (see {@link StatusFactory}). */
    private final boolean ownConnections;
    /** Whether the TLS handshake requires a client certificate. */
    private final boolean needClientAuth;
    /** Refused handshakes whose answer is not written yet, by the client's address: the status to write. */
    private final Map<SocketAddress, Integer> refusing = new ConcurrentHashMap<>();
    private final int port;
    private volatile JSONServer server;
    private volatile WriteRaceRepair repair;

    /** A plain ws:// CSMS that accepts every charger. */
    Csms() throws Exception {
        this(null, Map.of());
    }

    /**
     * @param tls the server's TLS context (its certificate), for wss://; null for ws://
     * @param passwords charge point id to the password it must present (16 to 20 bytes)
     */
    Csms(SSLContext tls, Map<String, String> passwords) throws Exception {
        this(tls, passwords, false);
    }

    /**
     * @param needClientAuth whether the TLS handshake requires a client certificate (of a CA that
     *                       {@code tls}'s trust managers trust)
     */
    Csms(SSLContext tls, Map<String, String> passwords, boolean needClientAuth) throws Exception {
        this.passwords = Map.copyOf(passwords);
        this.ownConnections = tls != null || !passwords.isEmpty();
        this.needClientAuth = needClientAuth;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        open(tls);
    }

    private void open(SSLContext tls) throws Exception {
        ServerCoreProfile core = new ServerCoreProfile(new Handler());
        JSONServer opened = new JSONServer(core);
        opened.addFeatureProfile(new ServerSmartChargingProfile());
        opened.addFeatureProfile(new eu.chargetime.ocpp.feature.profile.ServerLocalAuthListProfile());
        if (ownConnections) {
            opened.enableWSS(new StatusFactory(tls));
        }
        opened.open("127.0.0.1", port, new ServerEvents() {
            @Override
            public void authenticateSession(SessionInformation information, String username, byte[] password)
                    throws AuthenticationException {
                // Null without an Authorization header; the server itself refuses passwords outside 16-20 bytes.
                String presented = password == null ? null : new String(password, StandardCharsets.UTF_8);
                if (username != null) {
                    credentials.add(username + ":" + presented);
                }
                String chargePointId = chargePointId(information.getIdentifier());
                int refuse = refuseWith.get();
                String required = passwords.get(chargePointId);
                if (refuse == 0 && required != null
                        && !(chargePointId.equals(username) && required.equals(presented))) {
                    refuse = 401;
                }
                if (refuse != 0) {
                    refusals.add(chargePointId + ": " + refuse);
                    if (ownConnections && information.getAddress() != null) {
                        refusing.put(information.getAddress(), refuse);
                    }
                    throw new AuthenticationException(refuse, "refused by the test");
                }
            }

            @Override
            public void newSession(UUID session, SessionInformation information) {
                sessions.put(chargePointId(information.getIdentifier()), session);
            }

            @Override
            public void lostSession(UUID session) {
                sessions.values().remove(session);
            }
        });
        server = opened;
        repair = new WriteRaceRepair(opened);
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

    /** The identifier is the whole path; the charge point id is its last segment. */
    private static String chargePointId(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * Stops the CSMS (its connections close) and starts it again on the same port with another TLS
     * context, as an operator renewing the certificate does. What it received is kept.
     */
    void restart(SSLContext tls) throws Exception {
        if (!ownConnections || tls == null) {
            throw new IllegalStateException("only a wss:// CSMS is restarted with another certificate");
        }
        stop();
        sessions.clear();
        refusing.clear();
        // The listening socket is closed when the server's thread ends; wait for the port to be free.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                break;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
        open(tls);
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
        stop();
    }

    private void stop() {
        repair.close();
        server.close();
    }

    /**
     * The CSMS's connections: Java-WebSocket's own (plain or TLS), each behind a {@link StatusChannel}
     * that writes a refused handshake's status in place of Java-WebSocket's 404. Given to the server
     * through {@code enableWSS}, the one way ChargeTimeEU offers to set the server's connection factory.
     */
    private final class StatusFactory implements WssFactoryBuilder {
        private final SSLContext tls;

        StatusFactory(SSLContext tls) {
            this.tls = tls;
        }

        @Override
        public WebSocketServerFactory build() {
            WebSocketServerFactory made = tls == null ? new DefaultWebSocketServerFactory()
                    : needClientAuth ? new SSLParametersWebSocketServerFactory(tls, clientAuth(tls))
                    : new DefaultSSLWebSocketServerFactory(tls);
            return new WebSocketServerFactory() {
                @Override
                public WebSocketImpl createWebSocket(WebSocketAdapter adapter, Draft draft) {
                    return made.createWebSocket(adapter, draft);
                }

                @Override
                public WebSocketImpl createWebSocket(WebSocketAdapter adapter, List<Draft> drafts) {
                    return made.createWebSocket(adapter, drafts);
                }

                @Override
                public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws java.io.IOException {
                    connections.incrementAndGet();
                    return new StatusChannel(made.wrapChannel(channel, key), channel.socket().getRemoteSocketAddress());
                }

                @Override
                public void close() {
                    made.close();
                }
            };
        }

        @Override
        public void verify() {
            // Nothing to check: a null context means plain ws://.
        }

        private static SSLParameters clientAuth(SSLContext tls) {
            SSLParameters parameters = tls.getDefaultSSLParameters();
            parameters.setNeedClientAuth(true);
            return parameters;
        }
    }

    /**
     * A connection's channel (plaintext side) that, when the handshake of this client was refused
     * with a status, writes that status instead of the 404 Java-WebSocket answers every refusal with.
     * The refusal is recorded by {@code authenticateSession} before the 404 is queued, on the same
     * worker thread, so it is there when the answer is written.
     */
    private final class StatusChannel implements WrappedByteChannel {
        private static final byte[] NOT_FOUND = "HTTP/1.1 404 ".getBytes(StandardCharsets.US_ASCII);

        private final ByteChannel channel;
        private final SocketAddress client;
        private boolean answered;

        StatusChannel(ByteChannel channel, SocketAddress client) {
            this.channel = channel;
            this.client = client;
        }

        @Override
        public int write(ByteBuffer src) throws java.io.IOException {
            if (!answered) {
                // The first bytes written are the answer to the handshake, after the TLS handshake.
                answered = true;
                recordClientCertificate();
                Integer status = client == null ? null : refusing.remove(client);
                if (status != null && startsWith(src, NOT_FOUND)) {
                    int consumed = src.remaining();
                    src.position(src.limit());
                    ByteBuffer answer = ByteBuffer.wrap(refusal(status).getBytes(StandardCharsets.US_ASCII));
                    for (int tries = 0; answer.hasRemaining() && tries < 1000; tries++) {
                        channel.write(answer);
                    }
                    return consumed;
                }
            }
            return channel.write(src);
        }

        private void recordClientCertificate() {
            if (channel instanceof ISSLChannel ssl) {
                try {
                    java.security.cert.Certificate[] peer = ssl.getSSLEngine().getSession().getPeerCertificates();
                    if (peer.length > 0 && peer[0] instanceof X509Certificate x) {
                        clientCertificates.add(x.getSubjectX500Principal().getName());
                    }
                } catch (SSLPeerUnverifiedException e) {
                    // No client certificate: not asked for.
                }
            }
        }

        private static boolean startsWith(ByteBuffer src, byte[] prefix) {
            if (src.remaining() < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (src.get(src.position() + i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        private static String refusal(int status) {
            String reason = status == 401 ? "Unauthorized" : status == 403 ? "Forbidden"
                    : status == 503 ? "Service Unavailable" : "Refused";
            return "HTTP/1.1 " + status + " " + reason + "\r\n"
                    + (status == 401 ? "WWW-Authenticate: Basic realm=\"ocpp\"\r\n" : "")
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n";
        }

        @Override
        public int read(ByteBuffer dst) throws java.io.IOException {
            return channel.read(dst);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws java.io.IOException {
            channel.close();
        }

        @Override
        public boolean isNeedWrite() {
            return channel instanceof WrappedByteChannel w && w.isNeedWrite();
        }

        @Override
        public void writeMore() throws java.io.IOException {
            if (channel instanceof WrappedByteChannel w) {
                w.writeMore();
            }
        }

        @Override
        public boolean isNeedRead() {
            return channel instanceof WrappedByteChannel w && w.isNeedRead();
        }

        @Override
        public int readMore(ByteBuffer dst) throws java.io.IOException {
            return channel instanceof WrappedByteChannel w ? w.readMore(dst) : 0;
        }

        @Override
        public boolean isBlocking() {
            if (channel instanceof WrappedByteChannel w) {
                return w.isBlocking();
            }
            return channel instanceof java.nio.channels.SelectableChannel s && s.isBlocking();
        }
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
