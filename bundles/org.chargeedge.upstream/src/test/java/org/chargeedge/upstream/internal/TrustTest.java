package org.chargeedge.upstream.internal;

import org.chargeedge.centralsystem.internal.TestPki;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustTest {

    static TestPki ca;

    @TempDir
    Path dir;

    @BeforeAll
    static void authority() throws Exception {
        ca = new TestPki("ChargeEdge Test CSMS CA");
    }

    private static ConfigurationProblem problem(String caFile) {
        ConfigurationProblem p = catchThrowableOfType(() -> Trust.load(caFile), ConfigurationProblem.class);
        assertThat(p).as("a configuration problem for " + caFile).isNotNull();
        assertThat(p.key()).isEqualTo("caFile");
        assertThat(p.value()).isEqualTo(caFile);
        assertThat(p.fix()).contains("caFile", "BEGIN CERTIFICATE");
        assertThat(p.logLine()).startsWith("Upstream configuration error (org.chargeedge.upstream): caFile = '"
                + caFile + "': the file ");
        return p;
    }

    @Test
    void aGoodFileIsTrustedBesidesTheJdksStore() throws Exception {
        Path pem = ca.writeCa(dir.resolve("ca.pem"));
        Trust trust = Trust.load(pem.toString());
        assertThat(trust.caCertificates()).containsExactly(ca.certificate());
        assertThat(trust.sslContext().getProtocol()).isEqualTo("TLS");
        assertThat(trust.protocols()).contains("TLSv1.2");
        assertThat(Trust.sslContext(pem.toString())).isInstanceOf(SSLContext.class);
    }

    @Test
    void aFileWithTextAroundTheCertificatesAndSeveralOfThemIsRead() throws Exception {
        TestPki other = new TestPki("Second CA");
        Path pem = dir.resolve("bundle.pem");
        Files.writeString(pem, "Bag Attributes\nsubject=/CN=ChargeEdge Test CSMS CA\n"
                + TestPki.pem("CERTIFICATE", ca.certificate().getEncoded()) + "\n"
                + TestPki.pem("CERTIFICATE", other.certificate().getEncoded()));
        assertThat(Trust.load(pem.toString()).caCertificates()).containsExactly(ca.certificate(), other.certificate());
    }

    @Test
    void aDerFileIsReadToo() throws Exception {
        Path der = Files.write(dir.resolve("ca.der"), ca.certificate().getEncoded());
        assertThat(Trust.load(der.toString()).caCertificates()).containsExactly(ca.certificate());
    }

    @Test
    void withoutCaFileOnlyTheJdksStore() throws Exception {
        assertThat(Trust.load("").caCertificates()).isEmpty();
        assertThat(Trust.load(null).caCertificates()).isEmpty();
    }

    @Test
    void aMissingFile() {
        String missing = dir.resolve("no-such.pem").toString();
        assertThat(problem(missing).problem()).isEqualTo("the file does not exist");
        assertThat(problem("relative/ca.pem").problem()).contains("does not exist", "relative name",
                "working directory");
    }

    @Test
    void aFileWithOnlyAPrivateKey() throws Exception {
        Path key = dir.resolve("csms.key");
        Files.writeString(key, TestPki.pem("PRIVATE KEY", TestPki.newKey().getPrivate().getEncoded()));
        assertThat(problem(key.toString()).problem()).isEqualTo(
                "the file holds a private key (BEGIN PRIVATE KEY), not a certificate");

        Path ecKey = dir.resolve("csms-ec.key");
        Files.writeString(ecKey, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
        assertThat(problem(ecKey.toString()).problem()).contains("a private key (BEGIN EC PRIVATE KEY)");
    }

    @Test
    void anEmptyFile() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.pem"));
        assertThat(problem(empty.toString()).problem()).isEqualTo("the file is empty");
        Files.writeString(empty, "\n  \n");
        assertThat(problem(empty.toString()).problem()).isEqualTo("the file is empty");
    }

    @Test
    void aFileWithoutAnyCertificate() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "the CA is at https://csms.example/ca\n");
        assertThat(problem(text.toString()).problem()).contains("holds no certificate");
    }

    @Test
    void aDamagedCertificate() throws Exception {
        Path pem = Files.writeString(dir.resolve("damaged.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIBnotreallyacertificate\n-----END CERTIFICATE-----\n");
        assertThat(problem(pem.toString()).problem()).contains("cannot be read", "block 1");
    }

    @Test
    void aDirectory() {
        assertThat(problem(dir.toString()).problem()).contains("is a directory");
    }

    @Test
    void anUnreadableFile() throws Exception {
        Path pem = ca.writeCa(dir.resolve("locked.pem"));
        Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("---------"));
        // Root reads it anyway: then there is nothing to test here.
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(pem), "running as root");
        assertThat(problem(pem.toString()).problem()).contains("permission denied");
    }

    @Test
    void aClientCertificateForTheSiteIsReadAgainWhenItsFilesChange() throws Exception {
        TestPki chargers = new TestPki("ChargeEdge Test Charger CA");
        Path cert = dir.resolve("gateway.crt");
        Path key = dir.resolve("gateway.key");
        TestPki.Issued first = chargers.client("CP-1");
        first.writeSec1(cert, key);
        Trust trust = Trust.load("", cert.toString(), key.toString());
        SSLContext site = trust.sslContext();
        assertThat(trust.clientCertificatePerCharger()).isFalse();
        assertThat(trust.contextFor("CP-1")).as("unchanged files: the same context").isSameAs(site);
        assertThat(trust.contextFor("CP-2")).isSameAs(site);
        assertThat(trust.clientCertificate("CP-9")).contains(first.certificate());

        TestPki.Issued renewed = chargers.client("CP-1");
        renewed.writeSec1(cert, key);
        java.nio.file.attribute.FileTime later = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().plusSeconds(10));
        Files.setLastModifiedTime(cert, later);
        Files.setLastModifiedTime(key, later);
        SSLContext next = trust.contextFor("CP-2");
        assertThat(next).as("renewed: read again").isNotSameAs(site);
        assertThat(trust.contextFor("CP-1")).isSameAs(next);
        assertThat(trust.clientCertificate("CP-1")).contains(renewed.certificate());
    }

    @Test
    void perChargerClientCertificatesAreReadWhenTheChargerConnects() throws Exception {
        TestPki chargers = new TestPki("ChargeEdge Test Charger CA");
        TestPki.Issued cp1 = chargers.client("CP-1");
        cp1.write(dir.resolve("CP-1.crt"), dir.resolve("CP-1.key"));
        Trust trust = Trust.load("", dir.resolve("{chargePointId}.crt").toString(),
                dir.resolve("{chargePointId}.key").toString());
        assertThat(trust.clientCertificatePerCharger()).isTrue();
        assertThat(trust.clientCertificate("CP-1")).as("not read yet").isEmpty();
        SSLContext own = trust.contextFor("CP-1");
        assertThat(own).isNotSameAs(trust.sslContext()).isSameAs(trust.contextFor("CP-1"));
        assertThat(trust.clientCertificate("CP-1")).contains(cp1.certificate());
        org.chargeedge.tls.TlsFileException missing = catchThrowableOfType(() -> trust.contextFor("CP-2"),
                org.chargeedge.tls.TlsFileException.class);
        assertThat(missing.file()).isEqualTo(dir.resolve("CP-2.crt"));
        assertThat(missing.problem()).isEqualTo("the file does not exist");
    }

    @Test
    void theStaticContextKeepsTheOldSemantics() throws Exception {
        assertThatThrownBy(() -> Trust.sslContext(dir.resolve("missing.pem").toString()))
                .isInstanceOf(ConfigurationProblem.class).hasMessageContaining("does not exist");
    }
}
