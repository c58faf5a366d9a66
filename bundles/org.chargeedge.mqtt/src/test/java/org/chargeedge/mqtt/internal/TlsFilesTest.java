package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.chargeedge.tls.PemFiles;
import org.chargeedge.tls.TlsFileException;
import org.junit.jupiter.api.Test;

/**
 * TLS files of the broker connection: PEM CA and client certificate/key
 * (test PKI in src/test/resources/tls, see its readme), and a real TLS
 * broker that wants a client certificate.
 */
class TlsFilesTest {

    static String file(String name) throws Exception {
        return Path.of(TlsFilesTest.class.getResource("/tls/" + name).toURI()).toString();
    }

    private static X509Certificate[] certificates(String name) throws Exception {
        return PemFiles.readCertificates(Path.of(file(name))).toArray(new X509Certificate[0]);
    }

    private static X509TrustManager x509(TrustManager[] tms) {
        for (TrustManager tm : tms) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new AssertionError("no X509TrustManager");
    }

    @Test
    void caFileIsTrustedOnTopOfTheJvmTrustStore() throws Exception {
        TlsFiles tls = new TlsFiles(file("ca.pem"), "", "");
        assertThat(tls.configured()).isTrue();
        X509TrustManager tm = x509(tls.trustManagers());
        X509Certificate[] server = certificates("server.pem");
        tm.checkServerTrusted(server, "RSA");
        X509Certificate[] other = certificates("other.pem");
        assertThatThrownBy(() -> tm.checkServerTrusted(other, "RSA")).isInstanceOf(CertificateException.class);
        X509Certificate ca = certificates("ca.pem")[0];
        assertThat(tm.getAcceptedIssuers()).as("the CA and the JVM's anchors").contains(ca).hasSizeGreaterThan(1);
        SSLContext ctx = tls.context();
        assertThat(ctx.getSocketFactory()).isNotNull();
    }

    @Test
    void clientCertificateAndKeyLoad() throws Exception {
        assertThat(PemFiles.readPrivateKey(Path.of(file("client.key"))).getAlgorithm()).isEqualTo("EC");
        SSLContext ctx = new TlsFiles("", file("client.pem"), file("client.key")).context();
        assertThat(ctx.getSocketFactory()).isNotNull();
        assertThat(TlsFiles.NONE.configured()).isFalse();
        assertThat(PemFiles.readPrivateKey(Path.of(file("other-rsa.key"))).getAlgorithm())
                .as("a PKCS#1 key (BEGIN RSA PRIVATE KEY) is read as it is").isEqualTo("RSA");
    }

    @Test
    void unusableFilesAreRefusedWithAReason() throws Exception {
        assertThatThrownBy(() -> new TlsFiles("", file("client.pem"), file("other-rsa.key")).context())
                .isInstanceOf(TlsFileException.class)
                .hasMessageContaining("does not belong to the certificate in " + file("client.pem"))
                .hasMessageContaining("the key is RSA, the certificate's key EC");
        assertThatThrownBy(() -> new TlsFiles("", file("client.pem"), file("ca.pem")).context())
                .isInstanceOf(TlsFileException.class).hasMessageContaining("not a private key");
        assertThatThrownBy(() -> new TlsFiles("", file("client.pem"), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tlsKeyFile");
        assertThatThrownBy(() -> new TlsFiles(file("client.key"), "", "").context())
                .isInstanceOf(TlsFileException.class).hasMessageContaining("holds a private key");
    }

    private static ConnectionSettings settings(String url, TlsFiles tls) {
        return new ConnectionSettings(url, "", "", "gw-" + UUID.randomUUID(), true, "tls", 30, Duration.ofSeconds(5),
                Duration.ofMillis(50), Duration.ofMillis(500), tls);
    }

    @Test
    void connectsToATlsBrokerWithThePrivateCaAndAClientCertificate() throws Exception {
        try (EmbeddedBroker broker = new EmbeddedBroker(Path.of(file("server.p12")), true)) {
            BrokerConnection ok = new BrokerConnection(settings(broker.sslUrl(),
                    new TlsFiles(file("ca.pem"), file("client.pem"), file("client.key"))));
            BrokerConnection untrusted = new BrokerConnection(settings(broker.sslUrl(), TlsFiles.NONE));
            BrokerConnection noClientCert = new BrokerConnection(settings(broker.sslUrl(),
                    new TlsFiles(file("ca.pem"), "", "")));
            try {
                Await.until("TLS connection", ok::connected);
                Await.until("failures of the others", () -> untrusted.state().failedAttempts() > 0
                        && noClientCert.state().failedAttempts() > 0);
                assertThat(untrusted.connected()).as("the JVM's trust store does not know the test CA").isFalse();
                assertThat(noClientCert.connected()).as("the broker wants a client certificate").isFalse();
            } finally {
                for (BrokerConnection c : List.of(ok, untrusted, noClientCert)) {
                    c.stop();
                }
            }
        }
    }

    @Test
    void tlsFilesOfAPlainTcpUrlAreNotUsedAndABrokenFileStopsOnlyTheConnection() throws Exception {
        assertThat(BrokerConnection.socketFactory(settings("tcp://127.0.0.1:1", new TlsFiles(file("ca.pem"), "", ""))))
                .isNull();
        assertThat(BrokerConnection.socketFactory(settings("ssl://127.0.0.1:1", new TlsFiles(file("ca.pem"), "", ""))))
                .isNotNull();
        BrokerConnection broken = new BrokerConnection(settings("ssl://127.0.0.1:1",
                new TlsFiles("", file("client.pem"), file("other-rsa.key"))));
        try {
            assertThat(broken.state().lastError()).contains("other-rsa.key", "does not belong to the certificate");
            assertThat(broken.connected()).isFalse();
        } finally {
            broken.stop();
        }
    }
}
