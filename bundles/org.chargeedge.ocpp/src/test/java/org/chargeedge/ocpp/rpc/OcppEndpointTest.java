package org.chargeedge.ocpp.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The call discipline of one connection, with an in-memory transport (the list
 * of frames sent) and a real scheduler for the timeouts.
 */
class OcppEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private ScheduledExecutorService timer;
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private volatile boolean connected = true;
    /** Incoming calls the handler holds: it answers them when the test completes the future. */
    private final Map<String, CompletableFuture<String>> held = new ConcurrentHashMap<>();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Instant> receivedAts = new CopyOnWriteArrayList<>();

    private final OcppEndpoint.Transport transport = text -> {
        if (!connected) {
            return false;
        }
        sent.add(text);
        return true;
    };

    private final OcppEndpoint.CallHandler heldOrAnswered = (call, receivedAt) -> {
        handled.add(call.messageId());
        receivedAts.add(receivedAt);
        CompletableFuture<String> answer = held.get(call.messageId());
        return answer != null ? answer : CompletableFuture.completedFuture(result(call.messageId()));
    };

    private final OcppEndpoint.Listener recorder = new OcppEndpoint.Listener() {
        @Override
        public void malformedFrame(String text, FrameException problem) {
            events.add("malformed " + problem.messageId().orElse("-"));
        }

        @Override
        public void pipelining() {
            events.add("pipelining");
        }

        @Override
        public void incomingOverflow(String messageId, int max) {
            events.add("overflow " + messageId + " " + max);
        }

        @Override
        public void unknownAnswer(String messageId) {
            events.add("unknown " + messageId);
        }

        @Override
        public void callTimedOut(String action, String messageId, boolean sent) {
            events.add("timeout " + action + " " + messageId + " sent=" + sent);
        }

        @Override
        public void handlerFailed(RpcFrame.Call call, Throwable problem) {
            events.add("handlerFailed " + call.messageId());
        }
    };

    @BeforeEach
    void startTimer() {
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private OcppEndpoint endpoint() {
        return OcppEndpoint.builder(transport, heldOrAnswered, timer).listener(recorder).build();
    }

    private static String call(String id) {
        return "[2,\"" + id + "\",\"Heartbeat\",{}]";
    }

    private static String result(String id) {
        return "[3,\"" + id + "\",{\"currentTime\":\"2030-01-01T00:00:00Z\"}]";
    }

    private static String reset(String id) {
        return "[2,\"" + id + "\",\"Reset\",{\"type\":\"Hard\"}]";
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static <T extends Throwable> T failure(CompletableFuture<?> future, Class<T> type) throws Exception {
        try {
            Object value = future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return fail("expected " + type.getSimpleName() + ", got the result " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(type);
            return type.cast(e.getCause());
        }
    }

    private static JsonNode value(CompletableFuture<JsonNode> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- the peer's calls -------------------------------------------------------------------

    @Test
    void peersCallsAreAnsweredOneAtATimeInArrivalOrder() throws Exception {
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<String> slow = new CompletableFuture<>();
        held.put("A", slow);
        endpoint.received(call("A"));
        endpoint.received(call("B"));
        endpoint.received(call("C"));

        // B waits for A's answer: its handler does not even run before that.
        assertThat(handled).containsExactly("A");
        assertThat(sent).isEmpty();

        // Completed on another thread, which then answers the calls that waited.
        CompletableFuture.runAsync(() -> slow.complete(result("A")));
        until("three answers", () -> sent.size() == 3);
        assertThat(sent).containsExactly(result("A"), result("B"), result("C"));
        assertThat(handled).containsExactly("A", "B", "C");
        // receivedAt is when the frame was read, not when it was answered.
        assertThat(receivedAts).hasSize(3).isSorted();
        assertThat(events).containsExactly("pipelining");
    }

    @Test
    void callsBeyondTheIncomingQueueAreRefusedAtOnceWithGenericError() throws Exception {
        OcppEndpoint endpoint = OcppEndpoint.builder(transport, heldOrAnswered, timer).listener(recorder)
                .maxQueuedIncoming(1).build();
        CompletableFuture<String> slow = new CompletableFuture<>();
        held.put("A", slow);
        endpoint.received(call("A"));
        endpoint.received(call("B"));
        endpoint.received(call("C"));

        assertThat(sent).hasSize(1);
        JsonNode refusal = json(sent.get(0));
        assertThat(refusal.get(0).asInt()).isEqualTo(4);
        assertThat(refusal.get(1).asText()).isEqualTo("C");
        assertThat(refusal.get(2).asText()).isEqualTo("GenericError");
        assertThat(refusal.get(3).asText()).isEqualTo(OcppEndpoint.TOO_MANY_CALLS);
        assertThat(events).contains("overflow C 1");

        slow.complete(result("A"));
        assertThat(sent).containsExactly(sent.get(0), result("A"), result("B"));
        assertThat(handled).containsExactly("A", "B");
    }

    @Test
    void pipeliningIsReportedOncePerEndpoint() throws Exception {
        OcppEndpoint endpoint = endpoint();
        // Answered at once, one after the other: not pipelining.
        endpoint.received(call("A"));
        endpoint.received(call("B"));
        assertThat(events).isEmpty();

        CompletableFuture<String> first = new CompletableFuture<>();
        held.put("C", first);
        endpoint.received(call("C"));
        endpoint.received(call("D"));
        assertThat(events).containsExactly("pipelining");
        first.complete(result("C"));

        CompletableFuture<String> second = new CompletableFuture<>();
        held.put("E", second);
        endpoint.received(call("E"));
        endpoint.received(call("F"));
        second.complete(result("E"));
        assertThat(events).containsExactly("pipelining");
        assertThat(sent).containsExactly(result("A"), result("B"), result("C"), result("D"), result("E"),
                result("F"));
    }

    @Test
    void answerableMalformedFrameGetsItsCallErrorInOrderWithTheCalls() throws Exception {
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<String> slow = new CompletableFuture<>();
        held.put("A", slow);
        endpoint.received(call("A"));
        endpoint.received("[5,\"bad-type\",\"Heartbeat\",{}]");
        endpoint.received("this is not JSON");
        assertThat(sent).isEmpty();

        slow.complete(result("A"));
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).isEqualTo(result("A"));
        JsonNode error = json(sent.get(1));
        assertThat(error.get(1).asText()).isEqualTo("bad-type");
        assertThat(error.get(2).asText()).isEqualTo("FormationViolation");
        // The frame without an id is dropped and only reported.
        assertThat(events).containsExactly("malformed bad-type", "pipelining", "malformed -");
    }

    @Test
    void aFailingHandlerStillGivesThePeerInternalError() throws Exception {
        OcppEndpoint.CallHandler broken = (call, receivedAt) -> switch (call.messageId()) {
            case "throws" -> throw new IllegalStateException("database down");
            case "fails" -> CompletableFuture.failedFuture(new IllegalStateException("database down"));
            case "null-answer" -> CompletableFuture.completedFuture(null);
            case "no-stage" -> null;
            case "fails-later" -> CompletableFuture.supplyAsync(() -> {
                throw new IllegalStateException("database down");
            });
            default -> CompletableFuture.completedFuture(result(call.messageId()));
        };
        OcppEndpoint endpoint = OcppEndpoint.builder(transport, broken, timer).listener(recorder).build();
        List<String> ids = List.of("throws", "fails", "null-answer", "no-stage", "fails-later");
        for (String id : ids) {
            endpoint.received(call(id));
        }
        endpoint.received(call("fine"));

        until("six answers", () -> sent.size() == 6);
        for (int i = 0; i < ids.size(); i++) {
            JsonNode error = json(sent.get(i));
            assertThat(error.get(0).asInt()).as(ids.get(i)).isEqualTo(4);
            assertThat(error.get(1).asText()).isEqualTo(ids.get(i));
            assertThat(error.get(2).asText()).isEqualTo("InternalError");
            assertThat(error.get(3).asText()).doesNotContain("database");
        }
        assertThat(sent.get(5)).isEqualTo(result("fine"));
        assertThat(events).contains("handlerFailed throws", "handlerFailed fails", "handlerFailed null-answer",
                "handlerFailed no-stage", "handlerFailed fails-later");
    }

    // ---- our calls --------------------------------------------------------------------------

    @Test
    void oneCallIsInFlightAndAnswersAreCorrelatedById() throws Exception {
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<JsonNode> x = endpoint.call("X", "Reset", reset("X"), LONG);
        CompletableFuture<JsonNode> y = endpoint.call("Y", "Reset", reset("Y"), LONG);
        assertThat(sent).containsExactly(reset("X"));

        // Y's id does not answer X, and Y was never sent: an unknown answer.
        endpoint.received("[3,\"Y\",{\"status\":\"Rejected\"}]");
        assertThat(events).containsExactly("unknown Y");
        assertThat(x).isNotDone();
        assertThat(y).isNotDone();
        assertThat(sent).containsExactly(reset("X"));

        endpoint.received("[3,\"X\",{\"status\":\"Accepted\"}]");
        assertThat(value(x).get("status").asText()).isEqualTo("Accepted");
        assertThat(sent).containsExactly(reset("X"), reset("Y"));
        assertThat(y).isNotDone();
        endpoint.received("[3,\"Y\",{\"status\":\"Rejected\"}]");
        assertThat(value(y).get("status").asText()).isEqualTo("Rejected");
    }

    @Test
    void answersToNoCallOfOursAreReportedAndIgnored() throws Exception {
        OcppEndpoint endpoint = endpoint();
        endpoint.received("[3,\"never-sent\",{}]");
        endpoint.received("[4,\"never-sent-either\",\"GenericError\",\"\",{}]");
        assertThat(events).containsExactly("unknown never-sent", "unknown never-sent-either");
        assertThat(sent).isEmpty();
        assertThat(endpoint.closed()).isFalse();
    }

    @Test
    void callThatExpiresWhileQueuedIsNeverSent() throws Exception {
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<JsonNode> stuck = endpoint.call("X", "Reset", reset("X"), LONG);
        long t0 = System.nanoTime();
        CompletableFuture<JsonNode> queued = endpoint.call("Y", "Reset", reset("Y"), Duration.ofMillis(200));

        CallTimeoutException e = failure(queued, CallTimeoutException.class);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(elapsedMs).as("counted from the call, not from sending").isBetween(150L, 2000L);
        assertThat(e.sent()).isFalse();
        assertThat(e.messageId()).isEqualTo("Y");
        assertThat(events).containsExactly("timeout Reset Y sent=false");
        assertThat(stuck).isNotDone();

        endpoint.received("[3,\"X\",{\"status\":\"Accepted\"}]");
        assertThat(value(stuck).get("status").asText()).isEqualTo("Accepted");
        CompletableFuture<JsonNode> later = endpoint.call("Z", "Reset", reset("Z"), LONG);
        assertThat(sent).containsExactly(reset("X"), reset("Z"));
        assertThat(later).isNotDone();
    }

    @Test
    void callWhoseTimeRanOutIsNotSentEvenWhenItsTimerIsLate() throws Exception {
        // The only timer thread is busy: expiry tasks cannot run until it is released.
        CountDownLatch release = new CountDownLatch(1);
        timer.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<JsonNode> first = endpoint.call("X", "Reset", reset("X"), LONG);
        CompletableFuture<JsonNode> expired = endpoint.call("Y", "Reset", reset("Y"), Duration.ofMillis(20));
        CompletableFuture<JsonNode> next = endpoint.call("Z", "Reset", reset("Z"), LONG);
        Thread.sleep(100);

        endpoint.received("[3,\"X\",{}]");
        assertThat(first).isCompleted();
        assertThat(failure(expired, CallTimeoutException.class).sent()).isFalse();
        assertThat(sent).containsExactly(reset("X"), reset("Z"));
        assertThat(events).containsExactly("timeout Reset Y sent=false");
        release.countDown();
        assertThat(next).isNotDone();
    }

    @Test
    void callThatExpiresInFlightFreesTheSlotAndItsLateAnswerIsUnknown() throws Exception {
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<JsonNode> x = endpoint.call("X", "Reset", reset("X"), Duration.ofMillis(200));
        CompletableFuture<JsonNode> y = endpoint.call("Y", "ClearCache", "[2,\"Y\",\"ClearCache\",{}]", LONG);

        CallTimeoutException e = failure(x, CallTimeoutException.class);
        assertThat(e.sent()).isTrue();
        assertThat(e.action()).isEqualTo("Reset");
        assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(events).containsExactly("timeout Reset X sent=true");
        until("Y sent", () -> sent.size() == 2);
        assertThat(sent).containsExactly(reset("X"), "[2,\"Y\",\"ClearCache\",{}]");

        // The late answer to X must not answer Y.
        endpoint.received("[3,\"X\",{\"status\":\"Accepted\"}]");
        assertThat(events).containsExactly("timeout Reset X sent=true", "unknown X");
        assertThat(y).isNotDone();
        endpoint.received("[3,\"Y\",{\"status\":\"Rejected\"}]");
        assertThat(value(y).get("status").asText()).isEqualTo("Rejected");
        assertThat(sent).hasSize(2);
    }

    @Test
    void callErrorSurfacesWithThePeersCodeAsReceived() throws Exception {
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<JsonNode> x = endpoint.call("X", "Reset", reset("X"), LONG);
        CompletableFuture<JsonNode> y = endpoint.call("Y", "Reset", reset("Y"), LONG);
        endpoint.received("[4,\"X\",\"VendorSpecificOops\",\"no reset here\",{\"retry\":false}]");

        CallErrorException e = failure(x, CallErrorException.class);
        assertThat(e.errorCode()).isEqualTo("VendorSpecificOops");
        assertThat(e.errorDescription()).isEqualTo("no reset here");
        assertThat(e.errorDetails().get("retry").asBoolean(true)).isFalse();
        assertThat(e.messageId()).isEqualTo("X");
        // The error freed the slot.
        assertThat(sent).containsExactly(reset("X"), reset("Y"));
        assertThat(y).isNotDone();
    }

    @Test
    void malformedAnswerFailsTheCallAtOnceAndTheNextIsSent() throws Exception {
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<JsonNode> x = endpoint.call("X", "Reset", reset("X"), LONG);
        endpoint.call("Y", "Reset", reset("Y"), LONG);
        // A CALLRESULT without its payload: it names our call but cannot be read.
        endpoint.received("[3,\"X\"]");

        MalformedAnswerException e = failure(x, MalformedAnswerException.class);
        assertThat(e.problem().messageId()).contains("X");
        assertThat(e.getMessage()).contains("malformed");
        assertThat(events).containsExactly("malformed X");
        assertThat(sent).containsExactly(reset("X"), reset("Y"));
    }

    @Test
    void callsBeyondTheOutgoingQueueAreRefusedAtOnce() throws Exception {
        OcppEndpoint endpoint = OcppEndpoint.builder(transport, heldOrAnswered, timer).maxQueuedOutgoing(1).build();
        CompletableFuture<JsonNode> x = endpoint.call("X", "Reset", reset("X"), LONG);
        CompletableFuture<JsonNode> y = endpoint.call("Y", "Reset", reset("Y"), LONG);
        CompletableFuture<JsonNode> z = endpoint.call("Z", "Reset", reset("Z"), LONG);
        assertThat(z).isCompletedExceptionally();
        assertThat(failure(z, CallQueueFullException.class).limit()).isEqualTo(1);
        assertThat(x).isNotDone();
        assertThat(y).isNotDone();
        assertThat(sent).containsExactly(reset("X"));
    }

    // ---- the end ----------------------------------------------------------------------------

    @Test
    void closeFailsEveryCallDropsWaitingCallsAndRefusesLaterCalls() throws Exception {
        OcppEndpoint endpoint = endpoint();
        CompletableFuture<JsonNode> x = endpoint.call("X", "Reset", reset("X"), LONG);
        CompletableFuture<JsonNode> y = endpoint.call("Y", "Reset", reset("Y"), LONG);
        CompletableFuture<String> slow = new CompletableFuture<>();
        held.put("A", slow);
        endpoint.received(call("A"));
        endpoint.received(call("B"));

        endpoint.close("charger replaced");
        assertThat(endpoint.closed()).isTrue();
        EndpointClosedException inFlight = failure(x, EndpointClosedException.class);
        assertThat(inFlight.sent()).isTrue();
        assertThat(inFlight.reason()).isEqualTo("charger replaced");
        assertThat(failure(y, EndpointClosedException.class).sent()).isFalse();

        CompletableFuture<JsonNode> later = endpoint.call("Z", "Reset", reset("Z"), LONG);
        assertThat(later).isCompletedExceptionally();
        assertThat(failure(later, EndpointClosedException.class).sent()).isFalse();

        // The pending answer and the waiting call B are not sent; later frames are ignored.
        slow.complete(result("A"));
        endpoint.received(call("C"));
        endpoint.received("[3,\"X\",{}]");
        assertThat(handled).containsExactly("A");
        assertThat(sent).containsExactly(reset("X"));
        assertThat(events).containsExactly("pipelining");
    }

    @Test
    void aConnectionThatIsGoneClosesTheEndpoint() throws Exception {
        OcppEndpoint endpoint = endpoint();
        connected = false;
        CompletableFuture<JsonNode> x = endpoint.call("X", "Reset", reset("X"), LONG);
        EndpointClosedException e = failure(x, EndpointClosedException.class);
        assertThat(e.sent()).isFalse();
        assertThat(endpoint.closed()).isTrue();
    }

    @Test
    void aTimeoutMustBePositive() {
        OcppEndpoint endpoint = endpoint();
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> endpoint.call("X", "Reset", reset("X"), Duration.ZERO));
        assertThat(sent).isEmpty();
    }

    @Test
    void handlerStagesMayBePlainCompletionStages() throws Exception {
        // A stage that is not a CompletableFuture, completed later on another thread.
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletionStage<String> minimal = source.minimalCompletionStage();
        OcppEndpoint endpoint = OcppEndpoint.builder(transport, (c, at) -> minimal, timer).build();
        endpoint.received(call("A"));
        assertThat(sent).isEmpty();
        new Thread(() -> source.complete(result("A"))).start();
        until("the answer", () -> sent.size() == 1);
        assertThat(sent).containsExactly(result("A"));
    }
}
