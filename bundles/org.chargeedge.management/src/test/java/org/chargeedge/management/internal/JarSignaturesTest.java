package org.chargeedge.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import jdk.security.jarsigner.JarSigner;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.chargeedge.api.management.BundleSource;
import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobState;
import org.chargeedge.api.management.UpdateRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Bundles signed in the test with the JDK's jarsigner API, by certificates
 * made with Bouncy Castle: a release CA, a signer it issued, a stranger, and
 * an impostor CA that copies the release CA's name.
 */
class JarSignaturesTest {

    private static final AtomicLong SERIAL = new AtomicLong(1);
    private static KeyPair caKeys;
    private static X509Certificate ca;
    private static KeyPair signerKeys;
    private static X509Certificate signer;
    private static KeyPair strangerKeys;
    private static X509Certificate stranger;
    private static KeyPair impostorKeys;
    private static X509Certificate impostorSigner;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        caKeys = keys();
        ca = certificate("CN=ChargeEdge releases", caKeys, "CN=ChargeEdge releases", caKeys.getPrivate(), true);
        signerKeys = keys();
        signer = certificate("CN=release build", signerKeys, "CN=ChargeEdge releases", caKeys.getPrivate(), false);
        strangerKeys = keys();
        stranger = certificate("CN=stranger", strangerKeys, "CN=stranger", strangerKeys.getPrivate(), false);
        // Claims the release CA as issuer, signed by a key of its own.
        KeyPair fakeCa = keys();
        impostorKeys = keys();
        impostorSigner = certificate("CN=release build", impostorKeys, "CN=ChargeEdge releases",
                fakeCa.getPrivate(), false);
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
            boolean isCa) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(365))), new X500Name(subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        return new JcaX509CertificateConverter().getCertificate(b.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    /** The jar signed as jarsigner signs it, with the chain leaf first. */
    private static byte[] sign(byte[] jar, PrivateKey key, X509Certificate... chain) throws Exception {
        JarSigner js = new JarSigner.Builder(key, CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(chain))).digestAlgorithm("SHA-256").signatureAlgorithm("SHA256withECDSA")
                .signerName("RELEASE").build();
        Path in = Files.createTempFile("unsigned", ".jar");
        try {
            Files.write(in, jar);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipFile zip = new ZipFile(in.toFile())) {
                js.sign(zip, out);
            }
            return out.toByteArray();
        } finally {
            Files.delete(in);
        }
    }

    /** A copy of the jar with each entry's content passed through {@code change}, and extra entries. */
    private static byte[] rewrite(byte[] jar, String entry, UnaryOperator<byte[]> change, String extra)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar));
             ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(e.getName().equals(entry) ? change.apply(content) : content);
                out.closeEntry();
            }
            if (extra != null) {
                out.putNextEntry(new ZipEntry(extra));
                out.write("added later".getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private Path file(byte[] jar) throws IOException {
        Path p = Files.createTempFile(dir, "bundle", ".jar");
        Files.write(p, jar);
        return p;
    }

    private static byte[] bundle() throws IOException {
        return TestBundles.marker("test.svc", "1.1.0", true);
    }

    @Test
    void aBundleSignedByTheTrustedCertificateOrOneItIssuedPasses() throws Exception {
        new JarSignatures(stranger).verify(file(sign(bundle(), strangerKeys.getPrivate(), stranger)));
        new JarSignatures(ca).verify(file(sign(bundle(), signerKeys.getPrivate(), signer, ca)));
        // the chain in the jar may stop at the signer: the configured CA completes it
        new JarSignatures(ca).verify(file(sign(bundle(), signerKeys.getPrivate(), signer)));
    }

    @Test
    void anUnsignedBundleIsRefused() throws Exception {
        assertThatThrownBy(() -> new JarSignatures(ca).verify(file(bundle())))
                .hasMessage("the jar is not signed, and a trusted signer certificate is configured");
    }

    @Test
    void aBundleSignedByAnotherCertificateIsRefused() throws Exception {
        assertThatThrownBy(() -> new JarSignatures(ca).verify(file(sign(bundle(), strangerKeys.getPrivate(),
                stranger)))).hasMessage("the jar is signed by CN=stranger, not by the trusted certificate"
                        + " CN=ChargeEdge releases nor a certificate it issued");
        assertThatThrownBy(() -> new JarSignatures(ca).verify(file(sign(bundle(), impostorKeys.getPrivate(),
                impostorSigner)))).hasMessageContaining("not by the trusted certificate");
        // the signer's own certificate trusts only itself, not the CA that issued it
        assertThatThrownBy(() -> new JarSignatures(signer).verify(file(sign(bundle(), caKeys.getPrivate(), ca))))
                .hasMessageContaining("signed by CN=ChargeEdge releases");
    }

    @Test
    void aBundleChangedOrExtendedAfterSigningIsRefused() throws Exception {
        byte[] signed = sign(bundle(), signerKeys.getPrivate(), signer, ca);
        byte[] changed = rewrite(signed, "version.txt", b -> "6.6.6".getBytes(StandardCharsets.UTF_8), null);
        assertThatThrownBy(() -> new JarSignatures(ca).verify(file(changed)))
                .hasMessageContaining("version.txt was changed after signing");
        byte[] extended = rewrite(signed, "", b -> b, "org/evil/Payload.class");
        assertThatThrownBy(() -> new JarSignatures(ca).verify(file(extended)))
                .hasMessage("the jar's entry org/evil/Payload.class is not signed");
    }

    @Test
    void theTrustedCertificateIsReadFromPem() throws Exception {
        Path pem = dir.resolve("signer.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(ca.getEncoded()) + "\n-----END CERTIFICATE-----\n");
        assertThat(JarSignatures.fromPem(pem).trusted()).isEqualTo(ca);
        Files.writeString(pem, "not a certificate");
        assertThatThrownBy(() -> JarSignatures.fromPem(pem)).hasMessageContaining("holds no X.509 certificate");
    }

    @Test
    void aJobRefusesAnUnsignedBundleAndAppliesASignedOne() throws Exception {
        try (TestFramework felix = new TestFramework(dir.resolve("framework"))) {
            Bundle svc = felix.context().installBundle("test:svc", new ByteArrayInputStream(
                    TestBundles.marker("test.svc", "1.0.0", true)));
            svc.start();
            List<String> states = new java.util.concurrent.CopyOnWriteArrayList<>();
            JobStore store = new JobStore(dir.resolve("jobs"));
            JobRunner runner = new JobRunner(felix.context(), store,
                    new Downloader(Duration.ofSeconds(2), Duration.ofSeconds(10), 1 << 20), t -> null,
                    Components.NONE, ConfigBackup.NONE, new JobRunner.Settings(Duration.ofSeconds(5),
                            Duration.ofMillis(20), Duration.ofSeconds(30), Duration.ofSeconds(1),
                            new JarSignatures(ca)), Clock.systemUTC(), -1, j -> states.add(j.state().name()));
            try {
                byte[] unsigned = bundle();
                Job refused = awaitEnd(runner, store, runner.submit(upload(unsigned)).id());
                assertThat(refused.state()).isEqualTo(JobState.FAILED);
                assertThat(refused.outcome()).isEqualTo("upload (" + unsigned.length + " bytes): the jar is not"
                        + " signed, and a trusted signer certificate is configured; nothing was applied");
                assertThat(svc.getVersion()).hasToString("1.0.0");

                byte[] signed = sign(bundle(), signerKeys.getPrivate(), signer, ca);
                Job applied = awaitEnd(runner, store, runner.submit(upload(signed)).id());
                assertThat(applied.state()).isEqualTo(JobState.COMMITTED);
                assertThat(applied.steps()).anyMatch(s -> s.contains("signed by a trusted certificate"));
                assertThat(svc.getVersion()).hasToString("1.1.0");
            } finally {
                runner.close();
            }
        }
    }

    private static UpdateRequest upload(byte[] jar) {
        return new UpdateRequest(List.of(BundleSource.upload(jar, TestBundles.sha256(jar))), false, "test");
    }

    private static Job awaitEnd(JobRunner runner, JobStore store, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            var f = store.read(id);
            if (f.isPresent() && f.get().state().isFinal() && runner.current().isEmpty()) {
                return f.get().toJob();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not end");
    }
}
