package org.chargeedge.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.store.StoreException;
import org.chargeedge.api.store.StoreStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's only writer. One thread ({@code chargeedge-store-writer}) owns the write connection,
 * every statement prepared on it, the maintenance state and the health transitions. It does group
 * commit: it takes every write waiting (at most {@code maxBatchSize}), runs them in one SQLite
 * transaction, commits (with {@code synchronous=FULL} the commit returns once the WAL is synced)
 * and only then completes their stages. When the transaction or its commit fails, every stage of
 * that batch fails with a {@link StoreException} and nothing is retried: the callers decide.
 *
 * <p>Stages are completed on a second thread ({@code chargeedge-store-completion}), because what
 * callers chain onto them (answering chargers) must not hold up the next commit.
 */
final class Writer {

    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

    /** A write, run on the writer thread inside a transaction. */
    @FunctionalInterface
    interface Work<T> {
        /**
         * Runs the write. Throwing a {@link StoreException} refuses this write alone and must happen
         * before the write changed anything; any other failure fails the whole batch.
         */
        T run(Session session) throws SQLException;
    }

    /** Periodic work (pruning) run by the writer in transactions of its own, between batches. */
    interface Maintenance {
        /** Does one small step; true when there is more to do right away. */
        boolean step(Session session) throws SQLException;
    }

    /** The write connection as the writer thread's work sees it. */
    static final class Session {
        private final Connection connection;
        // Prepared once per SQL text for the connection's life; only the writer thread uses them.
        private final Map<String, PreparedStatement> statements = new HashMap<>();

        Session(Connection connection) {
            this.connection = connection;
        }

        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement ps = statements.get(sql);
            if (ps == null) {
                ps = connection.prepareStatement(sql);
                statements.put(sql, ps);
            }
            return ps;
        }

        /**
         * Drops the prepared statements: a statement whose execution failed may be left unusable by
         * the driver ("statement is not executing"), so after a failure they are prepared anew.
         */
        void forgetStatements() {
            for (PreparedStatement ps : statements.values()) {
                try {
                    ps.close();
                } catch (SQLException e) {
                    LOG.debug("Closing a failed statement: {}", e.toString());
                }
            }
            statements.clear();
        }

        void execute(String sql) throws SQLException {
            try (Statement st = connection.createStatement()) {
                st.execute(sql);
            }
        }

        Connection connection() {
            return connection;
        }

