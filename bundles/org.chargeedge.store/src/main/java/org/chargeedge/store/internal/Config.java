package org.chargeedge.store.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Documented, with examples, in docs/configuration.md; keep both in step. */
@ObjectClassDefinition(
        id = SqliteStore.PID,
        name = "ChargeEdge durable site store",
        description = "SQLite database of transactions, meter values, chargers, authorization data and the outbound queue")
@interface Config {

    @AttributeDefinition(description = "Database file; empty means DATA/store/chargeedge.db in the gateway's data directory")
    String databasePath() default "";

    @AttributeDefinition(description = "Days meter values are kept before they are pruned", min = "1")
    int meterValueRetentionDays() default 90;

    @AttributeDefinition(description = "Minutes between two pruning passes", min = "1")
    int pruneIntervalMinutes() default 60;

    @AttributeDefinition(description = "Meter value rows one pruning step examines; steps alternate with commits", min = "1")
    int pruneBatchSize() default 500;

    @AttributeDefinition(description = "Most writes committed together in one transaction (group commit)", min = "1")
    int maxBatchSize() default 2000;

    @AttributeDefinition(description = "Largest database in megabytes; writes beyond it fail as on a full disk. 0: only the disk limits it", min = "0")
    int maxDatabaseSizeMegabytes() default 0;

    @AttributeDefinition(description = "Connections for reading, used by one thread at a time each", min = "1")
    int readConnections() default 2;

    @AttributeDefinition(description = "Milliseconds a connection waits for a lock held by another", min = "0")
    int busyTimeoutMillis() default 5000;
}
