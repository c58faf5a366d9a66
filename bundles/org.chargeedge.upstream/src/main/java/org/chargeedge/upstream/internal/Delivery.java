package org.chargeedge.upstream.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.api.store.OutboundJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the CSMS has answered a charger's journal, and the acknowledgements that make it durable;
 * and which connector statuses the CSMS has answered.
 * Kept per charger across its links (a charger that reboots gets a new link while the old one's
 * acknowledgement may still be committing), so a message the CSMS answered is never sent again
 * by this process, whatever the store has committed yet.
 *
 * <p>MeterValues are acknowledged in the background: one acknowledgement write at a time, each
 * covering every message answered so far (the queue's acknowledge is cumulative), while the
 * sender goes on. At most {@link #WINDOW} answered messages wait for their acknowledgement; only
 * a crash (kill -9, power loss) can make those be sent again. StartTransaction and
 * StopTransaction are acknowledged before the next message is sent (see the readme).
 *
 * <p>Threads: the sender (scheduler) and the store's writer thread (completions); all state is
 * guarded by this object's monitor, held only to read or change it.
 */
final class Delivery {

    /** Answered messages whose acknowledgement may still be uncommitted, at most. */
    static final int WINDOW = 1000;
    /** Messages read from the queue at once. */
    private static final int READ_AHEAD = 256;
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final String chargePointId;
    private final OutboundJournal queue;
    private final ScheduledExecutorService scheduler;
    private final Duration retryInterval;

    // Guarded by this.
    private long answeredUpTo;
    private long durableUpTo;
    /** Sequences answered whose acknowledgement is not known durable, in order. */
    private final ArrayDeque<Long> answeredNotDurable = new ArrayDeque<>();
    private boolean writing;
    private Runnable waitingForWindow;
    private final ArrayDeque<OutboundMessage> readAhead = new ArrayDeque<>();
    /** Waiting for every answered message to be acknowledged durably. */
    private final java.util.List<CompletableFuture<Void>> whenSettled = new java.util.ArrayList<>();
    /** The last status of each connector the CSMS answered, by connector id (in memory only). */
    private final java.util.HashMap<Integer, StatusNotificationRequest> statusesUpstream = new java.util.HashMap<>();

    Delivery(String chargePointId, OutboundJournal queue, ScheduledExecutorService scheduler, Duration retryInterval) {
        this.chargePointId = chargePointId;
        this.queue = queue;
        this.scheduler = scheduler;
        this.retryInterval = retryInterval;
    }

    /** The oldest queued message the CSMS has not answered, or null when there is none. */
    OutboundMessage next() {
        int limit;
        synchronized (this) {
            while (!readAhead.isEmpty() && readAhead.peekFirst().sequence() <= answeredUpTo) {
                readAhead.pollFirst();
            }
            if (!readAhead.isEmpty()) {
                return readAhead.peekFirst();
            }
            // Answered messages whose acknowledgement is still committing come first in what the store returns.
            limit = READ_AHEAD + answeredNotDurable.size();
        }
        while (true) {
            List<OutboundMessage> read = queue.peek(chargePointId, limit);
            synchronized (this) {
                for (OutboundMessage m : read) {
                    if (m.sequence() > answeredUpTo
                            && (readAhead.isEmpty() || m.sequence() > readAhead.peekLast().sequence())) {
                        readAhead.addLast(m);
                    }
                }
                if (!readAhead.isEmpty() || read.size() < limit) {
                    return readAhead.peekFirst();
                }
            }
            // Only answered ones in a full read (acknowledgements committed meanwhile are not among them): read further.
            limit *= 2;
        }
    }

    /** The CSMS answered this status of its connector: it is not announced again. */
    synchronized void statusAcknowledged(StatusNotificationRequest status) {
        statusesUpstream.put(status.connectorId(), status);
    }

    /**
     * Whether the CSMS has answered this very status of the connector (same status, error code and
     * timestamp) since the gateway started. A status it already acknowledged before an outage is not
     * announced again after it.
     */
    synchronized boolean statusKnownUpstream(StatusNotificationRequest status) {
        StatusNotificationRequest known = statusesUpstream.get(status.connectorId());
        return known != null && known.status() == status.status() && known.errorCode() == status.errorCode()
                && java.util.Objects.equals(known.timestamp(), status.timestamp());
    }

    /** Forgets what was read ahead: parked messages and requeued ones are read again from the store. */
    synchronized void reread() {
        readAhead.clear();
    }

    /** The message left the queue another way (parked). */
    synchronized void removed(long sequence) {
        readAhead.removeIf(m -> m.sequence() == sequence);
    }

    /**
     * Runs {@code sender} when the window of answered messages waiting for their acknowledgement
     * has room; returns true when it had room at once (the sender goes on without waiting).
     */
    synchronized boolean windowOpen(Runnable sender) {
        if (answeredNotDurable.size() < WINDOW) {
            return true;
        }
        waitingForWindow = sender;
        return false;
    }

    /** The CSMS answered {@code sequence}: never sent again by this process; acknowledged in the background. */
    void answered(long sequence) {
        synchronized (this) {
            if (sequence <= answeredUpTo) {
                return;
            }
            answeredUpTo = sequence;
            answeredNotDurable.addLast(sequence);
            if (writing) {
                return;
            }
            writing = true;
        }
        write();
    }

    /**
     * The CSMS answered {@code sequence}; completes once it and everything before it is
     * acknowledged durably.
     */
    CompletableFuture<Void> answeredDurably(long sequence) {
        synchronized (this) {
            if (sequence > answeredUpTo) {
                answeredUpTo = sequence;
                answeredNotDurable.addLast(sequence);
            }
        }
        return queue.acknowledge(chargePointId, sequence).toCompletableFuture().thenRun(() -> durable(sequence, false));
    }

    private void write() {
        long target;
        synchronized (this) {
            target = answeredUpTo;
        }
        queue.acknowledge(chargePointId, target).whenComplete((v, e) -> {
            if (e != null) {
                // The messages stay answered in memory; only a crash before a later success sends them again.
                LOG.error("{}: cannot acknowledge the upstream queue up to {}: {}; retrying in {} ms", chargePointId,
                        target, e.toString(), retryInterval.toMillis());
                scheduler.schedule(this::write, retryInterval.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            durable(target, true);
        });
    }

    /** Completes once every message the CSMS answered so far is acknowledged durably. */
    CompletableFuture<Void> settled() {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        synchronized (this) {
            if (!answeredNotDurable.isEmpty()) {
                whenSettled.add(settled);
                return settled;
            }
        }
        settled.complete(null);
        return settled;
    }

    /** Everything up to {@code sequence} is durable; {@code writer}: the background write's completion. */
    private void durable(long sequence, boolean writer) {
        Runnable wake;
        boolean again = false;
        java.util.List<CompletableFuture<Void>> settled = java.util.List.of();
        synchronized (this) {
            durableUpTo = Math.max(durableUpTo, sequence);
            while (!answeredNotDurable.isEmpty() && answeredNotDurable.peekFirst() <= durableUpTo) {
                answeredNotDurable.pollFirst();
            }
            if (answeredNotDurable.isEmpty() && !whenSettled.isEmpty()) {
                settled = new java.util.ArrayList<>(whenSettled);
                whenSettled.clear();
            }
            if (writer) {
                // One background write at a time; the next covers whatever was answered meanwhile.
                again = answeredUpTo > durableUpTo;
                writing = again;
            }
            wake = answeredNotDurable.size() < WINDOW ? waitingForWindow : null;
            if (wake != null) {
                waitingForWindow = null;
            }
        }
        settled.forEach(f -> f.complete(null));
        if (again) {
            write();
        }
        if (wake != null) {
            scheduler.execute(wake);
        }
    }
}
