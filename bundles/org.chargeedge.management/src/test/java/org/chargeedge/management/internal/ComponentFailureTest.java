package org.chargeedge.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.felix.scr.impl.Activator;
import org.chargeedge.api.management.BundleSource;
import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobState;
import org.chargeedge.api.management.UpdateRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * A job whose new bundle starts but whose Declarative Services component
 * fails to activate: seen through Felix SCR's runtime view, rolled back at
 * once, without waiting for the health timeout.
 */
class ComponentFailureTest {

    private static final String SVC = "test.svc";

    @TempDir
    Path dir;
    private TestFramework felix;
    private JobRunner runner;
    private ScrComponents components;
    private Bundle svc;

    @BeforeEach
    void start() throws Exception {
        felix = new TestFramework(dir.resolve("framework"), Map.of("org.osgi.framework.system.packages.extra",
                "org.osgi.service.component;version=1.5.1,org.osgi.service.component.runtime;version=1.5.1,"
                        + "org.osgi.service.component.runtime.dto;version=1.5.1,org.osgi.util.promise;version=1.3.0,"
                        + "org.osgi.util.function;version=1.2.0"));
        BundleContext context = felix.context();
        context.installBundle(Activator.class.getProtectionDomain().getCodeSource().getLocation().toString()).start();
        svc = context.installBundle("test:" + SVC, new ByteArrayInputStream(TestBundles.withComponent(SVC, "1.0.0",
                Map.of("Test-Healthy", "true"))));
        svc.start();
        components = new ScrComponents(context.getService(context.getServiceReference(ServiceComponentRuntime.class)));
        // Health far beyond the test's patience: a rollback must come from the component's failure, not a timeout.
        runner = new JobRunner(context, new JobStore(dir.resolve("jobs")),
                new Downloader(Duration.ofSeconds(2), Duration.ofSeconds(10), 1 << 20), t -> null, components,
                ConfigBackup.NONE, new JobRunner.Settings(Duration.ofSeconds(60), Duration.ofMillis(50),
                        Duration.ofSeconds(30), Duration.ofSeconds(1)),
                Clock.systemUTC(), -1, job -> { });
    }

    @AfterEach
    void stop() throws Exception {
        runner.close();
        felix.close();
    }

    private Job run(byte[] jar) throws Exception {
        String id = runner.submit(new UpdateRequest(List.of(BundleSource.upload(jar, TestBundles.sha256(jar))), false,
                "test")).id();
        JobStore store = new JobStore(dir.resolve("jobs"));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Job j = store.read(id).orElseThrow().toJob();
            if (j.state().isFinal() && runner.current().isEmpty()) {
                return j;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not end within 20 s");
    }

    @Test
    void aComponentThatFailsToActivateRollsTheJobBackAtOnce() throws Exception {
        assertThat(components.running(List.of(svc))).containsExactly(SVC + "/test.component");
        long start = System.nanoTime();

        Job job = run(TestBundles.withComponent(SVC, "1.1.0", Map.of("Test-Healthy", "true",
                "Test-Fail-Activate", "the new component fails on purpose")));

        assertThat(job.state()).isEqualTo(JobState.ROLLED_BACK);
        assertThat(job.outcome()).contains("a component failed to activate: " + SVC + "/test.component")
                .contains("the new component fails on purpose");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(svc.getVersion()).hasToString("1.0.0");
        assertThat(components.running(List.of(svc))).containsExactly(SVC + "/test.component");
        assertThat(components.failures(List.of(svc))).isEmpty();
    }

    @Test
    void aComponentThatActivatesAgainLetsTheJobCommit() throws Exception {
        Job job = run(TestBundles.withComponent(SVC, "1.1.0", Map.of("Test-Healthy", "true")));

        assertThat(job.state()).isEqualTo(JobState.COMMITTED);
        assertThat(svc.getVersion()).hasToString("1.1.0");
        assertThat(components.running(List.of(svc))).containsExactly(SVC + "/test.component");
    }
}
