package org.chargeedge.upstream.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time (EC P-256, SHA-256), and the server and client
 * certificates it issues: for given names, with given validity. Nothing is stored outside the
 * test's directory. Public for the gateway's process tests (module {@code run}), which use this
 * test jar.
 */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A server's (or a client's) key and chain (its certificate first, then the CA). */
    public record Server(PrivateKey key, X509Certificate[] chain) {
        X509Certificate certificate() {
            return chain[0];
        }

        /**
         * A TLS server context presenting this chain; with {@code clientCas}, it trusts client
         * certificates of those CAs only (the JDK's trust store otherwise).
         */
        public SSLContext serverContext(X509Certificate... clientCas) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "test".toCharArray();
            store.setKeyEntry("server", key, password, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            TrustManager[] trusted = null;
            if (clientCas.length > 0) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                for (X509Certificate ca : clientCas) {
                    cas.setCertificateEntry(ca.getSubjectX500Principal().getName(), ca);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(cas);
                trusted = tmf.getTrustManagers();
            }
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), trusted, null);
            return ssl;
        }

        /**
         * Writes the chain as PEM to {@code certificateFile} and the key to {@code keyFile} as
         * {@code openssl ecparam -genkey} writes it (SEC1, {@code BEGIN EC PRIVATE KEY}).
         */
        public void write(Path certificateFile, Path keyFile) throws Exception {
            StringBuilder pem = new StringBuilder();
            for (X509Certificate c : chain) {
                pem.append(pem("CERTIFICATE", c.getEncoded()));
            }
            Files.writeString(certificateFile, pem, StandardCharsets.US_ASCII);
            // The JDK's PKCS#8 names the curve outside the SEC1 structure; openssl writes it inside.
            PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(key.getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
            ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
                    pkcs8.getPrivateKeyAlgorithm().getParameters());
            Files.writeString(keyFile, pem("EC PRIVATE KEY", sec1.getEncoded()), StandardCharsets.US_ASCII);
        }
    }

    final KeyPair key;
    final X509Certificate certificate;

    /** A self-signed CA valid from a day ago for ten years. */
    public TestPki(String name) throws Exception {
        key = newKey();
        X500Name subject = new X500Name("CN=" + name + ",O=ChargeEdge tests");
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(3650, ChronoUnit.DAYS)), subject,
                key.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        certificate = sign(b, key.getPrivate());
    }

    /** The CA's certificate (what a server that checks client certificates of this CA trusts). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** A server certificate for {@code names} (DNS names, or IP addresses when they are numeric), valid now. */
    public Server server(String commonName, List<String> names) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return server(commonName, names, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
    }

    Server server(String commonName, List<String> names, Instant notBefore, Instant notAfter) throws Exception {
        return issue(commonName, names, notBefore, notAfter, KeyPurposeId.id_kp_serverAuth);
    }

    /** A client certificate (a charge point's: the common name is its id), valid now. */
    public Server client(String commonName) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return issue(commonName, List.of(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)),
                KeyPurposeId.id_kp_clientAuth);
    }

    private Server issue(String commonName, List<String> names, Instant notBefore, Instant notAfter,
                         KeyPurposeId purpose) throws Exception {
        KeyPair serverKey = newKey();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial(),
                Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + commonName), serverKey.getPublic());
        List<GeneralName> alternatives = new ArrayList<>();
        for (String n : names) {
            alternatives.add(new GeneralName(n.matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        if (!alternatives.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(alternatives.toArray(GeneralName[]::new)));
        }
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        return new Server(serverKey.getPrivate(), new X509Certificate[] {sign(b, key.getPrivate()), certificate});
    }

    /** Writes the CA certificate as PEM. */
    public Path writeCa(Path file) throws Exception {
        Files.writeString(file, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        return file;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) throws Exception {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }
}
