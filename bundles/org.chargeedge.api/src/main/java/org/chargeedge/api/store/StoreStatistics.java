package org.chargeedge.api.store;

import java.util.List;

/**
 * How the store's commits went since it opened: for metrics (the HTTP bundle turns it into the
 * Prometheus histogram {@code chargeedge_store_commit_seconds}). A commit is one write transaction
 * of the store's group commit, from its {@code BEGIN} to the end of its {@code COMMIT}, the sync to
 * disk included: what a charger's transaction message waits for before it is answered.
 *
 * @param commits commits that succeeded
 * @param failedCommits write transactions that failed (disk full, I/O errors) and were rolled back;
 *        not in the histogram
 * @param writes writes in the commits that succeeded
 * @param commitSecondsSum the durations of the commits that succeeded, added up
 * @param buckets how many commits took at most each of {@link #COMMIT_BOUNDS} (not cumulative), then
 *        one more element for those that took longer than the last bound; {@code COMMIT_BOUNDS.size() + 1}
 *        elements that add up to {@code commits}
 * @since 2.3
 */
public record StoreStatistics(long commits, long failedCommits, long writes, double commitSecondsSum,
                              List<Long> buckets) {

    /** Upper bounds, in seconds, of the commit duration buckets, ascending; a last bucket holds the rest. */
    public static final List<Double> COMMIT_BOUNDS = List.of(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1.0, 2.5);

    /** What a store that measures nothing reports. */
    public static final StoreStatistics NONE = new StoreStatistics(0, 0, 0, 0,
            java.util.Collections.nCopies(COMMIT_BOUNDS.size() + 1, 0L));

    public StoreStatistics {
        buckets = List.copyOf(buckets);
        if (buckets.size() != COMMIT_BOUNDS.size() + 1) {
            throw new IllegalArgumentException("buckets must have " + (COMMIT_BOUNDS.size() + 1) + " elements");
        }
    }
}
