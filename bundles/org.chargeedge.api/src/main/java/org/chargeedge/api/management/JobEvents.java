package org.chargeedge.api.management;

/**
 * EventAdmin events of the management service, posted asynchronously at
 * every state change of a job (for the MQTT status topic, a dashboard):
 * topic {@code org/chargeedge/management/job/STATE}, for example
 * {@code org/chargeedge/management/job/COMMITTED}.
 */
public final class JobEvents {

    /** Prefix of the topics; the job's {@link JobState} follows. */
    public static final String TOPIC_PREFIX = "org/chargeedge/management/job/";
    /** Every job event: {@code org/chargeedge/management/job/*}. */
    public static final String TOPIC_ALL = TOPIC_PREFIX + "*";
    /** Property: the job's id (String). */
    public static final String JOB_ID = "job.id";
    /** Property: the job's state name (String). */
    public static final String STATE = "job.state";
    /** Property: who asked for it (String), for a release "release CHANNEL #N". */
    public static final String ORIGIN = "job.origin";
    /** Property: the user or API token that started it (String), absent when not known; since 1.2. */
    public static final String STARTED_BY = "job.startedBy";
    /** Property: its outcome or current step (String). */
    public static final String OUTCOME = "job.outcome";
    /** Property: the whole {@link Job} record. */
    public static final String JOB = "job";

    private JobEvents() {
    }
}
