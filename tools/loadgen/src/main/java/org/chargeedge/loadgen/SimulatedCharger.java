package org.chargeedge.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.chargeedge.loadgen.scenario.Call;
import org.chargeedge.loadgen.scenario.ChargerContext;
import org.chargeedge.loadgen.scenario.ChargerScript;
import org.chargeedge.loadgen.scenario.Feedback;
import org.chargeedge.loadgen.scenario.Payloads;

/**
 * One simulated OCPP-J 1.6 charge point on one WebSocket (one Netty channel). It keeps at most one CALL
 * outstanding: the next call is sent only when the previous one was answered (or timed out). With a rate set,
 * calls are sent at intended times {@code intervalNanos} apart, later if the previous answer is late.
 *
 * <p>Threads and ownership: the charger is the last handler of its channel's pipeline, and its channel is
 * registered with the event loop {@link #loop} chosen when the charger was made. <b>All mutable state of the
 * charger, its script included, is owned by that event loop thread</b> and is read and written only there:
 * Netty calls the handler methods on it, the pacing timer and the call-timeout check
 * ({@link #checkTimeout}) run on it, and what the main thread asks for ({@link #start}, {@link #close},
 * {@link #abortIfOpen}) is handed to it with {@code loop.execute}. So there is no lock, and the script is
 * called one call at a time. The main thread itself reads only {@link #closedCleanly()} (a volatile) and learns
 * the connect outcome through the {@link ConnectListener}; the shared {@link Stats} are thread-safe.
 *
 * <p>Per call the charger allocates the frame's pooled buffer and the frame object (the call's text is written
 * straight into the buffer), a write promise, and what Jackson builds of the answer; pacing uses one
 * event-loop timer per call when the call is not yet due.
 */
final class SimulatedCharger extends ChannelInboundHandlerAdapter implements Feedback, ChannelFutureListener {

    /** How long, after the server answered our close, it has to close the TCP connection before we do. */
    private static final long SERVER_TCP_CLOSE_WAIT_MS = 1000;

    /** Told once per charger, on its event loop, whether the WebSocket opened with subprotocol ocpp1.6. */
    interface ConnectListener {
        void connectDone(SimulatedCharger charger, boolean open);
    }

    final String chargePointId;
    final int index;
    /** The event loop that owns this charger and its channel. */
    final EventLoop loop;
    private final RunState run;
    private final Stats stats;
    private final Runnable sendScheduledTask = this::sendScheduled;
    private final ChannelFutureListener closeWritten = f -> {
        if (!f.isSuccess()) {
            closeDone();
        }
    };

    // ---- owned by the event loop (see the class comment)
    private ChannelHandlerContext ctx;
    private ConnectListener connectListener;
    private ScheduledFuture<?> connectTimer;
    private boolean connectReported;
    private ChargerScript script;
    private boolean hasPending;
    private long pendingId;
    private Call pendingCall;
    private long pendingSendNanos;
    private long pendingStartNanos;
    /** Id of the last call that timed out: its answer, if it still comes, is a late answer, not an error. */
    private long lateId = -1;
    private long counter;
    private long nextIntendedNanos;
    private ScheduledFuture<?> scheduled;
    private boolean connected;
    private boolean running;
    private boolean finished;
    private boolean closing;
    private boolean disconnected;
    private CountDownLatch closeLatch;
    private boolean closeCounted;

    /** Written on the event loop, read by the main thread after the closing phase. */
    private volatile boolean cleanClose;

    SimulatedCharger(RunState run, int index, String chargePointId, EventLoop loop) {
        this.run = run;
        this.stats = run.stats;
        this.index = index;
        this.chargePointId = chargePointId;
        this.loop = loop;
    }

    // ------------------------------------------------------------------ connecting

