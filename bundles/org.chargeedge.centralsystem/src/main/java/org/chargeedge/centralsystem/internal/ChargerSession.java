package org.chargeedge.centralsystem.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.CallStatistics;
import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCallException.Reason;
import org.chargeedge.ocpp.rpc.CallErrorException;
import org.chargeedge.ocpp.rpc.CallQueueFullException;
import org.chargeedge.ocpp.rpc.CallTimeoutException;
import org.chargeedge.ocpp.rpc.EndpointClosedException;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.rpc.FrameException;
import org.chargeedge.ocpp.rpc.InvalidOutgoingMessageException;
import org.chargeedge.ocpp.rpc.MalformedAnswerException;
import org.chargeedge.ocpp.rpc.OcppEndpoint;
import org.chargeedge.ocpp.rpc.OcppJsonCodec;
import org.chargeedge.ocpp.rpc.OcppValidationException;
import org.chargeedge.ocpp.rpc.RpcFrame;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One charger's OCPP-J connection. The call discipline of both directions is
 * the {@link OcppEndpoint}'s: the charger's CALLs are answered one at a time in
 * arrival order, so handlers see its messages in the order it sent them; the
 * gateway's CALLs are sent one at a time, correlated by message id, and time
 * out {@code callTimeout} after they were made, whether sent or still waiting.
 * What is charger-specific stays here: the site's last-seen time, the
 * {@link CallDispatcher} producing the answers, typed confirmations, the
 * {@link ChargerCallException} reasons, and logging with the charge point id.
 *
 * <p>Threads: frames arrive on the connection's OCPP worker thread;
 * handler answers, timeouts and new outgoing calls come from any thread. The
 * endpoint guards the queues; this class only keeps why it was closed.
 */
final class ChargerSession {

    private static final Logger LOG = LoggerFactory.getLogger(ChargerSession.class);

    /** The connection, as the session needs it. */
    interface Transport {
        /** Sends a text frame; false if the connection is no longer open. */
        boolean send(String text);

        void close(int code, String reason);

        String remoteAddress();
    }

    private final String chargePointId;
    private final Transport transport;
    private final OcppJsonCodec codec;
    private final CallDispatcher dispatcher;
    private final SiteState site;
    private final Clock clock;
    private final Duration callTimeout;
    private final Instant connectedAt;
    private final OcppEndpoint endpoint;
    /** Shared by the sessions of one central system: a charger's protocol mistakes, once per kind and minute. */
    private final LogLimiter logLimiter;
    /** Set once, before the endpoint is closed, so that failed calls carry this reason. */
    private final AtomicReference<Reason> closedBecause = new AtomicReference<>();

    ChargerSession(String chargePointId, Transport transport, OcppJsonCodec codec, CallDispatcher dispatcher,
                   SiteState site, ScheduledExecutorService timer, Clock clock, Duration callTimeout,
                   int maxQueuedCalls, LogLimiter logLimiter) {
        this.chargePointId = chargePointId;
        this.logLimiter = logLimiter;
        this.transport = transport;
        this.codec = codec;
        this.dispatcher = dispatcher;
        this.site = site;
        this.clock = clock;
        this.callTimeout = callTimeout;
        this.connectedAt = clock.instant();
        this.endpoint = OcppEndpoint.builder(transport::send, this::answer, timer)
                .codec(codec)
                .clock(clock)
                .maxQueuedIncoming(maxQueuedCalls)
                .maxQueuedOutgoing(maxQueuedCalls)
                .listener(new Events())
                .build();
    }

    String chargePointId() {
        return chargePointId;
    }

    Instant connectedAt() {
        return connectedAt;
    }

    Transport transport() {
        return transport;
    }

    /** The charger's calls not answered yet. */
    int backlog() {
        return endpoint.backlog();
    }

    // ---- frames from the charger ------------------------------------------------------------

    void onText(String text) {
        site.seen(chargePointId, clock.instant());
        endpoint.received(text);
    }

    private CompletionStage<String> answer(RpcFrame.Call call, Instant receivedAt) {
        return dispatcher.answer(new CallContext(chargePointId, call.messageId(), receivedAt), call);
    }

    // ---- calls to the charger ---------------------------------------------------------------

