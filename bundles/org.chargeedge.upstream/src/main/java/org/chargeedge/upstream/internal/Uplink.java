package org.chargeedge.upstream.internal;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.rpc.FrameException;
import org.chargeedge.ocpp.rpc.OcppValidationException;
import org.chargeedge.ocpp.rpc.RpcFrame;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.RemoteStopTransactionRequest;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One charger's link to the CSMS: its WebSocket under the charger's identity, reconnected with
 * backoff; the OCPP-J call discipline upstream (one CALL of ours outstanding, the rest queued
 * behind it); the CSMS's calls passed to the charger; and the sender that delivers the charger's
 * durable queue in order, acknowledging each message only after the CSMS answered it.
 *
 * <p>Threads: WebSocket callbacks come on the HTTP client's threads (one at a time per socket);
 * the sender, timeouts and reconnects run on the shared scheduler; handlers call in from the
 * central system's threads. The connection state, the call queue and the sender flags are guarded
 * by this object's monitor, held only to read or change them: futures are completed and frames
 * sent outside it.
 */
final class Uplink {

    private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);
    private static final String SUBPROTOCOL = "ocpp1.6";

    /** The CSMS answered a CALL of ours with a CALLERROR. */
    static final class CsmsError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String code;

        CsmsError(String code, String description) {
            super(code + ": " + description);
            this.code = code;
        }
    }

    /** The link went down (or was closed) before the answer came. */
    static final class LinkDown extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LinkDown(String message) {
            super(message);
        }
    }

    private record PendingCall(String messageId, String frame, Duration timeout, CompletableFuture<JsonNode> result) {}

    private final String chargePointId;
    private final Settings settings;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Services services;
    private final Clock clock;
    private final Delivery delivery;

    // Guarded by this.
    private WebSocket socket;
    private Instant connectedSince;
    private Instant downSince;
    private String lastProblem;
    private int attempt;
    private boolean closed;
    private boolean ready;
    private final ArrayDeque<PendingCall> calls = new ArrayDeque<>();
    private PendingCall inFlight;
    private ScheduledFuture<?> inFlightTimeout;
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private boolean sending;
    private boolean sendAgain;
    private long nextSendNanos;
    /** Set while the charger is not connected: run when the queue is delivered (closes the link). */
    private Runnable whenDrained;
    // The CSMS id of the gateway transaction last delivered: saves a store read per MeterValues.
    private int lastGatewayId = -1;
    private int lastCsmsId;

    /**
     * Handlers wait here for the CSMS's answer to a StartTransaction or StopTransaction they queued,
     * by gateway transaction id. Written by handler threads and the sender: a concurrent map; an
     * entry lives until its answer or its timeout.
     */
    private final ConcurrentHashMap<Integer, CompletableFuture<JsonNode>> waiters = new ConcurrentHashMap<>();

    Uplink(String chargePointId, Settings settings, HttpClient http, ScheduledExecutorService scheduler,
           Services services, Clock clock, Delivery delivery) {
        this.chargePointId = chargePointId;
        this.settings = settings;
        this.http = http;
        this.scheduler = scheduler;
        this.services = services;
        this.clock = clock;
        this.delivery = delivery;
        this.downSince = clock.instant();
    }

    String chargePointId() {
        return chargePointId;
    }

    // ---- connection ---------------------------------------------------------------------------

    void open() {
        connect();
    }

    private void connect() {
        synchronized (this) {
            if (closed || socket != null) {
                return;
            }
        }
        WebSocket.Builder builder = http.newWebSocketBuilder().subprotocols(SUBPROTOCOL)
                .connectTimeout(settings.callTimeout());
        settings.authorization(chargePointId).ifPresent(h -> builder.header("Authorization", h));
        try {
            builder.buildAsync(settings.uri(chargePointId), new Listener()).whenComplete((ws, e) -> {
                if (e != null) {
                    failed(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                } else {
                    opened(ws);
                }
            });
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void opened(WebSocket ws) {
        synchronized (this) {
            if (closed) {
                ws.abort();
                return;
            }
            socket = ws;
            connectedSince = clock.instant();
            downSince = null;
            attempt = 0;
            lastProblem = null;
            ready = false;
        }
        LOG.info("{}: upstream link up ({})", chargePointId, settings.uri(chargePointId));
        scheduler.execute(this::announce);
    }

    private void failed(Throwable e) {
        String problem;
        boolean refused = false;
        if (e instanceof WebSocketHandshakeException h) {
            int status = h.getResponse().statusCode();
            refused = true;
            problem = "refused by the CSMS with HTTP " + status + (status == 401 ? " (credentials)"
                    : status == 404 ? " (unknown charge point id or wrong URL)" : "");
        } else {
            problem = e.toString();
        }
        Duration delay;
        synchronized (this) {
            if (closed) {
                return;
            }
            lastProblem = problem;
            attempt++;
            // A refusal does not go away by itself: retry at the slowest pace, the site goes on locally.
            delay = refused ? settings.reconnectMax() : settings.backoff(attempt, ThreadLocalRandom.current().nextDouble());
        }
        if (refused) {
            LOG.error("{}: upstream connection to {} {}; the site goes on locally, retrying in {} ms", chargePointId,
                    settings.uri(chargePointId), problem, delay.toMillis());
        } else {
            LOG.warn("{}: upstream connection to {} failed: {}; retrying in {} ms", chargePointId,
                    settings.uri(chargePointId), problem, delay.toMillis());
        }
        scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The socket ended (closed by the peer, failed, or closed by us). */
    private void down(WebSocket ws, String reason) {
        List<PendingCall> failed;
        boolean reconnect;
        synchronized (this) {
            if (socket != ws || socket == null) {
                return;
            }
            socket = null;
            connectedSince = null;
            downSince = clock.instant();
            lastProblem = reason;
            ready = false;
            failed = new java.util.ArrayList<>(calls);
            calls.clear();
            if (inFlight != null) {
                failed.add(inFlight);
                inFlight = null;
            }
            if (inFlightTimeout != null) {
                inFlightTimeout.cancel(false);
            }
            reconnect = !closed;
            attempt = 1;
        }
        LinkDown cause = new LinkDown("upstream link of " + chargePointId + " down: " + reason);
        failed.forEach(c -> c.result().completeExceptionally(cause));
        if (reconnect) {
            Duration delay = settings.backoff(1, ThreadLocalRandom.current().nextDouble());
            LOG.warn("{}: upstream link down ({}); answering locally, reconnecting in {} ms", chargePointId, reason,
                    delay.toMillis());
            scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Closes the link for good (the charger disconnected, or the component stops). */
    void close() {
        WebSocket ws;
        synchronized (this) {
            closed = true;
            ws = socket;
        }
        if (ws != null) {
            down(ws, "closed by the gateway");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((w, e) -> ws.abort());
        }
        waiters.values().forEach(w -> w.complete(null));
    }

    synchronized boolean online() {
        return socket != null;
    }

    /**
     * The charger is gone: the link stays only to deliver what is left in the charger's queue, and
     * {@code drained} runs (once) when the sender finds nothing more to send.
     */
    void drainThenClose(Runnable drained) {
        synchronized (this) {
            if (closed) {
                return;
            }
            whenDrained = drained;
        }
        // The sender may be idle with an empty queue already: let it look.
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

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    frame(ws, text);
                } catch (RuntimeException e) {
                    LOG.error("{}: upstream frame not handled: {}", chargePointId, text, e);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            down(ws, "closed by the CSMS (" + statusCode + (reason.isEmpty() ? "" : " " + reason) + ")");
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            down(ws, error.toString());
        }
    }

    private void send(WebSocket ws, String text) {
        synchronized (this) {
            // java.net.http allows one outstanding send per socket: chain them.
            sendTail = sendTail.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true))
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            down(ws, "send failed: " + e);
                        }
                    });
        }
    }

    // ---- our calls upstream -----------------------------------------------------------------

    /**
     * Sends a CALL to the CSMS behind the calls already waiting; the stage completes with the
     * CALLRESULT payload, or fails with {@link CsmsError}, {@link LinkDown} or a timeout.
     */
    CompletableFuture<JsonNode> call(String messageId, String action, JsonNode payload, Duration timeout) {
        PendingCall call = new PendingCall(messageId, Payloads.call(messageId, action, payload), timeout,
                new CompletableFuture<>());
        synchronized (this) {
            if (socket == null) {
                return CompletableFuture.failedFuture(new LinkDown("upstream link of " + chargePointId + " is down"));
            }
            calls.add(call);
        }
        sendNextCall();
        return call.result();
    }

    private void sendNextCall() {
        PendingCall next;
        WebSocket ws;
        synchronized (this) {
            if (inFlight != null || calls.isEmpty() || socket == null) {
                return;
            }
            next = calls.poll();
            inFlight = next;
            ws = socket;
            inFlightTimeout = scheduler.schedule(() -> timedOut(next), next.timeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        send(ws, next.frame());
    }

    private void timedOut(PendingCall call) {
        synchronized (this) {
            if (inFlight != call) {
                return;
            }
            inFlight = null;
        }
        call.result().completeExceptionally(new TimeoutException("no answer from the CSMS within "
                + call.timeout().toMillis() + " ms"));
        sendNextCall();
    }

    private void answered(String messageId, JsonNode payload, CsmsError error) {
        PendingCall call;
        synchronized (this) {
            if (inFlight == null || !inFlight.messageId().equals(messageId)) {
                call = null;
            } else {
                call = inFlight;
                inFlight = null;
                inFlightTimeout.cancel(false);
            }
        }
        if (call == null) {
            LOG.warn("{}: answer from the CSMS to no call of ours (message id {}); ignored", chargePointId, messageId);
            return;
        }
        if (error != null) {
            call.result().completeExceptionally(error);
        } else {
            call.result().complete(payload);
        }
        sendNextCall();
    }

    private void frame(WebSocket ws, String text) {
        RpcFrame frame;
        try {
            frame = Payloads.codec().parse(text);
        } catch (FrameException e) {
            LOG.warn("{}: unreadable frame from the CSMS ({}): {}", chargePointId, e.getMessage(), text);
            if (e.answerable() && e.messageId().isPresent()) {
                send(ws, Payloads.codec().encodeCallError(e.messageId().get(), e.errorCode(), e.getMessage()));
            }
            return;
        }
        if (frame instanceof RpcFrame.CallResult r) {
            answered(r.messageId(), r.payload(), null);
        } else if (frame instanceof RpcFrame.CallError e) {
            answered(e.messageId(), null, new CsmsError(e.errorCode(), e.errorDescription()));
        } else if (frame instanceof RpcFrame.Call c) {
            csmsCall(ws, c);
        }
    }

    // ---- the CSMS's calls to the charger -----------------------------------------------------

    private void csmsCall(WebSocket ws, RpcFrame.Call call) {
        String id = call.messageId();
        Optional<Action> found = Action.byName(call.action());
        if (found.isEmpty()) {
            send(ws, Payloads.codec().encodeCallError(id, ErrorCode.NotImplemented, "Unknown action '" + call.action() + "'"));
            return;
        }
        Action action = found.get();
        if (!action.initiator().centralSystem()) {
            send(ws, Payloads.codec().encodeCallError(id, ErrorCode.NotSupported,
                    action + " is sent by charge points, not to them"));
            return;
        }
        JsonNode payload = call.payload();
        if (payload instanceof ObjectNode object) {
            Optional<String> unmapped = toGatewayIds(action, object = object.deepCopy());
            if (unmapped.isPresent()) {
                // The charger never saw this CSMS id: nothing of it can be meant.
                LOG.warn("{}: {} from the CSMS names {}; answered Rejected", chargePointId, action, unmapped.get());
                send(ws, Payloads.callResult(id, Payloads.MAPPER.createObjectNode().put("status", "Rejected")));
                return;
            }
            payload = object;
        }
        Request<?> request;
        try {
            request = Payloads.codec().decodeRequest(action, payload);
        } catch (OcppValidationException e) {
            LOG.warn("{}: invalid {} from the CSMS ({}): {}", chargePointId, action, e.errorCode(), e.getMessage());
            send(ws, Payloads.codec().encodeCallError(id, e.errorCode(), e.getMessage()));
            return;
        }
        if (request instanceof SendLocalListRequest list) {
            services.localList().ifPresent(l -> LOG.info("{}: SendLocalList version {} from the CSMS applied to the"
                    + " gateway's list: {}", chargePointId, list.listVersion(), l.update(list)));
        }
        services.commands().call(chargePointId, request).whenComplete((confirmation, failure) -> {
            if (failure == null) {
                send(ws, Payloads.codec().encodeCallResult(id, confirmation));
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String description;
            ErrorCode code = ErrorCode.GenericError;
            if (cause instanceof ChargerCallException c) {
                description = switch (c.reason()) {
                    case NOT_CONNECTED -> "charge point " + chargePointId + " is not connected to the site gateway";
                    case TIMEOUT -> "charge point " + chargePointId + " did not answer in time";
                    case CALL_ERROR -> c.getMessage();
                    default -> "charge point " + chargePointId + ": " + c.reason() + " " + c.getMessage();
                };
                if (c.reason() == ChargerCallException.Reason.CALL_ERROR) {
                    code = c.errorCode().flatMap(ErrorCode::byName).orElse(ErrorCode.GenericError);
                } else if (c.reason() == ChargerCallException.Reason.INVALID_CONFIRMATION) {
                    code = ErrorCode.InternalError;
                }
            } else {
                code = ErrorCode.InternalError;
                description = "the site gateway failed to pass on " + action;
                LOG.error("{}: passing {} from the CSMS failed", chargePointId, action, cause);
            }
            send(ws, Payloads.codec().encodeCallError(id, code, description));
        });
    }

    /** Rewrites the CSMS's transaction ids to the gateway's; the first unknown one, if any. */
    private Optional<String> toGatewayIds(Action action, ObjectNode payload) {
        ObjectNode holder = switch (action) {
            case RemoteStopTransaction -> payload;
            case SetChargingProfile -> payload.get("csChargingProfiles") instanceof ObjectNode p ? p : null;
            case RemoteStartTransaction -> payload.get("chargingProfile") instanceof ObjectNode p ? p : null;
            default -> null;
        };
        if (holder == null || !holder.path("transactionId").isInt()) {
            return Optional.empty();
        }
        int csmsId = holder.get("transactionId").intValue();
        OptionalInt gatewayId = services.ids().gatewayId(chargePointId, csmsId);
        if (gatewayId.isEmpty()) {
            return Optional.of("transaction " + csmsId + ", which it never started here");
        }
        holder.put("transactionId", gatewayId.getAsInt());
        return Optional.empty();
    }

    // ---- announcing the charger and delivering its queue -------------------------------------

    /** After the link came up: the charger's BootNotification and latest statuses, then the queue. */
    private void announce() {
        // A charger that is not connected (its link only delivers its queue) is not announced: the
        // CSMS would take a BootNotification for the charger's return and its statuses for current.
        Optional<ChargerInfo> info = services.site().charger(chargePointId).filter(ChargerInfo::connected);
        CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
        if (info.isPresent() && info.get().boot() != null) {
            chain = call(UUID.randomUUID().toString(), "BootNotification", Payloads.of(info.get().boot()),
                    settings.callTimeout()).thenAccept(answer -> LOG.info("{}: BootNotification replayed, CSMS says {}",
                    chargePointId, answer.path("status").asText()));
            for (ConnectorInfo c : info.get().connectors()) {
                if (c.status() != null) {
                    StatusNotificationRequest status = new StatusNotificationRequest(c.connectorId(), c.errorCode(),
                            c.info(), c.status(), c.statusTimestamp(), null, c.vendorErrorCode());
                    chain = chain.thenCompose(v -> call(UUID.randomUUID().toString(), "StatusNotification",
                            Payloads.of(status), settings.callTimeout()));
                }
            }
        }
        chain.whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("{}: announcing the charger upstream failed: {}", chargePointId, e.toString());
                return;
            }
            synchronized (this) {
                if (socket == null) {
                    return;
                }
                ready = true;
            }
            // Parked and requeued meanwhile: read the queue afresh.
            delivery.reread();
            pump();
        });
    }

    /** Starts the sender unless it runs; called after every append and when the link is ready. */
    void pump() {
        synchronized (this) {
            if (!ready || closed) {
                return;
            }
            if (sending) {
                sendAgain = true;
                return;
            }
            sending = true;
            sendAgain = false;
        }
        scheduler.execute(this::sendNext);
    }

    /** Registers interest in the CSMS's answer to the queued start or stop of a gateway transaction. */
    CompletableFuture<JsonNode> awaitAnswer(int gatewayId, Duration timeout) {
        CompletableFuture<JsonNode> waiter = new CompletableFuture<>();
        waiters.put(gatewayId, waiter);
        waiter.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> waiters.remove(gatewayId, waiter));
        return waiter;
    }

    private void sendNext() {
        OutboundMessage head;
        try {
            head = delivery.next();
        } catch (RuntimeException e) {
            LOG.error("{}: cannot read the upstream queue: {}", chargePointId, e.toString());
            stopSending(settings.retryInterval());
            return;
        }
        if (head == null) {
            boolean again;
            Runnable drained = null;
            synchronized (this) {
                again = sendAgain;
                sendAgain = false;
                sending = again;
                if (!again && whenDrained != null) {
                    drained = whenDrained;
                    whenDrained = null;
                }
            }
            if (again) {
                scheduler.execute(this::sendNext);
            } else if (drained != null) {
                drained.run();
            }
            return;
        }
        if (!delivery.windowOpen(this::sendNext)) {
            // Too many answers wait for their acknowledgement to commit: the store is slow; it wakes the sender.
            return;
        }
        long wait;
        synchronized (this) {
            if (!ready) {
                sending = false;
                return;
            }
            long now = System.nanoTime();
            wait = nextSendNanos - now;
            if (settings.replayRatePerSecond() > 0) {
                nextSendNanos = Math.max(now, nextSendNanos) + 1_000_000_000L / settings.replayRatePerSecond();
            }
        }
        if (wait > 0) {
            scheduler.schedule(() -> deliver(head), wait, TimeUnit.NANOSECONDS);
        } else {
            deliver(head);
        }
    }

    private void stopSending(Duration retryAfter) {
        synchronized (this) {
            sending = false;
        }
        if (retryAfter != null) {
            scheduler.schedule(this::pump, retryAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void deliver(OutboundMessage message) {
        JsonNode payload = Payloads.parse(message.payloadJson());
        int gatewayId;
        if (message.action().equals("StartTransaction")) {
            if (message.transactionId() == null) {
                // Only a queue of an older version whose start lost its id map row can hold one.
                park(message, "no gateway transaction recorded for this StartTransaction");
                return;
            }
            gatewayId = message.transactionId();
            if (services.ids().csmsId(gatewayId).isPresent()) {
                // Answered and mapped before a crash that came before its acknowledgement: sending it
                // again would open a second transaction at the CSMS.
                LOG.info("{}: queued StartTransaction {} of transaction {} was answered before; not sent again",
                        chargePointId, message.sequence(), gatewayId);
                delivery.answeredDurably(message.sequence()).whenComplete((v, e) -> afterDurable(e, message));
                return;
            }
        } else {
            OptionalInt id = Payloads.transactionId(payload);
            gatewayId = id.orElse(-1);
            if (id.isPresent()) {
                int csmsId;
                synchronized (this) {
                    csmsId = lastGatewayId == gatewayId ? lastCsmsId : -1;
                }
                if (csmsId < 0) {
                    OptionalInt mapped = services.ids().csmsId(gatewayId);
                    if (mapped.isEmpty()) {
                        // Its start was refused for good or never queued: the CSMS cannot place it.
                        park(message, "the CSMS has no id for gateway transaction " + gatewayId);
                        return;
                    }
                    csmsId = mapped.getAsInt();
                    synchronized (this) {
                        lastGatewayId = gatewayId;
                        lastCsmsId = csmsId;
                    }
                }
                payload = Payloads.withTransactionId(payload, csmsId);
            }
        }
        call(UUID.randomUUID().toString(), message.action(), payload, settings.callTimeout())
                .whenComplete((answer, failure) -> {
                    if (failure == null) {
                        accepted(message, gatewayId, answer);
                    } else {
                        refused(message, failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    }
                });
    }

    private void accepted(OutboundMessage message, int gatewayId, JsonNode answer) {
        CompletableFuture<Void> durable;
        boolean start = message.action().equals("StartTransaction");
        if (start) {
            if (!answer.path("transactionId").isInt()) {
                refused(message, new CsmsError("FormationViolation", "StartTransaction.conf without transactionId"));
                return;
            }
            // The id map must be durable before anything naming the transaction goes out: a crash
            // before it would send the start again and open a second transaction at the CSMS. The
            // acknowledgement follows it.
            // Marked answered only once mapped: should the map fail, the start is not skipped.
            durable = services.ids().map(chargePointId, gatewayId, answer.get("transactionId").intValue())
                    .toCompletableFuture().thenCompose(v -> delivery.answeredDurably(message.sequence()));
        } else if (message.action().equals("StopTransaction")) {
            // Two per transaction, and the one whose duplicate matters most: waits for its acknowledgement.
            durable = delivery.answeredDurably(message.sequence());
        } else {
            // MeterValues, the bulk of a replay: acknowledged in the background while the next one is
            // already on its way. A crash before that commit can only send answered MeterValues again.
            delivery.answered(message.sequence());
            scheduler.execute(this::sendNext);
            return;
        }
        durable.whenComplete((v, e) -> {
            if (e != null) {
                afterDurable(e, message);
                return;
            }
            CompletableFuture<JsonNode> waiter = gatewayId >= 0 ? waiters.remove(gatewayId) : null;
            boolean chargerGotIt = waiter != null && waiter.complete(answer);
            if (start && !chargerGotIt) {
                startAnsweredLate(gatewayId, answer);
            }
            scheduler.execute(this::sendNext);
        });
    }

    /** After a durable acknowledgement: the next message, or a pause when the store failed. */
    private void afterDurable(Throwable failure, OutboundMessage message) {
        if (failure != null) {
            LOG.error("{}: cannot record the CSMS's answer to queued {} {}: {}", chargePointId, message.action(),
                    message.sequence(), failure.toString());
            stopSending(settings.retryInterval());
            return;
        }
        scheduler.execute(this::sendNext);
    }

    /** A StartTransaction the charger got the local answer for: 1.6's DeAuthorized if the CSMS refuses it. */
    private void startAnsweredLate(int gatewayId, JsonNode answer) {
        String status = answer.path("idTagInfo").path("status").asText();
        if (AuthorizationStatus.Accepted.name().equals(status)) {
            return;
        }
        boolean running = services.store().transaction(gatewayId).map(t -> t.open()).orElse(false);
        if (!running || !settings.stopTransactionOnInvalidId()) {
            LOG.warn("{}: the CSMS answered transaction {} with {} after the fact; {}", chargePointId, gatewayId,
                    status, running ? "not stopped (stopTransactionOnInvalidId is off)" : "it has ended already");
            return;
        }
        LOG.warn("{}: the CSMS answered transaction {} with {} after the fact; stopping it (DeAuthorized)",
                chargePointId, gatewayId, status);
        services.commands().call(chargePointId, new RemoteStopTransactionRequest(gatewayId)).whenComplete((c, e) ->
                LOG.info("{}: RemoteStopTransaction {} for the idTag the CSMS refused: {}", chargePointId, gatewayId,
                        e == null ? c.status() : e.toString()));
    }

    private void refused(OutboundMessage message, Throwable failure) {
        if (!(failure instanceof CsmsError error)) {
            // Down or no answer: whether the CSMS got it cannot be known; it is sent again (see the readme).
            LOG.debug("{}: queued {} {} not delivered: {}", chargePointId, message.action(), message.sequence(),
                    failure.toString());
            stopSending(failure instanceof LinkDown ? null : settings.retryInterval());
            return;
        }
        // Counted in the store: a restart does not give a refused message its attempts again.
        services.journal().countRefusal(chargePointId, message.sequence()).whenComplete((refusals, e) -> {
            if (e != null) {
                LOG.error("{}: cannot count the CSMS's refusal of queued {} {}: {}", chargePointId, message.action(),
                        message.sequence(), e.toString());
                stopSending(settings.retryInterval());
            } else if (refusals == 0) {
                // No longer queued (answered meanwhile through another link): read the queue afresh.
                delivery.reread();
                stopSending(settings.retryInterval());
            } else if (refusals > settings.maxRetries()) {
                park(message, "CSMS answered CALLERROR " + error.getMessage() + " " + refusals + " times");
            } else {
                Duration delay = settings.retryInterval().multipliedBy(refusals);
                LOG.warn("{}: the CSMS refused queued {} {} ({}); attempt {} of {} in {} ms", chargePointId,
                        message.action(), message.sequence(), error.getMessage(), refusals + 1,
                        settings.maxRetries() + 1, delay.toMillis());
                stopSending(delay);
            }
        });
    }

    private void park(OutboundMessage message, String reason) {
        LOG.error("{}: queued {} {} parked as failed: {}; replay with chargeedge:replayfailed {}", chargePointId,
                message.action(), message.sequence(), reason, chargePointId);
        services.parked().park(message, reason).whenComplete((v, e) -> {
            if (e != null) {
                LOG.error("{}: cannot park queued {} {}: {}", chargePointId, message.action(), message.sequence(),
                        e.toString());
                stopSending(settings.retryInterval());
                return;
            }
            delivery.removed(message.sequence());
            scheduler.execute(this::sendNext);
        });
    }

    // ---- state ------------------------------------------------------------------------------

    UpstreamStatus.Link status() {
        boolean up;
        Instant since;
        Instant down;
        String problem;
        boolean draining;
        synchronized (this) {
            up = socket != null;
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
