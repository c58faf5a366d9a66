package org.chargeedge.balancer.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Virtual time for the site simulation: a clock, a monotonic nanosecond source and a
 * {@link ScheduledExecutorService} whose tasks run when the simulation advances time past them, in time order
 * (ties in the order they were scheduled). Everything runs on the one thread that calls {@link #advanceTo}; nothing
 * here is thread-safe, and nothing needs to be: the controller, the simulated chargers and the site all post their
 * work here.
 */
final class VirtualTime {

    private final Instant start;
    private long nowNanos;
    private long sequence;
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();

    public VirtualTime(Instant start) {
        this.start = start;
    }

    public Instant now() {
        return start.plusNanos(nowNanos);
    }

    /** Nanoseconds since the start, as {@link System#nanoTime()} would count them. */
    public long nanoTime() {
        return nowNanos;
    }

    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now();
            }
        };
    }

    /** Runs every task due up to {@code until} (tasks they schedule included), then sets the time to it. */
    public void advanceTo(Instant until) {
        long target = Duration.between(start, until).toNanos();
        while (!queue.isEmpty() && queue.peek().at <= target) {
            Task<?> t = queue.poll();
            nowNanos = Math.max(nowNanos, t.at);
            t.runOnce();
        }
        nowNanos = Math.max(nowNanos, target);
    }

    public void advance(Duration d) {
        advanceTo(now().plus(d));
    }

    /** A new executor on this time; shutting it down drops its own tasks only (a gateway killed, say). */
    public ScheduledExecutorService executor() {
        return new Executor();
    }

    private final class Task<V> implements ScheduledFuture<V> {
        final Executor owner;
        final Callable<V> work;
        long at;
        final long period;
        final long seq = sequence++;
        boolean cancelled;
        boolean done;
        V result;
        Throwable failure;

        Task(Executor owner, Callable<V> work, long at, long period) {
            this.owner = owner;
            this.work = work;
            this.at = at;
            this.period = period;
        }

        void runOnce() {
            if (cancelled || owner.shutdown) {
                return;
            }
            try {
                V v = work.call();
                if (period == 0) {
                    result = v;
                    done = true;
                } else {
                    at = nowNanos + period;
                    queue.add(this);
                }
            } catch (Exception | AssertionError e) {
                failure = e;
                done = true;
                if (period != 0) {
                    throw new IllegalStateException("a periodic task failed", e);
                }
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - nowNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Task<?> other = (Task<?>) o;
            return at != other.at ? Long.compare(at, other.at) : Long.compare(seq, other.seq);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done) {
                return false;
            }
            cancelled = true;
            queue.remove(this);
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public V get() throws ExecutionException {
            if (cancelled) {
                throw new CancellationException();
            }
            if (!done) {
                throw new IllegalStateException("not run yet: virtual time does not wait");
            }
            if (failure != null) {
                throw new ExecutionException(failure);
            }
            return result;
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws ExecutionException {
            return get();
        }
    }

    private final class Executor extends AbstractExecutorService implements ScheduledExecutorService {
        boolean shutdown;

        private <V> Task<V> add(Callable<V> work, long delayNanos, long periodNanos) {
            if (shutdown) {
                throw new RejectedExecutionException("shut down");
            }
            Task<V> t = new Task<>(this, work, nowNanos + Math.max(0, delayNanos), periodNanos);
            queue.add(t);
            return t;
        }

        @Override
        public void execute(Runnable command) {
            add(() -> {
                command.run();
                return null;
            }, 0, 0);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return add(() -> {
                command.run();
                return null;
            }, unit.toNanos(delay), 0);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return add(callable, unit.toNanos(delay), 0);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
                                                      TimeUnit unit) {
            return scheduleWithFixedDelay(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                         TimeUnit unit) {
            return add(() -> {
                command.run();
                return null;
            }, unit.toNanos(initialDelay), Math.max(1, unit.toNanos(delay)));
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            queue.removeIf(t -> t.owner == this);
            return new ArrayList<>();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
