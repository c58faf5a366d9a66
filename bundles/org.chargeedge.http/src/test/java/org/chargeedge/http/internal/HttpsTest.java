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
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;


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
        Files.writeString(certFile, TestCertificates.pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, TestCertificates.pem("PRIVATE KEY", key.getPrivate().getEncoded()));

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

        HttpClient client = TestCertificates.trusting(certificate);
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
        Files.writeString(certFile, TestCertificates.pem("CERTIFICATE", selfSigned(key).getEncoded()));
        Files.writeString(keyFile, TestCertificates.pem("PRIVATE KEY", other.getPrivate().getEncoded()));
        assertThatThrownBy(() -> HttpServer.felixProperties(ApiServer.config(Map.of("certificateFile",
                certFile.toString(), "keyFile", keyFile.toString())), dir))
                .isInstanceOf(TlsFileException.class).hasMessageContaining("does not belong to the certificate");
        assertThatThrownBy(() -> HttpServer.felixProperties(ApiServer.config(Map.of("certificateFile",
                dir.resolve("missing.crt").toString())), dir)).isInstanceOf(TlsFileException.class);
    }

    /**
     * Felix HTTP as far as this test needs it: holds {@code org.apache.felix.http}'s configuration and,
     * at every update, restarts Jetty with the key store and password it names.
     */
    private final class FelixHttp implements AutoCloseable {
        volatile Dictionary<String, Object> properties;
        volatile ApiServer jetty;
        final java.util.concurrent.atomic.AtomicInteger updates = new java.util.concurrent.atomic.AtomicInteger();
        final CentralSystemHarness cs;
        final HttpClient client;

        FelixHttp(HttpClient client) throws Exception {
            this.client = client;
            cs = new CentralSystemHarness(dir.resolve("cs"));
        }

        org.osgi.service.cm.ConfigurationAdmin configurationAdmin() {
            org.osgi.service.cm.Configuration configuration = (org.osgi.service.cm.Configuration)
                    java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                            new Class<?>[] {org.osgi.service.cm.Configuration.class}, (proxy, method, args) -> {
                                switch (method.getName()) {
                                    case "getProperties":
                                        return properties;
                                    case "update":
                                        @SuppressWarnings("unchecked")
                                        Dictionary<String, Object> p = (Dictionary<String, Object>) args[0];
                                        restart(p);
                                        return null;
                                    default:
                                        throw new UnsupportedOperationException(method.getName());
                                }
                            });
            return (org.osgi.service.cm.ConfigurationAdmin) java.lang.reflect.Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {org.osgi.service.cm.ConfigurationAdmin.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("getConfiguration")) {
                            return configuration;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
        }

        private void restart(Dictionary<String, Object> p) throws Exception {
            properties = p;
            updates.incrementAndGet();
            if (jetty != null) {
                jetty.close();
            }
            jetty = new ApiServer(dir.resolve("api" + updates.get()), SiteServices.of(cs.siteView(), cs.commands(),
                    null, null, null, null), Map.of(), Path.of((String) p.get("org.apache.felix.https.keystore")),
                    (String) p.get("org.apache.felix.https.keystore.password"), client);
        }

        /** The certificate a new HTTPS connection is served. */
        X509Certificate served() throws Exception {
            HttpResponse<String> r = jetty.send(jetty.get("/health", null));
            return (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
        }

        @Override
        public void close() throws Exception {
            if (jetty != null) {
                jetty.close();
            }
            cs.close();
        }
    }

    @Test
    void renewedFilesAreServedWithoutReconfigurationAndBrokenOnesKeepThePreviousCertificate() throws Exception {
        KeyPair first = KeyPairGenerator.getInstance("EC").generateKeyPair();
        KeyPair renewed = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X509Certificate firstCertificate = selfSigned(first);
        X509Certificate renewedCertificate = TestCertificates.selfSigned(renewed, BigInteger.valueOf(7));
        Path certFile = dir.resolve("http.crt");
        Path keyFile = dir.resolve("http.key");
        Files.writeString(certFile, TestCertificates.pem("CERTIFICATE", firstCertificate.getEncoded()));
        Files.writeString(keyFile, TestCertificates.pem("PRIVATE KEY", first.getPrivate().getEncoded()));

        HttpClient client = TestCertificates.trusting(firstCertificate, renewedCertificate);

        try (FelixHttp felix = new FelixHttp(client)) {
            HttpServer server = new HttpServer(felix.configurationAdmin(), dir.resolve("data"), ApiServer.config(
                    Map.of("certificateFile", certFile.toString(), "keyFile", keyFile.toString(),
                            "certificateCheckSeconds", 1)));
            try {
                assertThat(felix.served()).isEqualTo(firstCertificate);
                assertThat(felix.updates.get()).isEqualTo(1);

                // a renewal writes the certificate, then the key: in between, the pair does not match
                Files.writeString(certFile, TestCertificates.pem("CERTIFICATE", renewedCertificate.getEncoded()));
                awaitTrue("the half-written renewal is seen", () -> server.certificateProblem() != null);
                assertThat(server.certificateProblem()).contains("does not belong to the certificate");
                assertThat(felix.updates.get()).as("Jetty keeps its configuration").isEqualTo(1);
                assertThat(felix.served()).isEqualTo(firstCertificate);

                Files.writeString(keyFile, TestCertificates.pem("PRIVATE KEY", renewed.getPrivate().getEncoded()));
                awaitTrue("the renewed certificate is served", () -> felix.served().equals(renewedCertificate));
                assertThat(server.certificateProblem()).isNull();
                assertThat(felix.updates.get()).isEqualTo(2);

                // a damaged file: the renewed certificate stays in service, the problem is named
                Files.writeString(certFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
                awaitTrue("the damaged file is seen", () -> server.certificateProblem() != null);
                assertThat(server.certificateProblem()).contains(certFile.toString());
                assertThat(felix.served()).isEqualTo(renewedCertificate);
                assertThat(felix.updates.get()).isEqualTo(2);
            } finally {
                server.stop();
            }
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** False while it cannot be told: Jetty restarting between two checks refuses connections. */
    private static boolean holds(Condition condition) {
        try {
            return condition.holds();
        } catch (Exception e) {
            return false;
        }
    }

    private static void awaitTrue(String what, Condition condition) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private static X509Certificate selfSigned(KeyPair key) throws Exception {
        return TestCertificates.selfSigned(key, BigInteger.valueOf(Instant.now().toEpochMilli()));
    }
}
