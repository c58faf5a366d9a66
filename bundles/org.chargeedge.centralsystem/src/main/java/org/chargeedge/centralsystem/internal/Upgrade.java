package org.chargeedge.centralsystem.internal;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutorGroup;

/**
 * The HTTP side of a connection, until it is a WebSocket: checks the upgrade
 * request as RFC 6455 4.2 asks (400 for a malformed one or a bad key, 426
 * with the supported version for another version, 414 and 431 for a request
 * line or header block over the limits), asks the {@link ChargerServer.Gate}
 * who the peer is, and then completes the handshake and replaces itself with
 * the {@link Frames} and {@link Bridge} handlers. One request per connection;
 * nothing is read from the peer while the gate decides.
 *
 * <p>Threads: the connection's event loop; the gate may answer on any thread,
 * its answer is carried back to the event loop.
 */
final class Upgrade extends ChannelInboundHandlerAdapter {

    /** Answered 200 to a GET from a loopback address, for the health probe; any other path is a handshake. */
    static final String PROBE_PATH = "/.chargeedge/probe";
    static final AttributeKey<ScheduledFuture<?>> DEADLINE = AttributeKey.valueOf("chargeedge.handshake.deadline");

    private final ChargerServer server;
    private final ChargerServer.Port port;
    private final ChargerServer.Limits limits;
    private final ChargerServer.Gate gate;
    private final EventExecutorGroup workers;
    private final ChargerServer.Listener listener;
    private boolean requestSeen;

