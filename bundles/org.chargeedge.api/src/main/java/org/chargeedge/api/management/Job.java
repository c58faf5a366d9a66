package org.chargeedge.api.management;

import java.time.Instant;
import java.util.List;

/**
 * A management job as it stands.
 *
 * @param id the job's id, increasing with each job of this gateway
 * @param origin who asked for it, and how (the shell, HTTP with the caller's role and address, a release)
 * @param startedBy the user or API token that started it over HTTP, "shell" from the gateway's shell,
 *        "release CHANNEL #N" for a fleet release (as its origin); null for a job kept from before this was recorded (since 1.2)
 * @param state where it is
 * @param created when it was submitted
 * @param updated when its state last changed
 * @param bundles the bundles it changes (empty until they are staged)
 * @param outcome why it ended as it did (or its current step), in an operator's words
 * @param steps what it did, one line per step, each with its time
 */
public record Job(String id, String origin, String startedBy, JobState state, Instant created, Instant updated,
        List<JobBundle> bundles, String outcome, List<String> steps) {

    public Job {
        bundles = List.copyOf(bundles);
        steps = List.copyOf(steps);
    }

    /** A job without the one who started it, as 1.1 made them. */
    public Job(String id, String origin, JobState state, Instant created, Instant updated, List<JobBundle> bundles,
            String outcome, List<String> steps) {
        this(id, origin, null, state, created, updated, bundles, outcome, steps);
    }
}
