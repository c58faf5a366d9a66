package org.chargeedge.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.chargeedge.api.management.BundleSource;
import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobState;
import org.chargeedge.api.management.ManagementException;
import org.chargeedge.api.management.ManagementException.Reason;
import org.chargeedge.api.management.UpdateRequest;
import org.chargeedge.management.internal.JobFile.Staged;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceException;
import org.osgi.framework.Version;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs update jobs, one at a time: stage (download or take the upload, check
 * the SHA-256 and the manifest), back up (a copy of each bundle it replaces
 * and a configuration snapshot), apply (stop, update or install in dependency
 * order, refresh, start), wait for health, then commit; or roll back to the
 * backups when anything after the first change fails, or health does not
 * come within the timeout.
 *
 * <p>Every state is on disk before the step it announces begins, so a gateway
 * that dies at any point finds at start ({@link #recover()}) what to do: a
 * job still staging changed nothing and is marked failed; one applying or
 * rolling back is rolled back from its backups; one awaiting health waits
 * again and commits or rolls back.
 *
 * <p>Threads: the job thread ({@code chargeedge-management-job}) alone runs
 * jobs and writes job files. {@code busy} and {@code closed} are guarded by
 * {@code lock}, taken by submitters and by the job thread when a job ends;
 * {@code current} is a volatile snapshot for readers. Framework errors during
 * a job arrive on framework threads into a concurrent queue the job thread
 * drains.
 */
final class JobRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /** Location prefix of bundles a job installs (the distribution's own use {@code chargeedge:dist/}). */
    static final String LOCATION_PREFIX = "chargeedge:job/";
    /** Location prefix of the distribution's bundles, as the launcher installs them. */
    static final String DIST_LOCATION_PREFIX = "chargeedge:dist/";

    /**
     * @param healthTimeout how long an applied job waits for health before it rolls back
     * @param healthInterval the pause between two health checks
     * @param refreshTimeout how long a refresh may take
     * @param probeTimeout what each health source may take per check
     * @param signatures the check of a staged jar's signature, null when no trusted signer is configured
     */
    record Settings(Duration healthTimeout, Duration healthInterval, Duration refreshTimeout, Duration probeTimeout,
            JarSignatures signatures) {

        Settings(Duration healthTimeout, Duration healthInterval, Duration refreshTimeout, Duration probeTimeout) {
            this(healthTimeout, healthInterval, refreshTimeout, probeTimeout, null);
        }
    }

    private final BundleContext context;
    private final JobStore store;
    private final Downloader downloader;
    private final HealthSource health;
    private final Components components;
    private final ConfigBackup config;
    private final Settings settings;
    private final Clock clock;
    /** The bundle that runs the jobs: never updated by one, nor refreshed as part of one. */
    private final long selfId;
    /** Told of every state change: STAGING on the submitter's thread, the rest on the job thread. */
    private final Consumer<Job> listener;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "chargeedge-management-job");
        t.setDaemon(true);
        return t;
    });
    private final RemovedBundles removed;
    private final Object lock = new Object();
    private boolean busy;
    private boolean closed;
    private volatile JobFile current;

    JobRunner(BundleContext context, JobStore store, Downloader downloader, HealthSource health, Components components,
            ConfigBackup config, Settings settings, Clock clock, long selfId, Consumer<Job> listener) {
        this.context = context;
        this.store = store;
        this.downloader = downloader;
        this.health = health;
        this.components = components;
        this.config = config;
        this.settings = settings;
        this.clock = clock;
        this.selfId = selfId;
        this.listener = listener;
        this.removed = new RemovedBundles(store.dir().resolveSibling(RemovedBundles.FILE));
    }

    /** Finishes or rolls back, on the job thread, a job a previous run of the gateway left unfinished. */
    void recover() {
        List<JobFile> unfinished;
        try {
            unfinished = store.all().stream().filter(j -> !j.state().isFinal()).toList();
        } catch (IOException e) {
            LOG.error("The management jobs in {} cannot be read: {}", store.dir(), e.toString());
            return;
        }
        if (unfinished.isEmpty()) {
            return;
        }
        synchronized (lock) {
            busy = true;
            current = unfinished.get(0);
        }
        thread.execute(() -> {
            try {
                awaitFrameworkStarted();
                for (JobFile job : unfinished) {
                    resume(job);
                }
            } finally {
                ended();
            }
        });
    }

    private void resume(JobFile job) {
        LOG.warn("Job {} was {} when the gateway stopped; resuming it", job.id(), job.state());
        try {
            switch (job.state()) {
                case STAGING -> finish(job.to(JobState.FAILED,
                        "the gateway restarted before anything was applied; nothing changed, submit it again",
                        clock.instant()));
                case APPLYING, ROLLING_BACK -> rollBack(job, "the gateway restarted while the job was "
                        + job.state().name().toLowerCase().replace('_', ' '));
                case AWAITING_HEALTH -> awaitHealth(save(job.step("the gateway restarted; waiting for health again",
                        clock.instant())));
                default -> {
                }
            }
        } catch (Interrupted e) {
            LOG.info("Job {} left as {} while the management bundle stops; it resumes at the next start", job.id(),
                    current.state());
        } catch (Exception e) {
            LOG.error("Resuming job {} failed", job.id(), e);
        }
    }

    /**
     * Takes a job; it runs in the background.
     *
     * @throws ManagementException BUSY while another job runs, INVALID for a malformed request
     */
    Job submit(UpdateRequest request) throws ManagementException {
        for (BundleSource s : request.bundles()) {
            if (!BundleJars.isSha256(s.sha256())) {
                throw new ManagementException(Reason.INVALID, "the SHA-256 of " + s.describe()
                        + " must be 64 hexadecimal digits, not '" + s.sha256() + "'");
            }
            if (s.file() != null && !Files.isRegularFile(s.file())) {
                throw new ManagementException(Reason.INVALID, "the uploaded file " + s.file() + " is missing");
            }
            if (s.url() != null) {
                try {
                    Downloader.checkScheme(s.url());
                } catch (IOException e) {
                    throw new ManagementException(Reason.INVALID, e.getMessage());
                }
            }
        }
        // Described before begin moves an uploaded file away.
        List<String> described = request.bundles().stream().map(BundleSource::describe).toList();
        JobFile job = begin(request.origin(), request.startedBy(), request.allowDowngrade(), request.bundles());
        LOG.info("Job {} submitted by {}: {}", job.id(), job.who(), String.join(", ", described));
        return start(job, () -> run(job, j -> stage(j, request, described)));
    }

    /**
     * Takes a job that uninstalls a bundle; it runs in the background.
     *
     * @throws ManagementException NOT_FOUND, REFUSED for a bundle that may not be uninstalled, BUSY
     */
    Job submitUninstall(String symbolicName, String origin, String startedBy) throws ManagementException {
        Bundle bundle = installed(symbolicName);
        if (bundle == null) {
            throw new ManagementException(Reason.NOT_FOUND, "no bundle " + symbolicName + " is installed");
        }
        String refusal = uninstallRefusal(bundle);
        if (refusal != null) {
            throw new ManagementException(Reason.REFUSED, refusal);
        }
        JobFile job = begin(origin, startedBy, false, List.of());
        LOG.info("Job {} submitted by {}: uninstall {} {}", job.id(), job.who(), symbolicName,
                bundle.getVersion());
        return start(job, () -> run(job, j -> stageUninstall(j, symbolicName)));
    }

    /** Why a bundle may not be uninstalled by a job, or null when it may. */
    String uninstallRefusal(Bundle bundle) {
        String name = bundle.getSymbolicName();
        if (bundle.getBundleId() == 0) {
            return "the framework cannot be uninstalled";
        }
        if (bundle.getBundleId() == selfId) {
            return name + " runs the jobs and cannot be uninstalled by one";
        }
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        Set<String> requirers = new java.util.TreeSet<>();
        if (wiring != null) {
            for (BundleWire w : wiring.getProvidedWires(null)) {
                Bundle requirer = w.getRequirer().getBundle();
                if (requirer.getBundleId() != bundle.getBundleId()) {
                    requirers.add(requirer.getSymbolicName());
                }
            }
        }
        if (!requirers.isEmpty()) {
            return name + " is required by " + String.join(", ", requirers) + "; uninstall those first, or update"
                    + " it instead";
        }
        return null;
    }

    /** Registers a new job as the running one, with its uploads on disk; BUSY while another runs. */
    private JobFile begin(String origin, String startedBy, boolean allowDowngrade, List<BundleSource> sources)
            throws ManagementException {
        JobFile job;
        synchronized (lock) {
            if (closed) {
                throw new ManagementException(Reason.UNAVAILABLE, "the management service is stopping");
            }
            if (busy) {
                JobFile running = current;
                throw new ManagementException(Reason.BUSY, "job " + running.id() + " is " + running.state()
                        + " (submitted by " + running.who() + "); one job runs at a time, submit again when it"
                        + " has ended");
            }
            try {
                job = JobFile.create(Long.toString(store.nextId()), origin, startedBy, allowDowngrade, clock.instant());
                Path work = store.workDir(job.id());
                for (int i = 0; i < sources.size(); i++) {
                    BundleSource s = sources.get(i);
                    if (s.content() != null) {
                        AtomicFiles.write(work.resolve(newJar(i)), s.content());
                    } else if (s.file() != null) {
                        // The upload was received next to the jobs' directories: a rename, not a copy.
                        Files.move(s.file(), work.resolve(newJar(i)), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                store.write(job);
            } catch (IOException e) {
                throw new ManagementException(Reason.UNAVAILABLE, "the job cannot be written to "
                        + store.dir() + ": " + e.getMessage(), e);
            }
            busy = true;
            current = job;
        }
        listener.accept(job.toJob());
        return job;
    }

    private Job start(JobFile job, Runnable body) {
        thread.execute(() -> {
            try {
                body.run();
            } finally {
                ended();
            }
        });
        return job.toJob();
    }

    /** The first step of a job: staging what it changes, or refusing with a reason. */
    private interface Stage {
        JobFile stage(JobFile job) throws IOException, Refused;
    }

    Optional<Job> current() {
        synchronized (lock) {
            return busy ? Optional.of(current.toJob()) : Optional.empty();
        }
    }

    /**
     * Refuses every job from now on, unless one runs.
     *
     * @return false when a job runs (nothing changed)
     */
    boolean closeIfIdle() {
        synchronized (lock) {
            if (busy) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    /** Stops the job thread; a job it interrupts stays on disk as it was, to be resumed at the next start. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("The management job thread did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ended() {
        synchronized (lock) {
            busy = false;
        }
    }

    // ---- the job, on the job thread ----

    private void run(JobFile job, Stage stage) {
        try {
            JobFile staged;
            try {
                staged = stage.stage(job);
            } catch (Refused e) {
                finish(current.to(JobState.FAILED, e.getMessage() + "; nothing was applied", clock.instant()));
                return;
            }
            JobFile applying = backUp(staged);
            try {
                applying = apply(applying);
            } catch (Refused e) {
                rollBack(current, e.getMessage());
                return;
            }
            awaitHealth(save(applying.to(JobState.AWAITING_HEALTH, "applied; waiting up to "
                    + settings.healthTimeout().toSeconds() + " s for the gateway to be healthy", clock.instant())));
        } catch (Interrupted e) {
            LOG.info("Job {} left as {} while the management bundle stops; it resumes at the next start", job.id(),
                    current.state());
        } catch (Exception e) {
            LOG.error("Job {} failed unexpectedly", job.id(), e);
            JobFile now = current;
            if (now.state() == JobState.STAGING) {
                finishQuietly(now.to(JobState.FAILED, "failed: " + e + "; nothing was applied", clock.instant()));
            } else if (!now.state().isFinal()) {
                try {
                    rollBack(now, "failed: " + e);
                } catch (Exception again) {
                    LOG.error("Rolling back job {} failed", job.id(), again);
                    finishQuietly(current.to(JobState.ROLLBACK_FAILED, "failed: " + e + "; rolling back failed: "
                            + again, clock.instant()));
                }
            }
        }
    }

    private JobFile stage(JobFile job, UpdateRequest request, List<String> described) throws IOException, Refused {
        Path work = store.workDir(job.id());
        List<Staged> staged = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < request.bundles().size(); i++) {
            checkInterrupted();
            BundleSource source = request.bundles().get(i);
            String describe = described.get(i);
            Path jar = work.resolve(newJar(i));
            String sha;
            if (source.url() != null) {
                job = save(job.step("downloading " + source.url(), clock.instant()));
                try {
                    sha = downloader.download(source.url(), jar);
                } catch (IOException e) {
                    throw new Refused(e.getMessage());
                }
            } else {
                sha = BundleJars.sha256(jar);
            }
            if (!sha.equalsIgnoreCase(source.sha256())) {
                throw new Refused(describe + " has the SHA-256 " + sha + ", not the expected "
                        + source.sha256().toLowerCase());
            }
            BundleJars.Identity id;
            try {
                id = BundleJars.identify(jar);
                if (settings.signatures() != null) {
                    settings.signatures().verify(jar);
                }
            } catch (IOException e) {
                throw new Refused(describe + ": " + e.getMessage());
            }
            if (!names.add(id.symbolicName())) {
                throw new Refused(id.symbolicName() + " is in the job twice");
            }
            Bundle self = context.getBundle(selfId);
            if (self != null && id.symbolicName().equals(self.getSymbolicName())) {
                throw new Refused(id.symbolicName() + " runs the jobs and cannot be updated by one; it is"
                        + " updated with the distribution (see docs/operations.md)");
            }
            Bundle existing = installed(id.symbolicName());
            if (existing != null && id.version().compareTo(existing.getVersion()) <= 0 && !job.allowDowngrade()) {
                throw new Refused(id.symbolicName() + " " + id.version() + " is not newer than the installed "
                        + existing.getVersion() + "; allow a downgrade to install it anyway");
            }
            staged.add(new Staged(id.symbolicName(), existing == null ? null : existing.getVersion().toString(),
                    id.version().toString(), sha.toLowerCase(), describe, newJar(i),
                    existing == null ? null : "old-" + i + ".jar", existing == null ? -1 : existing.getBundleId(),
                    existing == null, existing == null ? !id.fragment() : isActive(existing), null));
            job = save(job.step("staged " + id.symbolicName() + " " + id.version() + " (SHA-256 verified"
                    + (settings.signatures() != null ? ", signed by a trusted certificate)" : ")"), clock.instant()));
        }
        Set<Bundle> closure = closure(staged);
        if (closure.stream().anyMatch(b -> b.getBundleId() == selfId)) {
            throw new Refused("updating " + staged.stream().filter(s -> !s.installs()).map(Staged::symbolicName)
                    .collect(Collectors.joining(", ")) + " would restart the management bundle that runs the job;"
                    + " such bundles are updated with the distribution (see docs/operations.md)");
        }
        return save(job.withBundles(staged));
    }

    private JobFile stageUninstall(JobFile job, String symbolicName) throws IOException, Refused {
        Bundle b = installed(symbolicName);
        if (b == null) {
            throw new Refused("no bundle " + symbolicName + " is installed");
        }
        String refusal = uninstallRefusal(b);
        if (refusal != null) {
            throw new Refused(refusal);
        }
        Staged s = Staged.removal(symbolicName, b.getVersion().toString(), "old-0.jar", b.getBundleId(),
                isActive(b), b.getLocation());
        return save(job.withBundles(List.of(s)).step("staged the removal of " + symbolicName + " " + b.getVersion()
                + " (bundle " + b.getBundleId() + ", required by no other bundle)", clock.instant()));
    }

    /** Copies each bundle the job replaces and snapshots the configuration; only then is anything changed. */
    private JobFile backUp(JobFile job) throws Exception {
        Path work = store.workDir(job.id());
        for (Staged s : job.bundles()) {
            if (!s.installs()) {
                BundleJars.copyInstalled(bundle(s), work.resolve(s.backup()));
            }
        }
        Set<Bundle> closure = new LinkedHashSet<>(closure(job.bundles()));
        // What a job uninstalls will not run again.
        closure.removeIf(b -> job.bundles().stream().anyMatch(s -> s.uninstalls() && s.bundleId() == b.getBundleId()));
        List<String> active = closure.stream().filter(JobRunner::isActive).map(Bundle::getSymbolicName).sorted()
                .toList();
        List<String> running = components.running(closure).stream().sorted().toList();
        String snapshot = config.snapshot("before job " + job.id());
        return save(job.withBackupState(snapshot, running, active).to(JobState.APPLYING,
                "updating " + describe(job.bundles()), clock.instant()));
    }

    private JobFile apply(JobFile job) throws Exception {
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        FrameworkListener listener = watchErrors(job, errors);
        try {
            List<Staged> order = dependencyOrder(job.bundles());
            for (int i = order.size() - 1; i >= 0; i--) {
                Staged s = order.get(i);
                if (!s.installs() && isActive(bundle(s))) {
                    bundle(s).stop(Bundle.STOP_TRANSIENT);
                }
            }
            Path work = store.workDir(job.id());
            List<Staged> done = new ArrayList<>(job.bundles());
            List<Bundle> toRefresh = new ArrayList<>();
            for (Staged s : order) {
                checkInterrupted();
                if (s.uninstalls()) {
                    Bundle b = bundle(s);
                    if (s.location().startsWith(DIST_LOCATION_PREFIX)) {
                        // Before the bundle goes, with the job APPLYING on disk: a crash from here on rolls back,
                        // which takes the name out again.
                        removed.add(s.symbolicName());
                    }
                    try {
                        b.uninstall();
                    } catch (BundleException e) {
                        throw new Refused(s.symbolicName() + " cannot be uninstalled: " + e.getMessage());
                    }
                    toRefresh.add(b);
                    job = save(job.step("uninstalled " + s.symbolicName() + " " + s.fromVersion(), clock.instant()));
                    continue;
                }
                try (InputStream in = Files.newInputStream(work.resolve(s.jar()))) {
                    if (s.installs()) {
                        Bundle b = context.installBundle(LOCATION_PREFIX + s.symbolicName(), in);
                        b.adapt(BundleStartLevel.class).setStartLevel(newBundleStartLevel());
                        done.set(done.indexOf(s), s.withBundleId(b.getBundleId()));
                        toRefresh.add(b);
                        job = save(job.withBundles(done).step("installed " + s.symbolicName() + " " + s.toVersion()
                                + " as bundle " + b.getBundleId(), clock.instant()));
                    } else {
                        bundle(s).update(in);
                        toRefresh.add(bundle(s));
                        job = save(job.step("updated " + s.symbolicName() + " " + s.fromVersion() + " -> "
                                + s.toVersion(), clock.instant()));
                    }
                } catch (BundleException e) {
                    throw new Refused(s.symbolicName() + " " + s.toVersion() + " cannot be installed: "
                            + e.getMessage());
                }
            }
            refresh(toRefresh);
            for (Staged s : dependencyOrder(job.bundles())) {
                checkInterrupted();
                if (s.uninstalls()) {
                    continue;
                }
                Bundle b = bundle(s);
                if (s.wasActive() && b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    try {
                        b.start();
                    } catch (BundleException e) {
                        throw new Refused(s.symbolicName() + " " + s.toVersion() + " does not start: "
                                + withCause(e));
                    }
                }
            }
            for (String bsn : job.expectedActive()) {
                Bundle b = installed(bsn);
                if (b != null && !isActive(b)) {
                    try {
                        b.start(Bundle.START_TRANSIENT);
                    } catch (BundleException e) {
                        throw new Refused(bsn + " depends on the updated bundles and does not start again: "
                                + withCause(e));
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw new Refused(String.join("; ", errors));
            }
            return job;
        } finally {
            context.removeFrameworkListener(listener);
        }
    }

    private void awaitHealth(JobFile job) throws Exception {
        long start = System.nanoTime();
        long deadline = start + settings.healthTimeout().toNanos();
        String last = null;
        while (true) {
            checkInterrupted();
            Collection<Bundle> touched = touched(job);
            List<String> failures = components.failures(touched);
            if (!failures.isEmpty()) {
                rollBack(job, "a component failed to activate: " + String.join("; ", failures));
                return;
            }
            Set<String> missing = new LinkedHashSet<>(job.expectedComponents());
            missing.removeAll(components.running(touched));
            String problem = missing.isEmpty() ? health.problem(settings.probeTimeout())
                    : "components not running again: " + String.join(", ", missing);
            if (problem == null) {
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                finish(job.to(JobState.COMMITTED, "healthy " + seconds + " s after applying "
                        + describe(job.bundles()), clock.instant()));
                return;
            }
            if (!problem.equals(last)) {
                LOG.info("Job {} waits for health: {}", job.id(), problem);
                job = save(job.step("waiting for health: " + problem, clock.instant()));
                last = problem;
            }
            if (System.nanoTime() - deadline > 0) {
                rollBack(job, "not healthy within " + settings.healthTimeout().toSeconds() + " s: " + problem);
                return;
            }
            sleep(settings.healthInterval());
        }
    }

    private void rollBack(JobFile job, String reason) throws Exception {
        LOG.warn("Job {} rolls back: {}", job.id(), reason);
        job = save(job.to(JobState.ROLLING_BACK, reason, clock.instant()));
        List<String> problems = new ArrayList<>();
        Path work = store.workDir(job.id());
        List<Staged> order = dependencyOrder(job.bundles());
        List<Bundle> toRefresh = new ArrayList<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            Bundle b = present(order.get(i));
            if (b != null && isActive(b)) {
                stopQuietly(b, problems);
            }
        }
        for (Staged s : order) {
            try {
                if (s.uninstalls()) {
                    Bundle b = context.getBundle(s.location());
                    if (b == null) {
                        try (InputStream in = Files.newInputStream(work.resolve(s.backup()))) {
                            b = context.installBundle(s.location(), in);
                        }
                        b.adapt(BundleStartLevel.class).setStartLevel(newBundleStartLevel());
                    }
                    removed.remove(s.symbolicName());
                    toRefresh.add(b);
                } else if (s.installs()) {
                    Bundle b = context.getBundle(LOCATION_PREFIX + s.symbolicName());
                    if (b != null) {
                        b.uninstall();
                        toRefresh.add(b);
                    }
                } else {
                    Bundle b = bundle(s);
                    try (InputStream in = Files.newInputStream(work.resolve(s.backup()))) {
                        b.update(in);
                    }
                    toRefresh.add(b);
                }
            } catch (BundleException | IOException | RuntimeException e) {
                problems.add(s.symbolicName() + " cannot be restored: " + withCause(e));
            }
        }
        try {
            refresh(toRefresh);
        } catch (Refused e) {
            problems.add(e.getMessage());
        }
        if (job.configSnapshot() != null) {
            try {
                config.restore(job.configSnapshot());
            } catch (Exception e) {
                problems.add("the configuration cannot be restored from snapshot " + job.configSnapshot() + ": " + e);
            }
        }
        for (Staged s : order) {
            Bundle b = present(s);
            if (!s.installs() && s.wasActive() && b != null) {
                startQuietly(b, problems);
            }
        }
        for (String bsn : job.expectedActive()) {
            Bundle b = installed(bsn);
            if (b != null && !isActive(b)) {
                startQuietly(b, problems);
            }
        }
        String after = problems.isEmpty() ? healthAfterRollback(job) : null;
        if (problems.isEmpty()) {
            finish(job.to(JobState.ROLLED_BACK, reason + "; the previous bundles and configuration are back"
                    + (after == null ? " and the gateway is healthy" : ", but the gateway is not healthy: " + after),
                    clock.instant()));
        } else {
            finish(job.to(JobState.ROLLBACK_FAILED, reason + "; restoring the previous bundles failed: "
                    + String.join("; ", problems), clock.instant()));
        }
    }

    /** Waits, within the health timeout, for health after a rollback; null when healthy. */
    private String healthAfterRollback(JobFile job) {
        long deadline = System.nanoTime() + settings.healthTimeout().toNanos();
        String problem;
        do {
            Set<String> missing = new LinkedHashSet<>(job.expectedComponents());
            missing.removeAll(components.running(touched(job)));
            problem = missing.isEmpty() ? health.problem(settings.probeTimeout())
                    : "components not running: " + String.join(", ", missing);
            if (problem == null || Thread.currentThread().isInterrupted()) {
                return problem;
            }
            try {
                Thread.sleep(settings.healthInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return problem;
            }
        } while (System.nanoTime() - deadline < 0);
        return problem;
    }

    // ---- helpers ----

    private JobFile save(JobFile job) throws IOException {
        JobFile before = current;
        store.write(job);
        current = job;
        if (before == null || before.state() != job.state() || !before.id().equals(job.id())) {
            try {
                listener.accept(job.toJob());
            } catch (RuntimeException e) {
                LOG.warn("A job listener failed: {}", e.toString());
            }
        }
        return job;
    }

    private void finish(JobFile job) throws IOException {
        save(job);
        switch (job.state()) {
            case COMMITTED -> LOG.info("Job {} committed: {}", job.id(), job.outcome());
            case FAILED -> LOG.warn("Job {} failed: {}", job.id(), job.outcome());
            case ROLLED_BACK -> LOG.warn("Job {} rolled back: {}", job.id(), job.outcome());
            default -> LOG.error("Job {} ended {}: {}", job.id(), job.state(), job.outcome());
        }
        try {
            store.cleanUp(job.id());
        } catch (IOException e) {
            LOG.warn("The files of job {} could not be deleted: {}", job.id(), e.toString());
        }
    }

    private void finishQuietly(JobFile job) {
        try {
            finish(job);
        } catch (IOException e) {
            LOG.error("Job {} cannot be written: {}", job.id(), e.toString());
        }
    }

    private void refresh(Collection<Bundle> bundles) throws Refused {
        if (bundles.isEmpty()) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .refreshBundles(bundles, event -> done.countDown());
        try {
            if (!done.await(settings.refreshTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Refused("the framework did not finish refreshing within "
                        + settings.refreshTimeout().toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        }
    }

    /**
     * Framework errors (a bundle that fails to start during a refresh) about the bundles a job touches. A service
     * factory that gave nothing is not one: Declarative Services gives nothing for a component asked for while
     * one of its references comes and goes (or while a component it needs is being activated on another thread),
     * which a refresh of a bundle that others reference makes likely, and the one who asked binds it when it
     * comes. A component that really fails to activate is seen in its state ({@link #awaitHealth}).
     */
    private FrameworkListener watchErrors(JobFile job, ConcurrentLinkedQueue<String> errors) {
        Set<String> names = new HashSet<>(job.expectedActive());
        job.bundles().forEach(s -> names.add(s.symbolicName()));
        FrameworkListener l = event -> {
            if (event.getType() != FrameworkEvent.ERROR || event.getBundle() == null
                    || !names.contains(event.getBundle().getSymbolicName())) {
                return;
            }
            if (event.getThrowable() instanceof ServiceException se && se.getType() == ServiceException.FACTORY_ERROR) {
                LOG.info("Job {}: {} during the refresh ({}): left to the components' state", job.id(),
                        event.getBundle().getSymbolicName(), withCause(se));
                return;
            }
            errors.add(event.getBundle().getSymbolicName() + ": " + withCause(event.getThrowable()));
        };
        context.addFrameworkListener(l);
        return l;
    }

    /** The bundles that depend on the ones a job updates, transitively, themselves included. */
    private Set<Bundle> closure(List<Staged> staged) {
        List<Bundle> existing = staged.stream().filter(s -> !s.installs()).map(this::bundle).toList();
        if (existing.isEmpty()) {
            return Set.of();
        }
        return new LinkedHashSet<>(context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .getDependencyClosure(existing));
    }

    /** The bundles whose components a job watches: those it changes and those that were active around them. */
    private Collection<Bundle> touched(JobFile job) {
        Set<String> names = new HashSet<>(job.expectedActive());
        job.bundles().forEach(s -> names.add(s.symbolicName()));
        List<Bundle> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (names.contains(b.getSymbolicName())) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * Providers before the bundles wired to them (as wired now); bundles a job
     * installs come first, as they can only be providers of the rest.
     */
    private List<Staged> dependencyOrder(List<Staged> staged) {
        List<Staged> out = new ArrayList<>(staged.stream().filter(Staged::installs).toList());
        Map<Long, Staged> pending = new LinkedHashMap<>();
        staged.stream().filter(s -> !s.installs()).forEach(s -> pending.put(s.bundleId(), s));
        while (!pending.isEmpty()) {
            Staged next = pending.values().stream()
                    .filter(s -> providersOf(s.bundleId()).stream().noneMatch(pending::containsKey)).findFirst()
                    .orElse(pending.values().iterator().next());
            out.add(next);
            pending.remove(next.bundleId());
        }
        return out;
    }

    private Set<Long> providersOf(long bundleId) {
        Bundle b = context.getBundle(bundleId);
        BundleWiring wiring = b == null ? null : b.adapt(BundleWiring.class);
        if (wiring == null) {
            return Set.of();
        }
        Set<Long> ids = new HashSet<>();
        for (BundleWire w : wiring.getRequiredWires(null)) {
            long provider = w.getProvider().getBundle().getBundleId();
            if (provider != bundleId) {
                ids.add(provider);
            }
        }
        return ids;
    }

    /** The bundle of a staged entry as it is now, or null when it is not installed. */
    private Bundle present(Staged s) {
        if (s.installs()) {
            return context.getBundle(LOCATION_PREFIX + s.symbolicName());
        }
        return s.uninstalls() ? context.getBundle(s.location()) : context.getBundle(s.bundleId());
    }

    private Bundle bundle(Staged s) {
        Bundle b = context.getBundle(s.bundleId());
        if (b == null) {
            throw new IllegalStateException(s.symbolicName() + " (bundle " + s.bundleId() + ") is no longer installed");
        }
        return b;
    }

    /** The installed bundle of a symbolic name (the highest version if several), or null. */
    private Bundle installed(String symbolicName) {
        Bundle found = null;
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())
                    && (found == null || b.getVersion().compareTo(found.getVersion()) > 0)) {
                found = b;
            }
        }
        return found;
    }

    private int newBundleStartLevel() {
        Bundle self = context.getBundle(selfId);
        BundleStartLevel level = self == null ? null : self.adapt(BundleStartLevel.class);
        return level == null ? 1 : Math.max(1, level.getStartLevel()); // the system bundle's is 0
    }

    private void awaitFrameworkStarted() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (system.getState() != Bundle.ACTIVE && System.nanoTime() - deadline < 0) {
            sleep(Duration.ofMillis(200));
        }
    }

    private static void stopQuietly(Bundle b, List<String> problems) {
        try {
            b.stop(Bundle.STOP_TRANSIENT);
        } catch (BundleException | RuntimeException e) {
            problems.add(b.getSymbolicName() + " does not stop: " + withCause(e));
        }
    }

    private static void startQuietly(Bundle b, List<String> problems) {
        try {
            b.start();
        } catch (BundleException | RuntimeException e) {
            problems.add(b.getSymbolicName() + " does not start again: " + withCause(e));
        }
    }

    static boolean isActive(Bundle b) {
        return (b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0;
    }

    private static String describe(List<Staged> bundles) {
        return bundles.stream().map(s -> s.symbolicName() + " " + (s.fromVersion() == null ? "(new)" : s.fromVersion())
                + " -> " + (s.uninstalls() ? "(uninstalled)" : s.toVersion())).collect(Collectors.joining(", "));
    }

    static String newJar(int index) {
        return "new-" + index + ".jar";
    }

    /** An exception's message with its cause's, which is where an activator's own exception is. */
    static String withCause(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String text = e.getMessage() == null ? e.toString() : e.getMessage();
        Throwable cause = e.getCause();
        return cause == null || cause == e ? text : text + " (" + cause + ")";
    }

    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new Interrupted();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        }
    }

    /** A job step refused; the message says why in an operator's words. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** The job thread was interrupted because the bundle stops: leave the job on disk as it is. */
    private static final class Interrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
