package org.chargeedge.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.tls.PemFilesTest.failure;
import static org.chargeedge.tls.PemFilesTest.pem;

import java.io.InputStream;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

import org.junit.jupiter.api.Test;

/**
 * Certificate and key together, and real TLS handshakes (JDK client and server) with the key and
 * trust managers of this bundle on both sides.
 */
class KeyMaterialTest {

    @Test
    void aMatchingPairLoadsInEveryKeyForm() throws Exception {
        for (String[] pair : new String[][] {{"rsa.pem", "rsa-pkcs1.key"}, {"rsa.pem", "rsa-pkcs8.key"},
                {"ec-chain.pem", "ec-sec1.key"}, {"ec.pem", "ec-pkcs8.der"}, {"ed25519.pem", "ed25519.key"},
                {"ec-combined.pem", "ec-combined.pem"}}) {
            KeyMaterial keys = KeyMaterial.load(pem(pair[0]), pem(pair[1]));
            assertThat(PemFiles.keyMatches(keys.privateKey(), keys.certificate())).as(pair[1]).isTrue();
            X509ExtendedKeyManager km = keys.keyManager();
            String type = PemFiles.family(keys.privateKey().getAlgorithm());
            String alias = km.chooseClientAlias(new String[] {type}, null, null);
            assertThat(alias).as(pair[1]).isNotNull();
            assertThat(km.getCertificateChain(alias)).containsExactlyElementsOf(keys.chain());
            assertThat(km.getPrivateKey(alias)).isSameAs(keys.privateKey());
            assertThat(km.chooseServerAlias(type.equals("RSA") ? "EC" : "RSA", null, null))
                    .as("no certificate offered for another key type").isNull();
        }
        assertThat(KeyMaterial.load(pem("ec-chain.pem"), pem("ec-sec1.key")).chain()).hasSize(2);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
        TlsFileException e = failure(() -> KeyMaterial.load(pem("ec.pem"), pem("other.key")),
                TlsFileException.Reason.KEY_MISMATCH);
        assertThat(e.file()).isEqualTo(pem("other.key"));
        assertThat(e.problem()).isEqualTo("the file holds a private key that does not belong to the certificate in "
                + pem("ec.pem") + " (CN=CP-EC)");
        assertThat(e.fix()).contains("openssl x509 -noout -pubkey", "openssl pkey -pubout");

        assertThat(failure(() -> KeyMaterial.load(pem("ec.pem"), pem("rsa-pkcs1.key")),
                TlsFileException.Reason.KEY_MISMATCH).problem()).endsWith("(the key is RSA, the certificate's key EC)");
    }

    @Test
    void aChainWithTheKeysCertificateNotFirstSaysSo() throws Exception {
        TlsFileException e = failure(() -> KeyMaterial.load(pem("ec-chain-reversed.pem"), pem("ec-pkcs8.key")),
                TlsFileException.Reason.KEY_MISMATCH);
        assertThat(e.file()).isEqualTo(pem("ec-chain-reversed.pem"));
        assertThat(e.problem()).contains("lists CN=ChargeEdge Test PEM CA first", "belongs to CN=CP-EC");
        assertThat(e.fix()).contains("certificate of the key first");
    }

    @Test
    void clientCertificatesOfEveryKeyTypeAreAcceptedByAServerThatNeedsThem() throws Exception {
        KeyMaterial server = KeyMaterial.load(pem("rsa.pem"), pem("rsa-pkcs1.key"));
        TrustMaterial chargers = TrustMaterial.load(pem("ca.pem"), false);
        for (String[] client : new String[][] {{"ec.pem", "ec-sec1.key"}, {"rsa.pem", "rsa-pkcs8.key"},
                {"ed25519.pem", "ed25519.key"}}) {
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                KeyMaterial keys = KeyMaterial.load(pem(client[0]), pem(client[1]));
                Handshake h = handshake(server, chargers, keys, protocol);
                assertThat(h.serverFailure).as(client[0] + " " + protocol).isNull();
                assertThat(h.clientFailure).as(client[0] + " " + protocol).isNull();
                assertThat(h.peer.getSubjectX500Principal()).isEqualTo(keys.certificate().getSubjectX500Principal());
            }
        }
    }

    @Test
    void aCertificateOfAnotherCaIsSentAllTheSameAndTheServerRefusesIt() throws Exception {
        KeyMaterial server = KeyMaterial.load(pem("rsa.pem"), pem("rsa-pkcs1.key"));
        TrustMaterial chargers = TrustMaterial.load(pem("ca.pem"), false);
        Handshake h = handshake(server, chargers, KeyMaterial.load(pem("other.pem"), pem("other.key")), "TLSv1.3");
        assertThat(h.serverFailure).as("the server got the certificate and checked it").isNotNull();
        assertThat(h.serverFailure.toString()).contains("PKIX");
        assertThat(h.clientFailure).isNotNull();
    }

    @Test
    void trustWithoutTheJdkStoreTrustsTheFileOnly() throws Exception {
        TrustMaterial own = TrustMaterial.load(pem("ca.pem"), false);
        assertThat(own.certificates()).hasSize(1);
        assertThat(own.trustManager().getAcceptedIssuers()).containsExactlyElementsOf(own.certificates());
        TrustMaterial both = TrustMaterial.load(pem("ca.pem"), true);
        assertThat(both.trustManager().getAcceptedIssuers()).contains(own.certificates().get(0))
                .hasSizeGreaterThan(10);
        assertThat(TrustMaterial.jdkDefault().certificates()).isEmpty();
        assertThat(TrustMaterial.jdkDefault().trustManager().getAcceptedIssuers()).hasSizeGreaterThan(10);
        X509Certificate[] served = PemFiles.readCertificates(pem("ec-chain.pem")).toArray(new X509Certificate[0]);
        own.trustManager().checkServerTrusted(served, "ECDHE_ECDSA");
    }

    /** What happened on either side of one handshake (with one byte from the server after it). */
    private static final class Handshake {
        X509Certificate peer;
        Throwable serverFailure;
        Throwable clientFailure;
    }

    private static Handshake handshake(KeyMaterial server, TrustMaterial clientsTrusted, KeyMaterial client,
                                       String protocol) throws Exception {
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(new javax.net.ssl.KeyManager[] {server.keyManager()},
                new TrustManager[] {clientsTrusted.trustManager()}, null);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(new javax.net.ssl.KeyManager[] {client.keyManager()},
                new TrustManager[] {TrustMaterial.load(pem("ca.pem"), false).trustManager()}, null);
        Handshake result = new Handshake();
        try (SSLServerSocket listening = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listening.setNeedClientAuth(true);
            listening.setEnabledProtocols(new String[] {protocol});
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listening.accept()) {
                    s.startHandshake();
                    result.peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                } catch (Exception e) {
                    result.serverFailure = e;
                }
            });
            try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket(
                    InetAddress.getLoopbackAddress(), listening.getLocalPort())) {
                s.setSoTimeout(5000);
                s.startHandshake();
                InputStream in = s.getInputStream();
                if (in.read() != 1) {
                    throw new java.io.EOFException("no byte from the server");
                }
            } catch (Exception e) {
                result.clientFailure = e;
            }
            served.get(10, TimeUnit.SECONDS);
        }
        return result;
    }
}
