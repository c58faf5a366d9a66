package org.chargeedge.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading the files OpenSSL writes (src/test/resources/pem, see its readme), and every way a file
 * can be wrong, each said with the file, the problem and a fix.
 */
class PemFilesTest {

    @TempDir
    Path dir;

    static Path pem(String name) throws Exception {
        return Path.of(PemFilesTest.class.getResource("/pem/" + name).toURI());
    }

    static TlsFileException failure(ThrowingCall call, TlsFileException.Reason reason) {
        TlsFileException e = catchThrowableOfType(call::run, TlsFileException.class);
        assertThat(e).as("a TlsFileException").isNotNull();
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.problem()).startsWith("the file ");
        assertThat(e.getMessage()).startsWith("the file " + e.file() + " ").contains(". Fix: " + e.fix());
        assertThat(e.fix()).isNotBlank();
        return e;
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void everyKeyFormOfOpensslIsRead() throws Exception {
        assertThat(PemFiles.readPrivateKey(pem("rsa-pkcs8.key")).getAlgorithm()).isEqualTo("RSA");
        assertThat(PemFiles.readPrivateKey(pem("rsa-pkcs1.key")).getAlgorithm()).isEqualTo("RSA");
        assertThat(PemFiles.readPrivateKey(pem("ec-sec1.key")).getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.readPrivateKey(pem("ec-pkcs8.key")).getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.readPrivateKey(pem("ec-pkcs8.der")).getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.readPrivateKey(pem("ed25519.key")).getAlgorithm()).isIn("EdDSA", "Ed25519");
        assertThat(PemFiles.readPrivateKey(pem("ec-combined.pem")).getAlgorithm()).as("next to its certificate")
                .isEqualTo("EC");
        assertThat(PemFiles.readPrivateKey(pem("rsa-pkcs1.key")))
                .as("PKCS#1 and PKCS#8 of one key are the same key")
                .isEqualTo(PemFiles.readPrivateKey(pem("rsa-pkcs8.key")));
        assertThat(((ECPrivateKey) PemFiles.readPrivateKey(pem("ec-sec1.key"))).getS())
                .isEqualTo(((ECPrivateKey) PemFiles.readPrivateKey(pem("ec-pkcs8.key"))).getS());
    }

    @Test
    void keysMatchTheirCertificatesOnly() throws Exception {
        X509Certificate rsa = PemFiles.readCertificates(pem("rsa.pem")).get(0);
        X509Certificate ec = PemFiles.readCertificates(pem("ec.pem")).get(0);
        X509Certificate ed = PemFiles.readCertificates(pem("ed25519.pem")).get(0);
        PrivateKey rsaKey = PemFiles.readPrivateKey(pem("rsa-pkcs1.key"));
        PrivateKey ecKey = PemFiles.readPrivateKey(pem("ec-sec1.key"));
        PrivateKey edKey = PemFiles.readPrivateKey(pem("ed25519.key"));
        assertThat(PemFiles.keyMatches(rsaKey, rsa)).isTrue();
        assertThat(PemFiles.keyMatches(ecKey, ec)).isTrue();
        assertThat(PemFiles.keyMatches(edKey, ed)).isTrue();
        assertThat(PemFiles.keyMatches(rsaKey, ec)).isFalse();
        assertThat(PemFiles.keyMatches(ecKey, rsa)).isFalse();
        assertThat(PemFiles.keyMatches(PemFiles.readPrivateKey(pem("other.key")), ec)).isFalse();
        assertThat(PemFiles.keyMatches(edKey, ec)).isFalse();
    }

    @Test
    void certificatesAreReadFromPemChainsDerAndCombinedFiles() throws Exception {
        List<X509Certificate> chain = PemFiles.readCertificates(pem("ec-chain.pem"));
        assertThat(chain).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=CP-EC", "CN=ChargeEdge Test PEM CA");
        assertThat(PemFiles.readCertificates(pem("ec.der"))).containsExactly(chain.get(0));
        assertThat(PemFiles.readCertificates(pem("ec-combined.pem"))).as("the key beside it is passed over")
                .containsExactly(chain.get(0));
        Path withText = Files.writeString(dir.resolve("bundle.pem"), "Bag Attributes\nsubject=/CN=CP-EC\n"
                + Files.readString(pem("ec.pem")) + "\nissuer text\n" + Files.readString(pem("ca.pem")));
        assertThat(PemFiles.readCertificates(withText)).isEqualTo(chain);
    }

    @Test
    void aKeyWhereACertificateWasExpected() throws Exception {
        TlsFileException e = failure(() -> PemFiles.readCertificates(pem("rsa-pkcs1.key")),
                TlsFileException.Reason.NO_CERTIFICATE);
        assertThat(e.problem()).isEqualTo("the file holds a private key (BEGIN RSA PRIVATE KEY), not a certificate");
        assertThat(e.fix()).contains("not the private key");
        assertThat(e.file()).isEqualTo(pem("rsa-pkcs1.key"));
        assertThat(failure(() -> PemFiles.readCertificates(pem("ec-sec1.key")), TlsFileException.Reason.NO_CERTIFICATE)
                .problem()).contains("'EC PARAMETERS' block", "a private key (BEGIN EC PRIVATE KEY)");
    }

