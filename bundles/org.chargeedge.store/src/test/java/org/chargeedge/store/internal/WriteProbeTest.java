package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.store.internal.Fixtures.result;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

/** The watchdog's view of the writer: a commit of nothing completes only when the writer commits. */
class WriteProbeTest extends StoreTest {

    @Test
    void completesThroughAWorkingWriterAndWritesNothing() throws Exception {
        long commits = store.writer().commits();
        long size = store.health().sizeBytes();
        result(store.writeProbe());
        assertThat(store.writer().commits()).isEqualTo(commits + 1);
        assertThat(store.health().sizeBytes()).isEqualTo(size);
    }

    @Test
    void staysPendingWhileTheWriterIsStuck() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> held = Fixtures.holdWriter(store, release);
        CompletableFuture<Void> probe = store.writeProbe().toCompletableFuture();
        Thread.sleep(300);
        assertThat(probe).as("no answer while the writer does not commit").isNotDone();
        release.countDown();
        result(held);
        result(probe);
    }
}
