package org.chargeedge.systemd.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoreHealth;

/**
 * Whether the store commits. A write probe ({@link SiteStore#writeProbe}, a commit of nothing
 * through the writer) that stays unanswered longer than {@code stuckAfter} means the writer no
 * longer commits: {@link Finding.Kind#FAILED}, a restart cures it. A store whose writes fail
 * (a full disk, I/O errors: {@link SiteStore#health}) is {@link Finding.Kind#DEGRADED}: a restart
 * cannot make room on a disk, and chargers' other calls are still answered. The probe never
 * blocks this thread: each check looks at the last probe's stage and starts the next.
 *
 * State is the watchdog thread's.
 */
final class StoreCheck implements HealthCheck {

    private final Supplier<SiteStore> store;
    private final long stuckAfterNanos;
    private SiteStore current;
    private CompletableFuture<Void> probe;
    private long probeStarted;

    StoreCheck(Supplier<SiteStore> store, Duration stuckAfter) {
        this.store = store;
        this.stuckAfterNanos = stuckAfter.toNanos();
    }

    @Override
    public Finding check(long nowNanos) {
        SiteStore s = store.get();
        if (s != current) {
            current = s;
            probe = null;
        }
        if (s == null) {
            return Finding.degraded("the store is not running");
        }
        String probeProblem = null;
        if (probe != null && !probe.isDone()) {
            long waited = nowNanos - probeStarted;
            if (waited > stuckAfterNanos) {
                return Finding.failed("the store has not committed for " + waited / 1_000_000_000
                        + " s (its writer is stuck)");
            }
        } else {
            if (probe != null && probe.isCompletedExceptionally()) {
                probeProblem = probe.handle((v, e) -> e == null ? null : rootMessage(e)).join();
            }
            probe = s.writeProbe().toCompletableFuture();
            probeStarted = nowNanos;
        }
        StoreHealth health = s.health();
        if (!health.ok()) {
            return Finding.degraded("the store cannot write since " + health.since() + ": " + health.problem());
        }
        return probeProblem == null ? Finding.OK : Finding.degraded("the store cannot commit: " + probeProblem);
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }
}
