package org.chargeedge.centralsystem.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.CallRejectedException;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.ocpp.rpc.ErrorCode;
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
 * Turns a charger's CALL into the text of its answer: decodes and validates
 * the payload, runs the handler chain (whiteboard handlers, then the built-in
 * central system), lets the site state observe the exchange, and encodes the
 * CALLRESULT, or the CALLERROR that OCPP-J prescribes when any step fails.
 * The returned stage never fails.
 */
final class CallDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CallDispatcher.class);

    /** The end of every chain. */
    interface Terminal {
        CompletionStage<Confirmation> handle(CallContext context, Request<?> request);
    }

    /** Sees every answered call, before the answer is sent. */
    interface Observer {
        void answered(CallContext context, Request<?> request, Confirmation confirmation);
    }

    private final OcppJsonCodec codec;
    private final HandlerRegistry handlers;
    private final Terminal terminal;
    private final Observer observer;
    private final ScheduledExecutorService timer;
    private final Duration handlerTimeout;

    CallDispatcher(OcppJsonCodec codec, HandlerRegistry handlers, Terminal terminal, Observer observer,
                   ScheduledExecutorService timer, Duration handlerTimeout) {
        this.codec = codec;
        this.handlers = handlers;
        this.terminal = terminal;
        this.observer = observer;
        this.timer = timer;
        this.handlerTimeout = handlerTimeout;
    }

    CompletableFuture<String> answer(CallContext context, RpcFrame.Call call) {
        String id = call.messageId();
        Optional<Action> found = Action.byName(call.action());
        if (found.isEmpty()) {
            return error(id, ErrorCode.NotImplemented, "Unknown action '" + call.action() + "'");
        }
        Action action = found.get();
        if (!action.initiator().chargePoint()) {
            return error(id, ErrorCode.NotSupported,
                    action + " is sent by a central system to a charge point, not the other way");
        }
        Request<?> request;
        try {
            request = codec.decodeRequest(action, call.payload());
        } catch (OcppValidationException e) {
            LOG.warn("{}: invalid {} ({}): {}", context.chargePointId(), action, e.errorCode(), e.getMessage());
            return error(id, e.errorCode(), e.getMessage());
        }
        CompletableFuture<Confirmation> result = withTimeout(proceed(handlers.handlers(action), 0, context, request));
        if (result.isDone()) {
            return CompletableFuture.completedFuture(encode(context, id, request, result));
        }
        return result.handle((c, e) -> encode(context, id, request, result));
    }

    private CompletionStage<Confirmation> proceed(List<ChargerCallHandler> chain, int index, CallContext context,
                                                  Request<?> request) {
        if (index == chain.size()) {
            try {
                return terminal.handle(context, request);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        ChargerCallHandler handler = chain.get(index);
        Action action = request.action();
        try {
            CompletionStage<Confirmation> stage = handler.handle(context, request, next -> {
                if (next.action() != action) {
                    throw new IllegalArgumentException(handler + " passed on " + next.action() + " for " + action);
                }
                return proceed(chain, index + 1, context, next);
            });
            if (stage == null) {
                return CompletableFuture.failedFuture(new IllegalStateException(handler + " returned no stage"));
            }
            return stage;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Confirmation> withTimeout(CompletionStage<Confirmation> stage) {
        CompletableFuture<Confirmation> result = new CompletableFuture<>();
        stage.whenComplete((c, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(c);
            }
        });
        if (!result.isDone()) {
            ScheduledFuture<?> timeout = timer.schedule(() -> result.completeExceptionally(new TimeoutException(
                    "no answer from the handlers within " + handlerTimeout.toSeconds() + " s")),
                    handlerTimeout.toMillis(), TimeUnit.MILLISECONDS);
            result.whenComplete((c, e) -> timeout.cancel(false));
        }
        return result;
    }

    /** The answer frame for a finished chain; never throws. */
    private String encode(CallContext context, String id, Request<?> request, CompletableFuture<Confirmation> result) {
        Confirmation confirmation;
        try {
            confirmation = result.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof CallRejectedException r) {
                return codec.encodeCallError(id, r.errorCode(), r.getMessage());
            }
            if (cause instanceof TimeoutException) {
                LOG.error("{}: {} not answered: {}", context.chargePointId(), request.action(), cause.getMessage());
                return codec.encodeCallError(id, ErrorCode.InternalError, cause.getMessage());
            }
            LOG.error("{}: handling {} failed", context.chargePointId(), request.action(), cause);
            return codec.encodeCallError(id, ErrorCode.InternalError, "The gateway failed to process " + request.action());
        }
        if (confirmation == null || confirmation.action() != request.action()) {
            LOG.error("{}: a handler answered {} with {}", context.chargePointId(), request.action(), confirmation);
            return codec.encodeCallError(id, ErrorCode.InternalError, "The gateway failed to process " + request.action());
        }
        String text;
        try {
            text = codec.encodeCallResult(id, confirmation);
        } catch (InvalidOutgoingMessageException e) {
            LOG.error("BUG: refusing to send an invalid {} confirmation to {}: {}", request.action(),
                    context.chargePointId(), confirmation, e);
            return codec.encodeCallError(id, ErrorCode.InternalError, "The gateway failed to process " + request.action());
        }
        try {
            observer.answered(context, request, confirmation);
        } catch (RuntimeException e) {
            LOG.error("{}: recording {} failed", context.chargePointId(), request.action(), e);
        }
        return text;
    }

    private CompletableFuture<String> error(String id, ErrorCode code, String description) {
        return CompletableFuture.completedFuture(codec.encodeCallError(id, code, description));
    }
}
