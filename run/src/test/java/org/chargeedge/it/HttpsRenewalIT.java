package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;


import org.chargeedge.http.internal.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPS of the gateway as shipped, in its own process with Felix HTTP: the
 * certificate files are renewed on disk and new connections get the new
 * certificate without anyone touching the configuration; a key that does not
 * belong to the certificate keeps the renewed one in service and is logged.
 */
class HttpsRenewalIT {

    private final Path work = GatewayRuntime.itDir().resolve("HttpsRenewalIT");
    private final int httpsPort = GatewayRuntime.freePort();
    private Process gateway;
    private Path log;

    @AfterEach
    void stop() throws InterruptedException {
        GatewayRuntime.stopProcess(gateway);
    }

    @Test
    void renewedCertificateFilesAreServedWithoutReconfiguration() throws Exception {
        GatewayRuntime.deleteTree(work);
        Path config = work.resolve("config");
        Files.createDirectories(config);
        GatewayRuntime.copyShippedConfig(config);
        Path certFile = work.resolve("gateway.crt");
        Path keyFile = work.resolve("gateway.key");
        KeyPair first = KeyPairGenerator.getInstance("EC").generateKeyPair();
        KeyPair renewed = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X509Certificate firstCertificate = TestCertificates.selfSigned(first, BigInteger.ONE);
        X509Certificate renewedCertificate = TestCertificates.selfSigned(renewed, BigInteger.TWO);
        Files.writeString(certFile, TestCertificates.pem("CERTIFICATE", firstCertificate.getEncoded()));
        Files.writeString(keyFile, TestCertificates.pem("PRIVATE KEY", first.getPrivate().getEncoded()));
        Files.writeString(config.resolve("org.chargeedge.http.cfg"), "certificateFile = " + certFile + "\n"
                + "keyFile = " + keyFile + "\ncertificateCheckSeconds = 1\n");
        log = work.resolve("gateway.log");
        gateway = GatewayRuntime.startProcess(work, work.resolve("data"), log, Map.of(
                "CHARGEEDGE_OCPP_PORT", String.valueOf(GatewayRuntime.freePort()),
                "CHARGEEDGE_HTTP_PORT", String.valueOf(httpsPort)));
        HttpClient client = TestCertificates.trusting(firstCertificate, renewedCertificate);

        GatewayRuntime.waitFor("HTTPS with the first certificate", 60,
                () -> firstCertificate.equals(served(client)));

        // a renewal: certificate first, then its key
        Files.writeString(certFile, TestCertificates.pem("CERTIFICATE", renewedCertificate.getEncoded()));
        Files.writeString(keyFile, TestCertificates.pem("PRIVATE KEY", renewed.getPrivate().getEncoded()));
        GatewayRuntime.waitFor("the renewed certificate", 30, () -> renewedCertificate.equals(served(client)));
        assertThat(log()).contains("serving the renewed certificate");

        // a wrong key: logged in words, the renewed certificate stays in service
        KeyPair stranger = KeyPairGenerator.getInstance("EC").generateKeyPair();
        Files.writeString(keyFile, TestCertificates.pem("PRIVATE KEY", stranger.getPrivate().getEncoded()));
        GatewayRuntime.waitFor("the wrong key logged", 30,
                () -> log().contains("changed but cannot be used"));
        assertThat(log()).contains("does not belong to the certificate");
        assertThat(served(client)).isEqualTo(renewedCertificate);
    }

    /** The certificate a new connection is served; null while nothing answers. */
    private X509Certificate served(HttpClient client) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort
                    + "/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
        } catch (Exception e) {
            return null;
        }
    }

    private String log() {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
