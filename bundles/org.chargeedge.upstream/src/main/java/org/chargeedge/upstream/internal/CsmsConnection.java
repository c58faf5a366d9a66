package org.chargeedge.upstream.internal;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.chargeedge.tls.TlsFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One charger's WebSocket to the CSMS, under the charger's identity: connects, reconnects with
 * backoff, and tells whether the peer is still there. Knows nothing of OCPP: it hands whole text
 * frames to its {@link Events} and sends what it is given.
 *
 * <p>A CSMS that stops answering but keeps its TCP connection open is noticed two ways: the owner
 * aborts the connection when a call times out in flight ({@link #abort}), and this class pings
 * after {@code pingInterval} of silence and aborts after twice that with nothing heard (no frame,
 * no pong). Aborting makes the gateway answer locally at once and reconnect with backoff, so a
 * message is never sent twice on one connection.
 *
 * <p>Threads: the JDK client calls the listener one callback at a time per socket, on its own
 * threads; reconnects and pings run on the shared scheduler; {@link #send} and {@link #abort} come
 * from any thread. The socket, the send chain, the attempt count and the silence clock are guarded
 * by this object's monitor, held only to read or change them: events are delivered outside it.
 */
final class CsmsConnection {

    /** What the owner learns of the connection. Called outside the monitor. */
    interface Events {
        /** The WebSocket is open; frames may be sent. */
        void opened();

        /** A whole text frame arrived (one at a time per connection, in order). */
        void text(String text);

        /** The WebSocket is gone (closed by either side, failed, or aborted); a reconnect follows unless closed. */
        void down(String reason);

        /** Attempt {@code attempt} (1 = first) to connect failed; returns the wait before the next one. */
        Duration attemptFailed(Throwable cause, int attempt);
    }

    private static final Logger LOG = LoggerFactory.getLogger(CsmsConnection.class);
    private static final String SUBPROTOCOL = "ocpp1.6";

    private final String chargePointId;
    private final Settings settings;
    private final LinkClients clients;
    private final ScheduledExecutorService scheduler;
    private final Events events;

    // Guarded by this.
    private WebSocket socket;
    private int attempt;
    private boolean closed;
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private long lastHeardNanos;
    private ScheduledFuture<?> liveness;

    CsmsConnection(String chargePointId, Settings settings, LinkClients clients, ScheduledExecutorService scheduler,
                   Events events) {
        this.chargePointId = chargePointId;
        this.settings = settings;
        this.clients = clients;
        this.scheduler = scheduler;
        this.events = events;
    }

    void connect() {
        synchronized (this) {
            if (closed || socket != null) {
                return;
            }
        }
        HttpClient http;
        try {
            // Read again here when the client certificate's files changed (a renewal).
            http = clients.client(chargePointId);
        } catch (TlsFileException e) {
            failed(e);
            return;
        }
        WebSocket.Builder builder = http.newWebSocketBuilder().subprotocols(SUBPROTOCOL)
                .connectTimeout(settings.callTimeout());
        settings.authorization(chargePointId).ifPresent(h -> builder.header("Authorization", h));
        try {
            builder.buildAsync(settings.uri(chargePointId), new Listener()).whenComplete((ws, e) -> {
                if (e != null) {
                    failed(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                } else {
                    opened(ws);
                }
            });
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void opened(WebSocket ws) {
        synchronized (this) {
            if (closed) {
                ws.abort();
                return;
            }
            socket = ws;
            attempt = 0;
            sendTail = CompletableFuture.completedFuture(null);
            lastHeardNanos = System.nanoTime();
            long interval = settings.pingInterval().toMillis();
            if (interval > 0) {
                liveness = scheduler.scheduleWithFixedDelay(() -> checkLiveness(ws), interval, interval,
                        TimeUnit.MILLISECONDS);
            }
        }
        events.opened();
    }

    private void failed(Throwable e) {
        int failures;
        synchronized (this) {
            if (closed) {
                return;
            }
            failures = ++attempt;
        }
        Duration delay = events.attemptFailed(e, failures);
        scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The socket ended; the first report for a socket wins. */
    private void down(WebSocket ws, String reason) {
        boolean reconnect;
        synchronized (this) {
            if (socket != ws || socket == null) {
                return;
            }
            socket = null;
            if (liveness != null) {
                liveness.cancel(false);
                liveness = null;
            }
            reconnect = !closed;
            attempt = 1;
        }
        events.down(reason);
        if (reconnect) {
            Duration delay = settings.backoff(1, ThreadLocalRandom.current().nextDouble());
            LOG.warn("{}: upstream link down ({}); answering locally, reconnecting in {} ms", chargePointId, reason,
                    delay.toMillis());
            scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Drops the connection at once, without a closing handshake (the peer may not be reading): for a
     * CSMS that stopped answering. A reconnect follows.
     */
    void abort(String reason) {
        WebSocket ws;
        synchronized (this) {
            ws = socket;
        }
        if (ws != null) {
            down(ws, reason);
            ws.abort();
        }
    }

    /** Closes for good (the charger disconnected, or the component stops). */
    void close() {
        WebSocket ws;
        synchronized (this) {
            closed = true;
            ws = socket;
        }
        if (ws != null) {
            down(ws, "closed by the gateway");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((w, e) -> ws.abort());
        }
    }

    /** Sends a text frame after those already on their way; false when the connection is gone. */
    boolean send(String text) {
        synchronized (this) {
            WebSocket ws = socket;
            if (ws == null) {
                return false;
            }
            // java.net.http allows one outstanding send per socket: chain them.
            sendTail = sendTail.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true))
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            down(ws, "send failed: " + e);
                        }
                    });
            return true;
        }
    }

    synchronized boolean open() {
        return socket != null;
    }

    private void heard() {
        synchronized (this) {
            lastHeardNanos = System.nanoTime();
        }
    }

    private void checkLiveness(WebSocket ws) {
        long interval = settings.pingInterval().toNanos();
        long silence;
        synchronized (this) {
            if (socket != ws) {
                return;
            }
            silence = System.nanoTime() - lastHeardNanos;
            if (silence < interval) {
                return;
            }
            if (silence < 2 * interval) {
                sendTail = sendTail.handle((v, e) -> null).thenCompose(v -> ws.sendPing(ByteBuffer.allocate(0)));
                return;
            }
        }
        abort("nothing heard from the CSMS for " + silence / 1_000_000 + " ms, not even a pong");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            heard();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    events.text(text);
                } catch (RuntimeException e) {
                    LOG.error("{}: upstream frame not handled: {}", chargePointId, text, e);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            heard();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            heard();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            down(ws, "closed by the CSMS (" + statusCode + (reason.isEmpty() ? "" : " " + reason) + ")");
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            down(ws, error.toString());
        }
    }
}
