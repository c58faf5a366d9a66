package org.chargeedge.centralsystem.internal;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.CallRejectedException;
import org.chargeedge.api.charger.CallStatistics;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.PartStoppingException;
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
 *
 * <p>Readiness: a call goes to the chain only when the registry snapshot it
 * takes the chain from has every required site part. Otherwise it waits,
 * without holding a thread, until the registry publishes a ready snapshot
 * (the waiting call then starts on the timer thread) or for
 * {@code readinessTimeout}; after that, the actions that must be kept or
 * decided by the whole site ({@link #NEED_WHOLE_SITE}) get InternalError and
 * the others are answered by the handlers that are there. The session waits
 * for the returned stage before it takes the charger's next call, so the
 * waiting keeps the charger's order.
 */
final class CallDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CallDispatcher.class);
    /** Before a call whose part stopped mid-call runs again: the part's unregistration settles meanwhile. */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(50);

    /**
     * Billing data and idTag decisions: acknowledged by part of the site they could be lost (not stored, not
     * queued for the CSMS) or decided without the local list. After the readiness timeout they are refused, so
     * the charger keeps them and sends them again.
     */
    static final Set<Action> NEED_WHOLE_SITE = EnumSet.of(Action.StartTransaction, Action.StopTransaction,
            Action.MeterValues, Action.Authorize);

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
    private final Duration readinessTimeout;
    private final LogLimiter invalidCalls = LogLimiter.perMinute();
    /** Every answer made here is counted, with its latency, where its frame is encoded. */
    final CallMeter meter = new CallMeter();

    CallDispatcher(OcppJsonCodec codec, HandlerRegistry handlers, Terminal terminal, Observer observer,
                   ScheduledExecutorService timer, Duration handlerTimeout, Duration readinessTimeout) {
        this.codec = codec;
        this.handlers = handlers;
        this.terminal = terminal;
        this.observer = observer;
        this.timer = timer;
        this.handlerTimeout = handlerTimeout;
        this.readinessTimeout = readinessTimeout;
    }

    CompletableFuture<String> answer(CallContext context, RpcFrame.Call call) {
        String id = call.messageId();
        Optional<Action> found = Action.byName(call.action());
        if (found.isEmpty()) {
            return error(context, CallStatistics.UNKNOWN_ACTION, id, ErrorCode.NotImplemented,
                    "Unknown action '" + call.action() + "'");
        }
        Action action = found.get();
        if (!action.initiator().chargePoint()) {
            return error(context, action.name(), id, ErrorCode.NotSupported,
                    action + " is sent by a central system to a charge point, not the other way");
        }
        Request<?> request;
        try {
            request = codec.decodeRequest(action, call.payload());
        } catch (OcppValidationException e) {
            // The description quotes the charger's values: escaped, and one line a minute per charger and action.
            LogLimiter.Decision d = invalidCalls.allow(context.chargePointId() + " " + action);
            if (d.log()) {
                LOG.warn("{}: invalid {} ({}): {}{}", context.chargePointId(), action, e.errorCode(),
                        PeerText.longText(e.getMessage()), d.suffix());
            }
            return error(context, action.name(), id, e.errorCode(), e.getMessage());
        }
        HandlerRegistry.Snapshot site = handlers.snapshot();
        if (site.ready()) {
            return run(context, id, request, site.handlers(action));
        }
        return awaitSite(context, id, request);
    }

    /** Runs the chain and encodes its answer; the handler timeout counts from here. */
    private CompletableFuture<String> run(CallContext context, String id, Request<?> request,
                                          List<ChargerCallHandler> chain) {
        return run(context, id, request, chain, 0);
    }

    /**
     * {@code retries}: how often a part stopping mid-call made the call run again. The call waits for
     * the site like a new one; a part that keeps stopping is given up after the readiness timeout's
     * worth of retries.
     */
    private CompletableFuture<String> run(CallContext context, String id, Request<?> request,
                                          List<ChargerCallHandler> chain, int retries) {
        CompletableFuture<Confirmation> result = withTimeout(proceed(chain, 0, context, request));
        if (result.isDone() && stoppingPart(result) == null) {
            return CompletableFuture.completedFuture(encode(context, id, request, result));
        }
        return result.handle((c, e) -> stoppingPart(result)).thenCompose(part -> {
            if (part == null || retries >= maxRetries()) {
                return CompletableFuture.completedFuture(encode(context, id, request, result));
            }
            LOG.info("{}: {} runs again once the site is ready: {} stopped while it held the call",
                    context.chargePointId(), request.action(), part.part());
            CompletableFuture<Void> pause = new CompletableFuture<>();
            try {
                timer.schedule(() -> pause.complete(null), RETRY_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                return CompletableFuture.completedFuture(encode(context, id, request, result));
            }
            return pause.thenCompose(v -> {
                HandlerRegistry.Snapshot site = handlers.snapshot();
                return site.ready() ? run(context, id, request, site.handlers(request.action()), retries + 1)
                        : awaitSite(context, id, request);
            });
        });
    }

    private static PartStoppingException stoppingPart(CompletableFuture<Confirmation> result) {
        if (!result.isCompletedExceptionally()) {
            return null;
        }
        try {
            result.join();
            return null;
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() instanceof PartStoppingException p ? p : null;
        }
    }

    private int maxRetries() {
        return (int) Math.max(1, readinessTimeout.toMillis() / RETRY_PAUSE.toMillis());
    }

    /** Waits for a ready snapshot, at most the readiness timeout, then answers. */
    private CompletableFuture<String> awaitSite(CallContext context, String id, Request<?> request) {
        CompletableFuture<HandlerRegistry.Snapshot> ready = handlers.whenReady();
        if (ready.isDone()) {
            return run(context, id, request, ready.join().handlers(request.action()));
        }
        LOG.debug("{}: {} waits for the site: {} missing", context.chargePointId(), request.action(),
                handlers.snapshot().readiness().missing());
        try {
            // Completing with null means: no longer waiting. The registry then forgets the waiter.
            ScheduledFuture<?> timeout = timer.schedule(() -> ready.complete(null), readinessTimeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            ready.whenComplete((s, e) -> timeout.cancel(false));
        } catch (RejectedExecutionException e) {
            ready.complete(null); // the central system is stopping
        }
        // Not on the thread that completed the waiter: that is a DS bind thread when a part arrives, and every
        // waiting call of the site would otherwise run its chain there.
        return ready.thenComposeAsync(site -> site != null
                ? run(context, id, request, site.handlers(request.action()))
                : afterTimeout(context, id, request), this::execute);
    }

    /** The readiness timeout passed: whole-site actions are refused, others answered by the handlers there are. */
    private CompletableFuture<String> afterTimeout(CallContext context, String id, Request<?> request) {
        HandlerRegistry.Snapshot site = handlers.snapshot();
        if (site.ready()) {
            return run(context, id, request, site.handlers(request.action()));
        }
        List<String> missing = site.readiness().missing();
        if (NEED_WHOLE_SITE.contains(request.action())) {
            LOG.debug("{}: {} refused after {}: {} missing", context.chargePointId(), request.action(),
                    HandlerRegistry.seconds(readinessTimeout), missing);
            return error(context, request.action().name(), id, ErrorCode.InternalError, notRunning(missing));
        }
        LOG.debug("{}: {} answered without {} after {}", context.chargePointId(), request.action(), missing,
                HandlerRegistry.seconds(readinessTimeout));
        return run(context, id, request, site.handlers(request.action()));
    }

    /** "the gateway's upstream is not running; send it again later" */
    static String notRunning(List<String> missing) {
        return "the gateway's " + HandlerRegistry.names(missing) + (missing.size() == 1 ? " is" : " are")
                + " not running; send it again later";
    }

    private void execute(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException e) {
            // The central system is stopping and has closed the charger's connection: nobody waits for the answer.
            LOG.debug("A waiting call is dropped: the central system is stopping");
        }
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
                return callError(context, request, id, r.errorCode(), r.getMessage());
            }
            if (cause instanceof TimeoutException) {
                LOG.error("{}: {} not answered: {}", context.chargePointId(), request.action(), cause.getMessage());
                return callError(context, request, id, ErrorCode.InternalError, cause.getMessage());
            }
            LOG.error("{}: handling {} failed", context.chargePointId(), request.action(), cause);
            return callError(context, request, id, ErrorCode.InternalError,
                    "The gateway failed to process " + request.action());
        }
        if (confirmation == null || confirmation.action() != request.action()) {
            LOG.error("{}: a handler answered {} with {}", context.chargePointId(), request.action(), confirmation);
            return callError(context, request, id, ErrorCode.InternalError,
                    "The gateway failed to process " + request.action());
        }
        String text;
        try {
            text = codec.encodeCallResult(id, confirmation);
        } catch (InvalidOutgoingMessageException e) {
            LOG.error("BUG: refusing to send an invalid {} confirmation to {}: {}", request.action(),
                    context.chargePointId(), confirmation, e);
            return callError(context, request, id, ErrorCode.InternalError,
                    "The gateway failed to process " + request.action());
        }
        try {
            observer.answered(context, request, confirmation);
        } catch (RuntimeException e) {
            LOG.error("{}: recording {} failed", context.chargePointId(), request.action(), e);
        }
        meter.record(request.action().name(), CallStatistics.RESULT, context.receivedAt());
        return text;
    }

    private String callError(CallContext context, Request<?> request, String id, ErrorCode code, String description) {
        meter.record(request.action().name(), code.name(), context.receivedAt());
        return codec.encodeCallError(id, code, description);
    }

    private CompletableFuture<String> error(CallContext context, String action, String id, ErrorCode code,
                                            String description) {
        meter.record(action, code.name(), context.receivedAt());
        return CompletableFuture.completedFuture(codec.encodeCallError(id, code, description));
    }
}
