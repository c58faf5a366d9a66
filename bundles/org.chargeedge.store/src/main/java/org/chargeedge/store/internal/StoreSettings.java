package org.chargeedge.store.internal;

import java.time.Duration;

/**
 * The store's settings as values, from {@link Config} in the framework and built directly in tests.
 *
 * @param upstreamConfigured whether an upstream link delivers meter values; while false, pruning
 *        removes old meter values whether or not they were delivered
 */
record StoreSettings(Duration meterValueRetention, Duration pruneInterval, int pruneBatchSize, int maxBatchSize,
                     long maxDatabaseSizeBytes, int readConnections, int busyTimeoutMillis,
                     boolean upstreamConfigured) {

    static StoreSettings defaults() {
        return new StoreSettings(Duration.ofDays(90), Duration.ofHours(1), 500, 2000, 0, 2, 5000, false);
    }

    static StoreSettings from(Config config) {
        // The upstream link delivers from the outbound queue, which is never pruned: old meter values
        // can go whether or not they went upstream.
        return new StoreSettings(Duration.ofDays(config.meterValueRetentionDays()),
                Duration.ofMinutes(config.pruneIntervalMinutes()), config.pruneBatchSize(), config.maxBatchSize(),
                config.maxDatabaseSizeMegabytes() * 1024L * 1024L, config.readConnections(),
                config.busyTimeoutMillis(), false);
    }

    StoreSettings withRetention(Duration retention, int batchSize, boolean upstream) {
        return new StoreSettings(retention, pruneInterval, batchSize, maxBatchSize, maxDatabaseSizeBytes,
                readConnections, busyTimeoutMillis, upstream);
    }

    StoreSettings withMaxDatabaseSize(long bytes) {
        return new StoreSettings(meterValueRetention, pruneInterval, pruneBatchSize, maxBatchSize, bytes,
                readConnections, busyTimeoutMillis, upstreamConfigured);
    }
}
