package org.chargeedge.upstream.internal;

import org.chargeedge.centralsystem.internal.TestPki;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.chargeedge.tls.KeyMaterial;
import org.chargeedge.tls.TlsFileException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * Real failures of the JDK's WebSocket client, configured as the link configures it (an HttpClient
 * with {@link Trust}'s context, subprotocol ocpp1.6, HTTP Basic), against a CSMS over TLS with
 * certificates made by a test CA: each is classified, and its explanation names what to fix.
 */
class LinkProblemTest {

    static final String CP = "CP-1";
    static final String PASSWORD = "0123456789abcdef";
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    static TestPki ca;
    static TestPki rogue;

    @TempDir
    Path dir;
    final List<AutoCloseable> servers = new ArrayList<>();

    @BeforeAll
    static void authorities() throws Exception {
        ca = new TestPki("ChargeEdge Test CSMS CA");
        rogue = new TestPki("Somebody Else's CA");
    }

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
    }

    private TlsCsms csms(TestPki.Issued certificate, String... protocols) throws Exception {
        TlsCsms csms = new TlsCsms(certificate.serverContext(), Map.of(CP, PASSWORD), protocols);
        servers.add(csms);
        return csms;
    }

    private Trust trust() throws Exception {
        return Trust.load(ca.writeCa(dir.resolve("csms-ca.pem")).toString());
    }

    private static Settings settings(String url, String password) {
        return Settings.forTest(url).withPasswords(password, Map.of());
    }

    /** Opens the charger's WebSocket as the link does; the failure, or null when it opened. */
    private static Throwable connect(Settings settings, Trust trust, SSLParameters parameters) throws Exception {
        HttpClient.Builder http = HttpClient.newBuilder().sslContext(trust.sslContext())
                .connectTimeout(settings.callTimeout());
        if (parameters != null) {
            http.sslParameters(parameters);
        }
        WebSocket.Builder builder = http.build().newWebSocketBuilder().subprotocols("ocpp1.6")
                .connectTimeout(settings.callTimeout());
        settings.authorization(CP).ifPresent(h -> builder.header("Authorization", h));
        CompletableFuture<WebSocket> ws = builder.buildAsync(settings.uri(CP), new WebSocket.Listener() {});
        try {
            ws.get(20, TimeUnit.SECONDS).abort();
            return null;
        } catch (ExecutionException e) {
            return e;
        }
    }

    private static LinkProblem failure(Settings settings, Trust trust) throws Exception {
        return failure(settings, trust, null);
    }

    private static LinkProblem failure(Settings settings, Trust trust, SSLParameters parameters) throws Exception {
        Throwable e = connect(settings, trust, parameters);
        assertThat(e).as("the connection fails").isNotNull();
        LinkProblem problem = LinkProblem.classify(e, CP, settings, trust);
        System.out.println(problem.kind() + " [" + problem.level() + "]: " + problem.explanation() + "\n    JDK: "
                + problem.technical());
        return problem;
    }

    @Test
    void aGoodCertificateOpensTheLinkAndItsChainIsRecorded() throws Exception {
        TestPki.Issued good = ca.server("localhost", List.of("localhost", "127.0.0.1"));
        TlsCsms csms = csms(good);
        Trust trust = trust();
        for (String host : List.of("127.0.0.1", "localhost")) {
            Settings s = settings(csms.url("wss", host), PASSWORD);
            assertThat(connect(s, trust, null)).as(host).isNull();
            assertThat(trust.lastServerChain(s.uri(CP))).first().isEqualTo(good.certificate());
        }
        assertThat(csms.opened).containsExactly(CP, CP);
    }

    @Test
    void aCertificateFromAnotherCaIsUntrustedAndCaFileIsNamed() throws Exception {
        TlsCsms csms = csms(rogue.server("localhost", List.of("localhost", "127.0.0.1")));
        LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1"), PASSWORD), trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.TLS_UNTRUSTED);
        assertThat(p.level()).isEqualTo(Level.ERROR);
        assertThat(p.slowRetry()).isTrue();
        assertThat(p.explanation()).contains("caFile", "Somebody Else's CA", "CN=localhost",
                "incomplete chain", "ChargeEdge Test CSMS CA");
        assertThat(p.summary()).contains("not trusted");
    }

    @Test
    void withoutCaFileAPrivateCaIsUntrusted() throws Exception {
        TlsCsms csms = csms(ca.server("localhost", List.of("localhost", "127.0.0.1")));
        Trust jdkOnly = Trust.load("");
        LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1"), PASSWORD), jdkOnly);
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.TLS_UNTRUSTED);
        assertThat(p.explanation()).contains("Set caFile to a PEM file with the CA certificate of",
                "ChargeEdge Test CSMS CA");
    }

    @Test
    void aCertificateForAnotherNameNamesBothTheHostAndTheCertificatesNames() throws Exception {
        TlsCsms csms = csms(ca.server("csms.example.net", List.of("csms.example.net", "ocpp.example.net")));
        Trust trust = trust();
        for (String host : List.of("127.0.0.1", "localhost")) {
            LinkProblem p = failure(settings(csms.url("wss", host), PASSWORD), trust);
            assertThat(p.kind()).as(host).isEqualTo(LinkProblem.Kind.TLS_NAME_MISMATCH);
            assertThat(p.level()).isEqualTo(Level.ERROR);
            assertThat(p.slowRetry()).isTrue();
            assertThat(p.explanation()).contains("is for csms.example.net, ocpp.example.net, not for " + host,
                    "url");
        }
    }

    @Test
    void anExpiredCertificateSaysExpiredWithItsDates() throws Exception {
        Instant notBefore = Instant.now().minus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        Instant notAfter = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        TlsCsms csms = csms(ca.server("localhost", List.of("localhost", "127.0.0.1"), notBefore, notAfter));
        LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1"), PASSWORD), trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.TLS_EXPIRED);
        assertThat(p.level()).isEqualTo(Level.ERROR);
        assertThat(p.slowRetry()).isTrue();
        assertThat(p.explanation()).contains("CN=localhost", "expired on " + DATE.format(notAfter),
                "valid from " + DATE.format(notBefore), "renew", "clock");
        assertThat(p.technical()).as("what the JDK said").contains("validity check failed");
    }

    @Test
    void aCertificateNotValidYetPointsAtTheClock() throws Exception {
        Instant notBefore = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        TlsCsms csms = csms(ca.server("localhost", List.of("127.0.0.1"), notBefore,
                notBefore.plus(365, ChronoUnit.DAYS)));
        LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1"), PASSWORD), trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.TLS_NOT_YET_VALID);
        assertThat(p.explanation()).contains("not valid before " + DATE.format(notBefore), "clock");
    }

    @Test
    void aWrongPasswordIsRefusedCredentials() throws Exception {
        TlsCsms csms = csms(ca.server("localhost", List.of("127.0.0.1")));
        LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1"), "not-the-password"), trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.CREDENTIALS_REFUSED);
        assertThat(p.level()).isEqualTo(Level.ERROR);
        assertThat(p.slowRetry()).isTrue();
        assertThat(p.summary()).isEqualTo("refused by the CSMS with HTTP 401 (credentials)");
        assertThat(p.explanation()).contains("HTTP 401", "user name '" + CP + "'", "password", CP);

        Settings perCharger = Settings.forTest(csms.url("wss", "127.0.0.1")).withPasswords("",
                Map.of(CP, "wrong-too"));
        assertThat(failure(perCharger, trust()).explanation()).contains("the chargerPasswords entry for " + CP);
    }

    @Test
    void noPasswordWhereTheCsmsWantsOneSaysNoneIsConfigured() throws Exception {
        TlsCsms csms = csms(ca.server("localhost", List.of("127.0.0.1")));
        LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1"), ""), trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.CREDENTIALS_REFUSED);
        assertThat(p.explanation()).contains("none is configured", "chargerPasswords entry " + CP + "=PASSWORD");
    }

    @Test
    void anUnknownPathIsAnUnknownCharger() throws Exception {
        TlsCsms csms = csms(ca.server("localhost", List.of("127.0.0.1")));
        LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1") + "/wrong", PASSWORD), trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.UNKNOWN_CHARGER);
        assertThat(p.level()).isEqualTo(Level.ERROR);
        assertThat(p.slowRetry()).isTrue();
        assertThat(p.summary()).contains("HTTP 404", "unknown charge point id or wrong URL");
        assertThat(p.explanation()).contains("/ocpp/wrong/" + CP, "registered", "path in url");
    }

    @Test
    void aServiceUnavailableCsmsIsRetriedAtTheNormalPace() throws Exception {
        TlsCsms csms = csms(ca.server("localhost", List.of("127.0.0.1")));
        csms.refuseWith.set(503);
        LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1"), PASSWORD), trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.HTTP_REFUSED);
        assertThat(p.level()).isEqualTo(Level.WARN);
        assertThat(p.slowRetry()).isFalse();
        assertThat(p.explanation()).contains("HTTP 503");
    }

    @Test
    void aClosedPortIsRefusedByTheNetwork() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Settings s = settings("wss://127.0.0.1:" + port + "/ocpp", PASSWORD);
        LinkProblem p = failure(s, trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.NETWORK);
        assertThat(p.level()).isEqualTo(Level.WARN);
        assertThat(p.slowRetry()).isFalse();
        assertThat(p.explanation()).contains("nothing accepts connections at 127.0.0.1:" + port, "firewall");
        assertThat(p.retryDelay(s, 1, 0.0)).isEqualTo(s.backoff(1, 0.0));
    }

    @Test
    void aServerThatNeverAnswersIsATimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            // Accepted by the kernel's backlog, never read: the TLS handshake gets no answer.
            Settings s = Settings.forTest("wss://127.0.0.1:" + silent.getLocalPort() + "/ocpp");
            s = new Settings(s.url(), "", "", Map.of(), "", s.reconnectMin(), s.reconnectMax(), s.authorizeTimeout(),
                    s.startTransactionTimeout(), Duration.ofMillis(500), 0, 2, s.retryInterval(), true);
            LinkProblem p = failure(s, trust());
            assertThat(p.kind()).isEqualTo(LinkProblem.Kind.TIMEOUT);
            assertThat(p.slowRetry()).isFalse();
            assertThat(p.explanation()).contains("within 500 ms", "callTimeoutMillis");
        }
    }

    @Test
    void anUnknownHostIsDns() throws Exception {
        Settings s = settings("wss://csms.no-such-host.invalid/ocpp", PASSWORD);
        LinkProblem p = failure(s, trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.DNS);
        assertThat(p.level()).isEqualTo(Level.WARN);
        assertThat(p.explanation()).contains("csms.no-such-host.invalid", "typo");
    }

    @Test
    void noCommonTlsVersionNamesTheVersions() throws Exception {
        int port = tlsServer(ca.server("localhost", List.of("127.0.0.1")), "TLSv1.2");
        SSLParameters onlyTls13 = new SSLParameters();
        onlyTls13.setProtocols(new String[] {"TLSv1.3"});
        LinkProblem p = failure(settings("wss://127.0.0.1:" + port + "/ocpp", PASSWORD), trust(), onlyTls13);
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.TLS_HANDSHAKE);
        assertThat(p.slowRetry()).isTrue();
        assertThat(p.explanation()).contains("no TLS version", "TLSv1.3", "TLS 1.2");
        assertThat(p.technical()).contains("protocol_version");
    }

    @Test
    void wssToAPlainHttpServerSaysItDoesNotSpeakTls() throws Exception {
        int port = plainHttpServer();
        LinkProblem p = failure(settings("wss://127.0.0.1:" + port + "/ocpp", ""), trust());
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.TLS_HANDSHAKE);
        assertThat(p.explanation()).contains("did not answer in TLS", "ws://");
    }

    /** A JDK TLS server that accepts only {@code protocols} and does nothing but the handshake. */
    private int tlsServer(TestPki.Issued certificate, String... protocols) throws Exception {
        SSLServerSocket server = (SSLServerSocket) certificate.serverContext().getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        server.setEnabledProtocols(protocols);
        servers.add(server);
        serve(server, s -> ((SSLSocket) s).startHandshake());
        return server.getLocalPort();
    }

    /** A plain HTTP server answering 400 to whatever it gets, as web servers answer a TLS hello. */
    private int plainHttpServer() throws Exception {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        servers.add(server);
        serve(server, s -> {
            s.getInputStream().read(new byte[512]);
            s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        });
        return server.getLocalPort();
    }

    private interface Session {
        void run(Socket s) throws Exception;
    }

    private static void serve(ServerSocket server, Session session) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    session.run(s);
                } catch (Exception e) {
                    // The handshake failing is the point; a closed server ends the loop.
                }
            }
        }, "test-server-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    // ---- client certificates (OCPP security profile 3) ------------------------------------------

    /** A CSMS that requires a client certificate of {@code chargers}, speaking only {@code protocol}. */
    private TlsCsms profile3(TestPki chargers, String protocol) throws Exception {
        TlsCsms csms = new TlsCsms(ca.server("localhost", List.of("127.0.0.1")).serverContext(chargers.certificate()),
                Map.of(CP, PASSWORD), true, protocol);
        servers.add(csms);
        return csms;
    }

    /** The settings with caFile, and {@code client}'s certificate and key written to files. */
    private Settings withClientCertificate(Settings s, TestPki.Issued client, String name) throws Exception {
        Path certificate = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        client.writeSec1(certificate, key);
        return s.withCaFile(ca.writeCa(dir.resolve("csms-ca.pem")).toString())
                .withClientCertificate(certificate.toString(), key.toString());
    }

    @Test
    void aCsmsThatRequiresAClientCertificateSaysWhichSettingsToSet() throws Exception {
        TestPki chargers = new TestPki("ChargeEdge Test Charger CA");
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            TlsCsms csms = profile3(chargers, protocol);
            LinkProblem p = failure(settings(csms.url("wss", "127.0.0.1"), PASSWORD), trust());
            assertThat(p.kind()).as(protocol).isEqualTo(LinkProblem.Kind.TLS_CLIENT_CERTIFICATE);
            assertThat(p.level()).isEqualTo(Level.ERROR);
            assertThat(p.slowRetry()).isTrue();
            assertThat(p.summary()).isEqualTo("TLS: the CSMS requires a client certificate");
            assertThat(p.explanation()).startsWith("the CSMS requires a client certificate; set"
                    + " clientCertificateFile/clientKeyFile").contains("issued for " + CP, "profile 3");
        }
    }

    @Test
    void aClientCertificateOfTheCsmsCaOpensTheLinkAndOneOfAnotherCaIsRefusedNamingIt() throws Exception {
        TestPki chargers = new TestPki("ChargeEdge Test Charger CA");
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            TlsCsms csms = profile3(chargers, protocol);
            Settings good = withClientCertificate(settings(csms.url("wss", "127.0.0.1"), PASSWORD),
                    chargers.client(CP), "good");
            assertThat(connect(good, Trust.of(good), null)).as(protocol).isNull();

            Settings other = withClientCertificate(settings(csms.url("wss", "127.0.0.1"), PASSWORD),
                    rogue.client(CP), "rogue");
            LinkProblem p = failure(other, Trust.of(other));
            assertThat(p.kind()).as(protocol).isEqualTo(LinkProblem.Kind.TLS_CLIENT_CERTIFICATE);
            assertThat(p.slowRetry()).isTrue();
            assertThat(p.summary()).startsWith("TLS: the CSMS refused the client certificate");
            assertThat(p.explanation()).contains("refused the client certificate of " + CP + " (CN=" + CP
                    + ", issued by O=ChargeEdge tests,CN=Somebody Else's CA", "not issued by a CA the CSMS",
                    "clientCertificateFile");
        }
    }

    @Test
    void http400FromACsmsThatAskedForAClientCertificateIsTakenForItsRefusal() throws Exception {
        TestPki chargers = new TestPki("ChargeEdge Test Charger CA");
        TlsCsms csms = profile3(chargers, "TLSv1.3");
        csms.refuseWith.set(400);
        Settings s = withClientCertificate(settings(csms.url("wss", "127.0.0.1"), PASSWORD), chargers.client(CP),
                "nginx");
        LinkProblem p = failure(s, Trust.of(s));
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.TLS_CLIENT_CERTIFICATE);
        assertThat(p.summary()).isEqualTo("TLS: the CSMS refused the client certificate (HTTP 400)");
        assertThat(p.explanation()).contains("it answered HTTP 400 to the WebSocket request", "nginx");
    }

    @Test
    void unusableClientCertificateFilesAreNamed() throws Exception {
        Path certificate = dir.resolve(CP + ".crt");
        TlsFileException missing = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> KeyMaterial.load(certificate, dir.resolve(CP + ".key")), TlsFileException.class);
        Settings s = Settings.forTest("wss://127.0.0.1/ocpp").withClientCertificate(
                dir.resolve("{chargePointId}.crt").toString(), dir.resolve("{chargePointId}.key").toString());
        LinkProblem p = LinkProblem.classify(missing, CP, s, null);
        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.CLIENT_CERTIFICATE_FILE);
        assertThat(p.slowRetry()).isTrue();
        assertThat(p.summary()).isEqualTo("client certificate: the file does not exist");
        assertThat(p.explanation()).startsWith("the client certificate of " + CP + " (clientCertificateFile,"
                + " clientKeyFile) cannot be used: the file " + certificate + " does not exist. Fix: ");
    }

    @Test
    void theRetryPaceFollowsTheKind() throws Exception {
        Settings s = Settings.forTest("wss://127.0.0.1/ocpp");
        LinkProblem refused = LinkProblem.classify(new java.net.ConnectException(), CP, s, null);
        assertThat(refused.retryDelay(s, 3, 1.0)).isEqualTo(s.backoff(3, 1.0));
        LinkProblem untrusted = LinkProblem.classify(new javax.net.ssl.SSLHandshakeException(
                "PKIX path building failed: unable to find valid certification path to requested target"), CP, s,
                null);
        assertThat(untrusted.kind()).isEqualTo(LinkProblem.Kind.TLS_UNTRUSTED);
        assertThat(untrusted.retryDelay(s, 1, 0.0)).isEqualTo(s.reconnectMax());
        LinkProblem odd = LinkProblem.classify(new IllegalStateException("odd"), CP, s, null);
        assertThat(odd.kind()).isEqualTo(LinkProblem.Kind.UNEXPECTED);
        assertThat(odd.level()).isEqualTo(Level.WARN);
    }
}
