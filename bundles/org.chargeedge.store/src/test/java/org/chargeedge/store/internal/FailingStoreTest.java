package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.store.internal.Fixtures.ACCEPTED;
import static org.chargeedge.store.internal.Fixtures.T0;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.failure;
import static org.chargeedge.store.internal.Fixtures.result;

import java.time.Instant;

import org.chargeedge.api.store.StoreException;
import org.chargeedge.api.store.StoreHealth;
import org.junit.jupiter.api.Test;

/**
 * A full disk, simulated deterministically with SQLite's own limit on the database size (the
 * {@code maxDatabaseSizeMegabytes} setting): SQLite fails the write with SQLITE_FULL as it does
 * when the file system has no space left.
 */
class FailingStoreTest extends StoreTest {

    @Override
    StoreSettings settings() {
        return StoreSettings.defaults().withMaxDatabaseSize(256 * 1024);
    }

    /** Writes meter values until the store refuses one; returns how many were acknowledged. */
    private int fill() throws Exception {
        for (int i = 0; i < 100_000; i++) {
            Throwable e = outcome(store.meterValues("CP-1", Fixtures.meterValues(1, 1, 40, T0.plusSeconds(i)), T0));
            if (e != null) {
                assertThat(e).isInstanceOf(StoreException.class).hasMessageContaining("full");
                return i;
            }
        }
        throw new AssertionError("the store never filled up");
    }

    private static Throwable outcome(java.util.concurrent.CompletionStage<Void> stage) throws Exception {
        try {
            result(stage);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aFullStoreRefusesWritesReportsItAndRecoversWhenSpaceReturns() throws Exception {
        // The transaction the meter values of fill() belong to.
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "FILL", 0), ACCEPTED, T0));
        Instant before = Instant.now();
        int acknowledged = fill();
        assertThat(acknowledged).isPositive();
        StoreHealth full = store.health();
        assertThat(full.ok()).isFalse();
        assertThat(full.problem()).contains("full");
        assertThat(full.since()).isAfterOrEqualTo(before.minusSeconds(1));
        // Every acknowledged write is there, nothing of the refused one.
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isEqualTo(acknowledged * 40L);

        // Still full: still refused, and the state (with its start) is unchanged.
        assertThat(failure(store.meterValues("CP-1", Fixtures.meterValues(1, 1, 40, T0.minusSeconds(1)), T0)))
                .isInstanceOf(StoreException.class);
        assertThat(store.health().since()).isEqualTo(full.since());

        // Space returns.
        result(store.limitSize(64L * 1024 * 1024));
        result(store.transactionStarted("CP-1", 2, Fixtures.start(1, "T", 0), ACCEPTED, T0));
        assertThat(store.health().ok()).isTrue();
        assertThat(store.health().problem()).isNull();
        assertThat(store.transaction(2)).isPresent();
    }

    @Test
    void theStoreStillReadsWhileItCannotWrite() throws Exception {
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "T", 0), ACCEPTED, T0));
        fill();
        assertThat(store.transaction(1)).isPresent();
        assertThat(store.openTransactions("CP-1")).hasSize(1);
    }
}
