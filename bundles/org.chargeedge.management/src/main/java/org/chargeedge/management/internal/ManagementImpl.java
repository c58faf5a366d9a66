package org.chargeedge.management.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.management.BundleInfo;
import org.chargeedge.api.management.ConfigSnapshot;
import org.chargeedge.api.management.ConfigurationInfo;
import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobEvents;
import org.chargeedge.api.management.Management;
import org.chargeedge.api.management.ManagementException;
import org.chargeedge.api.management.ManagementException.Reason;
import org.chargeedge.api.management.ReleaseChannelStatus;
import org.chargeedge.api.management.UpdateRequest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management service: jobs through a {@link JobRunner}, configuration
 * through a {@link ConfigManager}, fleet releases through a
 * {@link ReleaseChannel}, all kept under {@code DATA/management/}.
 *
 * <p>Threads: the job thread runs jobs; the channel thread polls; callers'
 * threads read. Configuration changes and rollbacks are serialised by
 * {@code configLock}. {@code health} is a copy-on-write list: DS adds and
 * removes sources on its threads while the job thread iterates it.
 */
@Component(service = Management.class, configurationPid = ManagementImpl.PID)
@Designate(ocd = ManagementConfig.class)
public class ManagementImpl implements Management {

    static final String PID = "org.chargeedge.management";
    /** In {@code DATA/management/}: the launcher resets the gateway at start when it finds this file. */
    static final String FACTORY_RESET_FILE = "factory-reset";
    private static final long FACTORY_RESET_DELAY_MILLIS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(ManagementImpl.class);
    /** A descriptor is small; anything bigger is not one. */
    private static final long MAX_DESCRIPTOR_BYTES = 1 << 20;

    private final BundleContext context;
    private final List<HealthSource> health = new CopyOnWriteArrayList<>();
    private final JobStore store;
    private final JobRunner runner;
    private final ConfigManager config;
    private final ReleaseChannel channel;
    private final ScheduledExecutorService channelTimer;
    private final Object configLock = new Object();
    // Set and cleared by DS, read by the job thread.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventAdmin eventAdmin;

