package org.chargeedge.centralsystem.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCallException.Reason;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.rpc.FrameException;
import org.chargeedge.ocpp.rpc.InvalidOutgoingMessageException;
import org.chargeedge.ocpp.rpc.OcppJsonCodec;
import org.chargeedge.ocpp.rpc.OcppValidationException;
import org.chargeedge.ocpp.rpc.RpcFrame;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One charger's OCPP-J connection: both directions of the call discipline.
 *
 * <p>Incoming CALLs are answered one at a time in arrival order, so handlers
 * see a charger's messages in the order it sent them. Outgoing CALLs are
 * queued and sent one at a time; each waits for its CALLRESULT or CALLERROR,
 * correlated by message id, or times out.
 *
 * <p>Threads: frames arrive on the connection's WebSocket worker thread;
 * handler answers, timeouts and new outgoing calls come from any thread. The
 * two queues and the in-flight call are guarded by this object's monitor,
 * held only for queue operations: futures are completed and frames sent
 * outside it.
 */
final class ChargerSession {

    private static final Logger LOG = LoggerFactory.getLogger(ChargerSession.class);
    private static final int LOGGED_FRAME_CHARS = 200;

    /** The connection, as the session needs it. */
    interface Transport {
        /** Sends a text frame; false if the connection is no longer open. */
        boolean send(String text);

        void close(int code, String reason);

        String remoteAddress();
    }

    private record Outgoing(String messageId, Action action, String frame, CompletableFuture<Confirmation> result) {}

    private record Incoming(CallContext context, RpcFrame.Call call, String answer) {}

    private final String chargePointId;
    private final Transport transport;
    private final OcppJsonCodec codec;
    private final CallDispatcher dispatcher;
    private final SiteState site;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Duration callTimeout;
    private final int maxQueuedCalls;
    private final Instant connectedAt;

    // Guarded by this.
    private final ArrayDeque<Outgoing> outgoing = new ArrayDeque<>();
    private Outgoing inFlight;
    private ScheduledFuture<?> inFlightTimeout;
    private final ArrayDeque<Incoming> incoming = new ArrayDeque<>();
    private boolean dispatching;
    private int unanswered;
    private boolean pipeliningReported;
    private Reason closedBecause;