    Upgrade(ChargerServer server, ChargerServer.Port port, ChargerServer.Limits limits, ChargerServer.Gate gate,
            EventExecutorGroup workers, ChargerServer.Listener listener) {
        this.server = server;
        this.port = port;
        this.limits = limits;
        this.gate = gate;
        this.workers = workers;
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request && !requestSeen) {
                requestSeen = true;
                request(ctx, request);
            } else if (!(msg instanceof HttpContent)) {
                // A second request on the same connection, or a stray object: nothing we serve.
                ctx.close();
            }
            // The body of the upgrade GET (there should be none) is discarded.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void request(ChannelHandlerContext ctx, HttpRequest request) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        String address = remote.getAddress().getHostAddress();
        if (request.decoderResult().isFailure()) {
            if (!ctx.channel().isActive()) {
                // The decoder's note that the socket closed mid-request (the handshake timeout, or the peer
                // left): nothing to answer, and whoever closed it has logged why.
                return;
            }
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
            String why = cause instanceof TooLongHttpLineException
                    ? "request line longer than " + limits.maxRequestLine() + " bytes (maxRequestLineLength)"
                    : cause instanceof TooLongHttpHeaderException
                    ? "headers larger than " + limits.maxHeaderBytes() + " bytes (maxHeaderSize)"
                    : "not an HTTP request: " + PeerText.longText(String.valueOf(cause.getMessage()));
            refuse(ctx, status, "bad-http " + status.code() + " " + address, why, null);
            return;
        }
        String path = request.uri();
        if (PROBE_PATH.equals(path) && HttpMethod.GET.equals(request.method())
                && remote.getAddress().isLoopbackAddress()) {
            // The health probe of this machine (OcppServerHealth.probe): answered here, not logged.
            cancelDeadline(ctx);
            respond(ctx, HttpResponseStatus.OK, null);
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            refuse(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + address,
                    "method " + PeerText.shortText(request.method().name()) + " on " + PeerText.longText(path)
                            + "; a WebSocket handshake is a GET", null);
            return;
        }
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "not-websocket " + address,
                    "not a WebSocket handshake (no Upgrade: websocket) for " + PeerText.longText(path), null);
            return;
        }
        String version = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (!"13".equals(version)) {
            DefaultHttpHeaders headers = new DefaultHttpHeaders();
            headers.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "version " + address,
                    "WebSocket version " + PeerText.shortText(version) + "; only 13 is supported", headers);
            return;
        }
        if (!validKey(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "key " + address,
                    "Sec-WebSocket-Key is not 16 bytes in base64", null);
            return;
        }
        String offered = String.join(",", request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
        if (!offers(offered, ChargerServer.SUBPROTOCOL)) {
            refuse(ctx, HttpResponseStatus.NOT_FOUND, "subprotocol " + address,
                    "path " + PeerText.longText(path) + ", offered subprotocols '" + PeerText.shortText(offered)
                            + "': subprotocol " + ChargerServer.SUBPROTOCOL + " not offered", null);
            return;
        }
        ChargerServer.Handshake handshake = new ChargerServer.Handshake(path, remote,
                ((InetSocketAddress) ctx.channel().localAddress()).getPort(), port.secure(),
                request.headers().get(HttpHeaderNames.AUTHORIZATION), clientCertificates(ctx));
        FullHttpRequest full = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), path,
                Unpooled.EMPTY_BUFFER, request.headers().copy(), new DefaultHttpHeaders());
        ctx.channel().config().setAutoRead(false);
        gate.admit(handshake).whenComplete((admission, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
                Fatal.check(failure);
                refuse(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "gate-failed", "BUG: the handshake check"
                        + " failed: " + failure, null);
            } else if (!admission.accepted()) {
                respondLater(ctx, admission);
            } else {
                accept(ctx, full, admission.chargePointId());
            }
        }));
    }

    private void respondLater(ChannelHandlerContext ctx, ChargerServer.Admission admission) {
        DefaultHttpHeaders headers = null;
        if (admission.status() == 401) {
            headers = new DefaultHttpHeaders();
            headers.set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"ChargeEdge OCPP\", charset=\"UTF-8\"");
        }
        DefaultHttpHeaders h = headers;
        Runnable respond = () -> respond(ctx, HttpResponseStatus.valueOf(admission.status()), h);
        if (admission.delay().isZero()) {
            respond.run();
        } else {
            // Repeated failures from one address are answered late; the event loop is not held meanwhile.
            // The answer is decided: the handshake timeout no longer applies, so the refusal is always sent
            // (the delay is bounded, and so are the sockets one address may hold).
            cancelDeadline(ctx);
            ctx.executor().schedule(respond, admission.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void accept(ChannelHandlerContext ctx, FullHttpRequest request, String chargePointId) {
        if (!ctx.channel().isActive()) {
            return;
        }
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(limits.maxMessageSize())
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                // The decoders only report a violation; Frames answers it with the close frame (Netty's
                // decoder would answer a violation in the peer's own close frame with no close frame at all).
                .closeOnProtocolViolation(false)
                .withUTF8Validator(true)
                .build();
        String url = (port.secure() ? "wss://" : "ws://") + request.headers().get(HttpHeaderNames.HOST, "localhost")
                + request.uri();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, ChargerServer.SUBPROTOCOL,
                decoder).newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            ctx.close();
            return;
        }
        ChargerChannel connection = new ChargerChannel(ctx.channel(), port.secure());
        handshaker.handshake(ctx.channel(), request).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        cancelDeadline(ctx);
        // The WebSocket decoder sits where the HTTP codec was; text frames are checked for UTF-8 (1007).
        ctx.pipeline().addAfter("wsdecoder", "utf8", new Utf8FrameValidator(false));
        ctx.pipeline().addBefore(ctx.name(), "frames", new Frames(server, connection, limits));
        ctx.pipeline().addBefore(workers, ctx.name(), "bridge", new Bridge(connection, listener));
        ctx.channel().attr(ChargerServer.CHARGER).set(connection);
        ctx.pipeline().remove(this);
        ctx.pipeline().fireUserEventTriggered(new Bridge.Opened(chargePointId));
        ctx.channel().config().setAutoRead(true);
    }

    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String logKey, String why,
                        DefaultHttpHeaders headers) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        // listed with the recent refusals too (site view, API, dashboard): an installer sees a wrong path or a
        // missing ocpp1.6 subprotocol where the other refusals are, not only in the log
        server.earlyRefusal(remote.getAddress().getHostAddress(), logKey,
                "handshake refused with " + status.code() + ": " + why,
                "{}: handshake refused with {}: {}", ChargerServer.addressOf(remote), status.code(), why);
        respond(ctx, status, headers);
    }

    private static void cancelDeadline(ChannelHandlerContext ctx) {
        ScheduledFuture<?> deadline = ctx.channel().attr(DEADLINE).getAndSet(null);
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, DefaultHttpHeaders headers) {
        if (!ctx.channel().isActive()) {
            return;
        }
        byte[] body = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        if (headers != null) {
            response.headers().add(headers);
        }
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=US-ASCII");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** A key is 16 random bytes in base64 (RFC 6455 4.1). */
    static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether the comma-separated list names {@code protocol} exactly (subprotocol names are case-sensitive). */
    static boolean offers(String offered, String protocol) {
        for (String p : offered.split(",")) {
            if (p.trim().equals(protocol)) {
                return true;
            }
        }
        return false;
    }

    private static List<X509Certificate> clientCertificates(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : tls.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return List.copyOf(chain);
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Fatal.check(cause);
        ctx.close();
    }
}
