package org.chargeedge.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobState;
import org.chargeedge.api.management.ReleaseChannelStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

/**
 * The fleet's pull mode against a real web server (Jetty in the test JVM)
 * and real signatures: a release applied through a job, and each thing a
 * gateway must refuse.
 */
class ReleaseChannelTest {

    private static final String SVC = "test.svc";

    @TempDir
    Path dir;
    private TestFramework felix;
    private TestWebServer web;
    private JobRunner runner;
    private JobStore store;
    private ReleaseChannel channel;
    private KeyPair releaseKey;

    @BeforeEach
    void start() throws Exception {
        felix = new TestFramework(dir.resolve("framework"));
        Bundle svc = felix.context().installBundle("test:" + SVC,
                new ByteArrayInputStream(TestBundles.marker(SVC, "1.0.0", true)));
        svc.start();
        web = new TestWebServer();
        store = new JobStore(dir.resolve("management/jobs"));
        runner = new JobRunner(felix.context(), store,
                new Downloader(Duration.ofSeconds(2), Duration.ofSeconds(10), 1 << 20),
                t -> svc.getState() == Bundle.ACTIVE ? null : SVC + " is not active", Components.NONE,
                ConfigBackup.NONE, new JobRunner.Settings(Duration.ofSeconds(3), Duration.ofMillis(50),
                        Duration.ofSeconds(30), Duration.ofSeconds(1)),
                Clock.systemUTC(), -1, job -> { });
        releaseKey = newKey();
        Path publicKey = dir.resolve("release-key.pub.pem");
        Files.writeString(publicKey, ReleaseSignature.pem("PUBLIC KEY", releaseKey.getPublic().getEncoded()));
        channel = channel(publicKey);
    }

    private ReleaseChannel channel(Path publicKey) throws Exception {
        return new ReleaseChannel(web.uri("/stable/release.jws"), "stable", publicKey,
                new Downloader(Duration.ofSeconds(2), Duration.ofSeconds(5), 1 << 20),
                dir.resolve("management/channel.json"), this::installed, runner::submit,
                id -> store.read(id).map(JobFile::toJob), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        runner.close();
        web.close();
        felix.close();
    }

    private static KeyPair newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private Version installed(String bsn) {
        for (Bundle b : felix.context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b.getVersion();
            }
        }
        return null;
    }

    /** Publishes a release of test.svc at a version, its jar next to the descriptor. */
    private byte[] publish(long release, String version, String channelName, boolean downgrade, KeyPair key)
            throws Exception {
        byte[] jar = TestBundles.marker(SVC, version, true);
        web.put("/stable/svc-" + version + ".jar", jar);
        ReleaseDescriptor d = new ReleaseDescriptor(ReleaseDescriptor.FORMAT, channelName, release,
                Instant.now().toString(), downgrade, List.of(new ReleaseDescriptor.Entry(SVC, version,
                        "svc-" + version + ".jar", TestBundles.sha256(jar))));
        web.put("/stable/release.jws", ReleaseSignature.sign(d, (ECPrivateKey) key.getPrivate())
                .getBytes(StandardCharsets.US_ASCII));
        return jar;
    }

