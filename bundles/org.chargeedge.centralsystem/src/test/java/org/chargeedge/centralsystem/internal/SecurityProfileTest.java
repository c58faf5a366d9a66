package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import com.fasterxml.jackson.databind.JsonNode;
import org.chargeedge.api.charger.ChargerAccess.KnownCharger;
import org.chargeedge.api.charger.ChargerAccess.Refusal;
import org.chargeedge.api.charger.ChargerAccess.WaitingCharger;
import org.chargeedge.ocpp.v16.GetLocalListVersionRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import eu.chargetime.ocpp.model.core.BootNotificationConfirmation;
import eu.chargetime.ocpp.model.core.ConfigurationStatus;
import eu.chargetime.ocpp.model.core.HeartbeatConfirmation;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.RegistrationStatus;
import eu.chargetime.ocpp.model.core.StartTransactionConfirmation;

/**
 * The OCPP 1.6 security profiles (White Paper edition 3) against peers that
 * share no code with the gateway: ChargeTimeEU's charge point over ws:// and
 * wss:// (with HTTP Basic, with a client certificate), the JDK's WebSocket
 * client, and a charger written on the JDK's bare (TLS) sockets. Certificates
 * are made at test time by {@link TestPki}. Each refusal is checked for its
 * exact HTTP status, or for the TLS failure and the line the gateway logs for
 * the installer.
 */
class SecurityProfileTest {

    static final String OPERATOR = "ChargeEdge Operator";
    /** The CA of the gateway's certificate, which the chargers trust. */
    static TestPki gatewayCa;
    /** The CA of the chargers' certificates (chargerCaFile). */
    static TestPki chargerCa;
    /** A CA the gateway does not know. */
    static TestPki rogueCa;
    static TestPki.Issued rsaServer;
    static TestPki.Issued ecServer;
    static final Passwords PASSWORDS = new Passwords();

