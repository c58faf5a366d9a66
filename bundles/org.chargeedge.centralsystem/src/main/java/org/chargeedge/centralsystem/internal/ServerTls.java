package org.chargeedge.centralsystem.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.chargeedge.tls.FileStamp;
import org.chargeedge.tls.KeyMaterial;
import org.chargeedge.tls.TlsFileException;
import org.chargeedge.tls.TrustMaterial;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * The TLS side of the {@code wss://} port (security profiles 2 and 3): the
 * gateway's certificate chain and key (PEM, read by {@code org.chargeedge.tls}
 * in every form openssl writes; RSA or ECDSA, as the White Paper's cipher
 * suites need; the key checked against the certificate), TLS 1.2 and 1.3 only, no compression (the JDK
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
    private FileStamp stamp;
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
            if (stamp.changed()) {
                stamp = stamp();
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

    /** Sizes, times and inodes of the files: changes when one of them is replaced. */
    private FileStamp stamp() {
        return chargerCa == null ? FileStamp.of(certificate, key) : FileStamp.of(certificate, key, chargerCa);
    }

    private SslContext build() throws SSLException {
        try {
            KeyMaterial keys = KeyMaterial.load(certificate, key);
            SslContextBuilder builder = SslContextBuilder.forServer(keys.keyManager())
                    .sslProvider(SslProvider.JDK).protocols(PROTOCOLS);
            if (chargerCa != null) {
                // Only the site's charger CA: a certificate from a public CA must not pass for a charger.
                builder.trustManager(TrustMaterial.load(chargerCa, false).trustManager())
                        .clientAuth(ClientAuth.OPTIONAL);
            }
            return builder.build();
        } catch (TlsFileException e) {
            throw new SSLException(setting(e) + ": " + e.getMessage(), e);
        }
    }

    private String setting(TlsFileException e) {
        return certificate.equals(e.file()) ? "tlsCertificateFile" : key.equals(e.file()) ? "tlsKeyFile"
                : "chargerCaFile";
    }
}
