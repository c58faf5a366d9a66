package org.chargeedge.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.chargeedge.api.management.BundleSource;
import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobState;
import org.chargeedge.api.management.ManagementException;
import org.chargeedge.api.management.UpdateRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The job state machine in a real Felix framework, with bundles built at test
 * time: updates that commit, and each way one fails, is refused or rolls
 * back; a restart in the middle of a job. Health is the marker service the
 * test bundles register: healthy only when the running revision says so.
 */
class JobRunnerTest {

    private static final String SVC = "test.svc";

    @TempDir
    Path dir;
    private TestFramework felix;
    private JobRunner runner;
    private TestWebServer web;
    private final List<AutoCloseable> open = new ArrayList<>();
    /** The state changes the runner reported, "id STATE", in order (written by the submitter and the job thread). */
    private final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        felix = new TestFramework(dir.resolve("framework"));
        install(SVC, "1.0.0", true);
        runner = runner(felix.context(), Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
        for (AutoCloseable c : open) {
            c.close();
        }
        if (felix != null) {
            felix.close();
        }
    }

    private JobRunner runner(BundleContext context, Duration healthTimeout) throws Exception {
        return runner(context, healthTimeout, -1);
    }

    private JobRunner runner(BundleContext context, Duration healthTimeout, long selfId) throws Exception {
        return new JobRunner(context, new JobStore(dir.resolve("management/jobs")),
                new Downloader(Duration.ofSeconds(2), Duration.ofSeconds(10), 1 << 20), t -> markerProblem(context),
                Components.NONE, ConfigBackup.NONE,
                new JobRunner.Settings(healthTimeout, Duration.ofMillis(50), Duration.ofSeconds(30), Duration.ofSeconds(1)),
                Clock.systemUTC(), selfId, job -> events.add(job.id() + " " + job.state()));
    }

    /** Healthy when the test bundle's running revision registered a healthy marker. */
    private static String markerProblem(BundleContext context) {
        try {
            for (ServiceReference<Runnable> r : context.getServiceReferences(Runnable.class,
                    "(test.bundle=" + SVC + ")")) {
                if (Boolean.TRUE.equals(r.getProperty("healthy"))) {
                    return null;
                }
                return SVC + " " + r.getProperty("test.version") + " says it is not healthy";
            }
        } catch (Exception e) {
            return e.toString();
        }
        return SVC + " registered no marker";
    }

