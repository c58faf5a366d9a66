package org.chargeedge.centralsystem.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket side of the central system: accepts or refuses handshakes and
 * hands text frames of accepted connections to the {@link Listener}. Knows
 * nothing of OCPP messages.
 *
 * <p>Threads: Java-WebSocket runs one selector thread and {@code ioThreads}
 * worker threads; each connection is served by one worker, so its frames
 * arrive in order on one thread.
 */
final class OcppWebSocketServer extends WebSocketServer {

    private static final Logger LOG = LoggerFactory.getLogger(OcppWebSocketServer.class);
    static final String SUBPROTOCOL = "ocpp1.6";
    private static final String PROTOCOL_HEADER = "Sec-WebSocket-Protocol";

    interface Listener {
        void opened(WebSocket connection, String chargePointId);

        void text(WebSocket connection, String text);

        void closed(WebSocket connection, int code, String reason, boolean remote);

        /** The peer answered a ping. */
        void pong(WebSocket connection);
    }

    private final ChargePointIds ids;
    private final Listener listener;
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    OcppWebSocketServer(InetSocketAddress address, int ioThreads, int maxMessageSize, ChargePointIds ids,
                        Listener listener) {
        // ocpp1.6 first so it is the one negotiated when offered; the catch-all "" lets a handshake
        // without it reach onWebsocketHandshakeReceivedAsServer, where it is refused with a logged reason.
        super(address, ioThreads, List.of(new Draft_6455(List.of(),
                List.of(new Protocol(SUBPROTOCOL), new Protocol("")), maxMessageSize)));
        this.ids = ids;
        this.listener = listener;
        setReuseAddr(true);
        setTcpNoDelay(true);
    }

    /** Completes when the port accepts connections, or fails if it cannot be bound. */
    CompletableFuture<Void> started() {
        return started;
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn, Draft draft,
                                                                       ClientHandshake request)
            throws InvalidDataException {
        ChargePointIds.Check check = ids.check(request.getResourceDescriptor());
        String offered = request.hasFieldValue(PROTOCOL_HEADER) ? request.getFieldValue(PROTOCOL_HEADER) : "";
        String refusal = check.refusal();
        if (refusal == null && !(draft instanceof Draft_6455 d && d.getProtocol() != null
                && SUBPROTOCOL.equals(d.getProtocol().getProvidedProtocol()))) {
            refusal = "subprotocol " + SUBPROTOCOL + " not offered";
        }
        if (refusal != null) {
            LOG.warn("Refused connection from {}: path '{}', charge point id '{}', offered subprotocols '{}': {}",
                    conn.getRemoteSocketAddress(), request.getResourceDescriptor(),
                    check.chargePointId() == null ? "" : check.chargePointId(), offered, refusal);
            throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, refusal);
        }
        return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        ChargePointIds.Check check = ids.check(handshake.getResourceDescriptor());
        if (!check.accepted()) {
            // Checked at the handshake already; kept for safety if the configuration changed in between.
            conn.close(CloseFrame.POLICY_VALIDATION, check.refusal());
            return;
        }
        listener.opened(conn, check.chargePointId());
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        listener.text(conn, message);
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        LOG.warn("{}: binary frame refused, OCPP-J uses text frames only", conn.getRemoteSocketAddress());
        conn.close(CloseFrame.REFUSE, "OCPP-J uses text frames only");
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata frame) {
        super.onWebsocketPong(conn, frame);
        listener.pong(conn);
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        listener.closed(conn, code, reason, remote);
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        if (conn == null) {
            if (!started.completeExceptionally(ex)) {
                LOG.error("WebSocket server error", ex);
            }
        } else {
            LOG.warn("{}: connection error: {}", conn.getRemoteSocketAddress(), ex.toString());
        }
    }

    /**
     * Works around a race in Java-WebSocket 1.6.0: a frame queued by a thread
     * other than the selector while the selector finishes writing can be left
     * without write interest on its key, so it waits for the next read or ping
     * (a charger would wait up to a minute for its answer, a close frame would
     * not leave). A connection with frames queued and no write interest is in
     * that state: its write demand is announced again. Called at a fixed
     * interval by the central system's timer thread.
     */
    void repairStalledWrites() {
        for (WebSocket connection : getConnections()) {
            if (!(connection instanceof WebSocketImpl impl) || impl.outQueue.isEmpty()) {
                continue;
            }
            SelectionKey key = impl.getSelectionKey();
            try {
                if (key != null && key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) == 0
                        && !impl.outQueue.isEmpty()) {
                    onWriteDemand(connection);
                }
            } catch (CancelledKeyException e) {
                // closed meanwhile: nothing left to write
            }
        }
    }

    @Override
    public void onStart() {
        started.complete(null);
    }
}
