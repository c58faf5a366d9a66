package org.chargeedge.centralsystem.internal;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * One accepted charger connection, as the central system uses it: send a
 * text message, close with a status, and the session attached to it.
 *
 * <p>Threads: {@link #send} and {@link #close} may be called from any thread
 * (Netty orders the writes of one caller); the close status is written by the
 * connection's event loop and read on its worker after the close, through
 * volatile fields.
 */
final class ChargerChannel implements ChargerSession.Transport {

    /** A close frame's reason may hold at most 123 bytes (RFC 6455 5.5). */
    private static final int MAX_REASON_BYTES = 123;
    /** How long the peer has to answer our close frame before the TCP connection is closed. */
    private static final long CLOSE_ANSWER_MS = 1000;

    private final Channel channel;
    private final String remoteAddress;
    private final boolean tls;
    private volatile ChargerSession session;
    private volatile IntSupplier backlog = () -> 0;
    private volatile int closeCode = 1006;
    private volatile String closeReason = "connection lost";
    private volatile boolean closedByPeer;
    private volatile boolean closeSent;
    private volatile long heardNanos = System.nanoTime();
    /** Messages the event loop has handed to the worker that the listener has not had yet. */
    private final AtomicInteger queued = new AtomicInteger();

    ChargerChannel(Channel channel, boolean tls) {
        this.channel = channel;
        this.tls = tls;
        this.remoteAddress = ChargerServer.addressOf((InetSocketAddress) channel.remoteAddress());
    }

    @Override
    public boolean send(String text) {
        if (!channel.isActive() || closeSent) {
            return false;
        }
        channel.writeAndFlush(new TextWebSocketFrame(text));
        return true;
    }

    @Override
    public void close(int code, String reason) {
        if (closeSent) {
            return;
        }
        closeSent = true;
        closed(code, reason, false);
        if (!channel.isActive()) {
            return;
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code, fit(reason)));
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_ANSWER_MS, TimeUnit.MILLISECONDS);
    }

    /** Closes the TCP connection without a close frame (the peer is gone or does not read). */
    void abort(int code, String reason) {
        closed(code, reason, false);
        channel.close();
    }

    void ping() {
        channel.writeAndFlush(new PingWebSocketFrame());
    }

    /** Records why the connection ended, the first time it is told. */
    void closed(int code, String reason, boolean byPeer) {
        if (closeCode == 1006 && "connection lost".equals(closeReason)) {
            closeCode = code;
            closeReason = reason == null ? "" : reason;
            closedByPeer = byPeer;
        }
    }

    /** The charger sent a message or answered a ping. */
    void heard() {
        heardNanos = System.nanoTime();
    }

    /** Whether the charger was heard after {@code nanos} ({@link System#nanoTime()}). */
    boolean heardSince(long nanos) {
        return heardNanos - nanos > 0;
    }

    boolean closeSent() {
        return closeSent;
    }

    void closeAnswered() {
        closeSent = true;
    }

    int closeCode() {
        return closeCode;
    }

    String closeReason() {
        return closeReason;
    }

    boolean closedByPeer() {
        return closedByPeer;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    boolean tls() {
        return tls;
    }

    Channel channel() {
        return channel;
    }

    ChargerSession session() {
        return session;
    }

    /** The session, and how many of its charger's calls wait for an answer (for read backpressure). */
    void attach(ChargerSession session, IntSupplier backlog) {
        this.session = session;
        this.backlog = backlog;
    }

    int backlog() {
        return backlog.getAsInt();
    }

    /** A message goes from the event loop to the worker; returns how many are on their way now. */
    int messageQueued() {
        return queued.incrementAndGet();
    }

    /** The worker is done with a message. */
    void messageDelivered() {
        queued.decrementAndGet();
    }

    /** Messages on their way from the event loop to the listener. */
    int queuedMessages() {
        return queued.get();
    }

    /** {@code reason} cut so that its UTF-8 form fits a close frame. */
    static String fit(String reason) {
        String r = reason == null ? "" : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
