package org.chargeedge.centralsystem.internal;

import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time with Bouncy Castle (EC P-256),
 * for every test that needs TLS (the chargers' side here, the CSMS side in
 * the upstream bundle, through this test jar): server certificates (RSA or
 * ECDSA, for any names) and client certificates (any CN and O, any
 * validity). PEM files as the gateway's configuration takes them: the chain,
 * and the key as unencrypted PKCS#8 or as {@code openssl ecparam} writes it.
 * Serial numbers are random, so every certificate differs from the ones
 * before.
 */
public final class TestPki {

    public enum KeyType { RSA, EC }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key and its chain: the certificate first, then the CA. */
    public record Issued(PrivateKey key, X509Certificate[] chain) {
        public X509Certificate certificate() {
            return chain[0];
        }

        /**
         * Writes the chain to {@code certificateFile} and the key (unencrypted PKCS#8) to {@code keyFile},
         * each through a temporary file moved over the old one, as an installer replaces them.
         */
        public void write(Path certificateFile, Path keyFile) throws Exception {
            replace(keyFile, pem("PRIVATE KEY", key.getEncoded()));
            replace(certificateFile, chainPem());
        }

        /**
         * Writes the chain and an EC key as {@code openssl ecparam -genkey} writes it (SEC1,
         * {@code BEGIN EC PRIVATE KEY}, the curve inside the structure).
         */
        public void writeSec1(Path certificateFile, Path keyFile) throws Exception {
            PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(key.getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
            ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
                    pkcs8.getPrivateKeyAlgorithm().getParameters());
            replace(keyFile, pem("EC PRIVATE KEY", sec1.getEncoded()));
            replace(certificateFile, chainPem());
        }

        private String chainPem() throws Exception {
            StringBuilder pem = new StringBuilder();
            for (X509Certificate c : chain) {
                pem.append(pem("CERTIFICATE", c.getEncoded()));
            }
            return pem.toString();
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
                trusted = trustManagers(clientCas);
            }
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), trusted, null);
            return ssl;
        }
    }

    private final String name;
    private final KeyPair key;
    private final X509Certificate certificate;

    /** A self-signed CA valid from a day ago for ten years. */
    public TestPki(String name) throws Exception {
        this.name = name;
        key = newKey(KeyType.EC);
        X500Name subject = new X500Name("CN=" + name + ",O=ChargeEdge tests");
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(3650, ChronoUnit.DAYS)), subject,
                key.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        certificate = sign(b);
    }

    /** The CA's certificate (what a server that checks client certificates of this CA trusts). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The gateway's certificate for 127.0.0.1 and localhost, with a key of {@code type}, valid now. */
    public Issued server(KeyType type) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return server("chargeedge-gateway", List.of("127.0.0.1", "localhost"), type, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)));
    }

    /** An EC server certificate for {@code names} (DNS names, or IP addresses when numeric), valid now. */
    public Issued server(String commonName, List<String> names) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return server(commonName, names, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
    }

    public Issued server(String commonName, List<String> names, Instant notBefore, Instant notAfter)
            throws Exception {
        return server(commonName, names, KeyType.EC, notBefore, notAfter);
    }

    private Issued server(String commonName, List<String> names, KeyType type, Instant notBefore, Instant notAfter)
            throws Exception {
        KeyPair serverKey = newKey(type);
        X509v3CertificateBuilder b = builder(new X500Name("CN=" + commonName), serverKey, notBefore, notAfter);
        if (!names.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.stream()
                    .map(n -> new GeneralName(n.matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new)));
        }
        b.addExtension(Extension.keyUsage, true, new KeyUsage(type == KeyType.RSA
                ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return new Issued(serverKey.getPrivate(), new X509Certificate[] {sign(b), certificate});
    }

    /** A charge point's client certificate: CN its id, no O; valid now. */
    public Issued client(String commonName) throws Exception {
        return client(commonName, null);
    }

    /** A charger's certificate (White Paper: CN the charge point id, O the operator), valid now. */
    public Issued client(String commonName, String organization) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return client(commonName, organization, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
    }

    public Issued client(String commonName, String organization, Instant notBefore, Instant notAfter)
            throws Exception {
        KeyPair clientKey = newKey(KeyType.EC);
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName);
        if (organization != null) {
            subject.addRDN(BCStyle.O, organization);
        }
        X509v3CertificateBuilder b = builder(subject.build(), clientKey, notBefore, notAfter);
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        return new Issued(clientKey.getPrivate(), new X509Certificate[] {sign(b), certificate});
    }

    /** Writes the CA certificate as PEM (chargerCaFile, or what a charger trusts). */
    public Path writeCa(Path file) throws Exception {
        replace(file, pem("CERTIFICATE", certificate.getEncoded()));
        return file;
    }

    /**
     * A client TLS context trusting the CA of {@code trusted} (the gateway's), presenting {@code client}
     * whenever the server asks for a certificate, whatever CAs the server names (null: none), as a
     * charger with one certificate does.
     */
    public static SSLContext clientContext(TestPki trusted, Issued client) throws Exception {
        KeyManager[] keyManagers = null;
        if (client != null) {
            keyManagers = new KeyManager[] {new OneCertificate(client)};
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, trustManagers(trusted.certificate), null);
        return context;
    }

    private static TrustManager[] trustManagers(X509Certificate... cas) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (X509Certificate ca : cas) {
            trust.setCertificateEntry(ca.getSubjectX500Principal().getName(), ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    /** A charger's key manager: its one certificate, offered to every server that asks. */
    private static final class OneCertificate extends X509ExtendedKeyManager {
        private static final String ALIAS = "charger";
        private final Issued issued;

        OneCertificate(Issued issued) {
            this.issued = issued;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? issued.chain().clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? issued.key() : null;
        }
    }

    @Override
    public String toString() {
        return "test CA " + name;
    }

    private X509v3CertificateBuilder builder(X500Name subject, KeyPair subjectKey, Instant notBefore,
                                             Instant notAfter) throws Exception {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial(),
                Date.from(notBefore), Date.from(notAfter), subject, subjectKey.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        return b;
    }

    private X509Certificate sign(X509v3CertificateBuilder b) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    /** A new EC P-256 key pair. */
    public static KeyPair newKey() throws Exception {
        return newKey(KeyType.EC);
    }

    private static KeyPair newKey(KeyType type) throws Exception {
        if (type == KeyType.RSA) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(63, RANDOM).add(BigInteger.ONE);
    }

    /** DER as PEM with the given label. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void replace(Path file, String text) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
