package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.chargeedge.tls.TlsFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from PEM files: what {@link HttpServer} tells Felix HTTP, the key
 * store it writes, a login over TLS with a Secure cookie, and files that
 * cannot serve.
 */
class HttpsTest {

    @TempDir
    Path dir;

    @Test
    void plainHttpOnLoopbackByDefault() throws Exception {
        Dictionary<String, Object> p = HttpServer.felixProperties(ApiServer.config(Map.of()), dir);
        assertThat(p.get("org.apache.felix.http.host")).isEqualTo("127.0.0.1");
        assertThat(p.get("org.osgi.service.http.port")).isEqualTo(8080);
        assertThat(p.get("org.apache.felix.http.enable")).isEqualTo(true);
        assertThat(p.get("org.apache.felix.https.enable")).isEqualTo(false);
        assertThat(HttpServer.same(new Hashtable<>(Map.of("service.pid", "org.apache.felix.http",
                "org.apache.felix.http.host", "127.0.0.1")), p)).isFalse();
        Hashtable<String, Object> stored = new Hashtable<>();
        for (var keys = p.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            stored.put(k, p.get(k));
        }
        stored.put("service.pid", "org.apache.felix.http");
        assertThat(HttpServer.same(stored, p)).isTrue();
        assertThatThrownBy(() -> HttpServer.felixProperties(ApiServer.config(Map.of("port", 70000)), dir))
                .hasMessageContaining("port must be 1 to 65535");
    }

    @Test
    void aCertificateAndKeyServeHttpsWithASecureSessionCookie() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X509Certificate certificate = selfSigned(key);
        Path certFile = dir.resolve("http.crt");
        Path keyFile = dir.resolve("http.key");
        Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getPrivate().getEncoded()));

        Dictionary<String, Object> p = HttpServer.felixProperties(ApiServer.config(Map.of("port", 8443,
                "certificateFile", certFile.toString(), "keyFile", keyFile.toString())), dir.resolve("data"));
        assertThat(p.get("org.apache.felix.https.enable")).isEqualTo(true);
        assertThat(p.get("org.apache.felix.http.enable")).isEqualTo(false); // never plain HTTP beside it
        assertThat(p.get("org.osgi.service.http.port.secure")).isEqualTo(8443);
        Path store = Path.of((String) p.get("org.apache.felix.https.keystore"));
        String password = (String) p.get("org.apache.felix.https.keystore.password");
        assertThat(store).isEqualTo(dir.resolve("data/https.p12"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(store)))
                .isEqualTo("rw-------");
        KeyStore loaded = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            loaded.load(in, password.toCharArray());
        }
        assertThat(loaded.getCertificate("chargeedge")).isEqualTo(certificate);
        // the same files give the same configuration: no Jetty restart for nothing
        assertThat(HttpServer.felixProperties(ApiServer.config(Map.of("certificateFile", certFile.toString(),
                "keyFile", keyFile.toString())), dir.resolve("data")).get("org.apache.felix.https.keystore.password"))
                .isEqualTo(password);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("gateway", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        try (CentralSystemHarness cs = new CentralSystemHarness(dir.resolve("cs"));
             ApiServer api = new ApiServer(dir, SiteServices.of(cs.siteView(), cs.commands(), null, null, null, null),
                     Map.of(), store, password, client)) {
            api.gatekeeper.users().addUser("olga", Role.OPERATOR, "operator-password-1");
            HttpResponse<String> login = api.send(api.post("/api/login", null,
                    "{\"user\":\"olga\",\"password\":\"operator-password-1\"}"));
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure", "HttpOnly",
                    "SameSite=Strict");
            assertThat(login.headers().firstValue("Strict-Transport-Security")).isPresent();
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsNamedWithItsFix() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("EC").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("EC").generateKeyPair();
        Path certFile = dir.resolve("http.crt");
        Path keyFile = dir.resolve("other.key");
        Files.writeString(certFile, pem("CERTIFICATE", selfSigned(key).getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", other.getPrivate().getEncoded()));
        assertThatThrownBy(() -> HttpServer.felixProperties(ApiServer.config(Map.of("certificateFile",
                certFile.toString(), "keyFile", keyFile.toString())), dir))
                .isInstanceOf(TlsFileException.class).hasMessageContaining("does not belong to the certificate");
        assertThatThrownBy(() -> HttpServer.felixProperties(ApiServer.config(Map.of("certificateFile",
                dir.resolve("missing.crt").toString())), dir)).isInstanceOf(TlsFileException.class);
    }

    private static X509Certificate selfSigned(KeyPair key) throws Exception {
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=gateway.local");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(1))), name,
                key.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