    private Job awaitJob(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Job j = store.read(id).map(JobFile::toJob).orElseThrow();
            if (j.state().isFinal() && runner.current().isEmpty()) {
                return j;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not end");
    }

    private ReleaseChannelStatus applied(long release, String version) throws Exception {
        publish(release, version, "stable", false, releaseKey);
        ReleaseChannelStatus s = channel.poll();
        assertThat(s.lastOutcome()).isEqualTo("applying release " + release + " as job " + s.lastJobId());
        assertThat(awaitJob(s.lastJobId()).state()).isEqualTo(JobState.COMMITTED);
        return channel.poll();
    }

    @Test
    void aNewerSignedReleaseIsAppliedAsAJob() throws Exception {
        ReleaseChannelStatus s = applied(5, "1.1.0");

        assertThat(installed(SVC)).hasToString("1.1.0");
        assertThat(s.appliedRelease()).isEqualTo(5);
        assertThat(s.lastOutcome()).isEqualTo("up to date at release 5");
        assertThat(store.read(s.lastJobId()).orElseThrow().origin()).isEqualTo("release stable #5");
        assertThat(store.read(s.lastJobId()).orElseThrow().startedBy()).isEqualTo("release stable #5");
        assertThat(store.read(s.lastJobId()).orElseThrow().steps().get(0)).endsWith("submitted by release stable #5");
        // kept across a restart of the management bundle
        assertThat(channel(dir.resolve("release-key.pub.pem")).status().appliedRelease()).isEqualTo(5);
    }

    @Test
    void aTamperedDescriptorIsRefused() throws Exception {
        publish(5, "1.1.0", "stable", false, releaseKey);
        String[] parts = new String(web.get("/stable/release.jws"), StandardCharsets.US_ASCII).split("\\.");
        // the payload of another release with the first one's signature
        publish(6, "1.2.0", "stable", false, releaseKey);
        String other = new String(web.get("/stable/release.jws"), StandardCharsets.US_ASCII).split("\\.")[1];
        web.put("/stable/release.jws", (parts[0] + "." + other + "." + parts[2]).getBytes(StandardCharsets.US_ASCII));

        ReleaseChannelStatus s = channel.poll();

        assertThat(s.lastOutcome()).contains("signature does not verify with the trusted key");
        assertThat(s.appliedRelease()).isZero();
        assertThat(runner.current()).isEmpty();
        assertThat(store.all()).isEmpty();
        assertThat(installed(SVC)).hasToString("1.0.0");
    }

    @Test
    void aDescriptorSignedWithAnotherKeyIsRefused() throws Exception {
        publish(5, "1.1.0", "stable", false, newKey());

        ReleaseChannelStatus s = channel.poll();

        assertThat(s.lastOutcome()).contains("signature does not verify with the trusted key");
        assertThat(store.all()).isEmpty();
    }

    @Test
    void aTamperedBundleFailsItsJobAndTheReleaseIsNotRetried() throws Exception {
        publish(5, "1.1.0", "stable", false, releaseKey);
        web.put("/stable/svc-1.1.0.jar", TestBundles.marker(SVC, "1.1.0", false));

        ReleaseChannelStatus s = channel.poll();
        Job job = awaitJob(s.lastJobId());

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.outcome()).contains("not the expected");
        assertThat(installed(SVC)).hasToString("1.0.0");
        ReleaseChannelStatus after = channel.poll();
        assertThat(after.appliedRelease()).isZero();
        assertThat(after.lastOutcome()).contains("release 5 failed").contains("waiting for a newer release");
        assertThat(store.all()).hasSize(1);
    }

    @Test
    void aReplayedOlderDescriptorIsRefused() throws Exception {
        applied(5, "1.1.0");
        publish(4, "1.0.5", "stable", false, releaseKey);

        ReleaseChannelStatus s = channel.poll();

        assertThat(s.lastOutcome()).contains("refused release 4: older than the applied release 5");
        assertThat(s.appliedRelease()).isEqualTo(5);
        assertThat(installed(SVC)).hasToString("1.1.0");
        assertThat(store.all()).hasSize(1);
    }

    @Test
    void aDowngradeIsRefusedUnlessTheDescriptorAllowsIt() throws Exception {
        applied(5, "1.1.0");
        publish(6, "1.0.9", "stable", false, releaseKey);

        assertThat(channel.poll().lastOutcome()).contains("would downgrade test.svc from 1.1.0 to 1.0.9");
        assertThat(installed(SVC)).hasToString("1.1.0");

        publish(7, "1.0.9", "stable", true, releaseKey);
        ReleaseChannelStatus s = channel.poll();
        assertThat(awaitJob(s.lastJobId()).state()).isEqualTo(JobState.COMMITTED);
        assertThat(installed(SVC)).hasToString("1.0.9");
        assertThat(channel.poll().appliedRelease()).isEqualTo(7);
    }

    @Test
    void aDescriptorOfAnotherChannelIsRefused() throws Exception {
        publish(5, "1.1.0", "pilot", false, releaseKey);

        assertThat(channel.poll().lastOutcome()).contains("it is for channel 'pilot', this gateway follows 'stable'");
        assertThat(store.all()).isEmpty();
    }

    @Test
    void anUnreachableServerIsReportedAndChangesNothing() throws Exception {
        web.close();

        ReleaseChannelStatus s = channel.poll();

        assertThat(s.lastOutcome()).contains("unreachable");
        assertThat(s.appliedRelease()).isZero();
        assertThat(store.all()).isEmpty();
    }
}
