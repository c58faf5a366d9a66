package org.chargeedge.centralsystem.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The health probe of one port: a real connection from this machine, through accept, the TLS
 * handshake on the {@code wss://} port, and the HTTP decoder, to the answer of the event loop that
 * owns the connection ({@link Upgrade#PROBE_PATH}). A flag could say "bound" while the server
 * serves nobody; this cannot.
 *
 * <p>The TLS probe trusts any certificate: it checks that this machine's server answers, not who
 * it is (the certificate files are checked when they are loaded). Threads: the caller's (blocking).
 */
final class Probe {

    private Probe() {
    }

    /** Null when {@code host:port} answered 200 within {@code timeout}; otherwise what went wrong. */
    static String port(String host, int port, boolean tls, Duration timeout) {
        String where = (tls ? "wss:// port " : "ws:// port ") + port;
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        InetAddress address;
        try {
            // A server bound to every address is probed on loopback, where it exempts the probe from limits.
            address = host == null || host.isBlank() || "0.0.0.0".equals(host) || "::".equals(host)
                    ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
        } catch (IOException e) {
            return where + ": cannot resolve " + host + ": " + e.getMessage();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = tls ? trustingTls().getSocketFactory().createSocket() : new Socket()) {
            socket.connect(new InetSocketAddress(address, port), millis);
            socket.setSoTimeout(remaining(deadline));
            if (socket instanceof SSLSocket ssl) {
                ssl.startHandshake();
                socket.setSoTimeout(remaining(deadline));
            }
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + Upgrade.PROBE_PATH + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = statusLine(socket.getInputStream());
            return status.startsWith("HTTP/1.1 200") ? null
                    : where + ": answered '" + PeerText.shortText(status) + "' instead of 200";
        } catch (SocketTimeoutException e) {
            return where + ": accepted the connection but did not answer within " + timeout.toMillis() + " ms";
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return where + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static int remaining(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("probe deadline");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != -1 && b != '\n' && line.length() < 200; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        if (line.length() == 0) {
            throw new IOException("the connection was closed without an answer");
        }
        return line.toString();
    }

    private static SSLContext trustingTls() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // The probe checks that the server answers, not who it is.
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }
}