    <C extends Confirmation> CompletableFuture<C> call(Request<C> request) {
        Action action = request.action();
        if (closedBecause.get() != null) {
            return CompletableFuture.failedFuture(new ChargerCallException(chargePointId, Reason.NOT_CONNECTED, null,
                    chargePointId + " is not connected"));
        }
        String messageId = UUID.randomUUID().toString();
        String frame;
        try {
            frame = codec.encodeCall(messageId, request);
        } catch (InvalidOutgoingMessageException e) {
            LOG.error("BUG: refusing to send an invalid {} to {}: {}", action, chargePointId, request, e);
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<C> result = new CompletableFuture<>();
        endpoint.call(messageId, action.name(), frame, callTimeout).whenComplete((payload, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failed(action, failure));
                return;
            }
            try {
                @SuppressWarnings("unchecked") // decodeConfirmation gives the confirmation type of the action: C
                C confirmation = (C) codec.decodeConfirmation(action, payload);
                result.complete(confirmation);
            } catch (OcppValidationException e) {
                LOG.warn("{}: invalid {} confirmation ({}): {}", chargePointId, action, e.errorCode(), e.getMessage());
                result.completeExceptionally(new ChargerCallException(chargePointId, Reason.INVALID_CONFIRMATION,
                        null, action + " confirmation from " + chargePointId + " is invalid: " + e.getMessage()));
            }
        });
        return result;
    }

    /** The endpoint's failure as the ChargerCallException callers of ChargerCommands expect. */
    private Throwable failed(Action action, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof CallErrorException e) {
            return new ChargerCallException(chargePointId, Reason.CALL_ERROR, e.errorCode(), chargePointId
                    + " answered " + action + " with " + e.errorCode() + ": " + e.errorDescription());
        }
        if (cause instanceof CallTimeoutException e) {
            return new ChargerCallException(chargePointId, Reason.TIMEOUT, null, e.sent()
                    ? chargePointId + " did not answer " + action + " within " + callTimeout.toSeconds() + " s"
                    : action + " was not sent to " + chargePointId + " within " + callTimeout.toSeconds()
                    + " s: an earlier call was still unanswered");
        }
        if (cause instanceof CallQueueFullException e) {
            return new ChargerCallException(chargePointId, Reason.QUEUE_FULL, null,
                    e.limit() + " calls already wait for " + chargePointId);
        }
        if (cause instanceof MalformedAnswerException e) {
            return new ChargerCallException(chargePointId, Reason.INVALID_CONFIRMATION, null, chargePointId
                    + " answered " + action + " with a malformed frame: " + e.problem().getMessage());
        }
        if (cause instanceof EndpointClosedException) {
            // Closed by the endpoint itself when a send failed: the connection is gone.
            Reason reason = closedBecause.get();
            return new ChargerCallException(chargePointId, reason != null ? reason : Reason.CONNECTION_LOST, null,
                    "connection to " + chargePointId + " ended before it answered " + action);
        }
        return cause;
    }

    // ---- end --------------------------------------------------------------------------------

    /** The connection is gone (or replaced): every call still waiting fails with {@code reason}. */
    void closed(Reason reason) {
        if (closedBecause.compareAndSet(null, reason)) {
            endpoint.close(reason == Reason.SHUTDOWN ? "the gateway is stopping" : "the connection ended");
        }
    }

    /**
     * Logs what the endpoint reports, with the charge point id: what the charger controls (message ids,
     * frames, the codec's descriptions that quote them) escaped and cut ({@link PeerText}), and each kind
     * of its mistakes once a minute, so a charger repeating one cannot flood the log.
     */
    private final class Events implements OcppEndpoint.Listener {
        @Override
        public void malformedFrame(String text, FrameException problem) {
            if (problem.answerable()) {
                dispatcher.meter.record(CallStatistics.UNKNOWN_ACTION, problem.errorCode().name(), clock.instant());
                warn("malformed", "{}: malformed message {} ({}): {}", chargePointId,
                        PeerText.shortText(problem.messageId().orElseThrow()), problem.errorCode(),
                        PeerText.longText(problem.getMessage()));
            } else {
                warn("not-ocpp", "{}: dropped a frame that is not an OCPP-J message ({}): {}", chargePointId,
                        PeerText.longText(problem.getMessage()), PeerText.shortText(text));
            }
        }

        @Override
        public void pipelining() {
            warn("pipelining", "{}: sends a CALL before the previous one is answered; they are answered in order",
                    chargePointId);
        }

        @Override
        public void incomingOverflow(String messageId, int max) {
            dispatcher.meter.record(CallStatistics.UNKNOWN_ACTION, ErrorCode.GenericError.name(), clock.instant());
            warn("overflow", "{}: refusing call {}, {} already wait for an answer", chargePointId,
                    PeerText.shortText(messageId), max);
        }

        @Override
        public void unknownAnswer(String messageId) {
            warn("unknown-answer", "{}: ignored an answer to unknown message id {} (late after a timeout, or never"
                    + " sent)", chargePointId, PeerText.shortText(messageId));
        }

        @Override
        public void callTimedOut(String action, String messageId, boolean sent) {
            // The connection stays: a charger that misses one answer may still be alive, and pings watch it.
            if (sent) {
                LOG.warn("{}: no answer to {} within {} s", chargePointId, action, callTimeout.toSeconds());
            } else {
                LOG.warn("{}: {} not sent: it waited {} s behind an unanswered call", chargePointId, action,
                        callTimeout.toSeconds());
            }
        }

        @Override
        public void handlerFailed(RpcFrame.Call call, Throwable problem) {
            LOG.error("BUG: answering {} {} of {} failed; the charger gets InternalError", call.action(),
                    call.messageId(), chargePointId, problem);
        }
    }

    /** A WARN line for {@code kind} of this charger's mistakes, once a minute, with the count held back. */
    private void warn(String kind, String line, Object... args) {
        LogLimiter.Decision d = logLimiter.allow(chargePointId + " " + kind);
        if (d.log()) {
            LOG.warn(line + d.suffix(), args);
        }
    }
}