        void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.warn("Closing the store's write connection failed: {}", e.toString());
            }
        }
    }

    /** Whether writes succeed; written by the writer thread only. */
    record Health(boolean ok, String problem, Instant since) {
    }

    private record Job<T>(Work<T> work, CompletableFuture<T> done) {
    }

    private static final Job<Void> STOP = new Job<>(s -> null, new CompletableFuture<>());

    private final Session session;
    private final int maxBatchSize;
    private final Maintenance maintenance;
    private final long maintenanceIntervalNanos;
    private final Clock clock;
    /** Hands writes from any thread to the writer thread. */
    private final LinkedBlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final ExecutorService completion;

    // Guarded by this: a write submitted after close() is refused, never left waiting.
    private boolean closed;

    private volatile Health health;
    // Written by the writer thread only; read for statistics.
    private volatile long commits;
    private volatile long writes;
    private volatile int largestBatch;
    private volatile long maintenanceSteps;

    // Writer thread only: the commit durations counted per bucket of StoreStatistics.COMMIT_BOUNDS, their
    // sum and the failed commits; published after every commit as an immutable snapshot in statistics.
    private final long[] commitBuckets = new long[StoreStatistics.COMMIT_BOUNDS.size() + 1];
    private double commitSecondsSum;
    private long failedCommits;
    private volatile StoreStatistics statistics = StoreStatistics.NONE;

    // Writer thread only.
    private long nextMaintenance;
    private boolean maintenanceRequested;

    /** Takes over {@code connection}: from now on only the writer thread uses it. */
    Writer(Connection connection, int maxBatchSize, Maintenance maintenance, Duration maintenanceInterval,
           Clock clock) {
        this.session = new Session(connection);
        this.maxBatchSize = maxBatchSize;
        this.maintenance = maintenance;
        this.maintenanceIntervalNanos = maintenanceInterval.toNanos();
        this.clock = clock;
        this.health = new Health(true, null, clock.instant());
        this.nextMaintenance = System.nanoTime() + maintenanceIntervalNanos;
        this.completion = Executors.newSingleThreadExecutor(r -> daemon(r, "chargeedge-store-completion"));
        this.thread = daemon(this::run, "chargeedge-store-writer");
        thread.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Queues a write; its stage completes once it is committed and synced, or fails with a StoreException. */
    <T> CompletableFuture<T> submit(Work<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        synchronized (this) {
            if (!closed) {
                queue.add(new Job<>(work, done));
                return done;
            }
        }
        done.completeExceptionally(new StoreException("the store is closed", null));
        return done;
    }

    /** Runs the maintenance now, after the writes already queued. */
    void requestMaintenance() {
        submit(s -> {
            maintenanceRequested = true;
            return null;
        });
    }

    Health health() {
        return health;
    }

    long commits() {
        return commits;
    }

    long writes() {
        return writes;
    }

    int largestBatch() {
        return largestBatch;
    }

    long maintenanceSteps() {
        return maintenanceSteps;
    }

    /** The group commits' durations and counts so far; maintenance steps are not counted. */
    StoreStatistics statistics() {
        return statistics;
    }

    /** Commits what is queued, stops the thread and closes the connection. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        completion.shutdown();
        LOG.info("Store writer stopped: {} writes in {} commits, largest batch {}", writes, commits, largestBatch);
    }

    private void run() {
        List<Job<?>> batch = new ArrayList<>();
        try {
            boolean stop = false;
            while (!stop) {
                long wait = maintenanceRequested ? 0 : Math.max(0, nextMaintenance - System.nanoTime());
                Job<?> first = queue.poll(wait, TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, maxBatchSize - 1);
                    // STOP is the last job ever queued.
                    stop = batch.get(batch.size() - 1) == STOP;
                    if (stop) {
                        batch.remove(batch.size() - 1);
                    }
                    if (!batch.isEmpty()) {
                        commit(batch);
                    }
                    batch.clear();
                }
                if (!stop && (maintenanceRequested || System.nanoTime() - nextMaintenance >= 0)) {
                    maintain();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            StoreException closedError = new StoreException("the store is closed", null);
            batch.forEach(job -> job.done().completeExceptionally(closedError));
            queue.forEach(job -> job.done().completeExceptionally(closedError));
            session.close();
        }
    }

    private void commit(List<Job<?>> batch) {
        Object[] results = new Object[batch.size()];
        long began = System.nanoTime();
        try {
            session.execute("BEGIN IMMEDIATE");
            for (int i = 0; i < results.length; i++) {
                try {
                    results[i] = batch.get(i).work().run(session);
                } catch (StoreException refused) {
                    results[i] = refused;
                }
            }
            session.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
            rollback();
            failed(e);
            failedCommits++;
            publishStatistics();
            StoreException error = new StoreException("cannot store: " + describe(e), e);
            List<Job<?>> failed = List.copyOf(batch);
            completion.execute(() -> failed.forEach(job -> job.done().completeExceptionally(error)));
            return;
        }
        measured(System.nanoTime() - began);
        succeeded();
        commits++;
        writes += results.length;
        largestBatch = Math.max(largestBatch, results.length);
        publishStatistics();
        List<Job<?>> done = List.copyOf(batch);
        completion.execute(() -> {
            for (int i = 0; i < results.length; i++) {
                complete(done.get(i), results[i]);
            }
        });
    }

    /** Counts a commit that took {@code nanos}, BEGIN to the end of COMMIT (the WAL's sync included). */
    private void measured(long nanos) {
        double seconds = nanos / 1e9;
        commitSecondsSum += seconds;
        List<Double> bounds = StoreStatistics.COMMIT_BOUNDS;
        int bucket = 0;
        while (bucket < bounds.size() && seconds > bounds.get(bucket)) {
            bucket++;
        }
        commitBuckets[bucket]++;
    }

    private void publishStatistics() {
        List<Long> buckets = new ArrayList<>(commitBuckets.length);
        for (long n : commitBuckets) {
            buckets.add(n);
        }
        statistics = new StoreStatistics(commits, failedCommits, writes, commitSecondsSum, buckets);
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Job<T> job, Object result) {
        if (result instanceof StoreException refused) {
            job.done().completeExceptionally(refused);
        } else {
            job.done().complete((T) result);
        }
    }

    private void maintain() {
        maintenanceRequested = false;
        boolean more;
        try {
            session.execute("BEGIN IMMEDIATE");
            more = maintenance.step(session);
            session.execute("COMMIT");
            maintenanceSteps++;
        } catch (SQLException | RuntimeException e) {
            rollback();
            failed(e);
            more = false;
        }
        nextMaintenance = System.nanoTime() + (more ? 0 : maintenanceIntervalNanos);
        if (!more) {
            return;
        }
        // One step at a time: writes waiting get their commit before the next step.
        maintenanceRequested = true;
    }

    private void rollback() {
        session.forgetStatements();
        try {
            session.execute("ROLLBACK");
        } catch (SQLException e) {
            // SQLite rolls back by itself after some errors (disk full, I/O): nothing left to undo.
            LOG.debug("Rollback after a failed write: {}", e.toString());
        }
    }

    /** Logs once per change of state, not once per write. */
    private void failed(Exception e) {
        String problem = describe(e);
        Health current = health;
        if (current.ok()) {
            LOG.error("Store cannot write: {}. Writes fail and chargers are refused until it can", problem, e);
            health = new Health(false, problem, clock.instant());
        } else if (!problem.equals(current.problem())) {
            LOG.error("Store still cannot write, now: {}", problem);
            health = new Health(false, problem, current.since());
        }
    }

    private void succeeded() {
        Health current = health;
        if (!current.ok()) {
            Instant now = clock.instant();
            LOG.info("Store writes again after {} s of failures ({})",
                    Duration.between(current.since(), now).toSeconds(), current.problem());
            health = new Health(true, null, now);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
