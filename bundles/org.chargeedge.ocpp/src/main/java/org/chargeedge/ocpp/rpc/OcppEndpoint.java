package org.chargeedge.ocpp.rpc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The OCPP-J call discipline of one connection, both directions, without the
 * socket: the owner passes in every text frame it reads ({@link #received})
 * and gives the endpoint a {@link Transport} to write frames with. OCPP-J
 * allows one unanswered CALL per direction per connection, so:
 *
 * <ul>
 * <li><b>Our calls</b> ({@link #call}): one is in flight, the rest wait in
 * order behind it (at most {@code maxQueuedOutgoing}; more are refused with
 * {@link CallQueueFullException}). Answers are matched by message id; an
 * answer that matches no call in flight (late after a timeout, or never sent)
 * goes to {@link Listener#unknownAnswer} and is otherwise ignored. A call's
 * timeout counts from when {@link #call} was invoked: a call that expires
 * while it waits is removed and never sent; one that expires in flight fails,
 * and the next one goes. A call is never sent twice.</li>
 * <li><b>The peer's calls</b>: answered one at a time in arrival order by the
 * {@link CallHandler}; the next is taken only after the previous answer frame
 * was sent. At most {@code maxQueuedIncoming} wait behind the one being
 * answered; more are answered at once with CALLERROR GenericError. A frame
 * that is not OCPP-J but answerable ({@link FrameException#answerable()}) gets
 * its CALLERROR in order with the calls. A malformed frame whose id is our call
 * in flight fails that call at once ({@link MalformedAnswerException}); any
 * other is dropped. A handler that throws, fails or answers null gives the peer
 * InternalError, so the peer is never left without an answer.</li>
 * </ul>
 *
 * <p>Nothing is logged here: what the owner may want to log or act on goes to
 * its {@link Listener}, so it is logged with the owner's context.
 *
 * <p>Threads: {@link #received} is called by one reader thread at a time (the
 * connection's); {@link #call} and {@link #close} from any thread; handler
 * stages complete on any thread, and the next queued incoming call is then
 * answered on that thread; timeouts run on the given scheduler. The two queues,
 * the call in flight and the closed flag are guarded by this object's monitor,
 * held only for queue operations: the handler runs, frames are sent, listeners
 * are told and futures are completed outside it. So the {@link Transport} may
 * be called from several threads at once (an answer and a CALL) and must be
 * safe for that.
 */
public final class OcppEndpoint {

    /** The CALLERROR description for a CALL beyond {@code maxQueuedIncoming}. */
    public static final String TOO_MANY_CALLS = "Too many unanswered calls: OCPP-J allows one outstanding CALL";

    /** The connection, as the endpoint needs it. */
    @FunctionalInterface
    public interface Transport {
        /**
         * Sends one text frame; false when the connection is gone, and the
         * endpoint then closes itself. May be called from several threads at once.
         */
        boolean send(String text);
    }

    /** Answers the peer's CALLs. */
    @FunctionalInterface
    public interface CallHandler {
        /**
         * Answers one incoming CALL: the stage completes with the whole answer
         * frame text (a CALLRESULT or a CALLERROR for {@code call.messageId()}).
         *
         * @param receivedAt when the frame was read (the builder's clock), which
         *        may be earlier than now when the call waited in the queue
         */
        CompletionStage<String> answer(RpcFrame.Call call, Instant receivedAt);
    }

    /**
     * What the owner may want to log or act on. All methods do nothing by
     * default. They are called without the endpoint's monitor held; exceptions
     * they throw are ignored, so that a failing listener cannot wedge the
     * connection.
     */
    public interface Listener {
        /** A frame that is not OCPP-J; answered with a CALLERROR when {@code problem.answerable()}, else dropped. */
        default void malformedFrame(String text, FrameException problem) {
        }

        /** The peer sent a CALL before its previous one was answered; told once per endpoint. */
        default void pipelining() {
        }

        /** A CALL refused with GenericError because {@code max} calls already wait for an answer. */
        default void incomingOverflow(String messageId, int max) {
        }

        /** An answer to no call of ours in flight: late after a timeout, or never sent. Ignored. */
        default void unknownAnswer(String messageId) {
        }

        /**
         * One of our calls expired. {@code sent} is true when it was in flight:
         * the peer has not answered within the timeout, and the owner may decide
         * the connection is dead. False when it expired waiting and was never sent.
         */
        default void callTimedOut(String action, String messageId, boolean sent) {
        }

        /** The handler threw, failed or answered null; the peer got InternalError. */
        default void handlerFailed(RpcFrame.Call call, Throwable problem) {
        }
    }

    /** Creates an endpoint for one connection. */
    public static Builder builder(Transport transport, CallHandler handler, ScheduledExecutorService timer) {
        return new Builder(transport, handler, timer);
    }

    public static final class Builder {
        private final Transport transport;
        private final CallHandler handler;
        private final ScheduledExecutorService timer;
        private OcppJsonCodec codec;
        private Listener listener;
        private Clock clock = Clock.systemUTC();
        private int maxQueuedIncoming = 64;
        private int maxQueuedOutgoing = 64;

        private Builder(Transport transport, CallHandler handler, ScheduledExecutorService timer) {
            this.transport = Objects.requireNonNull(transport, "transport");
            this.handler = Objects.requireNonNull(handler, "handler");
            this.timer = Objects.requireNonNull(timer, "timer");
        }

        /** The codec that parses frames and encodes CALLERRORs; default a new one. */
        public Builder codec(OcppJsonCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Told of what the owner may want to log; default one that ignores everything. */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Gives the {@code receivedAt} of incoming calls; default the UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Peer's CALLs that may wait behind the one being answered; default 64. */
        public Builder maxQueuedIncoming(int max) {
            this.maxQueuedIncoming = atLeastZero(max, "maxQueuedIncoming");
            return this;
        }

        /** Our calls that may wait behind the one in flight; default 64. */
        public Builder maxQueuedOutgoing(int max) {
            this.maxQueuedOutgoing = atLeastZero(max, "maxQueuedOutgoing");
            return this;
        }

        public OcppEndpoint build() {
            return new OcppEndpoint(this);
        }

        private static int atLeastZero(int value, String name) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            return value;
        }
    }

    /** One of our calls. {@code sent} is guarded by the endpoint's monitor. */
    private static final class Outgoing {
        final String messageId;
        final String action;
        final String frame;
        final Duration timeout;
        final long deadlineNanos;
        final CompletableFuture<JsonNode> result = new CompletableFuture<>();
        boolean sent;
        volatile ScheduledFuture<?> expiry;

        Outgoing(String messageId, String action, String frame, Duration timeout) {
            this.messageId = messageId;
            this.action = action;
            this.frame = frame;
            this.timeout = timeout;
            this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        }

        void cancelExpiry() {
            ScheduledFuture<?> task = expiry;
            if (task != null) {
                task.cancel(false);
            }
        }
    }

    /** A peer's CALL, or the prepared CALLERROR for an answerable malformed frame. */
    private record Incoming(String messageId, RpcFrame.Call call, String prepared, Instant receivedAt) {}

    private static final Object ANSWER_LATER = new Object();
    private static final String CONNECTION_GONE = "the connection is gone";

    private final Transport transport;
    private final CallHandler handler;
    private final ScheduledExecutorService timer;
    private final OcppJsonCodec codec;
    private final Listener listener;
    private final Clock clock;
    private final int maxQueuedIncoming;
    private final int maxQueuedOutgoing;

    // Guarded by this.
    private final ArrayDeque<Outgoing> waitingOut = new ArrayDeque<>();
    private Outgoing inFlight;
    private final ArrayDeque<Incoming> waitingIn = new ArrayDeque<>();
    /** A thread is answering the peer's calls (or a handler's answer is pending). */
    private boolean answering;
    /** Peer's CALLs whose answer frame has not been sent yet, the one being answered included. */
    private int unanswered;
    private boolean pipeliningReported;
    private String closedReason;

    private OcppEndpoint(Builder b) {
        this.transport = b.transport;
        this.handler = b.handler;
        this.timer = b.timer;
        this.codec = b.codec != null ? b.codec : new OcppJsonCodec();
        this.listener = b.listener != null ? b.listener : new Listener() {
        };
        this.clock = b.clock;
        this.maxQueuedIncoming = b.maxQueuedIncoming;
        this.maxQueuedOutgoing = b.maxQueuedOutgoing;
    }

    // ---- frames from the peer ---------------------------------------------------------------

    /** A text frame arrived. Called by one thread at a time. */
    public void received(String text) {
        Instant receivedAt = clock.instant();
        RpcFrame frame;
        try {
            frame = codec.parse(text);
        } catch (FrameException e) {
            malformed(text, e, receivedAt);
            return;
        }
        if (frame instanceof RpcFrame.Call call) {
            enqueue(new Incoming(call.messageId(), call, null, receivedAt));
        } else if (frame instanceof RpcFrame.CallResult result) {
            answered(result.messageId(), result.payload(), null, null);
        } else {
            RpcFrame.CallError error = (RpcFrame.CallError) frame;
            answered(error.messageId(), null, error, null);
        }
    }

    private void malformed(String text, FrameException problem, Instant receivedAt) {
        if (closed()) {
            return;
        }
        tell(() -> listener.malformedFrame(text, problem));
        String id = problem.messageId().orElse(null);
        if (problem.answerable()) {
            // Queued with the calls: the peer gets its answers in the order it sent the frames.
            enqueue(new Incoming(id, null, codec.encodeCallError(id, problem.errorCode(), problem.getMessage()),
                    receivedAt));
        } else if (id != null) {
            // A broken answer to our call fails it now rather than at its timeout; any other is dropped.
            answered(id, null, null, problem);
        }
    }

    private void enqueue(Incoming call) {
        boolean start = false;
        boolean overflow = false;
        boolean pipelined = false;
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            if (unanswered > 0 && !pipeliningReported) {
                pipeliningReported = true;
                pipelined = true;
            }
            if (answering && waitingIn.size() >= maxQueuedIncoming) {
                overflow = true;
            } else {
                waitingIn.add(call);
                unanswered++;
                if (!answering) {
                    answering = true;
                    start = true;
                }
            }
        }
        if (pipelined) {
            tell(listener::pipelining);
        }
        if (overflow) {
            tell(() -> listener.incomingOverflow(call.messageId(), maxQueuedIncoming));
            // Answered at once, out of order: better than no answer, which leaves the peer waiting.
            send(codec.encodeCallError(call.messageId(), ErrorCode.GenericError, TOO_MANY_CALLS));
        } else if (start) {
            answerWaiting();
        }
    }

    /** Answers waiting calls until none is left or a handler's answer is pending. */
    private void answerWaiting() {
        while (true) {
            Incoming next;
            synchronized (this) {
                next = closedReason == null ? waitingIn.poll() : null;
                if (next == null) {
                    answering = false;
                    return;
                }
            }
            if (next.prepared() != null) {
                sendAnswer(next.prepared());
                continue;
            }
            RpcFrame.Call call = next.call();
            CompletionStage<String> stage;
            try {
                stage = handler.answer(call, next.receivedAt());
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new IllegalStateException("the handler returned no stage"));
            }
            // Whoever comes second carries on: this loop when the answer is already there (no
            // recursion for handlers that answer at once), else the thread that completes the stage.
            AtomicReference<Object> handoff = new AtomicReference<>();
            stage.whenComplete((text, failure) -> {
                String answer = answerFrame(call, text, failure);
                if (!handoff.compareAndSet(null, answer)) {
                    sendAnswer(answer);
                    answerWaiting();
                }
            });
            if (handoff.compareAndSet(null, ANSWER_LATER)) {
                return;
            }
            sendAnswer((String) handoff.get());
        }
    }

    private String answerFrame(RpcFrame.Call call, String text, Throwable failure) {
        if (failure == null && text != null) {
            return text;
        }
        Throwable problem = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        Throwable reported = problem != null ? problem : new IllegalStateException("the handler answered null");
        tell(() -> listener.handlerFailed(call, reported));
        // The description names no detail of the failure: it is ours, not the peer's business.
        return codec.encodeCallError(call.messageId(), ErrorCode.InternalError,
                "An internal error occurred while processing " + call.action());
    }

    /** Counted as answered before it is sent: the peer may send its next CALL as soon as it reads this. */
    private void sendAnswer(String text) {
        synchronized (this) {
            unanswered--;
            if (closedReason != null) {
                return;
            }
        }
        send(text);
    }

    // ---- our calls --------------------------------------------------------------------------

    /**
     * Queues a CALL whose frame is already encoded; it is sent when the calls
     * before it are answered or expired. The future completes with the
     * CALLRESULT payload, or fails with a {@link CallFailedException}:
     * {@link CallErrorException}, {@link CallTimeoutException},
     * {@link EndpointClosedException}, {@link CallQueueFullException} (at once)
     * or {@link MalformedAnswerException}. Completing or cancelling the future
     * yourself does not withdraw the call.
     *
     * @param messageId the id in {@code frame}; must be unique on this connection (a UUID)
     * @param action the action in {@code frame}, for exceptions and the listener
     * @param timeout counted from now, not from when the call is sent; positive
     */
    public CompletableFuture<JsonNode> call(String messageId, String action, String frame, Duration timeout) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(frame, "frame");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        Outgoing call = new Outgoing(messageId, action, frame, timeout);
        CallFailedException refused = null;
        boolean sendNow = false;
        synchronized (this) {
            if (closedReason != null) {
                refused = new EndpointClosedException(messageId, action, closedReason, false);
            } else if (inFlight == null) {
                // Nothing in flight means nothing waits either: calls move up as soon as the slot is free.
                inFlight = call;
                sendNow = true;
            } else if (waitingOut.size() >= maxQueuedOutgoing) {
                refused = new CallQueueFullException(messageId, action, maxQueuedOutgoing);
            } else {
                waitingOut.add(call);
            }
        }
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        try {
            call.expiry = timer.schedule(() -> expire(call), timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Without a timer the call could wait forever; the owner is shutting down anyway.
            withdraw(call, sent -> new EndpointClosedException(messageId, action, "the endpoint's timer has stopped",
                    sent), false);
            return call.result;
        }
        if (call.result.isDone()) {
            // Answered before its expiry was set (another thread sent it); the task need not wait.
            call.cancelExpiry();
        }
        if (sendNow) {
            transmit(call);
        }
        return call.result;
    }

    private void expire(Outgoing call) {
        withdraw(call, sent -> new CallTimeoutException(call.messageId, call.action, call.timeout, sent), true);
    }

    private interface Failure {
        CallFailedException of(boolean sent);
    }

    /** Removes {@code call} wherever it waits and fails it; nothing if it is done already. */
    private void withdraw(Outgoing call, Failure failure, boolean timedOut) {
        Steps steps = new Steps();
        synchronized (this) {
            boolean sent;
            if (inFlight == call) {
                sent = call.sent;
                inFlight = null;
            } else if (waitingOut.remove(call)) {
                sent = false;
            } else {
                return;
            }
            if (timedOut) {
                steps.notice(() -> listener.callTimedOut(call.action, call.messageId, sent));
            }
            steps.fail(call, failure.of(sent));
            if (inFlight == null) {
                moveUpLocked(steps);
            }
        }
        steps.run();
    }

    /**
     * Makes the next waiting call the one in flight. Calls whose time ran out
     * meanwhile are failed instead of sent: their timer may not have fired yet,
     * and the peer must not get a call nobody waits for.
     */
    private void moveUpLocked(Steps steps) {
        long now = System.nanoTime();
        Outgoing next;
        while (closedReason == null && (next = waitingOut.poll()) != null) {
            if (next.deadlineNanos - now > 0) {
                inFlight = next;
                steps.send = next;
                return;
            }
            Outgoing expired = next;
            steps.notice(() -> listener.callTimedOut(expired.action, expired.messageId, false));
            steps.fail(expired, new CallTimeoutException(expired.messageId, expired.action, expired.timeout, false));
        }
    }

    /** Sends the call if it is still the one in flight and was not sent yet: never twice, never after it expired. */
    private void transmit(Outgoing call) {
        synchronized (this) {
            if (inFlight != call || call.sent || closedReason != null) {
                return;
            }
            call.sent = true;
        }
        if (!transport.send(call.frame)) {
            synchronized (this) {
                call.sent = false; // it did not go out: the peer cannot have carried it out
            }
            close(CONNECTION_GONE);
        }
    }

    /** An answer, or a malformed frame naming {@code messageId} ({@code problem} set). */
    private void answered(String messageId, JsonNode payload, RpcFrame.CallError error, FrameException problem) {
        Steps steps = new Steps();
        Outgoing call;
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            if (inFlight == null || !inFlight.messageId.equals(messageId)) {
                call = null;
            } else {
                call = inFlight;
                inFlight = null;
                moveUpLocked(steps);
            }
        }
        if (call == null) {
            if (problem == null) {
                tell(() -> listener.unknownAnswer(messageId));
            }
            return;
        }
        if (error != null) {
            steps.fail(call, new CallErrorException(messageId, call.action, error.errorCode(),
                    error.errorDescription(), error.errorDetails()));
        } else if (problem != null) {
            steps.fail(call, new MalformedAnswerException(messageId, call.action, problem));
        } else {
            steps.complete(call, payload);
        }
        steps.run();
    }

    // ---- end --------------------------------------------------------------------------------

    /**
     * Closes the endpoint (the connection ended, or the owner gives it up): the
     * call in flight and the waiting calls fail with
     * {@link EndpointClosedException} carrying {@code reason}; the peer's
     * waiting calls are dropped; later frames are ignored and later calls fail
     * at once. Closing again does nothing.
     */
    public void close(String reason) {
        Objects.requireNonNull(reason, "reason");
        Steps steps = new Steps();
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
            if (inFlight != null) {
                steps.fail(inFlight, new EndpointClosedException(inFlight.messageId, inFlight.action, reason,
                        inFlight.sent));
                inFlight = null;
            }
            for (Outgoing call : waitingOut) {
                steps.fail(call, new EndpointClosedException(call.messageId, call.action, reason, false));
            }
            waitingOut.clear();
            waitingIn.clear();
        }
        steps.run();
    }

    /** True once {@link #close} was called, or a frame could not be sent. */
    /**
     * The peer's calls received and not yet answered, the one being answered
     * included. A transport may stop reading from a peer while this is high,
     * so a flood waits in the peer's own socket buffers instead of the heap.
     */
    public synchronized int backlog() {
        return unanswered;
    }

    public synchronized boolean closed() {
        return closedReason != null;
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void send(String text) {
        if (!transport.send(text)) {
            close(CONNECTION_GONE);
        }
    }

    private static void tell(Runnable notice) {
        try {
            notice.run();
        } catch (RuntimeException e) {
            // Ignored on purpose: a listener that fails must not leave a call or a queue half done.
        }
    }

    /**
     * What to do once the monitor is released, in this order: tell the
     * listener (which may close the endpoint, so that the next call is then not
     * sent into a connection about to go), send the next call, then complete
     * futures, whose dependents may run long.
     */
    private final class Steps {
        private final List<Runnable> notices = new ArrayList<>(1);
        private final List<Runnable> completions = new ArrayList<>(2);
        Outgoing send;

        void notice(Runnable notice) {
            notices.add(notice);
        }

        void fail(Outgoing call, CallFailedException failure) {
            completions.add(() -> {
                call.cancelExpiry();
                call.result.completeExceptionally(failure);
            });
        }

        void complete(Outgoing call, JsonNode payload) {
            completions.add(() -> {
                call.cancelExpiry();
                call.result.complete(payload);
            });
        }

        void run() {
            notices.forEach(OcppEndpoint::tell);
            if (send != null) {
                transmit(send);
            }
            completions.forEach(Runnable::run);
        }
    }
}