    private Bundle install(String bsn, String version, boolean healthy) throws Exception {
        Bundle b = felix.context().installBundle("test:" + bsn,
                new java.io.ByteArrayInputStream(TestBundles.marker(bsn, version, healthy)));
        b.start();
        return b;
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : felix.context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static UpdateRequest upload(byte[] jar) {
        return new UpdateRequest(List.of(BundleSource.upload(jar, TestBundles.sha256(jar))), false, "test");
    }

    private Job awaitEnd(JobRunner r, String id) throws Exception {
        JobStore store = new JobStore(dir.resolve("management/jobs"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JobFile> f = store.read(id);
            if (f.isPresent() && f.get().state().isFinal() && r.current().isEmpty()) {
                return f.get().toJob();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not end: " + store.read(id));
    }

    @Test
    void anUploadedUpdateThatIsHealthyCommits() throws Exception {
        Job job = awaitEnd(runner, runner.submit(upload(TestBundles.marker(SVC, "1.1.0", true))).id());

        assertThat(job.state()).isEqualTo(JobState.COMMITTED);
        assertThat(bundle(SVC).getVersion()).hasToString("1.1.0");
        assertThat(bundle(SVC).getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(job.bundles()).singleElement().satisfies(b -> {
            assertThat(b.fromVersion()).isEqualTo("1.0.0");
            assertThat(b.toVersion()).isEqualTo("1.1.0");
        });
        assertThat(job.steps()).anyMatch(s -> s.contains("updated test.svc 1.0.0 -> 1.1.0"));
        assertThat(events).containsExactly("1 STAGING", "1 APPLYING", "1 AWAITING_HEALTH", "1 COMMITTED");
        assertThat(markerProblem(felix.context())).isNull();
        // the staged and backed-up jars are gone, the record stays
        assertThat(dir.resolve("management/jobs/" + job.id())).doesNotExist();
        assertThat(dir.resolve("management/jobs/" + job.id() + ".json")).exists();
    }

    @Test
    void aDownloadedUpdateIsVerifiedAndCommits() throws Exception {
        web = new TestWebServer();
        open.add(web);
        byte[] jar = TestBundles.marker(SVC, "1.2.0", true);
        web.put("/svc-1.2.0.jar", jar);

        Job job = awaitEnd(runner, runner.submit(new UpdateRequest(List.of(BundleSource.download(
                web.uri("/svc-1.2.0.jar"), TestBundles.sha256(jar).toUpperCase())), false, "test")).id());

        assertThat(job.state()).isEqualTo(JobState.COMMITTED);
        assertThat(bundle(SVC).getVersion()).hasToString("1.2.0");
    }

    @Test
    void aWrongHashChangesNothing() throws Exception {
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        String otherHash = TestBundles.sha256(TestBundles.marker(SVC, "1.1.1", true));

        Job job = awaitEnd(runner, runner.submit(new UpdateRequest(List.of(BundleSource.upload(jar, otherHash)), false,
                "test")).id());

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.outcome()).contains("not the expected " + otherHash).contains("nothing was applied");
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
        assertThat(bundle(SVC).getState()).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void anUnreachableServerFailsTheJobAndChangesNothing() throws Exception {
        web = new TestWebServer();
        java.net.URI gone = web.uri("/svc.jar");
        web.close();

        Job job = awaitEnd(runner, runner.submit(new UpdateRequest(List.of(BundleSource.download(gone,
                TestBundles.sha256(new byte[] {1}))), false, "test")).id());

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.outcome()).contains("unreachable");
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
    }

    @Test
    void aMissingFileOnTheServerFailsTheJob() throws Exception {
        web = new TestWebServer();
        open.add(web);

        Job job = awaitEnd(runner, runner.submit(new UpdateRequest(List.of(BundleSource.download(web.uri("/none.jar"),
                TestBundles.sha256(new byte[] {1}))), false, "test")).id());

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.outcome()).contains("HTTP 404");
    }

    @Test
    void aBundleThatDoesNotResolveIsRolledBack() throws Exception {
        byte[] jar = TestBundles.marker(SVC, "1.1.0", Map.of("Test-Healthy", "true",
                "Import-Package", "org.osgi.framework,org.example.nowhere"));

        Job job = awaitEnd(runner, runner.submit(upload(jar)).id());

        assertThat(job.state()).isEqualTo(JobState.ROLLED_BACK);
        assertThat(job.outcome()).contains("does not start").contains("org.example.nowhere")
                .contains("the gateway is healthy");
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
        assertThat(bundle(SVC).getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(markerProblem(felix.context())).isNull();
    }

    @Test
    void aBundleWhoseActivationThrowsIsRolledBack() throws Exception {
        byte[] jar = TestBundles.marker(SVC, "1.1.0", Map.of("Test-Fail-Start", "the new revision fails on purpose"));

        Job job = awaitEnd(runner, runner.submit(upload(jar)).id());

        assertThat(job.state()).isEqualTo(JobState.ROLLED_BACK);
        assertThat(job.outcome()).contains("the new revision fails on purpose");
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
        assertThat(markerProblem(felix.context())).isNull();
        assertThat(events).containsExactly("1 STAGING", "1 APPLYING", "1 ROLLING_BACK", "1 ROLLED_BACK");
    }

    @Test
    void aServiceFactoryThatGivesNothingDuringTheRefreshIsNoReasonToRollBack() throws Exception {
        byte[] jar = TestBundles.marker(SVC, "1.1.0", Map.of("Test-Healthy", "true", "Test-Null-Service", "yes"));

        Job job = awaitEnd(runner, runner.submit(upload(jar)).id());

        assertThat(job.state()).as(job.outcome()).isEqualTo(JobState.COMMITTED);
        assertThat(bundle(SVC).getVersion()).hasToString("1.1.0");
    }

    @Test
    void healthThatNeverReturnsRollsBackAfterTheTimeout() throws Exception {
        long start = System.nanoTime();
        Job job = awaitEnd(runner, runner.submit(upload(TestBundles.marker(SVC, "1.1.0", false))).id());

        assertThat(job.state()).isEqualTo(JobState.ROLLED_BACK);
        assertThat(job.outcome()).contains("not healthy within 3 s").contains("1.1.0 says it is not healthy");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
        assertThat(markerProblem(felix.context())).isNull();
    }

    @Test
    void aBundleTheJobInstalledIsUninstalledOnRollback() throws Exception {
        byte[] extra = TestBundles.marker("test.extra", "1.0.0", true);
        byte[] bad = TestBundles.marker(SVC, "1.1.0", false);

        Job job = awaitEnd(runner, runner.submit(new UpdateRequest(List.of(
                BundleSource.upload(extra, TestBundles.sha256(extra)), BundleSource.upload(bad, TestBundles.sha256(bad))),
                false, "test")).id());

        assertThat(job.state()).isEqualTo(JobState.ROLLED_BACK);
        assertThat(job.steps()).anyMatch(s -> s.contains("installed test.extra 1.0.0"));
        assertThat(bundle("test.extra")).isNull();
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
    }

    @Test
    void aSecondJobIsRefusedWhileOneRuns() throws Exception {
        Job first = runner.submit(upload(TestBundles.marker(SVC, "1.1.0", false)));

        assertThatThrownBy(() -> runner.submit(upload(TestBundles.marker(SVC, "1.2.0", true))))
                .isInstanceOf(ManagementException.class)
                .hasMessageContaining("job " + first.id() + " is")
                .satisfies(e -> assertThat(((ManagementException) e).reason())
                        .isEqualTo(ManagementException.Reason.BUSY));
        assertThat(awaitEnd(runner, first.id()).state()).isEqualTo(JobState.ROLLED_BACK);
        // once it has ended, the next one is taken
        assertThat(awaitEnd(runner, runner.submit(upload(TestBundles.marker(SVC, "1.2.0", true))).id()).state())
                .isEqualTo(JobState.COMMITTED);
    }

    @Test
    void theBundleRunningTheJobsAndWhatItDependsOnAreNotUpdatedByAJob() throws Exception {
        // test.self imports the package test.lib exports: updating test.lib would refresh test.self
        Bundle lib = felix.context().installBundle("test:lib", new java.io.ByteArrayInputStream(TestBundles.marker(
                "test.lib", "1.0.0", Map.of("Test-Healthy", "true", "Export-Package", "test.lib.api"))));
        Bundle self = felix.context().installBundle("test:self", new java.io.ByteArrayInputStream(TestBundles.marker(
                "test.self", "1.0.0", Map.of("Test-Healthy", "true", "Import-Package", "org.osgi.framework,test.lib.api"))));
        lib.start();
        self.start();
        runner.close();
        runner = runner(felix.context(), Duration.ofSeconds(3), self.getBundleId());

        Job itself = awaitEnd(runner, runner.submit(upload(TestBundles.marker("test.self", "1.1.0", true))).id());
        assertThat(itself.state()).isEqualTo(JobState.FAILED);
        assertThat(itself.outcome()).contains("test.self runs the jobs and cannot be updated by one");

        Job dependency = awaitEnd(runner, runner.submit(upload(TestBundles.marker("test.lib", "1.1.0",
                Map.of("Export-Package", "test.lib.api")))).id());
        assertThat(dependency.state()).isEqualTo(JobState.FAILED);
        assertThat(dependency.outcome()).contains("updating test.lib would restart the management bundle");
        assertThat(lib.getVersion()).hasToString("1.0.0");
        assertThat(self.getState()).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void aDowngradeNeedsTheFlag() throws Exception {
        byte[] older = TestBundles.marker(SVC, "0.9.0", true);

        Job refused = awaitEnd(runner, runner.submit(upload(older)).id());
        assertThat(refused.state()).isEqualTo(JobState.FAILED);
        assertThat(refused.outcome()).contains("0.9.0 is not newer than the installed 1.0.0");

        Job allowed = awaitEnd(runner, runner.submit(new UpdateRequest(List.of(BundleSource.upload(older,
                TestBundles.sha256(older))), true, "test")).id());
        assertThat(allowed.state()).isEqualTo(JobState.COMMITTED);
        assertThat(bundle(SVC).getVersion()).hasToString("0.9.0");
    }

    @Test
    void malformedRequestsAreRefusedAtOnce() {
        assertThatThrownBy(() -> runner.submit(new UpdateRequest(List.of(BundleSource.upload(new byte[] {1}, "abc")),
                false, "test"))).isInstanceOf(ManagementException.class).hasMessageContaining("64 hexadecimal digits");
        assertThatThrownBy(() -> runner.submit(new UpdateRequest(List.of(BundleSource.download(
                java.net.URI.create("file:///etc/passwd"), TestBundles.sha256(new byte[] {1}))), false, "test")))
                .isInstanceOf(ManagementException.class).hasMessageContaining("only http and https");
    }

    @Test
    void somethingThatIsNoBundleFailsTheJob() throws Exception {
        Job job = awaitEnd(runner, runner.submit(upload("not a jar".getBytes())).id());

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.outcome()).contains("not a jar file");
    }

    @Test
    void aJobAwaitingHealthWhenTheGatewayStopsCommitsAfterTheRestart() throws Exception {
        Job job = runner.submit(upload(TestBundles.marker(SVC, "1.1.0", false)));
        awaitState(job.id(), JobState.AWAITING_HEALTH);
        runner.close();
        runner = null;
        felix.close();

        // Same storage, as the gateway restarts with DATA/framework. Meanwhile what made the site unhealthy has
        // gone (the health source now asks only that the bundle runs): the resumed job commits.
        felix = new TestFramework(dir.resolve("framework"));
        assertThat(bundle(SVC).getVersion()).hasToString("1.1.0");
        runner = new JobRunner(felix.context(), new JobStore(dir.resolve("management/jobs")),
                new Downloader(Duration.ofSeconds(2), Duration.ofSeconds(10), 1 << 20),
                t -> bundle(SVC).getState() == Bundle.ACTIVE ? null : "not active", Components.NONE,
                ConfigBackup.NONE, new JobRunner.Settings(Duration.ofSeconds(3), Duration.ofMillis(50),
                        Duration.ofSeconds(30), Duration.ofSeconds(1)),
                Clock.systemUTC(), -1, changed -> { });
        runner.recover();

        Job done = awaitEnd(runner, job.id());
        assertThat(done.state()).isEqualTo(JobState.COMMITTED);
        assertThat(done.steps()).anyMatch(s -> s.contains("the gateway restarted; waiting for health again"));
        assertThat(bundle(SVC).getVersion()).hasToString("1.1.0");
    }

    @Test
    void aJobApplyingWhenTheGatewayDiesIsRolledBackAtStart() throws Exception {
        Job job = runner.submit(upload(TestBundles.marker(SVC, "1.1.0", false)));
        awaitState(job.id(), JobState.AWAITING_HEALTH);
        runner.close();
        runner = null;
        felix.close();
        // A process killed between updating the bundles and recording it leaves the record at APPLYING, with the
        // framework already holding the new revision: write the record as such a crash leaves it.
        JobStore store = new JobStore(dir.resolve("management/jobs"));
        JobFile f = store.read(job.id()).orElseThrow();
        store.write(new JobFile(f.id(), f.origin(), f.startedBy(), JobState.APPLYING, f.created(), f.updated(), f.allowDowngrade(),
                f.bundles(), f.outcome(), f.steps(), f.configSnapshot(), f.expectedComponents(), f.expectedActive()));

        felix = new TestFramework(dir.resolve("framework"));
        assertThat(bundle(SVC).getVersion()).hasToString("1.1.0");
        runner = runner(felix.context(), Duration.ofSeconds(3));
        runner.recover();
        assertThatThrownBy(() -> runner.submit(upload(TestBundles.marker(SVC, "1.3.0", true))))
                .isInstanceOf(ManagementException.class).hasMessageContaining("one job runs at a time");

        Job done = awaitEnd(runner, job.id());
        assertThat(done.state()).isEqualTo(JobState.ROLLED_BACK);
        assertThat(done.outcome()).contains("the gateway restarted while the job was applying");
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
        assertThat(bundle(SVC).getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(markerProblem(felix.context())).isNull();
    }

    @Test
    void aJobRecordedBeforeTheStarterWasKeptReadsWithoutOne() throws Exception {
        JobStore store = new JobStore(dir.resolve("management/jobs"));
        java.nio.file.Files.writeString(store.dir().resolve("41.json"), "{\"id\": \"41\", \"origin\": \"shell\","
                + " \"state\": \"COMMITTED\", \"created\": \"2026-12-01T10:00:00Z\", \"updated\":"
                + " \"2026-12-01T10:00:05Z\", \"allowDowngrade\": false, \"outcome\": \"healthy\"}");
        Job old = store.read("41").orElseThrow().toJob();
        assertThat(old.startedBy()).isNull();
        assertThat(old.origin()).isEqualTo("shell");
        Job next = awaitEnd(runner, runner.submit(new UpdateRequest(List.of(BundleSource.upload(
                TestBundles.marker(SVC, "1.1.0", true), TestBundles.sha256(TestBundles.marker(SVC, "1.1.0", true)))),
                false, "http (operator from 10.0.0.7)", "fleet script")).id());
        assertThat(next.id()).isEqualTo("42");
        assertThat(next.startedBy()).isEqualTo("fleet script");
        assertThat(next.steps().get(0)).endsWith("submitted by fleet script over http (operator from 10.0.0.7)");
    }

    @Test
    void anUninstallWaitingForHealthWhenTheGatewayStopsIsRolledBackFromItsCopyAfterTheRestart() throws Exception {
        Job job = runner.submitUninstall(SVC, "test", "anna");
        assertThat(job.startedBy()).isEqualTo("anna");
        awaitState(job.id(), JobState.AWAITING_HEALTH); // without the bundle its marker is gone: never healthy
        assertThat(bundle(SVC)).isNull();
        runner.close();
        runner = null;
        felix.close();

        felix = new TestFramework(dir.resolve("framework"));
        assertThat(bundle(SVC)).as("still uninstalled in the kept framework storage").isNull();
        runner = runner(felix.context(), Duration.ofSeconds(1));
        runner.recover();
        Job done = awaitEnd(runner, job.id());
        assertThat(done.state()).isEqualTo(JobState.ROLLED_BACK);
        assertThat(done.outcome()).contains("not healthy within 1 s: test.svc registered no marker");
        Bundle back = bundle(SVC);
        assertThat(back.getLocation()).isEqualTo("test:" + SVC);
        assertThat(back.getVersion()).hasToString("1.0.0");
        assertThat(back.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(markerProblem(felix.context())).isNull();
        assertThat(done.bundles()).singleElement().satisfies(b -> {
            assertThat(b.fromVersion()).isEqualTo("1.0.0");
            assertThat(b.toVersion()).isNull();
        });
    }

    private void awaitState(String id, JobState state) throws Exception {
        JobStore store = new JobStore(dir.resolve("management/jobs"));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (store.read(id).map(JobFile::state).orElse(null) == state) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("job " + id + " never reached " + state + ": " + store.read(id));
    }

    @Test
    void jobsAreKeptOnDiskAtomically() throws Exception {
        Job job = awaitEnd(runner, runner.submit(upload(TestBundles.marker(SVC, "1.1.0", true))).id());
        try (var files = Files.list(dir.resolve("management/jobs"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(job.id() + ".json");
        }
    }
}
