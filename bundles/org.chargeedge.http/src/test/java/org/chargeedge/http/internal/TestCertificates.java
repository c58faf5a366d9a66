package org.chargeedge.http.internal;

import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for the gateway's HTTPS made at test time (Bouncy Castle), as
 * PEM text, and a client trusting exactly them. In this module's test jar for
 * the process-level HTTPS test.
 */
public final class TestCertificates {

    private TestCertificates() {
    }

    /** A self-signed EC certificate for CN=gateway.local and 127.0.0.1, valid for a day. */
    public static X509Certificate selfSigned(KeyPair key, BigInteger serial) throws Exception {
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=gateway.local");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial, Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))), name, key.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    /** DER as a PEM block of {@code type} ("CERTIFICATE", "PRIVATE KEY"). */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** A client that trusts these certificates only. */
    public static HttpClient trusting(X509Certificate... certificates) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            trust.setCertificateEntry("gateway" + i, certificates[i]);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