    ChargerSession(String chargePointId, Transport transport, OcppJsonCodec codec, CallDispatcher dispatcher,
                   SiteState site, ScheduledExecutorService timer, Clock clock, Duration callTimeout,
                   int maxQueuedCalls) {
        this.chargePointId = chargePointId;
        this.transport = transport;
        this.codec = codec;
        this.dispatcher = dispatcher;
        this.site = site;
        this.timer = timer;
        this.clock = clock;
        this.callTimeout = callTimeout;
        this.maxQueuedCalls = maxQueuedCalls;
        this.connectedAt = clock.instant();
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

    // ---- frames from the charger ------------------------------------------------------------

    void onText(String text) {
        Instant now = clock.instant();
        site.seen(chargePointId, now);
        RpcFrame frame;
        try {
            frame = codec.parse(text);
        } catch (FrameException e) {
            if (e.answerable()) {
                LOG.warn("{}: malformed message {} ({}): {}", chargePointId, e.messageId().orElseThrow(),
                        e.errorCode(), e.getMessage());
                enqueue(new Incoming(null, null, codec.encodeCallError(e.messageId().orElseThrow(),
                        e.errorCode(), e.getMessage())));
            } else {
                LOG.warn("{}: dropped a frame that is not an OCPP-J message ({}): {}", chargePointId,
                        e.getMessage(), abbreviate(text));
                // A broken answer to our call: fail the call now rather than at its timeout.
                e.messageId().ifPresent(id -> onMalformedAnswer(id, e.getMessage()));
            }
            return;
        }
        if (frame instanceof RpcFrame.Call call) {
            enqueue(new Incoming(new CallContext(chargePointId, call.messageId(), now), call, null));
        } else if (frame instanceof RpcFrame.CallResult result) {
            onAnswer(result.messageId(), result, null);
        } else {
            onAnswer(frame.messageId(), null, (RpcFrame.CallError) frame);
        }
    }

    private void enqueue(Incoming call) {
        boolean startDispatch = false;
        boolean overflow = false;
        synchronized (this) {
            if (closedBecause != null) {
                return;
            }
            if (incoming.size() >= maxQueuedCalls) {
                overflow = true;
            } else {
                incoming.add(call);
                boolean earlierUnanswered = unanswered > 0;
                unanswered++;
                if (!dispatching) {
                    dispatching = true;
                    startDispatch = true;
                }
                if (earlierUnanswered && !pipeliningReported) {
                    pipeliningReported = true;
                    LOG.warn("{}: sends a CALL before the previous one is answered; they are answered in order",
                            chargePointId);
                }
            }
        }
        if (startDispatch) {
            dispatchQueued();
        } else if (overflow && call.call() != null) {
            LOG.warn("{}: refusing a call, {} already wait for an answer", chargePointId, maxQueuedCalls);
            transport.send(codec.encodeCallError(call.call().messageId(), ErrorCode.GenericError,
                    "Too many unanswered calls: OCPP-J allows one outstanding CALL"));
        }
    }

    /** Counted as answered first: the charger may send its next CALL as soon as it reads this one. */
    private void sendAnswer(String text) {
        synchronized (this) {
            unanswered--;
        }
        transport.send(text);
    }

    /** Answers queued calls until the queue is empty or an answer is pending. */
    private void dispatchQueued() {
        while (true) {
            Incoming next;
            synchronized (this) {
                next = incoming.poll();
                if (next == null || closedBecause != null) {
                    dispatching = false;
                    return;
                }
            }
            if (next.answer() != null) {
                sendAnswer(next.answer());
                continue;
            }
            CompletableFuture<String> answer = dispatcher.answer(next.context(), next.call());
            if (answer.isDone()) {
                sendAnswer(answer.join());
                continue;
            }
            answer.whenComplete((text, e) -> {
                sendAnswer(text);
                dispatchQueued();
            });
            return;
        }
    }

    private void onAnswer(String messageId, RpcFrame.CallResult result, RpcFrame.CallError error) {
        Taken taken = take(messageId);
        if (taken == null) {
            LOG.warn("{}: ignored an answer to unknown message id {} (late after a timeout, or never sent)",
                    chargePointId, messageId);
            return;
        }
        Outgoing answered = taken.answered();
        if (result != null) {
            try {
                answered.result().complete(codec.decodeConfirmation(answered.action(), result.payload()));
            } catch (OcppValidationException e) {
                LOG.warn("{}: invalid {} confirmation ({}): {}", chargePointId, answered.action(), e.errorCode(),
                        e.getMessage());
                answered.result().completeExceptionally(new ChargerCallException(chargePointId,
                        Reason.INVALID_CONFIRMATION, null, answered.action() + " confirmation from " + chargePointId
                        + " is invalid: " + e.getMessage()));
            }
        } else {
            answered.result().completeExceptionally(new ChargerCallException(chargePointId, Reason.CALL_ERROR,
                    error.errorCode(), chargePointId + " answered " + answered.action() + " with "
                    + error.errorCode() + ": " + error.errorDescription()));
        }
        transmit(taken.next());
    }

    private void onMalformedAnswer(String messageId, String problem) {
        Taken taken = take(messageId);
        if (taken == null) {
            return;
        }
        taken.answered().result().completeExceptionally(new ChargerCallException(chargePointId,
                Reason.INVALID_CONFIRMATION, null, chargePointId + " answered " + taken.answered().action()
                + " with a malformed frame: " + problem));
        transmit(taken.next());
    }

    private record Taken(Outgoing answered, Outgoing next) {}

    /** The in-flight call if {@code messageId} answers it, and the queued call started in its place. */
    private synchronized Taken take(String messageId) {
        if (inFlight == null || !inFlight.messageId().equals(messageId)) {
            return null;
        }
        Outgoing answered = inFlight;
        return new Taken(answered, finishInFlightLocked());
    }

    // ---- calls to the charger ---------------------------------------------------------------

    <C extends Confirmation> CompletableFuture<C> call(Request<C> request) {
        String messageId = UUID.randomUUID().toString();
        String frame;
        try {
            frame = codec.encodeCall(messageId, request);
        } catch (InvalidOutgoingMessageException e) {
            LOG.error("BUG: refusing to send an invalid {} to {}: {}", request.action(), chargePointId, request, e);
            return CompletableFuture.failedFuture(e);
        }
        Outgoing call = new Outgoing(messageId, request.action(), frame, new CompletableFuture<>());
        Outgoing toSend;
        synchronized (this) {
            if (closedBecause != null) {
                return CompletableFuture.failedFuture(new ChargerCallException(chargePointId,
                        Reason.NOT_CONNECTED, null, chargePointId + " is not connected"));
            }
            if (outgoing.size() >= maxQueuedCalls) {
                return CompletableFuture.failedFuture(new ChargerCallException(chargePointId, Reason.QUEUE_FULL,
                        null, outgoing.size() + " calls already wait for " + chargePointId));
            }
            outgoing.add(call);
            toSend = inFlight == null ? startNextLocked() : null;
        }
        transmit(toSend);
        @SuppressWarnings("unchecked")
        CompletableFuture<C> typed = (CompletableFuture<C>) (CompletableFuture<?>) call.result();
        return typed;
    }

    private Outgoing startNextLocked() {
        Outgoing next = outgoing.poll();
        inFlight = next;
        if (next != null) {
            inFlightTimeout = timer.schedule(() -> timedOut(next), callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return next;
    }

    private Outgoing finishInFlightLocked() {
        if (inFlightTimeout != null) {
            inFlightTimeout.cancel(false);
            inFlightTimeout = null;
        }
        inFlight = null;
        return closedBecause == null ? startNextLocked() : null;
    }

    private void transmit(Outgoing call) {
        if (call != null && !transport.send(call.frame())) {
            // The close callback fails this call and the queue; nothing else to do here.
            LOG.debug("{}: connection closed before {} could be sent", chargePointId, call.action());
        }
    }

    private void timedOut(Outgoing call) {
        Outgoing next;
        synchronized (this) {
            if (inFlight != call) {
                return;
            }
            next = finishInFlightLocked();
        }
        LOG.warn("{}: no answer to {} within {} s", chargePointId, call.action(), callTimeout.toSeconds());
        call.result().completeExceptionally(new ChargerCallException(chargePointId, Reason.TIMEOUT, null,
                chargePointId + " did not answer " + call.action() + " within " + callTimeout.toSeconds() + " s"));
        transmit(next);
    }

    // ---- end --------------------------------------------------------------------------------

    /** The connection is gone (or replaced): every call still waiting fails with {@code reason}. */
    void closed(Reason reason) {
        List<Outgoing> failed = new ArrayList<>();
        synchronized (this) {
            if (closedBecause != null) {
                return;
            }
            closedBecause = reason;
            if (inFlightTimeout != null) {
                inFlightTimeout.cancel(false);
            }
            if (inFlight != null) {
                failed.add(inFlight);
                inFlight = null;
            }
            failed.addAll(outgoing);
            outgoing.clear();
            incoming.clear();
        }
        for (Outgoing call : failed) {
            call.result().completeExceptionally(new ChargerCallException(chargePointId, reason, null,
                    "connection to " + chargePointId + " ended before it answered " + call.action()));
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= LOGGED_FRAME_CHARS ? text : text.substring(0, LOGGED_FRAME_CHARS) + "...";
    }
}
