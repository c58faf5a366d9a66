package org.chargeedge.upstream.internal;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.extensions.IExtension;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.Handshakedata;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.SSLParametersWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;

/**
 * A CSMS's WebSocket endpoint over TLS (Java-WebSocket), as far as the opening handshake: it serves
 * {@code /ocpp/CHARGER} for the chargers it knows (404 for others), checks their HTTP Basic
 * credentials when it has a password for them (401 with {@code WWW-Authenticate} when wrong or
 * missing), and accepts the subprotocol ocpp1.6. {@link #refuseWith} makes it answer every
 * handshake with another status (503).
 *
 * <p>Java-WebSocket answers a handshake its listener refuses with 404 whatever the reason; the 401
 * and other statuses are written by {@link StatusDraft} in place of its 101 answer.
 */
final class TlsCsms extends WebSocketServer implements AutoCloseable {

    private static final String STATUS = "X-Test-Status";

    /** Charge point id to password; a charger with an empty password needs none. */
    private final Map<String, String> chargers;
    /** Answer every handshake with this HTTP status; 0: as usual. */
    final AtomicInteger refuseWith = new AtomicInteger();
    /** Charge point ids whose WebSocket opened. */
    final List<String> opened = new CopyOnWriteArrayList<>();
    private final Set<WebSocket> refused = ConcurrentHashMap.newKeySet();
    private final CountDownLatch started = new CountDownLatch(1);

    /**
     * @param tls the server's TLS context; null for plain ws
     * @param protocols the TLS versions it accepts; none for the JDK's defaults
     */
    TlsCsms(SSLContext tls, Map<String, String> chargers, String... protocols) throws InterruptedException {
        this(tls, chargers, false, protocols);
    }

    /**
     * @param needClientAuth whether the TLS handshake requires a client certificate (one of a CA
     *                       that {@code tls}'s trust managers trust: OCPP security profile 3)
     */
    TlsCsms(SSLContext tls, Map<String, String> chargers, boolean needClientAuth, String... protocols)
            throws InterruptedException {
        super(new InetSocketAddress("127.0.0.1", 0), List.of(new StatusDraft(List.of(),
                List.of(new Protocol("ocpp1.6")))));
        this.chargers = Map.copyOf(chargers);
        if (tls != null) {
            SSLParameters parameters = tls.getDefaultSSLParameters();
            parameters.setNeedClientAuth(needClientAuth);
            if (protocols.length > 0) {
                parameters.setProtocols(protocols);
            }
            setWebSocketFactory(new SSLParametersWebSocketServerFactory(tls, parameters));
        }
        setReuseAddr(true);
        setConnectionLostTimeout(0);
        start();
        if (!started.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test CSMS did not start");
        }
    }

    /** The CSMS's URL as a site would configure it, with the host given. */
    String url(String scheme, String host) {
        return scheme + "://" + host + ":" + getPort() + "/ocpp";
    }

    URI uri(String host, String chargePointId) {
        return URI.create(url("wss", host) + "/" + chargePointId);
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn, Draft draft,
                                                                       ClientHandshake request)
            throws InvalidDataException {
        ServerHandshakeBuilder answer = super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
        int status = refuseWith.get();
        if (status != 0) {
            return refuse(conn, answer, status);
        }
        String path = request.getResourceDescriptor();
        String id = path.startsWith("/ocpp/") ? path.substring("/ocpp/".length()) : "";
        if (!chargers.containsKey(id)) {
            // Java-WebSocket's own refusal: 404.
            throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "unknown charge point " + path);
        }
        String password = chargers.get(id);
        if (!password.isEmpty()) {
            String expected = "Basic " + Base64.getEncoder().encodeToString((id + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(request.getFieldValue("Authorization"))) {
                return refuse(conn, answer, 401);
            }
        }
        return answer;
    }

    private ServerHandshakeBuilder refuse(WebSocket conn, ServerHandshakeBuilder answer, int status) {
        answer.put(STATUS, String.valueOf(status));
        refused.add(conn);
        return answer;
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        if (refused.remove(conn)) {
            // Java-WebSocket takes the refusal for an open socket; the client, which had an HTTP error
            // answer, closes it. Closing it here could drop the answer before it is written.
            return;
        }
        String path = handshake.getResourceDescriptor();
        opened.add(path.substring(path.lastIndexOf('/') + 1));
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        refused.remove(conn);
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        // The tests only open connections.
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        // Failed handshakes end here: that is what the tests make happen.
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    @Override
    public void close() {
        try {
            stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Draft 6455, writing an HTTP error status instead of 101 when the listener marked the answer so. */
    static final class StatusDraft extends Draft_6455 {

        StatusDraft(List<IExtension> extensions, List<IProtocol> protocols) {
            super(extensions, protocols);
        }

        @Override
        public List<ByteBuffer> createHandshake(Handshakedata handshake, boolean withContent) {
            if (handshake instanceof ServerHandshake && handshake.hasFieldValue(STATUS)) {
                int status = Integer.parseInt(handshake.getFieldValue(STATUS));
                String reason = status == 401 ? "Unauthorized" : status == 503 ? "Service Unavailable" : "Refused";
                String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                        + (status == 401 ? "WWW-Authenticate: Basic realm=\"ocpp\"\r\n" : "")
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n";
                return List.of(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            }
            return super.createHandshake(handshake, withContent);
        }

        @Override
        public Draft copyInstance() {
            List<IExtension> extensions = new ArrayList<>();
            for (IExtension e : getKnownExtensions()) {
                extensions.add(e.copyInstance());
            }
            List<IProtocol> protocols = new ArrayList<>();
            for (IProtocol p : getKnownProtocols()) {
                protocols.add(p.copyInstance());
            }
            return new StatusDraft(extensions, protocols);
        }
    }
}