    @Test
    void aCertificateWhereAKeyWasExpected() throws Exception {
        TlsFileException e = failure(() -> PemFiles.readPrivateKey(pem("ec-chain.pem")),
                TlsFileException.Reason.NO_PRIVATE_KEY);
        assertThat(e.problem()).isEqualTo("the file holds a certificate (BEGIN CERTIFICATE), not a private key");
        assertThat(failure(() -> PemFiles.readPrivateKey(pem("ec.der")), TlsFileException.Reason.NO_PRIVATE_KEY)
                .problem()).contains("holds no private key");
    }

    @Test
    void encryptedKeysAreRefusedWithTheCommandThatDecryptsThem() throws Exception {
        for (String name : List.of("rsa-encrypted-pkcs8.key", "rsa-encrypted-pkcs1.key")) {
            TlsFileException e = failure(() -> PemFiles.readPrivateKey(pem(name)),
                    TlsFileException.Reason.ENCRYPTED_PRIVATE_KEY);
            assertThat(e.problem()).as(name).contains("encrypted with a passphrase");
            assertThat(e.fix()).contains("openssl pkey -in KEY -out KEY.plain", "chmod 600");
        }
    }

    @Test
    void otherKeysAreRefused() throws Exception {
        Path ssh = Files.writeString(dir.resolve("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQy\n"
                + "-----END OPENSSH PRIVATE KEY-----\n");
        assertThat(failure(() -> PemFiles.readPrivateKey(ssh), TlsFileException.Reason.UNSUPPORTED_PRIVATE_KEY)
                .problem()).contains("OpenSSH");
        Path two = Files.writeString(dir.resolve("two.key"), Files.readString(pem("ec-pkcs8.key"))
                + Files.readString(pem("other.key")));
        assertThat(failure(() -> PemFiles.readPrivateKey(two), TlsFileException.Reason.SEVERAL_PRIVATE_KEYS)
                .problem()).isEqualTo("the file holds 2 private keys");
        // SEC1 without the curve, as Bouncy Castle's JcaPEMWriter writes a key the JDK generated.
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        byte[] sec1 = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(generator.generateKeyPair().getPrivate()
                .getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        Path noCurve = Files.writeString(dir.resolve("no-curve.key"), "-----BEGIN EC PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n");
        assertThat(failure(() -> PemFiles.readPrivateKey(noCurve), TlsFileException.Reason.UNSUPPORTED_PRIVATE_KEY)
                .problem()).contains("does not name its curve");
        Path damaged = Files.writeString(dir.resolve("damaged.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
                        + "-----END RSA PRIVATE KEY-----\n");
        assertThat(failure(() -> PemFiles.readPrivateKey(damaged), TlsFileException.Reason.DAMAGED).problem())
                .contains("holds a private key (BEGIN RSA PRIVATE KEY) that cannot be read");
    }

    @Test
    void missingEmptyDirectoryLargeAndDamagedFiles() throws Exception {
        Path missing = dir.resolve("no-such.pem");
        assertThat(failure(() -> PemFiles.readCertificates(missing), TlsFileException.Reason.MISSING).problem())
                .isEqualTo("the file does not exist");
        assertThat(failure(() -> PemFiles.readPrivateKey(Path.of("relative/client.key")),
                TlsFileException.Reason.MISSING).problem()).contains("does not exist", "relative name",
                "working directory");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "\n  \n");
        assertThat(failure(() -> PemFiles.readCertificates(empty), TlsFileException.Reason.EMPTY).problem())
                .isEqualTo("the file is empty");
        assertThat(failure(() -> PemFiles.readPrivateKey(dir), TlsFileException.Reason.DIRECTORY).problem())
                .contains("is a directory");
        Path large = Files.write(dir.resolve("large.pem"), new byte[(int) PemFiles.MAX_FILE_BYTES + 1]);
        assertThat(failure(() -> PemFiles.readCertificates(large), TlsFileException.Reason.TOO_LARGE).problem())
                .contains("larger than 4 MB");
        Path text = Files.writeString(dir.resolve("notes.txt"), "the CA is at https://csms.example/ca\n");
        assertThat(failure(() -> PemFiles.readCertificates(text), TlsFileException.Reason.NO_CERTIFICATE).problem())
                .contains("holds no certificate");
        Path damaged = Files.writeString(dir.resolve("damaged.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIBnotreallyacertificate\n-----END CERTIFICATE-----\n");
        assertThat(failure(() -> PemFiles.readCertificates(damaged), TlsFileException.Reason.DAMAGED).problem())
                .contains("cannot be read", "block 1");
        Path cut = Files.writeString(dir.resolve("cut.pem"), Files.readString(pem("ec.pem")).substring(0, 200));
        assertThat(failure(() -> PemFiles.readCertificates(cut), TlsFileException.Reason.DAMAGED).problem())
                .contains("cannot be read");
    }

    @Test
    void anUnreadableFile() throws Exception {
        Path locked = Files.copy(pem("ec-pkcs8.key"), dir.resolve("locked.key"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(locked), "running as root");
        assertThat(failure(() -> PemFiles.readPrivateKey(locked), TlsFileException.Reason.UNREADABLE).problem())
                .contains("permission denied");
    }
}
