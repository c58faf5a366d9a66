package org.chargeedge.upstream.internal;

import org.chargeedge.centralsystem.internal.TestPki;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import eu.chargetime.ocpp.model.core.BootNotificationConfirmation;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * The link over {@code wss://} with HTTP Basic, between the real peers of {@link LinkTestBase}; the
 * CSMS is the ChargeTimeEU server with TLS (certificates of {@link TestPki}) and a password for the
 * charger. For each failure an installer or a CSMS operator has to fix (a wrong password, a CA the
 * gateway does not trust, a certificate for another name, an expired certificate): the charger
 * transacts while the link cannot connect and every call is answered locally; the log line says
 * what is wrong and what to change, and the link's status says it in a few words; then the fix is
 * made as it is in the field (the site's configuration changes and the component restarts its
 * links, or the CSMS restarts with another certificate), and the CSMS gets the charger's
 * BootNotification first, then the start, the meter values and the stop, once each, in order,
 * under its own transaction id.
 */
class UpstreamTlsTest extends LinkTestBase {

    /** 16 bytes: the ChargeTimeEU server refuses passwords outside 16 to 20 bytes before it checks them. */
    private static final String PASSWORD = "0123456789abcdef";
    private static final String WRONG_PASSWORD = "fedcba9876543210";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private static TestPki ca;
    /** For 127.0.0.1 and localhost, valid now. */
    private static TestPki.Issued good;
    /** For the CSMS's public names, not for the address the site uses. */
    private static TestPki.Issued otherName;
    /** For 127.0.0.1 and localhost, expired three days ago. */
    private static TestPki.Issued expired;
    private static Instant expiredFrom;
    private static Instant expiredOn;

    /** The CA whose client certificates the CSMS of the profile 3 tests accepts. */
    private static TestPki chargerCa;
    /** A CA the CSMS does not know. */
    private static TestPki otherChargerCa;

    /** What the links wrote to their problem log, as "LEVEL line". */
    private final List<String> logged = new CopyOnWriteArrayList<>();
    /** The site's configuration: the charger's password, and whether caFile holds the CSMS's CA. */
    private String password = PASSWORD;
    private boolean caFile = true;
    /** The site's clientCertificateFile and clientKeyFile; empty for none. */
    private String clientCertificateFile = "";
    private String clientKeyFile = "";

    @BeforeAll
    static void pki() throws Exception {
        ca = new TestPki("ChargeEdge Test CSMS CA");
        good = ca.server("localhost", List.of("localhost", "127.0.0.1"));
        otherName = ca.server("csms.example.net", List.of("csms.example.net", "ocpp.example.net"));
        expiredFrom = Instant.now().minus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        expiredOn = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        expired = ca.server("localhost", List.of("localhost", "127.0.0.1"), expiredFrom, expiredOn);
        chargerCa = new TestPki("ChargeEdge Test Charger CA");
        otherChargerCa = new TestPki("Somebody Else's Charger CA");
    }

    /** The tests of client certificates get a CSMS that requires one of {@link #chargerCa} (OCPP security profile 3). */
    @Override
    Csms newCsms() throws Exception {
        if (testName.contains("ClientCertificate")) {
            return new Csms(good.serverContext(chargerCa.certificate()), Map.of(CP, PASSWORD), true);
        }
        return new Csms(good.serverContext(), Map.of(CP, PASSWORD));
    }

    /** The relay's address over wss://, with the site's password and caFile. */
    @Override
    Settings settings(String url) {
        String file = "";
        if (caFile) {
            try {
                file = ca.writeCa(dir.resolve("csms-ca.pem")).toString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return Settings.forTest(url.replaceFirst("^ws://", "wss://")).withPasswords("", Map.of(CP, password))
                .withCaFile(file).withClientCertificate(clientCertificateFile, clientKeyFile);
    }

    /** Every line is recorded, and written to the link's logger as in the component. */
    @Override
    ProblemLog problemLog() {
        ProblemLog.Sink logger = ProblemLog.sink(LoggerFactory.getLogger(Uplink.class));
        return new ProblemLog((level, line) -> {
            logged.add(level + " " + line);
            logger.log(level, line);
        }, ProblemLog.DEFAULT_INTERVAL, System::nanoTime);
    }

    /** The site's configuration changes: the component restarts its links with the new one. */
    private void configure(String password, boolean caFile) {
        this.password = password;
        this.caFile = caFile;
        restartLinks();
    }

    /** The site's client certificate files change in the configuration: the component restarts its links. */
    private void configureClientCertificate(String certificateFile, String keyFile) {
        this.clientCertificateFile = certificateFile;
        this.clientKeyFile = keyFile;
        restartLinks();
    }

    /** Writes {@code certificate}'s chain and key as the site's files gateway.crt and gateway.key; returns the first. */
    private Path writeClientCertificate(TestPki.Issued certificate) throws Exception {
        certificate.writeSec1(dir.resolve("gateway.crt"), dir.resolve("gateway.key"));
        return dir.resolve("gateway.crt");
    }

    @Test
    void aWssSessionWithBasicAuthDeliversEverythingOnce() throws Exception {
        connect(true);
        BootNotificationConfirmation boot = charger.send(charger.core.createBootNotificationRequest("V", "M"));
        assertThat(boot.getInterval()).as("the CSMS's answer, over TLS").isEqualTo(Csms.BOOT_INTERVAL);
        int tx = transact();

        assertDeliveredOnceInOrder(tx);
        assertThat(csms.credentials).as("what the CSMS decoded from the Authorization header")
                .containsOnly(CP + ":" + PASSWORD);
        assertThat(csms.refusals).isEmpty();
        assertThat(logged).as("nothing to fix").noneMatch(l -> l.startsWith("ERROR "))
                .anyMatch(l -> l.startsWith("INFO " + CP + ": upstream link up (wss://127.0.0.1:" + relay.port()
                        + "/ocpp/" + CP + ")"));
    }

    @Test
    void aWrongPasswordIsRefusedWith401AndFixedAtRunTime() throws Exception {
        configure(WRONG_PASSWORD, true);
        int tx = transactWhileTheLinkCannotConnect();

        String line = awaitLogged("ERROR", "HTTP 401");
        assertThat(line).contains("refused the credentials of " + CP, "user name '" + CP + "'",
                "the chargerPasswords entry for " + CP, "Retrying in", "the site goes on locally");
        assertThat(logged).as("no password in the log").noneMatch(l -> l.contains(WRONG_PASSWORD) || l.contains(PASSWORD));
        assertThat(link().lastProblem()).isEqualTo("refused by the CSMS with HTTP 401 (credentials)");
        assertThat(csms.refusals).contains(CP + ": 401");
        assertThat(csms.credentials).contains(CP + ":" + WRONG_PASSWORD);

        configure(PASSWORD, true);
        assertDeliveredOnceInOrder(tx);
    }

    @Test
    void aCsmsCertificateFromACaTheGatewayDoesNotTrustIsExplainedUntilCaFileIsSet() throws Exception {
        configure(PASSWORD, false);
        int tx = transactWhileTheLinkCannotConnect();

        String line = awaitLogged("ERROR", "not signed by a CA this gateway trusts");
        assertThat(line).contains("CN=localhost", "Set caFile to a PEM file with the CA certificate of",
                "ChargeEdge Test CSMS CA", "reconnectMaxMillis");
        assertThat(link().lastProblem()).startsWith("TLS: certificate not trusted")
                .contains("ChargeEdge Test CSMS CA");

        configure(PASSWORD, true);
        assertDeliveredOnceInOrder(tx);
    }

    @Test
    void aCertificateForAnotherNameIsExplainedUntilTheCsmsHasOneForTheUrlsHost() throws Exception {
        csms.restart(otherName.serverContext());
        int tx = transactWhileTheLinkCannotConnect();

        String line = awaitLogged("ERROR", "is for csms.example.net, ocpp.example.net, not for 127.0.0.1");
        assertThat(line).contains("(the host in url)", "have the CSMS's certificate issued for 127.0.0.1");
        assertThat(link().lastProblem())
                .isEqualTo("TLS: certificate is not for 127.0.0.1 (it names csms.example.net, ocpp.example.net)");

        // The CSMS's operator installs a certificate for the name the site uses.
        csms.restart(good.serverContext());
        assertDeliveredOnceInOrder(tx);
        assertThat(awaitLogged("INFO", "upstream link up")).contains("failed attempt",
                "last problem: TLS: certificate is not for 127.0.0.1");
    }

    @Test
    void anExpiredCertificateIsExplainedWithItsDatesUntilItIsRenewed() throws Exception {
        csms.restart(expired.serverContext());
        int tx = transactWhileTheLinkCannotConnect();

        String line = awaitLogged("ERROR", "expired on " + DATE.format(expiredOn));
        assertThat(line).contains("the CSMS's certificate (CN=localhost)", "valid from " + DATE.format(expiredFrom),
                "this gateway's clock says", "renew");
        assertThat(link().lastProblem()).isEqualTo("TLS: certificate expired on " + DATE.format(expiredOn));

        // Renewed: the same names, valid now.
        csms.restart(good.serverContext());
        assertDeliveredOnceInOrder(tx);
        assertThat(awaitLogged("INFO", "upstream link up")).contains("last problem: TLS: certificate expired");
    }

    // ---- client certificates: OCPP security profile 3 -----------------------------------------

    @Test
    void aClientCertificateTheCsmsTrustsOpensTheLinkAndDeliversEverythingOnce() throws Exception {
        writeClientCertificate(chargerCa.client(CP));
        configureClientCertificate(dir.resolve("gateway.crt").toString(), dir.resolve("gateway.key").toString());
        connect(true);
        BootNotificationConfirmation boot = charger.send(charger.core.createBootNotificationRequest("V", "M"));
        assertThat(boot.getInterval()).as("the CSMS's answer, over TLS with a client certificate")
                .isEqualTo(Csms.BOOT_INTERVAL);
        int tx = transact();

        assertDeliveredOnceInOrder(tx);
        assertThat(csms.clientCertificates).as("what the CSMS saw").isNotEmpty().containsOnly("CN=" + CP);
        assertThat(csms.credentials).containsOnly(CP + ":" + PASSWORD);
        assertThat(logged).noneMatch(l -> l.startsWith("ERROR "));
    }

    @Test
    void withoutAClientCertificateACsmsThatRequiresOneIsExplainedAndRetriedUntilOneIsSet() throws Exception {
        int tx = transactWhileTheLinkCannotConnect();

        String line = awaitLogged("ERROR", "the CSMS requires a client certificate; set"
                + " clientCertificateFile/clientKeyFile");
        assertThat(line).contains(CP + ": upstream connection to wss://127.0.0.1:" + relay.port(),
                "issued for " + CP, "Retrying in", "reconnectMaxMillis", "the site goes on locally");
        assertThat(link().lastProblem()).isEqualTo("TLS: the CSMS requires a client certificate");
        int attempts = csms.connections.get();
        await("the link trying again", () -> csms.connections.get() >= attempts + 2);
        assertThat(logged.stream().filter(l -> l.startsWith("ERROR "))).as("logged once, not per attempt")
                .hasSize(1);
        assertThat(csms.received).isEmpty();

        writeClientCertificate(chargerCa.client(CP));
        configureClientCertificate(dir.resolve("gateway.crt").toString(), dir.resolve("gateway.key").toString());
        assertDeliveredOnceInOrder(tx);
    }

    @Test
    void aClientCertificateOfACaTheCsmsDoesNotTrustIsExplainedUntilTheFilesAreReplaced() throws Exception {
        writeClientCertificate(otherChargerCa.client(CP));
        configureClientCertificate(dir.resolve("gateway.crt").toString(), dir.resolve("gateway.key").toString());
        int tx = transactWhileTheLinkCannotConnect();

        String line = awaitLogged("ERROR", "refused the client certificate of " + CP);
        assertThat(line).contains("(CN=" + CP + ", issued by O=ChargeEdge tests,CN=Somebody Else's Charger CA",
                "not issued by a CA the CSMS", "clientCertificateFile", "reconnectMaxMillis");
        assertThat(link().lastProblem()).startsWith("TLS: the CSMS refused the client certificate");

        // The installer copies the certificate the CSMS operator issued over the old files: no
        // configuration change, no restart; the next attempt reads them.
        writeClientCertificate(chargerCa.client(CP));
        assertDeliveredOnceInOrder(tx);
        // the last problem is the refused certificate, or, on a loaded machine, an attempt that timed out after it
        assertThat(awaitLogged("INFO", "upstream link up")).containsPattern("last problem: (TLS: the CSMS refused the"
                + " client certificate|timeout: no answer)");
        assertThat(csms.clientCertificates).containsOnly("CN=" + CP);
    }

    @Test
    void perChargerClientCertificatesAreReadWhenTheChargersLinkConnects() throws Exception {
        Path certificate = dir.resolve(CP + ".crt");
        configureClientCertificate(dir.resolve("{chargePointId}.crt").toString(),
                dir.resolve("{chargePointId}.key").toString());
        int tx = transactWhileTheLinkCannotConnect();

        String line = awaitLogged("ERROR", "the client certificate of " + CP + " (clientCertificateFile,"
                + " clientKeyFile) cannot be used: the file " + certificate + " does not exist");
        assertThat(line).contains("Retrying in", "reconnectMaxMillis");
        assertThat(link().lastProblem()).isEqualTo("client certificate: the file does not exist");

        chargerCa.client(CP).write(certificate, dir.resolve(CP + ".key"));
        assertDeliveredOnceInOrder(tx);
        assertThat(csms.clientCertificates).containsOnly("CN=" + CP);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A transaction with two meter values; returns the gateway's transaction id. */
    private int transact() throws Exception {
        int tx = start("TAG-1", 0);
        meterValues(tx, 1, "1001");
        meterValues(tx, 2, "1002");
        stopTx(tx, 3);
        return tx;
    }

    /** The charger connects, boots and transacts while its link cannot connect: all answered locally. */
    private int transactWhileTheLinkCannotConnect() throws Exception {
        connect(false);
        BootNotificationConfirmation boot = charger.send(charger.core.createBootNotificationRequest("V", "M"));
        assertThat(boot.getInterval()).as("the gateway's own answer").isNotEqualTo(Csms.BOOT_INTERVAL);
        int tx = transact();
        await("the link's failure in its status", () -> link().lastProblem() != null);
        assertThat(link().connected()).isFalse();
        assertThat(link().queueDepth()).as("start, meter values, stop").isEqualTo(4);
        assertThat(csms.received).isEmpty();
        return tx;
    }

    /** The first line logged at {@code level} that contains {@code words}, once it is there. */
    private String awaitLogged(String level, String words) throws InterruptedException {
        await("a " + level + " line with '" + words + "'; logged: " + logged,
                () -> logged.stream().anyMatch(l -> l.startsWith(level + " ") && l.contains(words)));
        return logged.stream().filter(l -> l.startsWith(level + " ") && l.contains(words)).findFirst()
                .orElseThrow();
    }

    /**
     * The CSMS gets the charger's BootNotification first, then the transaction once, in order, with
     * its own transaction id in the meter values and the stop; the link is up and its queue empty.
     */
    private void assertDeliveredOnceInOrder(int gatewayId) throws InterruptedException {
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        Thread.sleep(300); // anything sent twice would arrive now
        assertThat(csms.actions(CP)).containsExactly("BootNotification", "StartTransaction", "MeterValues",
                "MeterValues", "StopTransaction");
        int c = Csms.FIRST_ID;
        assertThat(gatewayId).as("the charger has the gateway's id, the CSMS its own").isNotEqualTo(c);
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-1:2025-03-01T10:00:00Z",
                "MeterValues:" + c + ":1001:2025-03-01T10:01:00Z",
                "MeterValues:" + c + ":1002:2025-03-01T10:02:00Z",
                "Stop:" + c + ":2025-03-01T10:03:00Z");
        await("the queue delivered", () -> link().queueDepth() == 0);
        assertThat(link().connected()).isTrue();
        assertThat(link().lastProblem()).isNull();
        assertThat(csms.connected(CP)).as("the CSMS has a session for " + CP).isTrue();
    }
}
