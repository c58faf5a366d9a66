package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.store.internal.Fixtures.ACCEPTED;
import static org.chargeedge.store.internal.Fixtures.T0;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.failure;
import static org.chargeedge.store.internal.Fixtures.result;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.store.StoreException;
import org.junit.jupiter.api.Test;

/** The writer thread: group commit, stages completed only once durable, batches that fail as a whole. */
class GroupCommitTest extends StoreTest {

    @Test
    void concurrentWritersShareCommitsAndEachStageCompletesOnlyWhenItsDataIsReadable() throws Exception {
        int threads = 16;
        int perThread = 60;
        // Filled from the completion thread and read here after the writers joined.
        ConcurrentLinkedQueue<String> notYetReadable = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> checked = new ArrayList<>();
        CyclicBarrier together = new CyclicBarrier(threads);
        List<Thread> writers = new ArrayList<>();
        Object lock = new Object();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers.add(new Thread(() -> {
                try {
                    together.await();
                    for (int i = 0; i < perThread; i++) {
                        int id = thread * perThread + i + 1;
                        CompletableFuture<Integer> stage = store.transactionStarted("CP-" + thread, id,
                                Fixtures.start(1, "TAG", id), ACCEPTED, T0).toCompletableFuture();
                        CompletableFuture<Void> check = stage.thenRun(() -> {
                            try {
                                // A connection of its own, opened after the stage completed: what a
                                // restarted gateway would read.
                                if (count(file, "SELECT COUNT(*) FROM charge_transaction WHERE transaction_id = "
                                        + id) != 1) {
                                    notYetReadable.add("transaction " + id);
                                }
                            } catch (Exception e) {
                                notYetReadable.add(id + ": " + e);
                            }
                        });
                        synchronized (lock) {
                            checked.add(check);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread w : writers) {
            w.join(TimeUnit.SECONDS.toMillis(30));
        }
        synchronized (lock) {
            CompletableFuture.allOf(checked.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        int writes = threads * perThread;
        assertThat(notYetReadable).isEmpty();
        assertThat(count(file, "SELECT COUNT(*) FROM charge_transaction")).isEqualTo(writes);
        Writer writer = store.writer();
        assertThat(writer.writes()).isEqualTo(writes);
        assertThat(writer.commits()).as("writes share commits").isLessThan(writes);
        assertThat(writer.largestBatch()).isGreaterThan(1);
    }

    @Test
    void aRefusedWriteFailsAloneAndTheRestOfItsBatchCommits() throws Exception {
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "TAG", 0), ACCEPTED, T0));
        long commitsBefore = store.writer().commits();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> blocker = Fixtures.holdWriter(store, release);
        var duplicate = store.transactionStarted("CP-2", 1, Fixtures.start(1, "OTHER", 0), ACCEPTED, T0);
        var good = store.transactionStarted("CP-2", 2, Fixtures.start(1, "OTHER", 0), ACCEPTED, T0);
        release.countDown();
        result(blocker);
        assertThat(failure(duplicate)).isInstanceOf(StoreException.class);
        result(good);
        assertThat(store.transaction(2)).isPresent();
        assertThat(store.writer().commits() - commitsBefore).as("the blocker's batch, then one for both").isEqualTo(2);
    }

    @Test
    void aFailedCommitFailsEveryStageOfItsBatchAndNothingOfItIsStored() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> blocker = Fixtures.holdWriter(store, release);
        var first = store.transactionStarted("CP-1", 1, Fixtures.start(1, "TAG", 0), ACCEPTED, T0);
        var breaking = store.writer().submit(s -> {
            s.execute("INSERT INTO no_such_table VALUES (1)");
            return null;
        });
        var last = store.meterValues("CP-1", Fixtures.meterValues(1, 1, 2), T0);
        release.countDown();
        result(blocker);
        assertThat(failure(first)).isInstanceOf(StoreException.class).hasMessageContaining("no_such_table");
        assertThat(failure(breaking)).isInstanceOf(StoreException.class);
        assertThat(failure(last)).isInstanceOf(StoreException.class);
        assertThat(count(file, "SELECT COUNT(*) FROM charge_transaction")).isZero();
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isZero();
        assertThat(store.health().ok()).isFalse();
        // Nothing is retried behind the callers' backs, and the next write works.
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "TAG", 0), ACCEPTED, T0));
        assertThat(count(file, "SELECT COUNT(*) FROM charge_transaction")).isEqualTo(1);
        assertThat(store.health().ok()).isTrue();
    }
}
