package org.chargeedge.centralsystem.internal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * The TLS side of the {@code wss://} port (security profiles 2 and 3): the
 * gateway's certificate chain and key (PEM; RSA or ECDSA, as the White
 * Paper's cipher suites need), TLS 1.2 and 1.3 only, no compression (the JDK
 * offers none), and with a charger CA a client certificate asked for and
 * checked against it. The files are looked at again at most every few
 * seconds when a connection arrives, and a changed certificate is used for
 * the next handshakes without a restart; a changed file that cannot be used
 * is logged and the previous certificate kept.
 *
 * <p>Threads: {@link #get} is called on the acceptor's event loops; the
 * current context is swapped under this object's lock.
 */
final class ServerTls implements Supplier<SslContext> {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final long RECHECK_NANOS = 5_000_000_000L;
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final Path certificate;
    private final Path key;
    private final Path chargerCa;
    private SslContext context;
    private String stamp;
    private long checkedAt;

    /** Builds the first context; throws with the file and the problem when it cannot. */
    ServerTls(String certificateFile, String keyFile, String chargerCaFile) throws SSLException {
        this.certificate = Path.of(certificateFile);
        this.key = Path.of(keyFile);
        this.chargerCa = chargerCaFile == null || chargerCaFile.isBlank() ? null : Path.of(chargerCaFile);
        this.stamp = stamp();
        this.context = build();
        this.checkedAt = System.nanoTime();
    }

    boolean checksClientCertificates() {
        return chargerCa != null;
    }

    @Override
    public synchronized SslContext get() {
        long now = System.nanoTime();
        if (now - checkedAt >= RECHECK_NANOS) {
            checkedAt = now;
            String current = stamp();
            if (!current.equals(stamp)) {
                stamp = current;
                try {
                    context = build();
                    LOG.info("TLS certificate files changed; new handshakes use {}", certificate);
                } catch (SSLException | RuntimeException e) {
                    LOG.error("TLS certificate files changed but cannot be used, the previous certificate stays: {}",
                            e.getMessage());
                }
            }
        }
        return context;
    }

    private SslContext build() throws SSLException {
        File cert = readable(certificate, "tlsCertificateFile");
        File pk = readable(key, "tlsKeyFile");
        SslContextBuilder builder;
        try {
            builder = SslContextBuilder.forServer(cert, pk);
        } catch (IllegalArgumentException e) {
            throw new SSLException("tlsCertificateFile " + certificate + " and tlsKeyFile " + key + " cannot be used: "
                    + e.getMessage() + " (PEM, the key unencrypted PKCS#8 'BEGIN PRIVATE KEY')", e);
        }
        builder.sslProvider(SslProvider.JDK).protocols(PROTOCOLS);
        if (chargerCa != null) {
            builder.trustManager(readable(chargerCa, "chargerCaFile")).clientAuth(ClientAuth.OPTIONAL);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new SSLException("the TLS files cannot be used (" + certificate + ", " + key
                    + (chargerCa == null ? "" : ", " + chargerCa) + "): " + e.getMessage(), e);
        }
    }

    private static File readable(Path file, String setting) throws SSLException {
        if (!Files.isReadable(file)) {
            throw new SSLException(setting + " " + file + " does not exist or cannot be read by the gateway");
        }
        return file.toFile();
    }

    /** Modification times and sizes of the files: changes when one of them is replaced. */
    private String stamp() {
        StringBuilder s = new StringBuilder();
        for (Path p : chargerCa == null ? List.of(certificate, key) : List.of(certificate, key, chargerCa)) {
            try {
                s.append(Files.getLastModifiedTime(p).toMillis()).append('/').append(Files.size(p)).append(';');
            } catch (java.io.IOException e) {
                s.append("missing;");
            }
        }
        return s.toString();
    }
}