    /**
     * Starts connecting (any thread). {@code listener} is called exactly once, on the event loop, when the
     * WebSocket is open with subprotocol ocpp1.6 or when connecting failed (the error kind is counted).
     */
    void connect(Transport transport, ConnectListener listener) {
        // Written before the channel is registered with the loop: the registration task publishes it.
        this.connectListener = listener;
        ChannelFuture tcp = transport.connect(loop, run.options.chargerUri(chargePointId), this);
        tcp.addListener((ChannelFutureListener) f -> { // runs on the loop
            if (!f.isSuccess()) {
                connectFinished(false, kindOf(f.cause()));
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
        // one deadline for TCP connect, TLS and the WebSocket handshake together
        connectTimer = loop.schedule(() -> connectFinished(false, "connect-timeout"),
                run.options.connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            WebSocketClientProtocolHandler ws = context.pipeline().get(WebSocketClientProtocolHandler.class);
            // Netty already refuses a handshake answer that selects no or another subprotocol; check anyway.
            if (ws != null && RunState.SUBPROTOCOL.equals(ws.handshaker().actualSubprotocol())) {
                connectFinished(true, null);
            } else {
                connectFinished(false, "subprotocol-not-accepted");
            }
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            connectFinished(false, "connect-timeout");
        } else if (evt instanceof SslHandshakeCompletionEvent && !((SslHandshakeCompletionEvent) evt).isSuccess()) {
            connectFinished(false, kindOf(((SslHandshakeCompletionEvent) evt).cause()));
        }
        ReferenceCountUtil.release(evt);
    }

    /** Reports the connect outcome once; a failed connection is closed and never counts as an error later. */
    private void connectFinished(boolean open, String errorKind) {
        if (connectReported) {
            return;
        }
        connectReported = true;
        if (connectTimer != null) {
            connectTimer.cancel(false);
            connectTimer = null;
        }
        if (open) {
            connected = true;
        } else {
            stats.connectError(errorKind);
            if (ctx != null) {
                ctx.channel().close();
            }
        }
        connectListener.connectDone(this, open);
    }

    /** The error kind of a failed connect, as listed in readme.md. */
    static String kindOf(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof DecoderException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof WebSocketClientHandshakeException && ((WebSocketClientHandshakeException) t).response() != null) {
            HttpResponse response = ((WebSocketClientHandshakeException) t).response();
            if (!HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
                return "handshake-refused:" + response.status().code();
            }
            if (!RunState.SUBPROTOCOL.equals(response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL))) {
                return "subprotocol-not-accepted";
            }
        }
        if (t instanceof ConnectTimeoutException || t instanceof SslHandshakeTimeoutException
                || t instanceof TimeoutException) {
            return "connect-timeout";
        }
        if (t instanceof ConnectException) {
            return "connection-refused";
        }
        return t.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ running

    /** Starts the script (main thread); the first call is sent at {@code firstIntendedNanos} when paced, else now. */
    void start(ChargerScript chargerScript, long firstIntendedNanos) {
        loop.execute(() -> {
            script = chargerScript;
            running = true;
            nextIntendedNanos = firstIntendedNanos;
            if (disconnected) {
                finish();
                return;
            }
            sendNext();
        });
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
        if (!running || finished || closing || disconnected || hasPending || scheduled != null) {
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
                scheduled = loop.schedule(sendScheduledTask, intended - now, TimeUnit.NANOSECONDS);
                return;
            }
            nextIntendedNanos = intended + run.intervalNanos;
        }
        Call call = script.next();
        long id = ++counter;
        ByteBuf text = ctx.alloc().buffer(OcppFrames.callSizeHint(call));
        OcppFrames.writeCall(text, id, call);
        hasPending = true;
        pendingId = id;
        pendingCall = call;
        pendingSendNanos = now;
        pendingStartNanos = intended;
        stats.sent.increment();
        ctx.writeAndFlush(new TextWebSocketFrame(text)).addListener(this);
    }

    private void sendScheduled() {
        scheduled = null;
        sendNext();
    }

    /** The write of a frame finished: a failed write drops the connection. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (!f.isSuccess() && !closing && !disconnected) {
            stats.error("send-failed");
            connectionLost();
        }
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

    private void clearPending() {
        hasPending = false;
        pendingCall = null;
    }

    /** On the event loop: a call unanswered for --call-timeout is an error; the charger moves on. */
    void checkTimeout(long nowNanos) {
        if (hasPending && !disconnected && nowNanos - pendingSendNanos >= run.callTimeoutNanos) {
            Call call = pendingCall;
            lateId = pendingId;
            clearPending();
            stats.timeouts.increment();
            stats.error("timeout");
            script.onFailure(call, "timeout");
            sendNext();
        }
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame) {
                handle(((TextWebSocketFrame) msg).content());
            } else if (msg instanceof CloseWebSocketFrame) {
                peerClosed(((CloseWebSocketFrame) msg).statusCode());
            } else if (msg instanceof BinaryWebSocketFrame) {
                stats.error("binary-frame");
            } // pongs are dropped before; nothing else reaches here
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handle(ByteBuf content) {
        Object parsed = OcppFrames.parse(content);
        if (!(parsed instanceof List)) {
            stats.error("malformed-frame");
            return;
        }
        List<?> frame = (List<?>) parsed;
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
            if (!closing && !disconnected) {
                StringBuilder reply = new StringBuilder(96).append("[4,");
                Payloads.quote(reply, id).append(",\"NotSupported\",");
                Payloads.quote(reply, "load generator does not handle " + frame.get(2)).append(",{}]");
                ctx.writeAndFlush(new TextWebSocketFrame(reply.toString())).addListener(this);
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
        long answerId = OcppFrames.parseId(id);
        if (hasPending && answerId == pendingId) {
            Call call = pendingCall;
            clearPending();
            stats.answered(pendingStartNanos, pendingSendNanos, now);
            if (result) {
                stats.callResults.increment();
                @SuppressWarnings("unchecked")
                Map<String, Object> payload = (Map<String, Object>) frame.get(2);
                script.onResult(call, payload);
            } else {
                stats.callErrors.increment();
                stats.error("CALLERROR:" + frame.get(2));
                script.onFailure(call, (String) frame.get(2));
            }
            sendNext();
        } else if (answerId >= 0 && answerId == lateId) {
            stats.lateAnswers.increment();
        } else {
            stats.error("unexpected-id");
        }
    }

    /** The central system sent a close frame: the answer to ours, or its own close during the run. */
    private void peerClosed(int statusCode) {
        if (closing) {
            cleanClose = statusCode == WebSocketCloseStatus.NORMAL_CLOSURE.code();
            // RFC 6455 7.1.1: the server closes the TCP connection first (channelInactive then counts the
            // close as done). Closing it here at once can make the server see an abnormal 1006 instead.
            ctx.executor().schedule(() -> {
                ctx.close();
            }, SERVER_TCP_CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            return;
        }
        if (!disconnected) {
            if (connected) {
                stats.error("unexpected-close");
            }
            // answer the close, then drop the connection
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
            disconnected = true;
            loseOutstandingCall();
        }
        closeDone();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (!connectReported) {
            connectFinished(false, "closed-during-handshake");
            return;
        }
        if (!closing && !disconnected && connected) {
            stats.error("unexpected-close");
            connectionLost();
        }
        disconnected = true;
        closeDone();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (!connectReported) {
            connectFinished(false, kindOf(cause));
            return;
        }
        if (!closing && !disconnected && connected) {
            stats.error("unexpected-close"); // an I/O error or a protocol violation by the peer
            connectionLost();
        }
        disconnected = true;
        context.close();
        closeDone();
    }

    /** The connection is gone without our close: the outstanding call is lost and the charger ends. */
    private void connectionLost() {
        disconnected = true;
        loseOutstandingCall();
        ctx.close();
    }

    private void loseOutstandingCall() {
        if (hasPending) {
            stats.lost.increment();
            if (script != null) {
                script.onFailure(pendingCall, "connection lost");
            }
            clearPending();
        }
        finish();
    }

    // ------------------------------------------------------------------ closing

    /**
     * Starts the closing handshake (status 1000) from the main thread; {@code latch} is counted down once,
     * when the peer's close frame arrived, the connection is gone, or the close could not be sent.
     */
    void close(CountDownLatch latch) {
        loop.execute(() -> {
            closeLatch = latch;
            if (disconnected || !connected) {
                closeDone();
                return;
            }
            if (hasPending) { // the run ended with this call unanswered (should have timed out)
                stats.error("unanswered-at-end");
                clearPending();
            }
            finish();
            closing = true;
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE.code(), "load generator done"))
                    .addListener(closeWritten);
        });
    }

    private void closeDone() {
        if (closeLatch != null && !closeCounted) {
            closeCounted = true;
            closeLatch.countDown();
        }
    }

    /** Drops the connection (main thread) if the close handshake did not finish. */
    void abortIfOpen() {
        loop.execute(() -> {
            if (ctx != null) {
                ctx.channel().close();
            }
            closeDone();
        });
    }

    /** True when the central system answered our close with status 1000 (main thread, after the close phase). */
    boolean closedCleanly() {
        return cleanClose;
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