    @TempDir
    Path dir;
    CentralSystemHarness harness;
    final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        gatewayCa = new TestPki("gateway CA");
        chargerCa = new TestPki("charger CA");
        rogueCa = new TestPki("rogue CA");
        rsaServer = gatewayCa.server(TestPki.KeyType.RSA);
        ecServer = gatewayCa.server(TestPki.KeyType.EC);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                // already gone
            }
        }
        if (harness != null) {
            harness.close();
        }
    }

    // ---- set-up ---------------------------------------------------------------------------------

    /** Settings as name, value pairs. */
    static Map<String, Object> settings(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** The wss:// port with {@code server}'s certificate, and with the charger CA when {@code clientCertificates}. */
    Map<String, Object> tls(TestPki.Issued server, boolean clientCertificates) throws Exception {
        Path tlsDir = Files.createDirectories(dir.resolve("tls"));
        server.write(tlsDir.resolve("gateway.pem"), tlsDir.resolve("gateway.key"));
        Map<String, Object> map = settings("tlsPort", 0,
                "tlsCertificateFile", tlsDir.resolve("gateway.pem").toString(),
                "tlsKeyFile", tlsDir.resolve("gateway.key").toString());
        if (clientCertificates) {
            map.put("chargerCaFile", chargerCa.writeCa(tlsDir.resolve("charger-ca.pem")).toString());
            map.put("chargerCertificateOrganization", OPERATOR);
        }
        return map;
    }

    void start(Map<String, Object> settings) throws Exception {
        harness = new CentralSystemHarness(dir.resolve("data"), settings);
    }

    static Map<String, Object> with(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> map = new HashMap<>(a);
        map.putAll(b);
        return map;
    }

    /** chargerProfiles and chargerKeyHashes for one charger. */
    static Map<String, Object> charger(String id, int profile, String key) {
        return key == null ? settings("chargerProfiles", id + "=" + profile)
                : settings("chargerProfiles", id + "=" + profile, "chargerKeyHashes", id + "=" + PASSWORDS.hash(key));
    }

    String wsBase() {
        return "ws://127.0.0.1:" + harness.port() + "/ocpp";
    }

    String wssBase() {
        return "wss://127.0.0.1:" + harness.tlsPort() + "/ocpp";
    }

    <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    ChargeTimeCharger chargeTime(String base, String id, String password, SSLContext tls) throws Exception {
        return closing(ChargeTimeCharger.connect(base, id, password, tls));
    }

    static HttpClient http(SSLContext tls) {
        return tls == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(tls).build();
    }

    /** A JDK WebSocket client's handshake that the gateway must refuse: its HTTP answer. */
    static java.net.http.HttpResponse<?> refusedAnswer(HttpClient http, String url, String authorization) {
        Throwable t = catchThrowable(() -> RawCharger.attemptWith(http, URI.create(url), RawCharger.listener(),
                authorization, "ocpp1.6").get(15, TimeUnit.SECONDS));
        assertThat(t).as("handshake to %s must be refused", url).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).as("an HTTP answer to %s", url).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) t.getCause()).getResponse();
    }

    static int refused(HttpClient http, String url, String authorization) {
        return refusedAnswer(http, url, authorization).statusCode();
    }

    /** A JDK WebSocket client's attempt that must fail in TLS, before any HTTP answer: the failure. */
    static Throwable tlsFailure(HttpClient http, String url) {
        Throwable t = catchThrowable(() -> RawCharger.attemptWith(http, URI.create(url), RawCharger.listener(),
                null, "ocpp1.6").get(15, TimeUnit.SECONDS));
        assertThat(t).as("connection to %s must fail", url).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).as("no HTTP answer").isNotInstanceOf(WebSocketHandshakeException.class)
                .isInstanceOf(IOException.class);
        return t.getCause();
    }

    /** The recent refusal of {@code id} whose reason holds {@code fragment}. */
    Refusal refusal(String id, String fragment) {
        return harness.centralSystem.recentRefusals().stream()
                .filter(r -> id.equals(r.chargePointId()) && r.reason().contains(fragment))
                .findFirst()
                .orElseGet(() -> fail("no refusal of " + id + " with '" + fragment + "' in "
                        + harness.centralSystem.recentRefusals()));
    }

    long refusalCount(String id, String fragment) {
        return harness.centralSystem.recentRefusals().stream()
                .filter(r -> id.equals(r.chargePointId()) && r.reason().contains(fragment))
                .mapToLong(Refusal::count).sum();
    }

    /** The refusals listed for connections that failed before naming a charger (TLS, timeout). */
    List<Refusal> earlyRefusals(String fragment) {
        return harness.centralSystem.recentRefusals().stream()
                .filter(r -> r.chargePointId() == null && r.reason().contains(fragment)).toList();
    }

    /** Waits until the gateway has the session of {@code id} (a client sees it open a moment before). */
    void awaitConnected(String id) throws InterruptedException {
        Await.until(id + " connected", () -> harness.centralSystem.charger(id).map(c -> c.connected())
                .orElse(false));
    }

    /** BootNotification, Heartbeat and a call from the gateway answered: the session is in use. */
    void assertTransacting(ChargeTimeCharger cp) throws Exception {
        BootNotificationConfirmation boot = cp.send(cp.core.createBootNotificationRequest("Vendor", "Model"));
        assertThat(boot.getStatus()).isEqualTo(RegistrationStatus.Accepted);
        HeartbeatConfirmation beat = cp.send(cp.core.createHeartbeatRequest());
        assertThat(beat.getCurrentTime()).isNotNull();
        assertThat(Await.result(harness.centralSystem.call(cp.chargePointId, new GetLocalListVersionRequest()))
                .listVersion()).isEqualTo(17);
        assertThat(harness.centralSystem.charger(cp.chargePointId).orElseThrow().connected()).isTrue();
    }

    // ---- each profile with an independent peer -------------------------------------------------

    @Nested
    class Peers {

        @Test
        void profile0ChargeTimeOverWs() throws Exception {
            start(settings("unknownChargers", UnknownChargers.Wait, "chargePointIds", "CT-0"));
            assertTransacting(chargeTime(wsBase(), "CT-0", null, null));
        }

        @Test
        void profile1ChargeTimeSendsBasicOverWs() throws Exception {
            String key = "CT-1-authorization-key";
            start(with(settings("unknownChargers", UnknownChargers.Wait), charger("CT-1", 1, key)));
            // ChargeTimeEU 1.1.0 sends HTTP Basic from its USERNAME and PASSWORD parameters.
            assertTransacting(chargeTime(wsBase(), "CT-1", key, null));
            assertThat(harness.centralSystem.recentRefusals()).isEmpty();
        }

        @ParameterizedTest
        @EnumSource(TestPki.KeyType.class)
        void profile2ChargeTimeOverWssWithBasicOnRsaAndEcdsaCertificates(TestPki.KeyType type) throws Exception {
            TestPki.Issued server = type == TestPki.KeyType.RSA ? rsaServer : ecServer;
            String key = "CT-2-authorization-key";
            start(with(tls(server, false), charger("CT-2", 2, key)));
            assertTransacting(chargeTime(wssBase(), "CT-2", key, TestPki.clientContext(gatewayCa, null)));

            try (SSLSocket socket = SocketCharger.tls(TestPki.clientContext(gatewayCa, null), harness.tlsPort())) {
                X509Certificate presented = SocketCharger.serverCertificate(socket);
                assertThat(presented).isEqualTo(server.certificate());
                assertThat(presented.getPublicKey().getAlgorithm()).isEqualTo(type.name());
                assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
        void profile3PlainTlsSocketWithClientCertificate(String protocol) throws Exception {
            start(with(tls(rsaServer, true), charger("SOCK-3", 3, null)));
            SSLContext context = TestPki.clientContext(gatewayCa, chargerCa.client("SOCK-3", OPERATOR));
            SSLSocket socket = closing(SocketCharger.tls(context, harness.tlsPort(), protocol));
            assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
            SocketCharger charger = SocketCharger.upgrade(socket, "SOCK-3", null);
            assertThat(charger.status).isEqualTo(101);
            charger.heartbeat();
            awaitConnected("SOCK-3");
        }

        @Test
        void profile3ChargeTimeAndJdkClientWithClientCertificates() throws Exception {
            start(with(tls(ecServer, true), settings("chargerProfiles", "CT-3=3, JDK-3=3")));
            assertTransacting(chargeTime(wssBase(), "CT-3", null,
                    TestPki.clientContext(gatewayCa, chargerCa.client("CT-3", OPERATOR))));

            HttpClient jdk = http(TestPki.clientContext(gatewayCa, chargerCa.client("JDK-3", OPERATOR)));
            RawCharger raw = closing(RawCharger.connect(jdk, URI.create(harness.wssUrl("JDK-3")), "JDK-3", null,
                    RawCharger.WAIT));
            raw.assertHeartbeatAnswered();
            assertThat(harness.centralSystem.recentRefusals()).isEmpty();
        }

        @Test
        void tls11OnlyIsRefusedInTheHandshake() throws Exception {
            try (ServerLog log = new ServerLog()) {
                start(with(tls(rsaServer, false), charger("OLD-1", 2, "OLD-1-authorization-key")));
                try (Socket socket = SocketCharger.plain(InetAddress.getLoopbackAddress(), harness.tlsPort())) {
                    socket.getOutputStream().write(SocketCharger.tls11ClientHello());
                    socket.getOutputStream().flush();
                    // A fatal alert (21, level 2): protocol_version (70); no ServerHello.
                    assertThat(SocketCharger.firstRecord(socket)).containsExactly(21, 2, 70);
                }
                log.awaitLine("TLS handshake failed", "TLS version too old: TLS 1.2 or newer is required");
            }
        }

        @Test
        void replacedCertificateIsServedWithoutRestart() throws Exception {
            String key = "CT-R-authorization-key";
            Map<String, Object> settings = with(tls(rsaServer, false), charger("CT-R", 2, key));
            start(settings);
            SSLContext trusting = TestPki.clientContext(gatewayCa, null);
            ChargeTimeCharger before = chargeTime(wssBase(), "CT-R", key, trusting);
            try (SSLSocket socket = SocketCharger.tls(trusting, harness.tlsPort())) {
                assertThat(SocketCharger.serverCertificate(socket)).isEqualTo(rsaServer.certificate());
            }

            TestPki.Issued renewed = gatewayCa.server(TestPki.KeyType.EC);
            assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(rsaServer.certificate().getSerialNumber());
            renewed.write(Path.of((String) settings.get("tlsCertificateFile")),
                    Path.of((String) settings.get("tlsKeyFile")));
            // ServerTls looks at the files again at most every 5 s, when a connection arrives.
            Await.until("the renewed certificate served", () -> {
                try (SSLSocket socket = SocketCharger.tls(trusting, harness.tlsPort())) {
                    if (SocketCharger.serverCertificate(socket).equals(renewed.certificate())) {
                        return true;
                    }
                    Thread.sleep(200);
                    return false;
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, Duration.ofSeconds(12));

            // The connection made before keeps working; a new one uses the renewed certificate.
            assertThat(before.<HeartbeatConfirmation>send(before.core.createHeartbeatRequest())).isNotNull();
            before.close();
            assertTransacting(chargeTime(wssBase(), "CT-R", key, trusting));
        }
    }

    // ---- refusals: exact status, a reason an installer reads --------------------------------

    @Nested
    class Refusals {

        @Test
        void wrongPasswordIs401WithABasicChallenge() throws Exception {
            String key = "CT-W-authorization-key";
            start(charger("CT-W", 1, key));
            var answer = refusedAnswer(http(null), harness.url("CT-W"), RawCharger.basic("CT-W", "not-the-key-at-all"));
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Basic realm="));
            Refusal r = refusal("CT-W", "wrong password");
            assertThat(r.remoteAddress()).isEqualTo("127.0.0.1");
            assertThat(r.count()).isEqualTo(1);

            assertThat(refused(http(null), harness.url("CT-W"), RawCharger.basic("CT-OTHER", key))).isEqualTo(401);
            refusal("CT-W", "its user name is not the charge point id");

            assertTransacting(chargeTime(wsBase(), "CT-W", key, null));
        }

        @Test
        void noPasswordIs401() throws Exception {
            start(charger("CT-N", 1, "CT-N-authorization-key"));
            assertThat(refused(http(null), harness.url("CT-N"), null)).isEqualTo(401);
            refusal("CT-N", "no password sent (HTTP Basic): security profile 1 needs one");
            assertThat(harness.centralSystem.charger("CT-N")).isEmpty();
        }

        @Test
        void profile2ChargerOnWsWithTheRightPasswordIs403() throws Exception {
            String key = "CT-D-authorization-key";
            start(with(tls(ecServer, false), charger("CT-D", 2, key)));
            assertThat(refused(http(null), harness.url("CT-D"), RawCharger.basic("CT-D", key))).isEqualTo(403);
            refusal("CT-D", "security profile 2 requires wss:// (TLS); it connected over ws://");
            // Over wss:// the same password is accepted; a wrong one is not.
            SSLContext trusting = TestPki.clientContext(gatewayCa, null);
            assertThat(refused(http(trusting), harness.wssUrl("CT-D"), RawCharger.basic("CT-D", "wrong-password-0000")))
                    .isEqualTo(401);
            assertTransacting(chargeTime(wssBase(), "CT-D", key, trusting));
        }

        @Test
        void profile3WithoutClientCertificateIs403() throws Exception {
            start(with(tls(rsaServer, true), settings("chargerProfiles", "CT-3=3", "chargerKeyHashes",
                    "CT-3=" + PASSWORDS.hash("CT-3-authorization-key"))));
            // Even with its right password: profile 3 is the certificate.
            assertThat(refused(http(TestPki.clientContext(gatewayCa, null)), harness.wssUrl("CT-3"),
                    RawCharger.basic("CT-3", "CT-3-authorization-key"))).isEqualTo(403);
            refusal("CT-3", "no client certificate: security profile 3 needs one signed by the charger CA");
        }

        @Test
        void certificateOfAnotherChargePointIs403() throws Exception {
            start(with(tls(rsaServer, true), settings("chargerProfiles", "CT-3=3, CT-OTHER=3")));
            SSLContext other = TestPki.clientContext(gatewayCa, chargerCa.client("CT-OTHER", OPERATOR));
            assertThat(refused(http(other), harness.wssUrl("CT-3"), null)).isEqualTo(403);
            refusal("CT-3", "the client certificate is for another charge point (CN=CT-OTHER)");
            // With the same certificate, its own id gets in.
            closing(RawCharger.connect(http(other), URI.create(harness.wssUrl("CT-OTHER")), "CT-OTHER", null,
                    RawCharger.WAIT)).assertHeartbeatAnswered();
        }

        @Test
        void certificateOfAnotherOperatorIs403() throws Exception {
            start(with(tls(rsaServer, true), settings("chargerProfiles", "CT-3=3")));
            SSLContext foreign = TestPki.clientContext(gatewayCa, chargerCa.client("CT-3", "Someone Else"));
            assertThat(refused(http(foreign), harness.wssUrl("CT-3"), null)).isEqualTo(403);
            refusal("CT-3", "the client certificate is of another operator (O=Someone Else, expected " + OPERATOR
                    + ")");
        }

        /** A client certificate outside its validity: expired (days -400..-1) or not yet valid (2..400). */
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "-400 | -1 | the client certificate has expired (NotAfter: ",
            "2 | 400 | the client certificate is not valid yet; check the charger's clock (NotBefore: "})
        void clientCertificateOutsideItsValidityFailsTheTlsHandshake(int fromDay, int toDay, String logged)
                throws Exception {
            try (ServerLog log = new ServerLog()) {
                start(with(tls(rsaServer, true), settings("chargerProfiles", "CT-3=3")));
                Instant now = Instant.now();
                SSLContext context = TestPki.clientContext(gatewayCa, chargerCa.client("CT-3", OPERATOR,
                        now.plus(Duration.ofDays(fromDay)), now.plus(Duration.ofDays(toDay))));
                // TLS 1.3: the client finished its part; the server's alert comes with the answer to the upgrade.
                assertThat(tlsFailure(http(context), harness.wssUrl("CT-3")))
                        .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("certificate_unknown");
                log.awaitLine("TLS handshake failed: " + logged);
                assertThat(harness.centralSystem.charger("CT-3")).isEmpty();
            }
        }

        @Test
        void clientCertificateOfAnUntrustedCaFailsTheTlsHandshake() throws Exception {
            try (ServerLog log = new ServerLog()) {
                start(with(tls(ecServer, true), settings("chargerProfiles", "CT-3=3")));
                SSLContext rogue = TestPki.clientContext(gatewayCa, rogueCa.client("CT-3", OPERATOR));
                assertThat(tlsFailure(http(rogue), harness.wssUrl("CT-3")))
                        .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("certificate_unknown");
                // The bare TLS socket too: the handshake, or the first read after it (TLS 1.3), fails.
                Throwable t = catchThrowable(() -> {
                    SSLSocket socket = closing(SocketCharger.tls(rogue, harness.tlsPort()));
                    SocketCharger.upgrade(socket, "CT-3", null);
                });
                assertThat(t).isInstanceOf(IOException.class);
                log.awaitLine("TLS handshake failed: the client certificate is not signed by the charger CA");
                assertThat(harness.centralSystem.charger("CT-3")).isEmpty();
                // Listed for the shell and the site view too, with the address it came from.
                assertThat(earlyRefusals("the client certificate is not signed by the charger CA"))
                        .singleElement().satisfies(r -> {
                            assertThat(r.remoteAddress()).isEqualTo("127.0.0.1");
                            assertThat(r.count()).isGreaterThanOrEqualTo(2);
                        });
            }
        }

        @Test
        void plainWebSocketOnTheTlsPortIsLoggedAsSuch() throws Exception {
            try (ServerLog log = new ServerLog()) {
                start(with(tls(ecServer, false), charger("CT-2", 2, "CT-2-authorization-key")));
                Throwable t = catchThrowable(() -> RawCharger.attempt(URI.create("ws://127.0.0.1:"
                        + harness.tlsPort() + "/ocpp/CT-2"), RawCharger.listener(), "ocpp1.6").get(15, TimeUnit.SECONDS));
                assertThat(t).isInstanceOf(ExecutionException.class);
                log.awaitLine("not TLS on the wss:// port: the charger's URL must start with wss://");
                Await.until("listed", () -> !earlyRefusals("not TLS on the wss:// port").isEmpty());
            }
        }

        @Test
        void unknownChargerWaitsUntilAccepted() throws Exception {
            start(settings("unknownChargers", UnknownChargers.Wait));
            assertThat(refused(http(null), harness.url("NEW-1"), null)).isEqualTo(404);
            assertThat(refused(http(null), harness.url("NEW-1"), null)).isEqualTo(404);
            refusal("NEW-1", "unknown charge point id, waiting to be accepted (chargeedge:waiting, chargeedge:accept"
                    + " NEW-1)");
            List<WaitingCharger> waiting = harness.centralSystem.waitingChargers();
            assertThat(waiting).singleElement().satisfies(w -> {
                assertThat(w.chargePointId()).isEqualTo("NEW-1");
                assertThat(w.remoteAddress()).isEqualTo("127.0.0.1");
                assertThat(w.attempts()).isEqualTo(2);
            });

            KnownCharger accepted = harness.centralSystem.accept("NEW-1");
            assertThat(accepted.securityProfile()).isZero();
            assertThat(accepted.siteDefaultProfile()).isTrue();
            assertThat(accepted.acceptedAt()).isNotNull();
            assertThat(harness.centralSystem.waitingChargers()).isEmpty();
            assertTransacting(chargeTime(wsBase(), "NEW-1", null, null));
        }

        @Test
        void commissioningWindowAcceptsUnknownChargers() throws Exception {
            start(settings("unknownChargers", UnknownChargers.Wait));
            Instant until = harness.centralSystem.openCommissioning(Duration.ofMinutes(10));
            assertThat(harness.centralSystem.commissioningUntil()).contains(until);
            ChargeTimeCharger commissioned = chargeTime(wsBase(), "NEW-C", null, null);
            assertTransacting(commissioned);
            assertThat(harness.centralSystem.knownChargers()).singleElement().satisfies(k -> {
                assertThat(k.chargePointId()).isEqualTo("NEW-C");
                assertThat(k.acceptedAt()).isNotNull();
                assertThat(k.configured()).isFalse();
            });

            harness.centralSystem.closeCommissioning();
            assertThat(harness.centralSystem.commissioningUntil()).isEmpty();
            assertThat(refused(http(null), harness.url("NEW-D"), null)).isEqualTo(404);
            assertThat(harness.centralSystem.waitingChargers()).extracting(WaitingCharger::chargePointId)
                    .containsExactly("NEW-D");
            // Accepted for good: it comes back after the window closed.
            commissioned.close();
            assertTransacting(chargeTime(wsBase(), "NEW-C", null, null));
        }
    }

    // ---- takeover, and a burst of bad logins ----------------------------------------------------

    @Nested
    class Takeover {

        @Test
        void connectionWithoutCredentialsCannotTakeOverALiveCharger() throws Exception {
            start(settings());
            ChargeTimeCharger first = chargeTime(wsBase(), "CT-LIVE", null, null);
            assertTransacting(first);
            String address = harness.centralSystem.charger("CT-LIVE").orElseThrow().remoteAddress();

            assertThat(refused(http(null), harness.url("CT-LIVE"), null)).isEqualTo(409);
            refusal("CT-LIVE", "already connected from " + address + ", which answers; a connection without"
                    + " credentials cannot take over");

            // The first keeps its session, both ways.
            assertThat(first.closed).isNotDone();
            assertThat(harness.centralSystem.charger("CT-LIVE").orElseThrow().remoteAddress()).isEqualTo(address);
            assertTransacting(first);
        }

        @Test
        void connectionWithoutCredentialsReplacesADeadCharger() throws Exception {
            start(settings());
            SocketCharger dead = closing(SocketCharger.upgrade(
                    SocketCharger.plain(InetAddress.getLoopbackAddress(), harness.port()), "CT-DEAD", null));
            assertThat(dead.status).isEqualTo(101);
            dead.heartbeat();
            // From here on it reads nothing: its power went off, the TCP connection stays open.

            long start = System.nanoTime();
            RawCharger second = closing(RawCharger.connect(http(null), URI.create(harness.url("CT-DEAD")), "CT-DEAD",
                    null, AccessControl.TAKEOVER_PROBE.plusSeconds(5)));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("accepted after the probe").isBetween(
                    AccessControl.TAKEOVER_PROBE.minusMillis(500), AccessControl.TAKEOVER_PROBE.plusSeconds(2));
            second.assertHeartbeatAnswered();
            assertThat(harness.centralSystem.charger("CT-DEAD").orElseThrow().connected()).isTrue();
            assertThat(dead.closedWithin(Duration.ofSeconds(5))).as("the dead connection is closed").isTrue();
        }

        @Test
        void burstOfBadLoginsFromOneAddressDoesNotSlowTheGoodChargers() throws Exception {
            Map<String, String> keys = Map.of("GOOD-1", "GOOD-1-authorization-key", "GOOD-2",
                    "GOOD-2-authorization-key", "GOOD-3", "GOOD-3-authorization-key", "GOOD-4",
                    "GOOD-4-authorization-key", "VICTIM", "VICTIM-authorization-key");
            StringBuilder profiles = new StringBuilder();
            StringBuilder hashes = new StringBuilder();
            keys.forEach((id, key) -> {
                profiles.append(id).append("=1,");
                hashes.append(id).append('=').append(PASSWORDS.hash(key)).append(',');
            });
            start(settings("unknownChargers", UnknownChargers.Wait, "chargerProfiles", profiles.toString(),
                    "chargerKeyHashes", hashes.toString(), "maxConnectionsPerAddress", 64));
            ChargeTimeCharger good1 = chargeTime(wsBase(), "GOOD-1", keys.get("GOOD-1"), null);
            ChargeTimeCharger good2 = chargeTime(wsBase(), "GOOD-2", keys.get("GOOD-2"), null);
            String good1Address = harness.centralSystem.charger("GOOD-1").orElseThrow().remoteAddress();
            // GOOD-3 was connected before and comes back during the burst (a network blip).
            RawCharger.connect(harness, "GOOD-3", keys.get("GOOD-3")).close();

            AtomicBoolean burstOver = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(52);
            try {
                Future<List<Long>> transacting1 = pool.submit(transacting(good1, burstOver));
                Future<List<Long>> transacting2 = pool.submit(transacting(good2, burstOver));
                // 50 wrong passwords at once from 127.0.0.2: half for a connected charger, half for another.
                InetAddress attacker = InetAddress.getByName("127.0.0.2");
                List<Future<long[]>> attempts = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    String id = i % 2 == 0 ? "GOOD-1" : "VICTIM";
                    String password = "guess-number-" + i + "-xxxxxxxx";
                    attempts.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        Socket socket = SocketCharger.plain(attacker, harness.port());
                        socket.setSoTimeout(30_000);
                        try (SocketCharger s = SocketCharger.upgrade(socket, id, RawCharger.basic(id, password))) {
                            return new long[] {s.status, (System.nanoTime() - t0) / 1_000_000};
                        } catch (java.io.EOFException e) {
                            return new long[] {-1, (System.nanoTime() - t0) / 1_000_000};
                        } finally {
                            socket.close();
                        }
                    }));
                }

                Await.until("the burst under way", () -> harness.centralSystem.recentRefusals().stream()
                        .mapToLong(Refusal::count).sum() >= 3);
                long reconnect = System.nanoTime();
                closing(RawCharger.connect(http(null), URI.create(harness.url("GOOD-3")), "GOOD-3",
                        RawCharger.basic("GOOD-3", keys.get("GOOD-3")), RawCharger.WAIT));
                assertThat(Duration.ofNanos(System.nanoTime() - reconnect)).as("GOOD-3 back during the burst")
                        .isLessThan(Duration.ofSeconds(1));
                // GOOD-4 logs in for the first time since the start: a bcrypt check, taken before the burst's.
                long firstLogin = System.nanoTime();
                closing(RawCharger.connect(http(null), URI.create(harness.url("GOOD-4")), "GOOD-4",
                        RawCharger.basic("GOOD-4", keys.get("GOOD-4")), RawCharger.WAIT));
                assertThat(Duration.ofNanos(System.nanoTime() - firstLogin)).as("GOOD-4's first login in the burst")
                        .isLessThan(Duration.ofSeconds(1));
                long pending = attempts.stream().filter(a -> !a.isDone()).count();
                assertThat(pending).as("bad logins still waiting when GOOD-4 got in").isGreaterThan(5);

                long slowest = 0;
                int wrong = 0;
                for (Future<long[]> a : attempts) {
                    long[] outcome = a.get(60, TimeUnit.SECONDS);
                    // Every bad login is answered: 401 once checked, 503 when its address had its share of checks
                    // queued, or its check waited too long; never left to the handshake timeout.
                    assertThat(outcome[0]).as("answered 401 or 503").isIn(401L, 503L);
                    wrong += outcome[0] == 401 ? 1 : 0;
                    slowest = Math.max(slowest, outcome[1]);
                }
                assertThat(wrong).as("bad logins checked and answered 401").isGreaterThanOrEqualTo(3);
                burstOver.set(true);
                assertThat(slowest).as("repeated failures from one address are answered later").isGreaterThan(1000);

                for (Future<List<Long>> t : List.of(transacting1, transacting2)) {
                    List<Long> latencies = t.get(30, TimeUnit.SECONDS);
                    System.out.printf("burst: %d of 50 bad logins answered 401 (the others 503), slowest %d ms; a good charger's %d"
                            + " calls, slowest answer %d ms%n", wrong, slowest, latencies.size(),
                            latencies.stream().mapToLong(Long::longValue).max().orElse(0));
                    assertThat(latencies).as("calls during the burst").hasSizeGreaterThan(10);
                    assertThat(latencies).as("every answer within 1 s (ms)").allMatch(ms -> ms < 1000);
                }
            } finally {
                burstOver.set(true);
                pool.shutdownNow();
            }
            assertThat(refusalCount("GOOD-1", "wrong password") + refusalCount("GOOD-1", "busy")).isEqualTo(25);
            assertThat(refusalCount("VICTIM", "wrong password") + refusalCount("VICTIM", "busy")).isEqualTo(25);
            assertThat(harness.centralSystem.recentRefusals()).filteredOn(r -> "VICTIM".equals(r.chargePointId()))
                    .extracting(Refusal::remoteAddress).containsOnly("127.0.0.2");
            // The attacked charger kept its connection.
            assertThat(harness.centralSystem.charger("GOOD-1").orElseThrow().remoteAddress()).isEqualTo(good1Address);
            assertThat(good1.closed).isNotDone();
        }

        /** A charging session with a meter value every 150 ms until the burst is over: each call's latency. */
        private Callable<List<Long>> transacting(ChargeTimeCharger cp, AtomicBoolean burstOver) {
            return () -> {
                List<Long> latencies = new ArrayList<>();
                long t0 = System.nanoTime();
                StartTransactionConfirmation started = cp.send(cp.core.createStartTransactionRequest(1, "TAG-1", 0,
                        ZonedDateTime.now(ZoneOffset.UTC)));
                latencies.add((System.nanoTime() - t0) / 1_000_000);
                int meter = 0;
                while (!burstOver.get() || latencies.size() < 12) {
                    Thread.sleep(150);
                    MeterValuesRequest values = cp.core.createMeterValuesRequest(1, ZonedDateTime.now(ZoneOffset.UTC),
                            Integer.toString(meter += 10));
                    values.setTransactionId(started.getTransactionId());
                    long t = System.nanoTime();
                    cp.send(values);
                    latencies.add((System.nanoTime() - t) / 1_000_000);
                }
                long t = System.nanoTime();
                cp.send(cp.core.createStopTransactionRequest(meter, ZonedDateTime.now(ZoneOffset.UTC),
                        started.getTransactionId()));
                latencies.add((System.nanoTime() - t) / 1_000_000);
                return latencies;
            };
        }
    }

    // ---- the gateway's part: pushing a password, keeping what it knows ---------------------------

    @Nested
    class Provisioning {

        @Test
        void chargerWithoutTheSecurityExtensionRefusesTheKeyAndNothingChanges() throws Exception {
            start(settings("unknownChargers", UnknownChargers.Wait));
            harness.centralSystem.accept("CT-OLD");
            ChargeTimeCharger cp = chargeTime(wsBase(), "CT-OLD", null, null);
            awaitConnected("CT-OLD");
            // An OCPP 1.6 charger without the security extension: AuthorizationKey is a key it does not know.
            List<String> keysAsked = new CopyOnWriteArrayList<>();
            cp.changeConfiguration = request -> {
                keysAsked.add(request.getKey());
                return ConfigurationStatus.NotSupported;
            };
            Throwable t = catchThrowable(() -> Await.result(
                    harness.centralSystem.provisionAuthorizationKey("CT-OLD", 1)));
            assertThat(t).isInstanceOf(ExecutionException.class);
            assertThat(t.getCause()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("CT-OLD answered NotSupported to the new AuthorizationKey; nothing changed");
            assertThat(keysAsked).containsExactly("AuthorizationKey");

            KnownCharger unchanged = harness.centralSystem.knownChargers().get(0);
            assertThat(unchanged.authorizationKeySet()).isFalse();
            assertThat(unchanged.securityProfile()).isZero();
            assertThat(unchanged.siteDefaultProfile()).isTrue();
            assertTransacting(cp);
        }

        /** A charger accepted by an operator at the site's profile 0, connected, answering by hand. */
        private RawCharger acceptedAndConnected(String id) throws Exception {
            start(settings("unknownChargers", UnknownChargers.Wait));
            harness.centralSystem.accept(id);
            return closing(RawCharger.connectReady(harness, id));
        }

        @Test
        void chargerAcceptingTheKeyMovesToProfile1() throws Exception {
            RawCharger raw = acceptedAndConnected("RAW-P");
            CompletionStage<KnownCharger> provisioned = harness.centralSystem.provisionAuthorizationKey("RAW-P", 1);

            JsonNode keyCall = raw.next();
            assertThat(keyCall.get(2).asText()).isEqualTo("ChangeConfiguration");
            assertThat(keyCall.get(3).get("key").asText()).isEqualTo("AuthorizationKey");
            String key = keyCall.get(3).get("value").asText();
            assertThat(key).matches("[0-9A-F]{40}");
            raw.answer(keyCall, "{\"status\":\"Accepted\"}");
            JsonNode profileCall = raw.next();
            assertThat(profileCall.get(3).get("key").asText()).isEqualTo("SecurityProfile");
            assertThat(profileCall.get(3).get("value").asText()).isEqualTo("1");
            raw.answer(profileCall, "{\"status\":\"Accepted\"}");

            KnownCharger k = Await.result(provisioned);
            assertThat(k.securityProfile()).isEqualTo(1);
            assertThat(k.siteDefaultProfile()).isFalse();
            assertThat(k.authorizationKeySet()).isTrue();

            assertThat(refused(http(null), harness.url("RAW-P"), null)).isEqualTo(401);
            assertThat(refused(http(null), harness.url("RAW-P"), RawCharger.basic("RAW-P", "0".repeat(40))))
                    .isEqualTo(401);
            RawCharger again = closing(RawCharger.connect(harness, "RAW-P", key));
            assertThat(raw.awaitClose()).as("the old connection is replaced").isEqualTo(1000);
            again.assertHeartbeatAnswered();
        }

        @Test
        void chargerKeepingTheKeyButRefusingTheProfileIsToldAbout() throws Exception {
            RawCharger raw = acceptedAndConnected("RAW-Q");
            CompletionStage<KnownCharger> provisioned = harness.centralSystem.provisionAuthorizationKey("RAW-Q", 1);
            raw.answer(raw.next(), "{\"status\":\"Accepted\"}");
            raw.answer(raw.next(), "{\"status\":\"Rejected\"}");
            Throwable t = catchThrowable(() -> Await.result(provisioned));
            assertThat(t.getCause()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("RAW-Q keeps its new AuthorizationKey but answered Rejected to"
                            + " SecurityProfile 1");
            KnownCharger k = harness.centralSystem.knownChargers().get(0);
            assertThat(k.authorizationKeySet()).isTrue();
            assertThat(k.securityProfile()).isZero();
        }

        @Test
        void chargeTimeChargerTakesAKeyAndComesBackOverWss() throws Exception {
            start(with(tls(ecServer, false), settings("unknownChargers", UnknownChargers.Wait)));
            harness.centralSystem.accept("CT-UP");
            ChargeTimeCharger cp = chargeTime(wsBase(), "CT-UP", null, null);
            awaitConnected("CT-UP");
            Map<String, String> configuration = new java.util.concurrent.ConcurrentHashMap<>();
            cp.changeConfiguration = request -> {
                configuration.put(request.getKey(), request.getValue());
                return ConfigurationStatus.Accepted;
            };
            KnownCharger k = Await.result(harness.centralSystem.provisionAuthorizationKey("CT-UP", 2));
            assertThat(k.securityProfile()).isEqualTo(2);
            assertThat(configuration).containsEntry("SecurityProfile", "2").containsKey("AuthorizationKey");
            String key = configuration.get("AuthorizationKey");

            // It reconnects as its new profile says; ws:// is no longer enough, even with the key.
            cp.close();
            assertThat(refused(http(null), harness.url("CT-UP"), RawCharger.basic("CT-UP", key))).isEqualTo(403);
            assertTransacting(chargeTime(wssBase(), "CT-UP", key, TestPki.clientContext(gatewayCa, null)));
        }

        @Test
        void knownChargersOutliveARestart() throws Exception {
            String key = "KEPT-authorization-key";
            start(settings("unknownChargers", UnknownChargers.Wait));
            Instant acceptedAt = harness.centralSystem.accept("KEPT").acceptedAt();
            harness.centralSystem.setAuthorizationKey("KEPT", key);
            harness.centralSystem.setSecurityProfile("KEPT", 1);
            harness.centralSystem.accept("GONE");
            assertThat(harness.centralSystem.forget("GONE")).isTrue();
            harness.close();
            harness = null;

            String file = Files.readString(dir.resolve("data").resolve("chargers.json"));
            assertThat(file).contains("KEPT", "$2y$").doesNotContain(key).doesNotContain("GONE");

            start(settings("unknownChargers", UnknownChargers.Wait));
            assertThat(harness.centralSystem.knownChargers()).containsExactly(
                    new KnownCharger("KEPT", 1, false, true, false, acceptedAt));
            assertThat(refused(http(null), harness.url("KEPT"), null)).isEqualTo(401);
            assertThat(refused(http(null), harness.url("GONE"), null)).isEqualTo(404);
            assertTransacting(chargeTime(wsBase(), "KEPT", key, null));
        }
    }
}
