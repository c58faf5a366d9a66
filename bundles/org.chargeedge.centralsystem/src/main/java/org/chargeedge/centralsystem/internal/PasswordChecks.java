package org.chargeedge.centralsystem.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue of bcrypt password checks, run one at a time on a thread of its own (a check costs 50-100 ms
 * of CPU on a site PC; two cores also serve the chargers' messages).
 *
 * <p>So that a burst of bad logins cannot keep the site's chargers out, checks are taken in turn per
 * address (round robin): a charger connecting for the first time waits for at most one check of each
 * other address, however many one address has queued. Addresses with no recent failed login go before
 * those that failed lately, and the latter may have only {@link #PER_SUSPECT_ADDRESS} checks queued at
 * once. Every check has a deadline well inside the handshake timeout: one still queued when its deadline
 * passes is answered "busy" instead of checked, so every handshake gets an answer rather than a closed
 * socket, and the queue never holds work nobody waits for.
 *
 * <p>Threads: {@link #submit} on any thread (Netty event loops); the checks and their answers run on the
 * checking thread. The queues are guarded by this object's lock.
 */
final class PasswordChecks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PasswordChecks.class);
    static final int PER_SUSPECT_ADDRESS = 2;

    /** One check: {@code check} runs it and answers; {@code busy} answers without checking. */
    private record Task(long deadlineNanos, Runnable check, Runnable busy) {
    }

    /** Checks queued per address, addresses in turn order; a lane holds at most {@code capacity} checks. */
    private static final class Lane {
        final int capacity;
        /** Address -> its checks, oldest first; the first address is next; empty queues are removed. */
        final LinkedHashMap<String, ArrayDeque<Task>> byAddress = new LinkedHashMap<>();
        int size;

        Lane(int capacity) {
            this.capacity = capacity;
        }

        int queued(String address) {
            ArrayDeque<Task> q = byAddress.get(address);
            return q == null ? 0 : q.size();
        }

        void add(String address, Task task) {
            byAddress.computeIfAbsent(address, a -> new ArrayDeque<>()).add(task);
            size++;
        }

        /** The next address's oldest check; the address moves to the end of the turn order. */
        Task poll() {
            Iterator<Map.Entry<String, ArrayDeque<Task>>> it = byAddress.entrySet().iterator();
            Map.Entry<String, ArrayDeque<Task>> first = it.next();
            Task task = first.getValue().poll();
            it.remove();
            if (!first.getValue().isEmpty()) {
                byAddress.put(first.getKey(), first.getValue());
            }
            size--;
            return task;
        }

        void drainTo(List<Task> into) {
            byAddress.values().forEach(into::addAll);
            byAddress.clear();
            size = 0;
        }
    }

    private final long maxWaitNanos;
    private final LongSupplier nanoTime;
    private final Lane clean;
    private final Lane suspect;
    private final Thread thread;
    private boolean closed;

    PasswordChecks(int cleanLane, int suspectLane, Duration maxWait) {
        this(cleanLane, suspectLane, maxWait, System::nanoTime);
    }

    PasswordChecks(int cleanLane, int suspectLane, Duration maxWait, LongSupplier nanoTime) {
        this.clean = new Lane(cleanLane);
        this.suspect = new Lane(suspectLane);
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoTime = nanoTime;
        this.thread = new Thread(this::run, "chargeedge-ocpp-auth");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues a check. Returns false, having run nothing, when its lane is full, or when a suspect address
     * already has its share queued: the caller answers "busy" at once.
     *
     * @param suspect whether the address failed a login lately
     * @param check runs the check and answers the handshake; on the checking thread
     * @param busy answers the handshake without a check, when the deadline passed; on the checking thread
     */
    boolean submit(String address, boolean suspect, Runnable check, Runnable busy) {
        Task task = new Task(nanoTime.getAsLong() + maxWaitNanos, check, busy);
        synchronized (this) {
            Lane lane = suspect ? this.suspect : clean;
            if (closed || lane.size >= lane.capacity
                    || suspect && lane.queued(address) >= PER_SUSPECT_ADDRESS) {
                return false;
            }
            lane.add(address, task);
            notifyAll();
        }
        return true;
    }

    /** Checks queued now, both lanes. */
    synchronized int queued() {
        return clean.size + suspect.size;
    }

    private synchronized Task next() throws InterruptedException {
        while (clean.size == 0 && suspect.size == 0) {
            if (closed) {
                return null;
            }
            wait();
        }
        return clean.size > 0 ? clean.poll() : suspect.poll();
    }

    private void run() {
        try {
            for (Task task = next(); task != null; task = next()) {
                try {
                    if (nanoTime.getAsLong() - task.deadlineNanos() > 0) {
                        task.busy().run();
                    } else {
                        task.check().run();
                    }
                } catch (RuntimeException e) {
                    LOG.error("BUG: a password check failed", e);
                    task.busy().run();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread; checks still queued are answered "busy" on the caller's thread. */
    @Override
    public void close() {
        List<Task> left = new ArrayList<>();
        synchronized (this) {
            closed = true;
            clean.drainTo(left);
            suspect.drainTo(left);
            notifyAll();
        }
        left.forEach(t -> t.busy().run());
        thread.interrupt();
    }
}
