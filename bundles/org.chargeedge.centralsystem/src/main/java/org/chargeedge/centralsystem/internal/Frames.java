package org.chargeedge.centralsystem.internal;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The WebSocket frames of an accepted connection, on its event loop: text
 * messages assembled from their fragments with the size limit applied to
 * the whole message (close 1009 as soon as it is exceeded, not at the last
 * fragment), pings answered only while the peer reads what it is sent, a
 * peer that stops reading closed when {@code maxQueuedBytes} wait for it,
 * pings sent every {@code pingInterval} and a peer silent for 1.5 intervals
 * closed, a violation the decoders report answered with its close status
 * (1002, 1007, 1009), and what a peer sends after our close frame dropped.
 * Complete messages go on to the {@link Bridge} as strings, and reading
 * stops while too many of them are on their way to it.
 *
 * <p>Threads: everything here runs on the connection's event loop.
 */
final class Frames extends ChannelInboundHandlerAdapter {

    static final int MESSAGE_TOO_BIG = 1009;
    static final int PROTOCOL_ERROR = 1002;
    static final int UNSUPPORTED_DATA = 1003;

    private final ChargerServer server;
    private final ChargerChannel connection;
    private final ChargerServer.Limits limits;
    /** The fragments of the text message being received; null between messages. */
    private CompositeByteBuf fragments;
    private long lastReadNanos = System.nanoTime();
    private ScheduledFuture<?> pinger;

    Frames(ChargerServer server, ChargerChannel connection, ChargerServer.Limits limits) {
        this.server = server;
        this.connection = connection;
        this.limits = limits;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long interval = limits.pingInterval().toMillis();
        if (interval > 0) {
            pinger = ctx.executor().scheduleWithFixedDelay(() -> ping(ctx), interval, interval,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void ping(ChannelHandlerContext ctx) {
        long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastReadNanos);
        if (silentMillis > limits.pingInterval().toMillis() * 3 / 2) {
            server.refusal("silent " + connection.remoteAddress(), "{}: closed: nothing received for {} s,"
                    + " pings unanswered", connection.remoteAddress(), silentMillis / 1000);
            connection.abort(1006, "no answer to pings");
            return;
        }
        if (ctx.channel().isWritable()) {
            connection.ping();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        lastReadNanos = System.nanoTime();
        try {
            if (connection.closeSent() && !(frame instanceof CloseWebSocketFrame)) {
                // After our close frame only the peer's close counts (RFC 6455 5.5.1); the rest of what it
                // had sent is dropped, not handed on or logged as a new mistake.
                return;
            }
            if (frame instanceof TextWebSocketFrame) {
                if (fragments != null) {
                    protocolError(ctx, "a new text message began before the last one ended");
                    return;
                }
                if (frame.isFinalFragment()) {
                    deliver(ctx, frame.content().toString(StandardCharsets.UTF_8));
                } else {
                    fragments = ctx.alloc().compositeBuffer(1024);
                    append(ctx, frame);
                }
            } else if (frame instanceof ContinuationWebSocketFrame) {
                if (fragments == null) {
                    protocolError(ctx, "a continuation frame without a message to continue");
                    return;
                }
                if (append(ctx, frame) && frame.isFinalFragment()) {
                    String text = fragments.toString(StandardCharsets.UTF_8);
                    releaseFragments();
                    deliver(ctx, text);
                }
            } else if (frame instanceof PingWebSocketFrame) {
                // A peer that does not read its pongs gets none: they would only pile up for it.
                if (ctx.channel().isWritable()) {
                    ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
                }
            } else if (frame instanceof PongWebSocketFrame) {
                ctx.fireUserEventTriggered(Bridge.PONG);
            } else if (frame instanceof CloseWebSocketFrame close) {
                int code = close.statusCode() < 0 ? 1005 : close.statusCode();
                connection.closed(code, PeerText.longText(close.reasonText()), true);
                if (connection.closeSent()) {
                    ctx.close();
                } else {
                    connection.closeAnswered();
                    ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode() < 0 ? 1000 : code, ""))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            } else if (frame instanceof BinaryWebSocketFrame) {
                server.refusal("binary " + connection.remoteAddress(), "{}: binary frame refused, OCPP-J uses text"
                        + " frames only", connection.remoteAddress());
                connection.close(UNSUPPORTED_DATA, "OCPP-J uses text frames only");
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    /**
     * Hands a message to the {@link Bridge} on the worker. Reading stops once {@link Bridge#PAUSE_AT}
     * of them are on their way, before the worker's queue can grow: a flood then waits in the peer's
     * socket, and the chargers sharing its worker wait behind at most one read's worth of it. The
     * bridge resumes reading.
     */
    private void deliver(ChannelHandlerContext ctx, String text) {
        if (connection.messageQueued() >= Bridge.PAUSE_AT) {
            ctx.channel().config().setAutoRead(false);
        }
        ctx.fireChannelRead(text);
    }

    /** Adds a fragment; false (and the connection closed with 1009) when the message grows too big. */
    private boolean append(ChannelHandlerContext ctx, WebSocketFrame frame) {
        ByteBuf content = frame.content();
        if ((long) fragments.readableBytes() + content.readableBytes() > limits.maxMessageSize()) {
            releaseFragments();
            server.refusal("too-big " + connection.remoteAddress(), "{}: closed with 1009: a message over {} bytes"
                    + " (maxMessageSize)", connection.remoteAddress(), limits.maxMessageSize());
            connection.close(MESSAGE_TOO_BIG, "message larger than " + limits.maxMessageSize() + " bytes");
            return false;
        }
        fragments.addComponent(true, content.retain());
        return true;
    }

    private void protocolError(ChannelHandlerContext ctx, String what) {
        releaseFragments();
        server.refusal("protocol " + connection.remoteAddress(), "{}: closed with 1002: {}",
                connection.remoteAddress(), what);
        connection.close(PROTOCOL_ERROR, what);
    }

    private void releaseFragments() {
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            server.refusal("not-reading " + connection.remoteAddress(), "{}: closed: it does not read what it is"
                    + " sent ({} bytes wait for it, maxQueuedBytes)", connection.remoteAddress(),
                    limits.maxQueuedBytes());
            connection.abort(1006, "the peer does not read");
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Fatal.check(cause);
        String address = ChargerServer.addressOf((InetSocketAddress) ctx.channel().remoteAddress());
        if (cause instanceof CorruptedWebSocketFrameException corrupt) {
            // The decoders only report (closeOnProtocolViolation off); the close frame with the status is sent
            // here, also for a violation in the peer's own close frame. What follows is dropped (closeSent).
            int code = corrupt.closeStatus() == null ? PROTOCOL_ERROR : corrupt.closeStatus().code();
            String reason = PeerText.longText(cause.getMessage());
            connection.closed(code, reason, false);
            server.refusal("corrupt " + address, "{}: closed with {}: {}", address, code, reason);
            connection.closeAnswered();
            ctx.writeAndFlush(new CloseWebSocketFrame(code, ChargerChannel.fit(reason)))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        server.refusal("error " + address, "{}: connection error: {}", address, PeerText.longText(cause.toString()));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseFragments();
        if (pinger != null) {
            pinger.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseFragments();
    }
}
