package org.chargeedge.api.management;

import java.time.Instant;
import java.util.List;

/**
 * A management job as it stands.
 *
 * @param id the job's id, increasing with each job of this gateway
 * @param origin who asked for it
 * @param state where it is
 * @param created when it was submitted
 * @param updated when its state last changed
 * @param bundles the bundles it changes (empty until they are staged)
 * @param outcome why it ended as it did (or its current step), in an operator's words
 * @param steps what it did, one line per step, each with its time
 */
public record Job(String id, String origin, JobState state, Instant created, Instant updated,
        List<JobBundle> bundles, String outcome, List<String> steps) {

    public Job {
        bundles = List.copyOf(bundles);
        steps = List.copyOf(steps);
    }
}
