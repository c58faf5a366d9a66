package org.chargeedge.centralsystem.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The WebSocket server of the chargers' side, on Netty: one or two listening
 * ports (plain {@code ws://}, and {@code wss://} when a certificate is
 * configured), every limit a peer could abuse enforced before a byte of it is
 * kept (see {@link Limits}), and the OCPP-J text messages of accepted
 * connections handed to the {@link Listener}. Who may connect, and as whom, is
 * the {@link Gate}'s decision; this class knows nothing of OCPP messages.
 *
 * <p>Threads: one acceptor thread, {@code ioThreads} Netty event loops doing
 * the network I/O, TLS, HTTP and WebSocket framing, and {@code ioThreads}
 * OCPP worker threads where the {@link Listener} is called. Each connection is
 * pinned to one event loop and one worker, so its messages reach the listener
 * in order on one thread, and a slow handler (the store's read at connect)
 * never stalls the network.
 */
final class ChargerServer {

    private static final Logger LOG = LoggerFactory.getLogger(ChargerServer.class);
    static final String SUBPROTOCOL = "ocpp1.6";
    static final AttributeKey<ChargerChannel> CHARGER = AttributeKey.valueOf("chargeedge.charger");

    /** What the server does with the chargers' messages. Called on the connection's OCPP worker thread. */
    interface Listener {
        void opened(ChargerChannel connection, String chargePointId);

        void text(ChargerChannel connection, String text);

        void closed(ChargerChannel connection, int code, String reason, boolean remote);

        /** The peer answered a ping. */
        void pong(ChargerChannel connection);
    }

    /** Decides whether a WebSocket handshake that is well-formed is accepted, and as which charger. */
    interface Gate {
        CompletionStage<Admission> admit(Handshake handshake);

        /**
         * A connection from {@code host} ended before any upgrade request could be read (a failed TLS
         * handshake, TLS on the plain port, no handshake in time), for the list of recent refusals; already
         * logged (rate-limited) by the server. On an event loop: must not block.
         */
        default void refusedEarly(String host, String reason) {
        }
    }

    /**
     * A well-formed upgrade request, as the gate sees it.
     *
     * @param path the request target, as sent (percent-encoding kept)
     * @param authorization the Authorization header, null when absent
     * @param tls whether it came over TLS
     * @param clientCertificates the client's verified certificate chain over TLS, empty without one
     */
    record Handshake(String path, InetSocketAddress remote, int localPort, boolean tls, String authorization,
                     List<java.security.cert.X509Certificate> clientCertificates) {
    }

    /**
     * The gate's answer: accepted as {@code chargePointId}, or refused with an HTTP status.
     * {@code challenge} asks for Basic credentials (401).
     */
    record Admission(String chargePointId, int status, String reason, Duration delay) {
        static Admission accept(String chargePointId) {
            return new Admission(chargePointId, 101, null, Duration.ZERO);
        }

        static Admission refuse(int status, String reason) {
            return new Admission(null, status, reason, Duration.ZERO);
        }

        Admission delayed(Duration by) {
            return new Admission(chargePointId, status, reason, by);
        }

        boolean accepted() {
            return status == 101;
        }
    }

    /**
     * The limits on what a peer controls; each is in docs/configuration.md.
     *
     * @param maxRequestLine longest HTTP request line (method, path, version) in bytes; longer: 414 and close
     * @param maxHeaderBytes largest HTTP header block; larger: 431 and close
     * @param handshakeTimeout from TCP accept to an open WebSocket (TLS included); then the socket is closed
     * @param maxMessageSize largest message across all its fragments; larger: close 1009 at once
     * @param maxQueuedBytes bytes waiting to be written to a peer that does not read; more: it is closed
     * @param maxConnectionsPerAddress open sockets from one IP address
     * @param unlimited addresses exempt from {@code maxConnectionsPerAddress} (a local proxy's)
     * @param maxConnections open sockets in all
     * @param pingInterval between pings; a peer silent for 1.5 intervals is closed; zero: no pings
     */
    record Limits(int maxRequestLine, int maxHeaderBytes, Duration handshakeTimeout, int maxMessageSize,
                  int maxQueuedBytes, int maxConnectionsPerAddress, java.util.Set<InetAddress> unlimited,
                  int maxConnections, Duration pingInterval) {
    }

    /** One listening port: plain, or TLS with the context the supplier gives at each accept (reloadable). */
    record Port(String host, int port, Supplier<SslContext> tls) {
        boolean secure() {
            return tls != null;
        }
    }

    private final Limits limits;
    private final Gate gate;
    private final Listener listener;
    private final LogLimiter refusals = LogLimiter.perMinute();
    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private final EventExecutorGroup workers;
    /** Every open child socket, for counting and for closing them at stop. Netty's thread-safe group. */
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /**
     * Open sockets per peer address. Written on accept and close by the event loops, read there too;
     * concurrent because connections of one address are spread over several loops. An address is
     * removed when its count returns to zero, so the map holds only addresses with open sockets.
     */
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    /** Written by start and stop (the component's thread), read by health checks on theirs: copy-on-write. */
    private final List<Channel> listening = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final int backlog;

    ChargerServer(Limits limits, int ioThreads, int backlog, Gate gate, Listener listener) {
        this.limits = limits;
        this.gate = gate;
        this.listener = listener;
        this.backlog = backlog;
        this.acceptor = new NioEventLoopGroup(1, new NamedThreads("chargeedge-ocpp-accept"));
        this.io = new NioEventLoopGroup(ioThreads, new NamedThreads("chargeedge-ocpp-io"));
        this.workers = new DefaultEventExecutorGroup(ioThreads, new NamedThreads("chargeedge-ocpp-worker"));
    }

    /** Binds every port; throws (with every port closed again) when one cannot be bound. */
    void start(List<Port> ports) throws InterruptedException {
        try {
            for (Port port : ports) {
                ServerBootstrap bootstrap = new ServerBootstrap()
                        .group(acceptor, io)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, backlog)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                                new WriteBufferWaterMark(limits.maxQueuedBytes() / 2, limits.maxQueuedBytes()))
                        .childHandler(new Initializer(port));
                Channel bound = bootstrap.bind(port.host(), port.port()).sync().channel();
                bound.pipeline().addLast("accept-failures", new AcceptFailures());
                listening.add(bound);
            }
        } catch (RuntimeException | InterruptedException e) {
            stop(Duration.ZERO);
            throw e;
        }
    }

    /** The port actually bound for the {@code index}th configured port (the configuration may say 0). */
    int boundPort(int index) {
        return ((InetSocketAddress) listening.get(index).localAddress()).getPort();
    }

    /** Whether every listening socket is open. */
    boolean listening() {
        return !listening.isEmpty() && listening.stream().allMatch(Channel::isActive);
    }

    /** Whether the listening socket of the {@code index}th configured port is open. */
    boolean listening(int index) {
        List<Channel> now = listening;
        return index >= 0 && index < now.size() && now.get(index).isActive();
    }

    /** The accepted chargers' connections. */
    List<ChargerChannel> connections() {
        List<ChargerChannel> all = new ArrayList<>();
        for (Channel c : open) {
            ChargerChannel charger = c.attr(CHARGER).get();
            if (charger != null) {
                all.add(charger);
            }
        }
        return all;
    }

    /** Sockets open, accepted chargers or not. */
    int openSockets() {
        return open.size();
    }

    /**
     * Stops listening, closes every charger's connection with 1001 and waits up to {@code grace} for
     * the chargers to answer the close, then closes what is left and ends the threads.
     */
    void stop(Duration grace) {
        listening.forEach(Channel::close);
        for (ChargerChannel c : connections()) {
            c.close(1001, "gateway shutting down");
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!connections().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        open.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        // The event loops end first: the last connections' close events still go to their workers.
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** Logs a refusal that happened before the upgrade request (rate-limited) and tells the gate. */
    void earlyRefusal(String host, String key, String reason, String line, Object... args) {
        refusal(key, line, args);
        gate.refusedEarly(host, reason);
    }

    /** Logs a refusal once per {@code key} and minute; never with a stack trace. */
    void refusal(String key, String line, Object... args) {
        LogLimiter.Decision d = refusals.allow(key);
        if (d.log()) {
            LOG.warn(line + d.suffix(), args);
        }
    }

    // ---- the pipeline -----------------------------------------------------------------------

    private final class Initializer extends ChannelInitializer<SocketChannel> {
        private final Port port;

        Initializer(Port port) {
            this.port = port;
        }

        @Override
        protected void initChannel(SocketChannel channel) {
            InetSocketAddress remote = channel.remoteAddress();
            if (!admitSocket(channel, remote)) {
                return;
            }
            // From accept to an open WebSocket, TLS and HTTP included; cancelled by the upgrade.
            channel.attr(Upgrade.DEADLINE).set(channel.eventLoop().schedule(() -> {
                if (channel.isActive() && channel.attr(CHARGER).get() == null) {
                    String host = remote.getAddress().getHostAddress();
                    earlyRefusal(host, "handshake-timeout " + host, "no WebSocket handshake within "
                            + limits.handshakeTimeout().toSeconds() + " s (handshakeTimeoutSeconds)",
                            "{}: closed: no WebSocket handshake within {} s", PeerText.shortText(addressOf(remote)),
                            limits.handshakeTimeout().toSeconds());
                    channel.close();
                }
            }, limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS));
            if (port.secure()) {
                SslHandler tls = port.tls().get().newHandler(channel.alloc());
                tls.setHandshakeTimeoutMillis(limits.handshakeTimeout().toMillis());
                channel.pipeline().addLast("tls", tls);
                channel.pipeline().addLast("tls-outcome", new TlsOutcome(ChargerServer.this, remote));
            } else {
                channel.pipeline().addLast("not-tls", new TlsOnPlainPort(ChargerServer.this, remote));
            }
            channel.pipeline().addLast("http", new HttpServerCodec(limits.maxRequestLine(), limits.maxHeaderBytes(),
                    8192));
            channel.pipeline().addLast("upgrade", new Upgrade(ChargerServer.this, port, limits, gate, workers,
                    listener));
            channel.pipeline().addLast("last", LastResort.INSTANCE);
        }
    }

    /** Counts the socket in; false (and closed) when it would exceed a connection limit. */
    private boolean admitSocket(Channel channel, InetSocketAddress remote) {
        InetAddress address = remote.getAddress();
        if (open.size() >= limits.maxConnections()) {
            refusal("max-connections", "{}: connection refused: {} sockets are open, the limit (maxConnections)",
                    addressOf(remote), limits.maxConnections());
            channel.close();
            return false;
        }
        if (limits.unlimited().contains(address)) {
            open.add(channel);
            return true;
        }
        AtomicInteger count = perAddress.compute(address, (a, c) -> c == null ? new AtomicInteger() : c);
        if (count.incrementAndGet() > limits.maxConnectionsPerAddress()) {
            release(address);
            refusal("max-per-address " + address.getHostAddress(), "{}: connection refused: {} sockets from this"
                    + " address are open, the limit (maxConnectionsPerAddress)", address.getHostAddress(),
                    limits.maxConnectionsPerAddress());
            channel.close();
            return false;
        }
        open.add(channel);
        channel.closeFuture().addListener(f -> release(address));
        return true;
    }

    private void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
    }

    static String addressOf(InetSocketAddress remote) {
        return remote == null ? "?" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }

    /**
     * A listening socket's errors: accepting fails when the process is out of files (more sockets than
     * ulimit -n allows, maxConnections above it). Logged once a minute without a stack trace, instead of
     * Netty's stack trace at every retry; accepting pauses for a second (as Netty's acceptor does, wherever
     * this handler sits) and then resumes, so the port serves again as soon as files are free.
     */
    private final class AcceptFailures extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Fatal.check(cause);
            refusal("accept " + ctx.channel().localAddress(), "{}: cannot accept a connection: {} ({} sockets are"
                    + " open; keep maxConnections, {}, below the process's open-file limit)",
                    ctx.channel().localAddress(), PeerText.longText(cause.toString()), open.size(),
                    limits.maxConnections());
            io.netty.channel.ChannelConfig config = ctx.channel().config();
            if (config.isAutoRead()) {
                config.setAutoRead(false);
                ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Errors nobody handled before: a peer's is a WARN without a stack trace, a VM error ends the process. */
    @ChannelHandler.Sharable
    static final class LastResort extends ChannelInboundHandlerAdapter {
        static final LastResort INSTANCE = new LastResort();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Fatal.check(cause);
            LOG.debug("{}: connection error: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /**
     * The first byte on the plain port: a TLS record (a charger configured for wss://, or a scanner)
     * starts with 0x16, which no HTTP request does; it is closed at once and named in the log, instead
     * of waiting for a request line that never comes until the handshake timeout. Removes itself after
     * the first byte of anything else.
     */
    static final class TlsOnPlainPort extends ChannelInboundHandlerAdapter {
        private static final int TLS_HANDSHAKE_RECORD = 0x16;
        private final ChargerServer server;
        private final InetSocketAddress remote;

        TlsOnPlainPort(ChargerServer server, InetSocketAddress remote) {
            this.server = server;
            this.remote = remote;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.buffer.ByteBuf bytes && bytes.isReadable()) {
                if (bytes.getUnsignedByte(bytes.readerIndex()) == TLS_HANDSHAKE_RECORD) {
                    bytes.release();
                    String host = remote.getAddress().getHostAddress();
                    server.earlyRefusal(host, "tls-on-plain " + host, "wss:// (TLS) on the plain ws:// port: a"
                            + " charger using wss:// must connect to the TLS port (tlsPort)", "{}: closed: a TLS"
                            + " handshake on the plain ws:// port; a charger using wss:// must connect to the TLS"
                            + " port (tlsPort)", addressOf(remote));
                    ctx.close();
                    return;
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Thread names for the server's pools, as daemon threads. */
    private static final class NamedThreads implements java.util.concurrent.ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger();

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new io.netty.util.concurrent.FastThreadLocalThread(r, prefix + "-" + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
