package org.chargeedge.api.management;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Remote management of this gateway: bundles, update jobs, configuration.
 * Thread-safe; every method returns at once except where it says otherwise.
 */
@ProviderType
public interface Management {

    /** Every installed bundle, by id. */
    List<BundleInfo> bundles();

    /**
     * Starts an update job and returns it in state {@link JobState#STAGING}; it
     * goes on in the background (poll {@link #job(String)}). Uploaded content is
     * written to the data directory before this returns.
     *
     * @throws ManagementException {@code BUSY} while another job runs,
     *         {@code INVALID} for a malformed request (a hash that is not 64 hex
     *         digits, a URL that is not http or https)
     */
    Job submitUpdate(UpdateRequest request) throws ManagementException;

    /**
     * Starts a job that uninstalls a bundle and returns it in state
     * {@link JobState#STAGING}: a copy of the bundle and a configuration
     * snapshot are kept, the bundle is stopped, uninstalled and refreshed away,
     * and the job waits for health; when health does not return it reinstalls
     * the bundle from the copy. A bundle of the distribution stays away after a
     * restart.
     *
     * @param symbolicName the bundle's symbolic name
     * @param origin who asks, for the job's record
     * @throws ManagementException {@code NOT_FOUND} when no such bundle is
     *         installed, {@code REFUSED} for the framework, the management
     *         bundle and any bundle another one requires (the message names
     *         them), {@code BUSY} while another job runs
     * @since 1.1
     */
    Job submitUninstall(String symbolicName, String origin) throws ManagementException;

    /**
     * The same, with the user or API token that asks, kept as the job's
     * {@link Job#startedBy()}.
     *
     * @since 1.2
     */
    Job submitUninstall(String symbolicName, String origin, String startedBy) throws ManagementException;

    /** Every job this gateway remembers, newest first. */
    List<Job> jobs();

    Optional<Job> job(String id);

    /** The job that is running now, if any. */
    Optional<Job> currentJob();

    /** Every configuration, by pid. */
    List<ConfigurationInfo> configurations();

    /** @throws ManagementException {@code NOT_FOUND} */
    ConfigurationInfo configuration(String pid) throws ManagementException;

    /**
     * Changes a configuration: each value is converted to its attribute's type
     * and validated against the metatype of the component the pid configures,
     * all before anything is applied; a snapshot of every configuration is
     * taken first, so the change can be rolled back.
     *
     * @param set the properties to set, as strings (multiple values separated by commas)
     * @param remove the properties to remove (their defaults apply)
     * @throws ManagementException {@code INVALID} naming each unknown key and
     *         rejected value, {@code NOT_FOUND} when no metatype describes the pid
     */
    ConfigurationInfo changeConfiguration(String pid, Map<String, String> set, Set<String> remove)
            throws ManagementException;

    /** Saves every configuration as a snapshot. */
    ConfigSnapshot snapshotConfiguration(String reason) throws ManagementException;

    /** Every snapshot, newest first. */
    List<ConfigSnapshot> configurationSnapshots();

    /**
     * Restores every configuration as the snapshot has it: changed ones are
     * set back, ones created since are deleted, deleted ones are recreated. A
     * snapshot of the present state is taken first.
     *
     * @return that snapshot of the state before the rollback
     * @throws ManagementException {@code NOT_FOUND}, {@code BUSY} while a job runs
     */
    ConfigSnapshot rollbackConfiguration(String snapshotId) throws ManagementException;

    /**
     * Prepares a factory reset and stops the gateway: at its next start the
     * launcher restores the distribution's bundle set (bundles installed,
     * updated or uninstalled at run time are undone) and drops the
     * configuration set at run time (the configuration files apply), keeping
     * the data directory's other contents: the store's data, the chargers'
     * transaction id reservation, users and tokens, job records and
     * configuration snapshots. The gateway stops shortly after this returns;
     * its supervisor (systemd) starts it again.
     *
     * @param origin who asks, for the log
     * @throws ManagementException {@code BUSY} while a job runs, {@code
     *         UNAVAILABLE} when the request cannot be written
     * @since 1.1
     */
    void factoryReset(String origin) throws ManagementException;

    /** The release channel, when one is configured. */
    Optional<ReleaseChannelStatus> releaseChannel();

    /**
     * Reads the release channel now instead of at the next poll; blocks for the
     * download of the descriptor (seconds).
     *
     * @return what the poll found or did
     * @throws ManagementException {@code NOT_FOUND} when no channel is configured
     */
    ReleaseChannelStatus pollReleaseChannel() throws ManagementException;
}
