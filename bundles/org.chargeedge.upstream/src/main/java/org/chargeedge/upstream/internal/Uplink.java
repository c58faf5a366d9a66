package org.chargeedge.upstream.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.ocpp.rpc.OcppEndpoint;
import org.chargeedge.ocpp.rpc.RpcFrame;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One charger's link to the CSMS, made of three parts with a name each: the {@link CsmsConnection}
 * (the WebSocket, its reconnects and liveness), an {@link OcppEndpoint} per connection (the OCPP-J
 * call discipline: one CALL of ours in flight, correlation, timeouts counted from the moment a
 * call is made, the CSMS's CALLs answered one at a time by {@link CsmsCalls}), and the
 * {@link JournalReader} that announces the charger and delivers its journal in order.
 *
 * <p>A link is <em>ready</em> once the charger was announced on the current connection (its
 * BootNotification answered by the CSMS): only then are the charger's calls forwarded and the
 * journal delivered, so the CSMS never sees a message of a charger before its boot. A call of ours
 * that the CSMS does not answer in time drops the connection: the gateway answers locally at once
 * and reconnects, so at most the one message in flight can reach the CSMS twice.
 *
 * <p>Threads: connection events come on the HTTP client's threads (one at a time per socket);
 * the reader, timeouts and reconnects run on the shared scheduler; handlers call in from the
 * central system's threads. The current endpoint, the readiness and the drain hook are guarded by
 * this object's monitor, held only to read or change them.
 */
final class Uplink implements CsmsConnection.Events {

    private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);

    /** The link went down (or was closed) before the answer came. */
    static final class LinkDown extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LinkDown(String message) {
            super(message);
        }
    }

    private final String chargePointId;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Services services;
    private final Clock clock;
    private final CsmsConnection connection;
    private final CsmsCalls csmsCalls;
    private final JournalReader reader;
    private final ProblemLog problems;
    private final Trust trust;

    // Guarded by this.
    private OcppEndpoint endpoint;
    /** Counts connections: an announcement finishing for an earlier one must not make the current ready. */
    private long epoch;
    private boolean ready;
    /** The connection whose announcement has begun: one announcement per connection. */
    private long announcing = -1;
    private boolean closed;
    private Instant connectedSince;
    private Instant downSince;
    private String lastProblem;
    /** The charger's last BootNotification seen by this link's handler, newest first. */
    private BootNotificationRequest lastBoot;
    /** Set while the charger is not connected: run when the journal is delivered (closes the link). */
    private Runnable whenDrained;

    /**
     * Handlers wait here for the CSMS's answer to a StartTransaction or StopTransaction the store
     * journaled, by gateway transaction id. Written by handler threads and the reader: a concurrent
     * map; an entry lives until its answer or its timeout.
     */
    private final ConcurrentHashMap<Integer, CompletableFuture<JsonNode>> waiters = new ConcurrentHashMap<>();

    Uplink(String chargePointId, Settings settings, LinkClients clients, ScheduledExecutorService scheduler,
           Services services, Clock clock, Delivery delivery, ProblemLog problems, Trust trust) {
        this.chargePointId = chargePointId;
        this.settings = settings;
        this.scheduler = scheduler;
        this.services = services;
        this.clock = clock;
        this.problems = problems;
        this.trust = trust;
        this.downSince = clock.instant();
        this.connection = new CsmsConnection(chargePointId, settings, clients, scheduler, this);
        this.csmsCalls = new CsmsCalls(chargePointId, services);
        this.reader = new JournalReader(chargePointId, settings, scheduler, services, delivery, this);
    }

    String chargePointId() {
        return chargePointId;
    }

    void open() {
        connection.connect();
    }

    // ---- the connection's events ------------------------------------------------------------

    @Override
    public void opened() {
        OcppEndpoint created = OcppEndpoint.builder(connection::send, csmsCalls, scheduler)
                .codec(Payloads.codec()).listener(new EndpointEvents()).build();
        long current;
        synchronized (this) {
            endpoint = created;
            current = ++epoch;
            connectedSince = clock.instant();
            downSince = null;
            lastProblem = null;
            ready = false;
        }
        problems.up(chargePointId, settings.uri(chargePointId));
        scheduler.execute(() -> reader.announce(current));
    }

    @Override
    public void text(String text) {
        OcppEndpoint current;
        synchronized (this) {
            current = endpoint;
        }
        if (current != null) {
            current.received(text);
        }
    }

    @Override
    public void down(String reason) {
        OcppEndpoint gone;
        synchronized (this) {
            gone = endpoint;
            endpoint = null;
            ready = false;
            connectedSince = null;
            downSince = clock.instant();
            lastProblem = reason;
        }
        if (gone != null) {
            // Fails our calls in flight and queued: their handlers answer locally at once.
            gone.close("upstream link of " + chargePointId + " down: " + reason);
        }
    }

    @Override
    public Duration attemptFailed(Throwable cause, int attempt) {
        LinkProblem problem = LinkProblem.classify(cause, chargePointId, settings, trust);
        synchronized (this) {
            lastProblem = problem.summary();
        }
        // A refusal the CSMS will repeat (TLS trust, credentials, an unknown charger) does not go away
        // by itself: the slowest pace. A network problem may clear any moment: the usual backoff.
        Duration delay = problem.retryDelay(settings, attempt,
                java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        problems.failed(chargePointId, settings.uri(chargePointId), problem, delay);
        return delay;
    }

    /** What the endpoint tells; a call of ours unanswered in flight means the CSMS is not there. */
    private final class EndpointEvents implements OcppEndpoint.Listener {
        @Override
        public void callTimedOut(String action, String messageId, boolean sent) {
            if (sent) {
                connection.abort("no answer from the CSMS to " + action + " within its timeout");
            }
        }

        @Override
        public void malformedFrame(String text, org.chargeedge.ocpp.rpc.FrameException problem) {
            LOG.warn("{}: unreadable frame from the CSMS ({}): {}", chargePointId, problem.getMessage(), text);
        }

        @Override
        public void unknownAnswer(String messageId) {
            LOG.warn("{}: answer from the CSMS to no call of ours (message id {}); ignored", chargePointId,
                    messageId);
        }

        @Override
        public void handlerFailed(RpcFrame.Call call, Throwable problem) {
            LOG.error("{}: the CSMS's {} not handled", chargePointId, call.action(), problem);
        }
    }

    // ---- life ---------------------------------------------------------------------------------

    /** Takes no new journal message; completes once the one in flight is settled (see {@link JournalReader#stop}). */
    CompletableFuture<Void> quiesce() {
        return reader.stop();
    }

    /** Closes the link for good (the charger disconnected, or the component stops). */
    void close() {
        synchronized (this) {
            closed = true;
        }
        problems.forget(chargePointId);
        connection.close();
        waiters.values().forEach(w -> w.complete(null));
    }

    /** Whether the charger's calls go to the CSMS now: connected and announced. */
    synchronized boolean online() {
        return ready && endpoint != null;
    }

    /**
     * The charger is gone: the link stays only to deliver what is left in the charger's journal, and
     * {@code drained} runs (once) when the reader finds nothing more to send.
     */
    void drainThenClose(Runnable drained) {
        synchronized (this) {
            if (closed) {
                return;
            }
            whenDrained = drained;
        }
        // The reader may be idle with an empty journal already: let it look.
        pump();
    }

    /** The charger is back: the link serves it again. False when the link was closed meanwhile. */
    synchronized boolean keep() {
        whenDrained = null;
        return !closed;
    }

    synchronized boolean closed() {
        return closed;
    }

    synchronized boolean draining() {
        return whenDrained != null;
    }

    /** The drain hook, taken once, when the reader found the journal empty. */
    synchronized Runnable takeDrainHook() {
        Runnable hook = whenDrained;
        whenDrained = null;
        return hook;
    }

    // ---- the charger's boot -----------------------------------------------------------------

    /**
     * The charger sent a BootNotification. While the link is connected but the charger not yet
     * announced on it, this boot is the announcement: it goes to the CSMS (through {@link #announceWith})
     * and its answer makes the link ready. Returns the connection to announce on, or -1 when the
     * boot takes the usual way (the link is ready, or down).
     */
    long chargerBooted(BootNotificationRequest boot) {
        synchronized (this) {
            lastBoot = boot;
            if (endpoint == null || ready || announcing == epoch) {
                return -1;
            }
            announcing = epoch;
            return epoch;
        }
    }

    /** The announcement of connection {@code connection} failed and will be tried again. */
    synchronized void releaseAnnouncement(long connection) {
        if (announcing == connection) {
            announcing = -1;
        }
    }

    /** Claims the announcement of connection {@code connection}; false when it began already or is gone. */
    synchronized boolean claimAnnouncement(long connection) {
        if (connection != epoch || endpoint == null || ready || announcing == epoch) {
            return false;
        }
        announcing = epoch;
        return true;
    }

    /** Sends the charger's own BootNotification as its announcement on connection {@code announcing}. */
    CompletableFuture<JsonNode> announceWith(long announcing, String messageId, JsonNode boot) {
        CompletableFuture<JsonNode> answer = call(messageId, "BootNotification", boot, settings.callTimeout());
        answer.whenComplete((a, failure) -> {
            if (failure == null) {
                LOG.info("{}: the charger's BootNotification announced it upstream, CSMS says {}", chargePointId,
                        a.path("status").asText());
                markReady(announcing);
            } else {
                // Refused, or not answered in time (the connection then drops): the reader announces again.
                releaseAnnouncement(announcing);
                scheduler.schedule(() -> reader.announce(announcing), settings.retryInterval().toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        });
        return answer;
    }

    /**
     * The BootNotification to announce the charger with: the one this link saw, else the site's view
     * of the charger, else the store's record of its last boot.
     */
    Optional<BootNotificationRequest> bootToAnnounce() {
        synchronized (this) {
            if (lastBoot != null) {
                return Optional.of(lastBoot);
            }
        }
        Optional<BootNotificationRequest> seen = services.site().charger(chargePointId).map(ChargerInfo::boot);
        if (seen.isPresent()) {
            return seen;
        }
        try {
            return services.store().lastBoot(chargePointId);
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot read the charger's last boot from the store: {}", chargePointId, e.toString());
            return Optional.empty();
        }
    }

    boolean chargerConnected() {
        return services.site().charger(chargePointId).map(ChargerInfo::connected).orElse(false);
    }

    /**
     * No boot was known when the announcement of connection {@code announced} began: the link is ready
     * without one, unless the charger booted meanwhile (its boot was answered locally because the
     * announcement had begun): then false, and the announcement must be made with that boot.
     */
    boolean readyWithoutBoot(long announced) {
        synchronized (this) {
            if (announced != epoch || endpoint == null) {
                return false;
            }
            if (lastBoot != null) {
                announcing = -1;
                return false;
            }
            ready = true;
        }
        pump();
        return true;
    }

    /** The announcement for connection {@code announced} is done: the link is ready, if still that connection. */
    boolean markReady(long announced) {
        synchronized (this) {
            if (announced != epoch || endpoint == null) {
                return false;
            }
            ready = true;
        }
        pump();
        return true;
    }

    synchronized boolean ready() {
        return ready && endpoint != null;
    }

    // ---- our calls upstream -----------------------------------------------------------------

    /**
     * Sends a CALL to the CSMS behind the calls already waiting; the stage completes with the
     * CALLRESULT payload, or fails with the endpoint's {@code CallFailedException} (a CALLERROR, a
     * timeout, the connection closed) or {@link LinkDown}.
     */
    CompletableFuture<JsonNode> call(String messageId, String action, JsonNode payload, Duration timeout) {
        OcppEndpoint current;
        synchronized (this) {
            current = endpoint;
        }
        if (current == null) {
            return CompletableFuture.failedFuture(new LinkDown("upstream link of " + chargePointId + " is down"));
        }
        return current.call(messageId, action, Payloads.call(messageId, action, payload), timeout);
    }

    /** Starts the reader unless it runs; called after every journaled message and when the link is ready. */
    void pump() {
        reader.pump();
    }

    /** Registers interest in the CSMS's answer to the journaled start or stop of a gateway transaction. */
    CompletableFuture<JsonNode> awaitAnswer(int gatewayId, Duration timeout) {
        CompletableFuture<JsonNode> waiter = new CompletableFuture<>();
        waiters.put(gatewayId, waiter);
        waiter.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> waiters.remove(gatewayId, waiter));
        return waiter;
    }

    /** Hands the CSMS's answer to a handler waiting for it; false when none waits (the charger had its answer). */
    boolean answerWaiter(int gatewayId, JsonNode answer) {
        CompletableFuture<JsonNode> waiter = waiters.remove(gatewayId);
        return waiter != null && waiter.complete(answer);
    }

    // ---- state ------------------------------------------------------------------------------

    UpstreamStatus.Link status() {
        boolean up;
        Instant since;
        Instant down;
        String problem;
        boolean draining;
        synchronized (this) {
            up = endpoint != null;
            since = connectedSince;
            down = downSince;
            problem = lastProblem;
            draining = whenDrained != null;
        }
        List<OutboundMessage> head = services.journal().peek(chargePointId, 1);
        return new UpstreamStatus.Link(chargePointId, up, since, down, problem, services.journal().depth(chargePointId),
                head.isEmpty() ? null : head.get(0).queuedAt(), services.parked().parked(chargePointId).size(),
                draining);
    }
}
