package org.chargeedge.management.internal;

/** Saves and restores every configuration around a job. */
interface ConfigBackup {

    /** @return the snapshot's id */
    String snapshot(String reason) throws Exception;

    void restore(String snapshotId) throws Exception;

    /** For a framework without Configuration Admin. */
    ConfigBackup NONE = new ConfigBackup() {
        @Override
        public String snapshot(String reason) {
            return null;
        }

        @Override
        public void restore(String snapshotId) {
        }
    };
}
