package org.chargeedge.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.chargeedge.loadgen.scenario.Call;
import org.chargeedge.loadgen.scenario.ChargerContext;
import org.chargeedge.loadgen.scenario.ChargerScript;
import org.chargeedge.loadgen.scenario.Feedback;
import org.chargeedge.loadgen.scenario.Payloads;

/**
 * One simulated OCPP-J 1.6 charge point on one WebSocket. It keeps at most one CALL outstanding: the
 * next call is sent only when the previous one was answered (or timed out). With a rate set, calls
 * are sent at intended times {@code intervalNanos} apart, later if the previous answer is late.
 *
 * <p>All state is guarded by {@code this}; WebSocket callbacks, the pacing scheduler, the timeout
 * watchdog and the main thread all take the lock. Sends are chained so that the JDK WebSocket never
 * sees two sends in flight.
 */
final class SimulatedCharger implements WebSocket.Listener, Feedback {

    private record Pending(String id, Call call, long sendNanos, long startNanos) {
    }

    final String chargePointId;
    final int index;
    private final RunState run;
    private final Stats stats;

    private WebSocket ws;
    private CompletableFuture<WebSocket> sendChain;
    private final StringBuilder partial = new StringBuilder();
    private ChargerScript script;
    private Pending pending;
    private String lateId;
    private long counter;
    private long nextIntendedNanos;
    private ScheduledFuture<?> scheduled;
    private boolean connected;
    private boolean running;
    private boolean finished;
    private boolean closing;
    private boolean disconnected;
    private boolean cleanClose;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    SimulatedCharger(RunState run, int index, String chargePointId) {
        this.run = run;
        this.stats = run.stats;
        this.index = index;
        this.chargePointId = chargePointId;
    }

    // ------------------------------------------------------------------ connecting

    /** Opens the WebSocket; completes with true when open with subprotocol ocpp1.6, never exceptionally. */
    CompletableFuture<Boolean> connect(HttpClient client) {
        Options o = run.options;
        CompletableFuture<WebSocket> f;
        try {
            f = client.newWebSocketBuilder()
                    .subprotocols(RunState.SUBPROTOCOL)
                    .connectTimeout(o.connectTimeout)
                    .buildAsync(o.chargerUri(chargePointId), this);
        } catch (RuntimeException e) {
            stats.connectError(kindOf(e));
            return CompletableFuture.completedFuture(false);
        }
        return f.orTimeout(o.connectTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS).handle((w, ex) -> {
            if (ex != null) {
                stats.connectError(kindOf(ex));
                return false;
            }
            if (!RunState.SUBPROTOCOL.equals(w.getSubprotocol())) {
                stats.connectError("subprotocol-not-accepted");
                synchronized (this) {
                    closing = true; // not a "run" close: do not count it as an error
                }
                w.abort();
                return false;
            }
            synchronized (this) {
                connected = true;
                if (disconnected) { // closed by the peer right after the handshake
                    stats.error("unexpected-close");
                }
            }
            return true;
        });
    }

