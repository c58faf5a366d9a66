package org.chargeedge.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobBundle;
import org.chargeedge.api.management.JobState;
import org.chargeedge.api.management.Management;
import org.junit.jupiter.api.Test;

/** What the shell shows of who started a job. */
class ManagementShellCommandsTest {

    private static final Instant AT = Instant.parse("2026-12-06T03:00:00Z");

    private static Job job(String id, String origin, String startedBy) {
        return new Job(id, origin, startedBy, JobState.COMMITTED, AT, AT.plusSeconds(2), List.of(new JobBundle(
                "org.chargeedge.mqtt", "0.1.0", "0.2.0", "ab".repeat(32), "upload (100 bytes)")), "healthy", List.of());
    }

    /** The shell over a management service that knows these jobs; nothing else of it is called. */
    private static ManagementShellCommands shell(List<Job> jobs) {
        Management management = (Management) Proxy.newProxyInstance(Management.class.getClassLoader(),
                new Class<?>[] {Management.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "jobs" -> jobs;
                    case "job" -> jobs.stream().filter(j -> j.id().equals(args[0])).findFirst();
                    default -> throw new AssertionError("not for this test: " + method.getName());
                });
        return new ManagementShellCommands(management);
    }

    @Test
    void theJobListHasAColumnOfWhoStartedEachJob() {
        String list = shell(List.of(job("3", "http (operator from 10.0.0.7)", "fleet script"),
                job("2", "shell", "shell"), job("1", "http (operator from 10.0.0.7)", null))).jobs();
        List<String> lines = list.lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("3").contains("  fleet script ").endsWith("healthy");
        assertThat(lines.get(1)).startsWith("2").contains("  shell ");
        assertThat(lines.get(2)).as("a job recorded before the starter was kept").startsWith("1").contains("  - ");
    }

    @Test
    void aJobSaysWhoStartedItAndHow() {
        ManagementShellCommands shell = shell(List.of(job("3", "http (operator from 10.0.0.7)", "anna"),
                job("2", "shell", "shell")));
        assertThat(shell.job("3")).startsWith("Job 3 COMMITTED, by anna over http (operator from 10.0.0.7), submitted");
        assertThat(shell.job("2")).startsWith("Job 2 COMMITTED, by shell, submitted");
        assertThat(shell.job("9")).isEqualTo("No job 9");
    }
}
