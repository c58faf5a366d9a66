package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.store.internal.Fixtures.ACCEPTED;
import static org.chargeedge.store.internal.Fixtures.T0;
import static org.chargeedge.store.internal.Fixtures.failure;
import static org.chargeedge.store.internal.Fixtures.result;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

import org.chargeedge.api.store.StoreException;
import org.chargeedge.api.store.StoreStatistics;
import org.junit.jupiter.api.Test;

/** The commit durations and counts the store reports for metrics, measured on its real commits. */
class StoreStatisticsTest extends StoreTest {

    @Test
    void everyCommitIsCountedOnceWithItsWritesAndItsDuration() throws Exception {
        StoreStatistics fresh = store.statistics();
        assertThat(fresh.commits()).isZero();
        assertThat(fresh.buckets()).hasSize(StoreStatistics.COMMIT_BOUNDS.size() + 1).containsOnly(0L);

        for (int i = 1; i <= 5; i++) {
            result(store.transactionStarted("CP-1", i, Fixtures.start(1, "TAG", i), ACCEPTED, T0));
        }
        StoreStatistics five = store.statistics();
        assertThat(five.commits()).isEqualTo(5); // each write waited for: one commit each
        assertThat(five.writes()).isEqualTo(5);
        assertThat(five.failedCommits()).isZero();
        assertThat(five.commitSecondsSum()).isPositive();
        assertThat(five.buckets().stream().mapToLong(Long::longValue).sum()).isEqualTo(five.commits());

        // Writes waiting behind a held writer form one batch: one more commit for the hold, one for the rest.
        CountDownLatch release = new CountDownLatch(1);
        CompletionStage<Void> held = Fixtures.holdWriter(store, release);
        List<CompletionStage<Integer>> batch = new ArrayList<>();
        for (int i = 6; i <= 25; i++) {
            batch.add(store.transactionStarted("CP-1", i, Fixtures.start(1, "TAG", i), ACCEPTED, T0));
        }
        release.countDown();
        result(held);
        for (CompletionStage<Integer> s : batch) {
            result(s);
        }
        StoreStatistics after = store.statistics();
        assertThat(after.commits()).isEqualTo(7);
        assertThat(after.writes()).isEqualTo(26);
    }

    @Test
    void aSlowCommitLandsInTheBucketOfItsDuration() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletionStage<Void> held = Fixtures.holdWriter(store, release);
        Thread.sleep(300); // the held write's transaction stays open this long before its COMMIT
        release.countDown();
        result(held);
        StoreStatistics s = store.statistics();
        assertThat(s.commits()).isEqualTo(1);
        assertThat(s.commitSecondsSum()).isGreaterThanOrEqualTo(0.3);
        int quarterSecond = StoreStatistics.COMMIT_BOUNDS.indexOf(0.25);
        long slow = s.buckets().subList(quarterSecond + 1, s.buckets().size()).stream().mapToLong(Long::longValue)
                .sum();
        assertThat(slow).as("a commit over 0.25 s").isEqualTo(1);
        assertThat(s.buckets().subList(0, quarterSecond + 1)).containsOnly(0L);
    }

    @Test
    void aFailedCommitIsCountedApartAndNotInTheHistogram() throws Exception {
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "TAG", 1), ACCEPTED, T0));
        result(store.limitSize(64 * 1024)); // about what the schema takes: the next pages do not fit
        StoreStatistics before = store.statistics();
        Throwable refused = null;
        for (int i = 0; i < 1000 && refused == null; i++) {
            try {
                result(store.meterValues("CP-1", Fixtures.meterValues(1, 1, 40, T0.plusSeconds(i)), T0));
            } catch (java.util.concurrent.ExecutionException e) {
                refused = e.getCause();
            }
        }
        assertThat(refused).isInstanceOf(StoreException.class);
        StoreStatistics after = store.statistics();
        assertThat(after.failedCommits()).isEqualTo(1);
        long acknowledged = after.commits() - before.commits();
        assertThat(after.buckets().stream().mapToLong(Long::longValue).sum()).isEqualTo(after.commits());
        assertThat(after.writes() - before.writes()).isEqualTo(acknowledged);
        assertThat(failure(store.meterValues("CP-1", Fixtures.meterValues(1, 1, 40, T0.minusSeconds(5)), T0)))
                .isInstanceOf(StoreException.class);
        assertThat(store.statistics().failedCommits()).isEqualTo(2);
    }
}
