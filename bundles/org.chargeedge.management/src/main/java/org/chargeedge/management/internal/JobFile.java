package org.chargeedge.management.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobBundle;
import org.chargeedge.api.management.JobState;

/**
 * A job as it is kept on disk ({@code DATA/management/jobs/ID.json}): enough
 * to finish it or roll it back after a restart. Immutable; each step writes a
 * new one.
 *
 * @param startedBy the user or API token that started it, "shell", "release CHANNEL #N"; null in a job
 *        file written before it was recorded
 * @param configSnapshot the configuration snapshot taken before anything changed, null before that
 * @param expectedComponents the components (symbolic name/component name) active or satisfied before the
 *        job, in the bundles it touches; each must be again before it commits
 * @param expectedActive the symbolic names of the touched bundles that were active before the job
 */
record JobFile(String id, String origin, String startedBy, JobState state, String created, String updated, boolean allowDowngrade,
        List<Staged> bundles, String outcome, List<String> steps, String configSnapshot,
        List<String> expectedComponents, List<String> expectedActive) {

    /** Steps kept per job; the first and the latest matter, a runaway loop must not fill the disk. */
    static final int MAX_STEPS = 200;

    /**
     * One bundle of a job.
     *
     * @param jar the staged new jar, relative to the job's directory
     * @param backup the copy of the previous revision, relative to the job's directory; null when new
     * @param bundleId the framework's id of the bundle updated, or of the bundle installed (-1 until installed)
     * @param installs whether the job installs it (no bundle of this symbolic name existed)
     * @param wasActive whether it was active before the job (new bundles: whether to start it)
     * @param location the bundle's location, kept when the job uninstalls it (to reinstall it there on a
     *        rollback); null otherwise
     */
    record Staged(String symbolicName, String fromVersion, String toVersion, String sha256, String source,
            String jar, String backup, long bundleId, boolean installs, boolean wasActive, String location) {

        /** A bundle the job uninstalls: it has no new jar. */
        static Staged removal(String symbolicName, String fromVersion, String backup, long bundleId,
                boolean wasActive, String location) {
            return new Staged(symbolicName, fromVersion, null, null, UNINSTALL, null, backup, bundleId, false,
                    wasActive, location);
        }

        boolean uninstalls() {
            return jar == null;
        }

        Staged withBundleId(long id) {
            return new Staged(symbolicName, fromVersion, toVersion, sha256, source, jar, backup, id, installs,
                    wasActive, location);
        }
    }

    /** The source of a bundle a job uninstalls. */
    static final String UNINSTALL = "uninstall";

    JobFile {
        bundles = bundles == null ? List.of() : List.copyOf(bundles);
        steps = steps == null ? List.of() : List.copyOf(steps);
        expectedComponents = expectedComponents == null ? List.of() : List.copyOf(expectedComponents);
        expectedActive = expectedActive == null ? List.of() : List.copyOf(expectedActive);
    }

    static JobFile create(String id, String origin, String startedBy, boolean allowDowngrade, Instant now) {
        return new JobFile(id, origin, startedBy, JobState.STAGING, now.toString(), now.toString(), allowDowngrade,
                List.of(), "staging", List.of(now + " submitted by " + who(origin, startedBy)), null, List.of(), List.of());
    }

    /** The same job in another state, with what happened as its outcome and a step. */
    JobFile to(JobState next, String what, Instant now) {
        return new JobFile(id, origin, startedBy, next, created, now.toString(), allowDowngrade, bundles, what,
                appended(now + " " + next + ": " + what), configSnapshot, expectedComponents, expectedActive);
    }

    JobFile step(String what, Instant now) {
        return new JobFile(id, origin, startedBy, state, created, now.toString(), allowDowngrade, bundles, outcome,
                appended(now + " " + what), configSnapshot, expectedComponents, expectedActive);
    }

    JobFile withBundles(List<Staged> staged) {
        return new JobFile(id, origin, startedBy, state, created, updated, allowDowngrade, staged, outcome, steps,
                configSnapshot, expectedComponents, expectedActive);
    }

    JobFile withBackupState(String snapshot, List<String> components, List<String> active) {
        return new JobFile(id, origin, startedBy, state, created, updated, allowDowngrade, bundles, outcome, steps, snapshot,
                components, active);
    }

    private List<String> appended(String line) {
        List<String> s = new ArrayList<>(steps);
        s.add(line);
        if (s.size() > MAX_STEPS) {
            s.subList(1, s.size() - MAX_STEPS + 1).clear();
        }
        return s;
    }

    /**
     * Who asked and how, for the log and the first step: "anna over http (operator from 10.0.0.7)"; "shell"
     * and "release stable #42", which are both.
     */
    static String who(String origin, String startedBy) {
        return startedBy == null || startedBy.equals(origin) ? origin : startedBy + " over " + origin;
    }

    String who() {
        return who(origin, startedBy);
    }

    Job toJob() {
        return new Job(id, origin, startedBy, state, Instant.parse(created), Instant.parse(updated),
                bundles.stream().map(b -> new JobBundle(b.symbolicName(), b.fromVersion(), b.toVersion(), b.sha256(),
                        b.source())).toList(),
                outcome, steps);
    }
}
