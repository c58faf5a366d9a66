package org.chargeedge.centralsystem.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Hands an accepted connection's messages to the {@link ChargerServer.Listener}
 * on the connection's OCPP worker thread, in the order they arrived, and
 * stops reading from a charger whose calls pile up unanswered, or whose
 * messages pile up on their way to the worker (a MeterValues flood; the
 * {@link Frames} stop reading then): its messages then wait in its own socket
 * buffers, not in the gateway's heap or ahead of other chargers on the same
 * worker, and reading resumes once its backlog is answered.
 *
 * <p>Threads: every method runs on the connection's worker (Netty's
 * EventExecutorGroup pins a handler of one channel to one executor).
 */
final class Bridge extends ChannelInboundHandlerAdapter {

    /** The user event telling the bridge the handshake is done and as which charger. */
    record Opened(String chargePointId) {
    }

    /** The user event of an answered ping. */
    static final Object PONG = new Object();

    /** Calls waiting for answers at which reading stops, and below which it resumes. */
    static final int PAUSE_AT = 8;
    static final int RESUME_BELOW = 2;
    private static final long RECHECK_MS = 20;

    private final ChargerChannel connection;
    private final ChargerServer.Listener listener;
    private boolean opened;
    private boolean paused;

    Bridge(ChargerChannel connection, ChargerServer.Listener listener) {
        this.connection = connection;
        this.listener = listener;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof Opened o) {
            opened = true;
            listener.opened(connection, o.chargePointId());
        } else if (event == PONG) {
            if (opened) {
                listener.pong(connection);
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof String text)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (opened) {
                listener.text(connection, text);
            }
        } finally {
            connection.messageDelivered();
        }
        // Paused by the frames' side (messages piling up on their way here) or by unanswered calls.
        if (!paused && (connection.backlog() >= PAUSE_AT || !ctx.channel().config().isAutoRead())) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> resumeWhenAnswered(ctx), RECHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void resumeWhenAnswered(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (connection.backlog() + connection.queuedMessages() < RESUME_BELOW) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        } else {
            ctx.executor().schedule(() -> resumeWhenAnswered(ctx), RECHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (opened) {
            opened = false;
            listener.closed(connection, connection.closeCode(), connection.closeReason(), connection.closedByPeer());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Fatal.check(cause);
        ctx.fireExceptionCaught(cause);
    }
}
