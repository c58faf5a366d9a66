package org.chargeedge.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The network side of the load generator: one Netty event loop group with {@code --threads} threads, native
 * epoll where Netty's native library loads (Linux x86-64), else NIO, and the pipeline of a charger's
 * WebSocket:
 *
 * <pre>
 *   [SslHandler, wss:// only] - HttpClientCodec - HttpObjectAggregator - WebSocketClientProtocolHandler
 *       - WebSocketFrameAggregator - SimulatedCharger
 * </pre>
 *
 * The HTTP handlers only carry the opening handshake; Netty swaps them for its WebSocket frame encoder and
 * decoder when the handshake completes. {@link WebSocketClientProtocolHandler} offers subprotocol
 * {@code ocpp1.6} and fails the handshake if the server does not select it, masks every frame the client
 * sends (RFC 6455) and answers pings. Close frames are passed on to the charger, which runs the closing
 * handshake itself. {@link WebSocketFrameAggregator} joins fragmented messages (continuation frames).
 *
 * <p>wss:// uses the JDK's TLS ({@link SslProvider#JDK}) with the JDK's default trust store, the server name
 * (SNI) of the URL's host, and host name verification (endpoint identification "HTTPS").
 *
 * <p>Thread safety: immutable after construction; {@link #connect} may be called from any thread.
 */
final class Transport implements AutoCloseable {

    /** Largest WebSocket frame payload and largest aggregated message accepted (OCPP messages are far smaller). */
    static final int MAX_MESSAGE_BYTES = 1 << 20;
    /** Largest HTTP response to the opening handshake (it has no body unless the server refuses). */
    private static final int MAX_HANDSHAKE_RESPONSE_BYTES = 64 * 1024;

    private final Options options;
    private final EventLoopGroup group;
    private final boolean epoll;
    private final String epollProblem;
    private final Bootstrap bootstrap;
    private final SslContext ssl;
    private final String host;
    private final int port;
    private final InetSocketAddress remote;
    private final long connectTimeoutMillis;

    Transport(Options options) throws SSLException {
        this.options = options;
        URI base = URI.create(options.url);
        boolean tls = "wss".equals(base.getScheme());
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        this.connectTimeoutMillis = Math.max(1, options.connectTimeout.toMillis());
        InetSocketAddress address;
        try { // once, here, rather than once per connection on the event loop
            address = new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) { // each connect fails and reports the UnknownHostException
            address = InetSocketAddress.createUnresolved(host, port);
        }
        this.remote = address;
        SslContextBuilder client = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .endpointIdentificationAlgorithm("HTTPS");
        if (options.caFile != null) {
            client.trustManager(options.caFile.toFile());
        }
        this.ssl = tls ? client.build() : null;

        DefaultThreadFactory threads = new DefaultThreadFactory("loadgen-io", true);
        this.epoll = Epoll.isAvailable();
        this.epollProblem = epoll ? null : String.valueOf(Epoll.unavailabilityCause());
        this.group = epoll ? new EpollEventLoopGroup(options.threads, threads)
                : new NioEventLoopGroup(options.threads, threads);
        Bootstrap b = new Bootstrap()
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis));
        if (epoll) {
            // One read per readable event: a charger's answers are small and far apart. Edge-triggered mode
            // would read again until EAGAIN, one wasted syscall per answer.
            b.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        this.bootstrap = b;
    }

    /** The event loop the next charger is to live on (round robin). */
    EventLoop nextLoop() {
        return group.next();
    }

    /** For the progress output, e.g. "epoll, 1 thread". */
    String describe() {
        String t = options.threads + (options.threads == 1 ? " thread" : " threads");
        return epoll ? "native epoll, " + t : "NIO (native epoll unavailable: " + epollProblem + "), " + t;
    }

    /**
     * Opens the TCP connection of {@code charger} to {@code uri} on {@code loop}; the pipeline then runs the TLS
     * and WebSocket handshakes and tells the charger how they went. Returns the connect future (TCP only).
     */
    ChannelFuture connect(EventLoop loop, URI uri, SimulatedCharger charger) {
        return bootstrap.clone(loop).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                if (ssl != null) {
                    SslHandler tls = ssl.newHandler(ch.alloc(), host, port);
                    tls.setHandshakeTimeoutMillis(connectTimeoutMillis);
                    p.addLast("tls", tls);
                }
                p.addLast("http", new HttpClientCodec());
                p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE_BYTES));
                p.addLast("websocket", new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                        .webSocketUri(uri)
                        .version(WebSocketVersion.V13)
                        .subprotocol(RunState.SUBPROTOCOL)
                        .allowExtensions(false)
                        .maxFramePayloadLength(MAX_MESSAGE_BYTES)
                        .handleCloseFrames(false)     // the charger answers and checks close frames itself
                        .sendCloseFrame(null)         // channel.close() is an abort, not a closing handshake
                        .dropPongFrames(true)
                        .handshakeTimeoutMillis(connectTimeoutMillis)
                        .generateOriginHeader(false)  // a charge point is no browser
                        .withUTF8Validator(false)     // Jackson rejects invalid UTF-8 (malformed-frame)
                        .build()));
                p.addLast("ws-aggregator", new WebSocketFrameAggregator(MAX_MESSAGE_BYTES));
                p.addLast("charger", charger);
            }
        }).connect(remote);
    }

    /** Stops the event loops: pending tasks (aborts, closes) run first; waits at most a few seconds. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
