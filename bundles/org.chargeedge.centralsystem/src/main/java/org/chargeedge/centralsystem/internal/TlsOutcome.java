package org.chargeedge.centralsystem.internal;

import java.net.InetSocketAddress;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;

import javax.net.ssl.SSLHandshakeException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Says, in an installer's words, why a TLS handshake on the {@code wss://} port
 * failed (plain ws:// sent to it, a TLS version too old, an untrusted or
 * expired client certificate, none sent), once per cause and address and
 * minute. Removes itself after a successful handshake.
 */
final class TlsOutcome extends ChannelInboundHandlerAdapter {

    private final ChargerServer server;
    private final String address;
    private final String host;

    TlsOutcome(ChargerServer server, InetSocketAddress remote) {
        this.server = server;
        this.address = ChargerServer.addressOf(remote);
        this.host = remote.getAddress().getHostAddress();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                String why = explain(done.cause());
                server.earlyRefusal(host, "tls " + why + " " + host, "TLS handshake failed: " + why,
                        "{}: TLS handshake failed: {}", address, why);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Fatal.check(cause);
        if (cause instanceof NotSslRecordException || cause.getCause() instanceof NotSslRecordException) {
            server.earlyRefusal(host, "tls plain " + host, "not TLS on the wss:// port: the charger's URL must"
                    + " start with wss:// for this port", "{}: not TLS on the wss:// port: the charger's URL must"
                    + " start with wss:// for this port", address);
            ctx.close();
            return;
        }
        if (cause.getCause() instanceof SSLHandshakeException) {
            // Reported through the handshake completion event.
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** The JDK's handshake failure as an installer reads it. */
    static String explain(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("timed out")) {
            return "no TLS handshake within the handshake timeout";
        }
        if (lower.contains("protocol") && (lower.contains("not supported") || lower.contains("is disabled")
                || lower.contains("no appropriate") || lower.contains("not enabled or supported"))) {
            return "TLS version too old: TLS 1.2 or newer is required (" + PeerText.longText(m) + ")";
        }
        // The JDK names a certificate's validity only in the causes: "PKIX path validation failed: ...
        // validity check failed", caused by CertificateExpiredException("NotAfter: ...").
        Throwable t = cause;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return "the client certificate has expired (" + PeerText.longText(String.valueOf(t.getMessage()))
                        + ")";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "the client certificate is not valid yet; check the charger's clock ("
                        + PeerText.longText(String.valueOf(t.getMessage())) + ")";
            }
        }
        if (lower.contains("empty client certificate chain") || lower.contains("null cert chain")
                || lower.contains("certificate required")) {
            return "no client certificate: security profile 3 needs one signed by the charger CA (chargerCaFile)";
        }
        if (lower.contains("expired") || lower.contains("notafter")) {
            return "the client certificate has expired (" + PeerText.longText(m) + ")";
        }
        if (lower.contains("not yet valid") || lower.contains("notbefore")) {
            return "the client certificate is not valid yet; check the charger's clock (" + PeerText.longText(m)
                    + ")";
        }
        if (lower.contains("pkix") || lower.contains("unable to find valid certification path")
                || lower.contains("certificate_unknown") || lower.contains("unknown_ca")) {
            return "the client certificate is not signed by the charger CA (chargerCaFile) ("
                    + PeerText.longText(m) + ")";
        }
        if (lower.contains("no cipher suites in common")) {
            return "no cipher suite in common: the charger offers none of the White Paper's suites";
        }
        return PeerText.longText(m);
    }
}