    @Activate
    public ManagementImpl(BundleContext context, ManagementConfig cfg, @Reference ServiceComponentRuntime scr,
            @Reference ConfigurationAdmin cm, @Reference MetaTypeService metatype) throws IOException {
        this.context = context;
        Path dir = dataDir(context).resolve("management");
        Clock clock = Clock.systemUTC();
        store = new JobStore(dir.resolve("jobs"));
        config = new ConfigManager(cm, metatype, context, dir.resolve("config-snapshots"), clock, PID);
        Downloader downloader = new Downloader(Duration.ofSeconds(cfg.connectTimeoutSeconds()),
                Duration.ofSeconds(cfg.downloadTimeoutSeconds()), cfg.maxBundleMegabytes() * 1024L * 1024L);
        runner = new JobRunner(context, store, downloader, this::healthProblem, new ScrComponents(scr), config,
                new JobRunner.Settings(Duration.ofSeconds(cfg.healthTimeoutSeconds()),
                        Duration.ofMillis(cfg.healthIntervalMillis()), Duration.ofMinutes(2),
                        Duration.ofSeconds(cfg.probeTimeoutSeconds()), signatures(cfg, context)),
                clock, context.getBundle().getBundleId(), this::post);
        runner.recover();
        if (cfg.channelUrl().isBlank()) {
            channel = null;
            channelTimer = null;
        } else {
            Path key = Path.of(cfg.channelPublicKeyFile());
            if (!key.isAbsolute()) {
                key = configDir(context).resolve(key);
            }
            channel = new ReleaseChannel(URI.create(cfg.channelUrl()), cfg.channelName(), key,
                    new Downloader(Duration.ofSeconds(cfg.connectTimeoutSeconds()),
                            Duration.ofSeconds(cfg.connectTimeoutSeconds()), MAX_DESCRIPTOR_BYTES),
                    dir.resolve("channel.json"), this::installedVersion, this::submitUpdate, this::job, clock);
            channelTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "chargeedge-management-channel");
                t.setDaemon(true);
                return t;
            });
            long period = TimeUnit.MINUTES.toSeconds(cfg.channelPollMinutes());
            // A fleet's gateways start at the same time after a wave of power cuts: spread their polls.
            long first = 60 + ThreadLocalRandom.current().nextLong(Math.max(1, period));
            channelTimer.scheduleWithFixedDelay(this::pollQuietly, first, period, TimeUnit.SECONDS);
            LOG.info("Following release channel '{}' at {} every {} min", cfg.channelName(), cfg.channelUrl(),
                    cfg.channelPollMinutes());
        }
    }

    /** The check of bundles' signatures, when a trusted certificate is configured; a broken one stops activation. */
    private static JarSignatures signatures(ManagementConfig cfg, BundleContext context) throws IOException {
        if (cfg.trustedSignerCertificateFile().isBlank()) {
            return null;
        }
        Path file = configDir(context).resolve(cfg.trustedSignerCertificateFile());
        JarSignatures signatures = JarSignatures.fromPem(file);
        LOG.info("Jobs accept only bundles signed by {} or a certificate it issued (from {})",
                signatures.trusted().getSubjectX500Principal().getName(), file);
        return signatures;
    }

    @Deactivate
    void deactivate() {
        if (channelTimer != null) {
            channelTimer.shutdownNow();
        }
        runner.close();
    }

    /** Posts a job's state change, when EventAdmin runs. */
    private void post(Job job) {
        EventAdmin events = eventAdmin;
        if (events != null) {
            Map<String, Object> properties = new java.util.HashMap<>(Map.of(JobEvents.JOB_ID, job.id(),
                    JobEvents.STATE, job.state().name(), JobEvents.ORIGIN, job.origin(), JobEvents.OUTCOME,
                    job.outcome(), JobEvents.JOB, job));
            if (job.startedBy() != null) {
                properties.put(JobEvents.STARTED_BY, job.startedBy());
            }
            events.postEvent(new Event(JobEvents.TOPIC_PREFIX + job.state().name(), properties));
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHealthSource(HealthSource source) {
        health.add(source);
    }

    void removeHealthSource(HealthSource source) {
        health.remove(source);
    }

    /** Every source's problem, joined; null when all are healthy. */
    private String healthProblem(Duration timeout) {
        List<String> problems = new ArrayList<>();
        for (HealthSource s : health) {
            String p;
            try {
                p = s.problem(timeout);
            } catch (RuntimeException e) {
                p = "a health source failed: " + e;
            }
            if (p != null) {
                problems.add(p);
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    @Override
    public List<BundleInfo> bundles() {
        return Arrays.stream(context.getBundles()).map(b -> new BundleInfo(b.getBundleId(), b.getSymbolicName(),
                b.getVersion().toString(), state(b), b.getHeaders("").get(Constants.FRAGMENT_HOST) != null,
                b.getBundleId() == 0 || b.getLocation().startsWith(JobRunner.DIST_LOCATION_PREFIX))).toList();
    }

    @Override
    public Job submitUpdate(UpdateRequest request) throws ManagementException {
        return runner.submit(request);
    }

    @Override
    public Job submitUninstall(String symbolicName, String origin) throws ManagementException {
        return submitUninstall(symbolicName, origin, null);
    }

    @Override
    public Job submitUninstall(String symbolicName, String origin, String startedBy) throws ManagementException {
        if (symbolicName == null || symbolicName.isBlank()) {
            throw new ManagementException(Reason.INVALID, "name the bundle to uninstall by its symbolic name");
        }
        return runner.submitUninstall(symbolicName.trim(), origin == null ? "unknown" : origin, startedBy);
    }

    @Override
    public List<Job> jobs() {
        try {
            return store.all().stream().map(JobFile::toJob).toList();
        } catch (IOException e) {
            LOG.error("The jobs in {} cannot be read: {}", store.dir(), e.toString());
            return List.of();
        }
    }

    @Override
    public Optional<Job> job(String id) {
        return store.read(id).map(JobFile::toJob);
    }

    @Override
    public Optional<Job> currentJob() {
        return runner.current();
    }

    @Override
    public List<ConfigurationInfo> configurations() {
        try {
            return config.list();
        } catch (ManagementException e) {
            LOG.error("Listing configurations failed: {}", e.getMessage());
            return List.of();
        }
    }

    @Override
    public ConfigurationInfo configuration(String pid) throws ManagementException {
        return config.get(pid);
    }

    @Override
    public ConfigurationInfo changeConfiguration(String pid, Map<String, String> set, Set<String> remove)
            throws ManagementException {
        synchronized (configLock) {
            ConfigurationInfo changed = config.change(pid, set, remove);
            LOG.info("Configuration {} changed: set {}, removed {}", pid, set.keySet(), remove);
            return changed;
        }
    }

    @Override
    public ConfigSnapshot snapshotConfiguration(String reason) throws ManagementException {
        synchronized (configLock) {
            return config.snapshotInfo(reason == null || reason.isBlank() ? "taken by an operator" : reason);
        }
    }

    @Override
    public List<ConfigSnapshot> configurationSnapshots() {
        try {
            return config.snapshots();
        } catch (ManagementException e) {
            LOG.error("Listing snapshots failed: {}", e.getMessage());
            return List.of();
        }
    }

    @Override
    public ConfigSnapshot rollbackConfiguration(String snapshotId) throws ManagementException {
        Optional<Job> running = runner.current();
        if (running.isPresent()) {
            throw new ManagementException(Reason.BUSY, "job " + running.get().id() + " is running and restores the"
                    + " configuration itself if it fails; roll back when it has ended");
        }
        synchronized (configLock) {
            ConfigSnapshot before = config.rollback(snapshotId);
            LOG.info("Configuration rolled back to snapshot {}; the state before is snapshot {}", snapshotId,
                    before.id());
            return before;
        }
    }

    @Override
    public void factoryReset(String origin) throws ManagementException {
        if (!runner.closeIfIdle()) {
            Job running = runner.current().orElse(null);
            throw new ManagementException(Reason.BUSY, "job " + (running == null ? "?" : running.id()) + " is"
                    + " running; reset when it has ended");
        }
        Path marker = dataDir(context).resolve("management").resolve(FACTORY_RESET_FILE);
        try {
            AtomicFiles.write(marker, ("requested by " + origin + " at " + Instant.now() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ManagementException(Reason.UNAVAILABLE, "the factory reset cannot be written to " + marker
                    + ": " + e.getMessage(), e);
        }
        LOG.warn("Factory reset requested by {}: the gateway stops now; at its next start the distribution's"
                + " bundles and the configuration files apply again", origin);
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(FACTORY_RESET_DELAY_MILLIS); // lets the answer reach the caller
                context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).stop();
            } catch (Exception e) {
                LOG.error("Stopping the gateway for the factory reset failed; stop it by hand", e);
            }
        }, "chargeedge-management-factory-reset");
        stopper.setDaemon(true);
        stopper.start();
    }

    @Override
    public Optional<ReleaseChannelStatus> releaseChannel() {
        return channel == null ? Optional.empty() : Optional.of(channel.status());
    }

    @Override
    public ReleaseChannelStatus pollReleaseChannel() throws ManagementException {
        if (channel == null) {
            throw new ManagementException(Reason.NOT_FOUND, "no release channel is configured (channelUrl of "
                    + PID + ")");
        }
        return channel.poll();
    }

    private void pollQuietly() {
        try {
            channel.poll();
        } catch (RuntimeException e) {
            LOG.error("Polling the release channel failed", e);
        }
    }

    private Version installedVersion(String symbolicName) {
        Version found = null;
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && (found == null || b.getVersion().compareTo(found) > 0)) {
                found = b.getVersion();
            }
        }
        return found;
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNINSTALLED";
        };
    }

    static Path dataDir(BundleContext context) {
        String dir = context.getProperty("chargeedge.data.dir");
        return dir != null ? Path.of(dir) : context.getDataFile("").toPath();
    }

    private static Path configDir(BundleContext context) {
        String dir = context.getProperty("chargeedge.config.dir");
        return Path.of(dir != null ? dir : "config");
    }
}
