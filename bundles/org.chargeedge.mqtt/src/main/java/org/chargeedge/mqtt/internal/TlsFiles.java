package org.chargeedge.mqtt.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The PEM files of an {@code ssl://} broker connection: a CA certificate
 * (bundle) trusted in addition to the JVM's trust store, and optionally a
 * client certificate (chain) with its unencrypted PKCS#8 private key
 * ({@code BEGIN PRIVATE KEY}; RSA, EC or EdDSA). Empty paths: not used.
 *
 * @param caFile PEM with one or more CA certificates; empty: the JVM's trust store only
 * @param certFile PEM with the client certificate, then its intermediates; empty: no client certificate
 * @param keyFile PEM with the client certificate's private key
 */
record TlsFiles(String caFile, String certFile, String keyFile) {

    static final TlsFiles NONE = new TlsFiles("", "", "");

    private static final Pattern KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");

    TlsFiles {
        caFile = caFile == null ? "" : caFile.strip();
        certFile = certFile == null ? "" : certFile.strip();
        keyFile = keyFile == null ? "" : keyFile.strip();
        if (certFile.isEmpty() != keyFile.isEmpty()) {
            throw new IllegalArgumentException("a client certificate needs both tlsCertFile and tlsKeyFile");
        }
    }

    /** Whether any file is set (without one, Paho's default SSL socket factory is used). */
    boolean configured() {
        return !caFile.isEmpty() || !certFile.isEmpty();
    }

    /**
     * The context: the JVM's trust anchors plus the CA file's, and the client
     * key and certificate if given.
     *
     * @throws IOException a file cannot be read
     * @throws GeneralSecurityException a file holds no usable certificate or key
     */
    SSLContext context() throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = null;
        if (!certFile.isEmpty()) {
            List<X509Certificate> chain = certificates(certFile);
            PrivateKey key = privateKey(keyFile);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] none = new char[0];
            ks.setKeyEntry("client", key, none, chain.toArray(new Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, none);
        }
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), trustManagers(), null);
        return ctx;
    }

    TrustManager[] trustManagers() throws IOException, GeneralSecurityException {
        if (caFile.isEmpty()) {
            return null; // the JVM's default
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int n = 0;
        for (X509Certificate c : jvmTrustAnchors()) {
            ks.setCertificateEntry("jvm-" + n++, c);
        }
        for (X509Certificate c : certificates(caFile)) {
            ks.setCertificateEntry("ca-" + n++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    private static List<X509Certificate> jvmTrustAnchors() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        List<X509Certificate> out = new ArrayList<>();
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                out.addAll(List.of(x.getAcceptedIssuers()));
            }
        }
        return out;
    }

    static List<X509Certificate> certificates(String file) throws IOException, GeneralSecurityException {
        byte[] pem = Files.readAllBytes(Path.of(file));
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem));
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + file);
        }
        List<X509Certificate> out = new ArrayList<>();
        certs.forEach(c -> out.add((X509Certificate) c));
        return out;
    }

    static PrivateKey privateKey(String file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        Matcher m = KEY.matcher(pem);
        if (!m.find()) {
            throw new GeneralSecurityException("no PEM private key in " + file);
        }
        if (!m.group(1).isEmpty()) {
            throw new GeneralSecurityException(file + " holds a '" + m.group(1).strip() + " PRIVATE KEY'; "
                    + "convert it to unencrypted PKCS#8: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(2)));
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // another algorithm
            }
        }
        throw new GeneralSecurityException("the key in " + file + " is not RSA, EC or EdDSA");
    }
}
