package org.chargeedge.api.management;

/** Where a job is. The last four are final. */
public enum JobState {
    /** Downloading or receiving the bundles, checking their hashes and manifests; nothing applied yet. */
    STAGING,
    /** Bundles being stopped, updated, refreshed and started; the previous ones are kept to roll back to. */
    APPLYING,
    /** Applied; waiting until the gateway is healthy again, within the job's health timeout. */
    AWAITING_HEALTH,
    /** Something failed after bundles changed: restoring the previous bundles and configuration. */
    ROLLING_BACK,
    /** Applied and healthy: the new bundles stay. */
    COMMITTED,
    /** Refused or failed before anything was applied: nothing changed. */
    FAILED,
    /** Failed after applying, and the previous bundles and configuration are back. */
    ROLLED_BACK,
    /** Failed, and restoring the previous bundles failed too: needs an operator. */
    ROLLBACK_FAILED;

    public boolean isFinal() {
        return ordinal() >= COMMITTED.ordinal();
    }
}