    static String kindOf(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof WebSocketHandshakeException) {
            return "handshake-refused:" + ((WebSocketHandshakeException) t).getResponse().statusCode();
        }
        if (t instanceof HttpConnectTimeoutException || t instanceof TimeoutException) {
            return "connect-timeout";
        }
        if (t instanceof ConnectException) {
            return "connection-refused";
        }
        return t.getClass().getSimpleName();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        synchronized (this) {
            ws = webSocket;
            sendChain = CompletableFuture.completedFuture(webSocket);
        }
        webSocket.request(1);
    }

    // ------------------------------------------------------------------ running

    /** Starts the script; the first call is sent at {@code firstIntendedNanos} when paced, else now. */
    synchronized void start(ChargerScript chargerScript, long firstIntendedNanos) {
        script = chargerScript;
        running = true;
        nextIntendedNanos = firstIntendedNanos;
        if (disconnected) {
            finish();
            return;
        }
        sendNext();
    }

    ChargerContext context() {
        Options o = run.options;
        // One card per charger, as on a real site: a shared card would be refused as ConcurrentTx.
        String idTag = o.idTag + "-" + (index + 1);
        return new ChargerContext(chargePointId, index, idTag.length() > 20 ? idTag.substring(idTag.length() - 20)
                : idTag, o.meterValuesPerTransaction, this);
    }

    /** Sends the next call now, schedules it for its intended time, or ends when the run is over. */
    private void sendNext() {
        if (!running || finished || closing || disconnected || pending != null || scheduled != null) {
            return;
        }
        long now = System.nanoTime();
        long end = run.runEndNanos;
        if (now - end >= 0) {
            finish();
            return;
        }
        long intended = now;
        if (run.paced) {
            intended = nextIntendedNanos;
            if (intended - end >= 0) {
                finish();
                return;
            }
            if (intended - now > 0) {
                scheduled = run.scheduler.schedule(this::sendScheduled, intended - now, TimeUnit.NANOSECONDS);
                return;
            }
        }
        Call call = script.next();
        String id = Long.toString(++counter);
        StringBuilder frame = new StringBuilder(call.payloadJson().length() + 40);
        frame.append("[2,\"").append(id).append("\",");
        Payloads.quote(frame, call.action());
        frame.append(',').append(call.payloadJson()).append(']');
        pending = new Pending(id, call, now, intended);
        if (run.paced) {
            nextIntendedNanos = intended + run.intervalNanos;
        }
        stats.sent.increment();
        send(frame.toString());
    }

    private void sendScheduled() {
        synchronized (this) {
            scheduled = null;
            sendNext();
        }
    }

    /** Called with the lock held. */
    private void send(String text) {
        sendChain = sendChain.thenCompose(w -> w.sendText(text, true));
        sendChain.whenComplete((w, ex) -> {
            if (ex != null) {
                synchronized (this) {
                    if (!closing && !disconnected) {
                        stats.error("send-failed");
                        connectionLost();
                    }
                }
            }
        });
    }

    private void finish() {
        if (running && !finished) {
            finished = true;
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
            run.finished.countDown();
        }
    }

    /** Called by the watchdog: a call unanswered for --call-timeout is an error; the charger moves on. */
    synchronized void checkTimeout(long nowNanos) {
        Pending p = pending;
        if (p != null && !disconnected && nowNanos - p.sendNanos >= run.callTimeoutNanos) {
            pending = null;
            lateId = p.id;
            stats.timeouts.increment();
            stats.error("timeout");
            script.onFailure(p.call, "timeout");
            sendNext();
        }
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            handle(text);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
        if (last) {
            stats.error("binary-frame");
        }
        webSocket.request(1);
        return null;
    }

    private void handle(String text) {
        List<?> frame;
        try {
            Object parsed = RunState.JSON.readValue(text, Object.class);
            if (!(parsed instanceof List)) {
                stats.error("malformed-frame");
                return;
            }
            frame = (List<?>) parsed;
        } catch (JsonProcessingException e) {
            stats.error("malformed-frame");
            return;
        }
        if (frame.size() < 3 || !(frame.get(0) instanceof Long) || !(frame.get(1) instanceof String)) {
            stats.error("malformed-frame");
            return;
        }
        long type = (Long) frame.get(0);
        String id = (String) frame.get(1);
        if (type == 2) {
            if (frame.size() != 4 || !(frame.get(2) instanceof String) || !(frame.get(3) instanceof Map)) {
                stats.error("malformed-frame");
                return;
            }
            stats.incomingCalls.increment();
            StringBuilder reply = new StringBuilder(96).append("[4,");
            Payloads.quote(reply, id).append(",\"NotSupported\",");
            Payloads.quote(reply, "load generator does not handle " + frame.get(2)).append(",{}]");
            synchronized (this) {
                if (!closing && !disconnected) {
                    send(reply.toString());
                }
            }
            return;
        }
        boolean result = type == 3;
        if (result ? frame.size() != 3 || !(frame.get(2) instanceof Map)
                : type != 4 || frame.size() < 4 || frame.size() > 5 || !(frame.get(2) instanceof String)) {
            stats.error("malformed-frame");
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            Pending p = pending;
            if (p != null && p.id.equals(id)) {
                pending = null;
                stats.answered(p.startNanos, p.sendNanos, now);
                if (result) {
                    stats.callResults.increment();
                    @SuppressWarnings("unchecked")
                    Map<String, Object> payload = (Map<String, Object>) frame.get(2);
                    script.onResult(p.call, payload);
                } else {
                    stats.callErrors.increment();
                    stats.error("CALLERROR:" + frame.get(2));
                    script.onFailure(p.call, (String) frame.get(2));
                }
                sendNext();
            } else if (id.equals(lateId)) {
                stats.lateAnswers.increment();
            } else {
                stats.error("unexpected-id");
            }
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        synchronized (this) {
            if (closing) {
                cleanClose = statusCode == WebSocket.NORMAL_CLOSURE;
            } else if (!disconnected) {
                if (connected) {
                    stats.error("unexpected-close");
                }
                connectionLost();
            }
            disconnected = true;
        }
        closed.complete(null);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        synchronized (this) {
            if (!closing && !disconnected) {
                if (connected) {
                    stats.error("unexpected-close");
                }
                connectionLost();
            }
            disconnected = true;
        }
        closed.complete(null);
    }

    /** Called with the lock held when the connection is gone without our close. */
    private void connectionLost() {
        disconnected = true;
        if (pending != null) {
            stats.lost.increment();
            if (script != null) {
                script.onFailure(pending.call, "connection lost");
            }
            pending = null;
        }
        finish();
        if (ws != null) {
            ws.abort();
        }
    }

    // ------------------------------------------------------------------ closing

    /** Starts the closing handshake (1000); the future completes when the peer's close arrived. */
    synchronized CompletableFuture<Void> close() {
        if (disconnected || ws == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (pending != null) { // the run ended with this call unanswered (should have timed out)
            stats.error("unanswered-at-end");
            pending = null;
        }
        finish();
        closing = true;
        sendChain = sendChain.thenCompose(w -> w.sendClose(WebSocket.NORMAL_CLOSURE, "load generator done"));
        sendChain.whenComplete((w, ex) -> {
            if (ex != null) {
                closed.complete(null);
            }
        });
        return closed;
    }

    /** Drops the connection if the close handshake did not finish. */
    synchronized void abortIfOpen() {
        if (ws != null && !ws.isInputClosed()) {
            ws.abort();
        }
        closed.complete(null);
    }

    synchronized boolean closedCleanly() {
        return cleanClose;
    }

    synchronized boolean isConnected() {
        return connected && !disconnected;
    }

    // ------------------------------------------------------------------ Feedback for the script

    @Override
    public void error(String kind) {
        stats.error(kind);
    }

    @Override
    public void warning(String kind) {
        stats.warning(kind);
    }
}
