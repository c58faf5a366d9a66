package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.result;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning of old meter values by the writer thread, in small steps. */
class RetentionTest {

    private static final Duration RETENTION = Duration.ofDays(10);

    @TempDir
    Path dir;
    Path file;
    SqliteStore store;

    /** A store keeping meter values 10 days, pruning 7 rows per step. */
    private void open(boolean upstreamConfigured) throws Exception {
        file = dir.resolve("chargeedge.db");
        store = SqliteStore.open(file, StoreSettings.defaults().withRetention(RETENTION, 7, upstreamConfigured));
        // The transaction the meter values of write() belong to.
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "TAG", 0), Fixtures.ACCEPTED, Instant.now()));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void write(int requests, Instant receivedAt) throws Exception {
        for (int i = 0; i < requests; i++) {
            result(store.meterValues("CP-1", Fixtures.meterValues(1, 1, 5, receivedAt.plusMillis(i)), receivedAt));
        }
    }

    /** Starts a pruning pass and waits until {@code sql} counts {@code expected}. */
    private void pruneUntil(String sql, long expected) throws Exception {
        store.writer().requestMaintenance();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count(file, sql) != expected) {
            assertThat(System.nanoTime()).as("%s = %s within 10 s", sql, expected).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Waits (at most 5 s) until more than {@code more} maintenance steps ran since {@code before}. */
    private void awaitStepsAfter(long before, long more) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (store.writer().maintenanceSteps() - before <= more && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static String olderThanRetention() {
        return "received_at < " + Instant.now().minus(RETENTION).toEpochMilli();
    }

    @Test
    void valuesOlderThanTheRetentionArePrunedInStepsAndYoungerOnesKept() throws Exception {
        open(false);
        Instant now = Instant.now();
        write(20, now.minus(Duration.ofDays(30)));
        write(20, now.minus(Duration.ofDays(11)));
        write(10, now.minus(Duration.ofDays(9)));
        write(10, now);
        long stepsBefore = store.writer().maintenanceSteps();
        pruneUntil("SELECT COUNT(*) FROM meter_value", 100);
        assertThat(count(file, "SELECT MIN(received_at) FROM meter_value"))
                .isEqualTo(now.minus(Duration.ofDays(9)).toEpochMilli());
        // 200 old rows, 7 per step: many steps, each its own commit (counted just after it commits).
        awaitStepsAfter(stepsBefore, 200 / 7);
        assertThat(store.writer().maintenanceSteps() - stepsBefore).isGreaterThan(200 / 7);
    }

    @Test
    void withAnUpstreamOnlyDeliveredValuesArePruned() throws Exception {
        open(true);
        write(10, Instant.now().minus(Duration.ofDays(20)));
        write(2, Instant.now());
        result(store.writer().submit(s -> s.prepare("UPDATE meter_value SET delivered_upstream = 1"
                + " WHERE id % 2 = 0").executeUpdate()));
        // 50 old rows, half of them delivered; 10 young ones.
        pruneUntil("SELECT COUNT(*) FROM meter_value WHERE " + olderThanRetention(), 25);
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value WHERE " + olderThanRetention()
                + " AND delivered_upstream = 1")).isZero();
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isEqualTo(25 + 10);
    }

    @Test
    void prunedPagesAreReusedSoTheFileStopsGrowing() throws Exception {
        open(false);
        write(300, Instant.now().minus(Duration.ofDays(30)));
        long pagesAfterFirst = count(file, "PRAGMA page_count");
        pruneUntil("SELECT COUNT(*) FROM meter_value", 0);
        assertThat(count(file, "PRAGMA freelist_count")).isPositive();
        write(300, Instant.now());
        assertThat(count(file, "PRAGMA page_count")).as("the same data again fits in the freed pages")
                .isLessThanOrEqualTo(pagesAfterFirst + 2);
    }

    @Test
    void nothingOldMeansNothingPruned() throws Exception {
        open(false);
        write(3, Instant.now());
        long stepsBefore = store.writer().maintenanceSteps();
        store.writer().requestMaintenance();
        result(store.writer().submit(s -> null));
        // The step runs after the batch that asked for it commits, possibly after its stages complete.
        awaitStepsAfter(stepsBefore, 0);
        assertThat(store.writer().maintenanceSteps()).isGreaterThan(stepsBefore);
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isEqualTo(15);
    }
}
