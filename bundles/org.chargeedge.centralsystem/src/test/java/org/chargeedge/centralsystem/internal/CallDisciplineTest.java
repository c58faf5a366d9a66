package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.centralsystem.internal.Await.failure;
import static org.chargeedge.centralsystem.internal.Await.result;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.chargeedge.api.charger.CallRejectedException;
import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCallException.Reason;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.AuthorizeConfirmation;
import org.chargeedge.ocpp.v16.ClearCacheConfirmation;
import org.chargeedge.ocpp.v16.ClearCacheRequest;
import org.chargeedge.ocpp.v16.ClearCacheStatus;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.DataTransferConfirmation;
import org.chargeedge.ocpp.v16.DataTransferRequest;
import org.chargeedge.ocpp.v16.DataTransferStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.ResetConfirmation;
import org.chargeedge.ocpp.v16.ResetRequest;
import org.chargeedge.ocpp.v16.ResetStatus;
import org.chargeedge.ocpp.v16.ResetType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCPP-J call discipline in both directions, with raw JDK WebSocket
 * chargers: one outstanding CALL from the gateway at a time, timeouts,
 * connection loss, and the whiteboard handler chain for the chargers' CALLs.
 */
class CallDisciplineTest {

    private static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path dataDir;
    private CentralSystemHarness harness;
    private final List<RawCharger> chargers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        chargers.forEach(RawCharger::close);
        if (harness != null) {
            harness.close();
        }
    }

    private void start(Object... overrides) throws Exception {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            map.put((String) overrides[i], overrides[i + 1]);
        }
        harness = new CentralSystemHarness(dataDir, map);
    }

    private RawCharger charger(String id) throws Exception {
        RawCharger cp = RawCharger.connectReady(harness, id);
        chargers.add(cp);
        return cp;
    }

    // ---- calls from the gateway -------------------------------------------------------------

    @Test
    void onlyOneCallIsOutstandingAndAnswersAreCorrelatedById() throws Exception {
        start();
        RawCharger cp = charger("Q-1");
        CompletionStage<ResetConfirmation> first = harness.centralSystem.call("Q-1", new ResetRequest(ResetType.Soft));
        CompletionStage<ClearCacheConfirmation> second = harness.centralSystem.call("Q-1", new ClearCacheRequest());

        JsonNode reset = cp.next();
        assertThat(reset.get(0).asInt()).isEqualTo(2);
        assertThat(reset.get(2).asText()).isEqualTo("Reset");
        assertThat(reset.get(3).get("type").asText()).isEqualTo("Soft");
        assertThat(reset.get(1).asText().length()).isBetween(1, 36);
        cp.assertNothingWithin(QUIET);

        // An answer with another id does not answer the pending call.
        cp.send("[3,\"not-" + reset.get(1).asText().substring(4) + "\",{\"status\":\"Rejected\"}]");
        cp.assertNothingWithin(QUIET);
        assertThat(first.toCompletableFuture().isDone()).isFalse();

        cp.answer(reset, "{\"status\":\"Rejected\"}");
        assertThat(result(first).status()).isEqualTo(ResetStatus.Rejected);

        JsonNode clear = cp.next();
        assertThat(clear.get(2).asText()).isEqualTo("ClearCache");
        assertThat(clear.get(1).asText()).isNotEqualTo(reset.get(1).asText());
        assertThat(second.toCompletableFuture().isDone()).isFalse();
        cp.answer(clear, "{\"status\":\"Accepted\"}");
        assertThat(result(second).status()).isEqualTo(ClearCacheStatus.Accepted);
    }

    @Test
    void unansweredCallTimesOutAndTheNextQueuedCallIsSent() throws Exception {
        start("callTimeout", 2);
        RawCharger cp = charger("T-1");
        long t0 = System.nanoTime();
        CompletionStage<ResetConfirmation> first = harness.centralSystem.call("T-1", new ResetRequest(ResetType.Hard));
        JsonNode reset = cp.next();
        assertThat(reset.get(2).asText()).isEqualTo("Reset");
        // A timeout counts from the call: made a second later, the queued call still has a second
        // left when the first one times out.
        Thread.sleep(1000);
        CompletionStage<ClearCacheConfirmation> second = harness.centralSystem.call("T-1", new ClearCacheRequest());

        ChargerCallException e = failure(first, Duration.ofSeconds(5));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(e.chargePointId()).isEqualTo("T-1");
        assertThat(elapsedMs).as("timed out after callTimeout").isBetween(1900L, 5000L);

        JsonNode clear = cp.next();
        assertThat(clear.get(2).asText()).isEqualTo("ClearCache");
        // A late answer to the timed-out call is ignored: it must not complete the ClearCache call.
        cp.answer(reset, "{\"status\":\"Accepted\"}");
        cp.assertHeartbeatAnswered();
        assertThat(second.toCompletableFuture().isDone()).isFalse();
        cp.answer(clear, "{\"status\":\"Rejected\"}");
        assertThat(result(second).status()).isEqualTo(ClearCacheStatus.Rejected);
    }

    @Test
    void callQueuedBehindAnUnansweredOneTimesOutWhenItsOwnTimeEnds() throws Exception {
        start("callTimeout", 1);
        RawCharger cp = charger("T-2");
        long t0 = System.nanoTime();
        CompletionStage<ResetConfirmation> first = harness.centralSystem.call("T-2", new ResetRequest(ResetType.Hard));
        CompletionStage<ClearCacheConfirmation> second = harness.centralSystem.call("T-2", new ClearCacheRequest());
        assertThat(cp.next().get(2).asText()).isEqualTo("Reset");

        assertThat(failure(first, Duration.ofSeconds(5)).reason()).isEqualTo(Reason.TIMEOUT);
        ChargerCallException e = failure(second, Duration.ofSeconds(5));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        // Not callTimeout after the first call's timeout (2 s): callTimeout after it was made.
        // Whether the ClearCache went out just before its time ended is a race; either way it failed.
        assertThat(elapsedMs).isBetween(900L, 1800L);
    }

    @Test
    void disconnectMidCallFailsPendingAndQueuedCallsWithConnectionLost() throws Exception {
        start();
        RawCharger cp = charger("L-1");
        CompletionStage<ResetConfirmation> first = harness.centralSystem.call("L-1", new ResetRequest(ResetType.Hard));
        CompletionStage<ClearCacheConfirmation> second = harness.centralSystem.call("L-1", new ClearCacheRequest());
        assertThat(cp.next().get(2).asText()).isEqualTo("Reset");
        cp.abort();
        assertThat(failure(first).reason()).isEqualTo(Reason.CONNECTION_LOST);
        assertThat(failure(second).reason()).isEqualTo(Reason.CONNECTION_LOST);
        Await.until("L-1 disconnected", () -> !harness.centralSystem.charger("L-1").orElseThrow().connected());
        assertThat(failure(harness.centralSystem.call("L-1", new ClearCacheRequest())).reason())
                .isEqualTo(Reason.NOT_CONNECTED);
    }

    @Test
    void replacedConnectionFailsItsPendingCallWithConnectionLost() throws Exception {
        String key = "R-1-authorization-key";
        start("chargerProfiles", "R-1=1", "chargerKeyHashes", "R-1=" + new Passwords().hash(key));
        RawCharger old = RawCharger.connect(harness, "R-1", key);
        chargers.add(old);
        CompletionStage<ResetConfirmation> pending = harness.centralSystem.call("R-1", new ResetRequest(ResetType.Hard));
        assertThat(old.next().get(2).asText()).isEqualTo("Reset");
        RawCharger fresh = RawCharger.connect(harness, "R-1", key);
        chargers.add(fresh);
        assertThat(failure(pending).reason()).isEqualTo(Reason.CONNECTION_LOST);
        fresh.assertHeartbeatAnswered();
    }

    @Test
    void chargerCallErrorFailsTheCallWithItsCode() throws Exception {
        start();
        RawCharger cp = charger("E-1");
        CompletionStage<ResetConfirmation> stage = harness.centralSystem.call("E-1", new ResetRequest(ResetType.Hard));
        JsonNode call = cp.next();
        cp.send("[4,\"" + call.get(1).asText() + "\",\"NotSupported\",\"no reset here\",{}]");
        ChargerCallException e = failure(stage);
        assertThat(e.reason()).isEqualTo(Reason.CALL_ERROR);
        assertThat(e.errorCode()).contains("NotSupported");
        // A code OCPP-J does not define is kept as received.
        CompletionStage<ResetConfirmation> again = harness.centralSystem.call("E-1", new ResetRequest(ResetType.Hard));
        JsonNode call2 = cp.next();
        cp.send("[4,\"" + call2.get(1).asText() + "\",\"VendorSpecificOops\",\"\",{}]");
        assertThat(failure(again).errorCode()).contains("VendorSpecificOops");
    }

    @Test
    void invalidConfirmationFailsTheCallAndTheNextIsSent() throws Exception {
        start();
        RawCharger cp = charger("I-1");
        CompletionStage<ResetConfirmation> stage = harness.centralSystem.call("I-1", new ResetRequest(ResetType.Hard));
        CompletionStage<ClearCacheConfirmation> next = harness.centralSystem.call("I-1", new ClearCacheRequest());
        cp.answer(cp.next(), "{\"status\":\"Maybe\"}");
        assertThat(failure(stage).reason()).isEqualTo(Reason.INVALID_CONFIRMATION);
        cp.answer(cp.next(), "{\"status\":\"Accepted\"}");
        assertThat(result(next).status()).isEqualTo(ClearCacheStatus.Accepted);
    }

    @Test
    void malformedAnswerFailsTheCallAtOnceAndTheNextIsSent() throws Exception {
        start("callTimeout", 60);
        RawCharger cp = charger("M-1");
        CompletionStage<ResetConfirmation> stage = harness.centralSystem.call("M-1", new ResetRequest(ResetType.Hard));
        CompletionStage<ClearCacheConfirmation> next = harness.centralSystem.call("M-1", new ClearCacheRequest());
        JsonNode call = cp.next();
        // A CALLRESULT without its payload: not answerable, but it names our call.
        cp.send("[3,\"" + call.get(1).asText() + "\"]");
        ChargerCallException e = failure(stage);
        assertThat(e.reason()).isEqualTo(Reason.INVALID_CONFIRMATION);
        assertThat(e.getMessage()).contains("malformed");
        cp.answer(cp.next(), "{\"status\":\"Accepted\"}");
        assertThat(result(next).status()).isEqualTo(ClearCacheStatus.Accepted);
    }

    @Test
    void queueFullIsReportedAtOnce() throws Exception {
        start("maxQueuedCalls", 1);
        RawCharger cp = charger("F-1");
        CompletionStage<ResetConfirmation> inFlight = harness.centralSystem.call("F-1", new ResetRequest(ResetType.Hard));
        CompletionStage<ClearCacheConfirmation> queued = harness.centralSystem.call("F-1", new ClearCacheRequest());
        CompletionStage<ClearCacheConfirmation> refused = harness.centralSystem.call("F-1", new ClearCacheRequest());
        assertThat(refused.toCompletableFuture().isCompletedExceptionally()).isTrue();
        assertThat(failure(refused).reason()).isEqualTo(Reason.QUEUE_FULL);
        cp.answer(cp.next(), "{\"status\":\"Accepted\"}");
        cp.answer(cp.next(), "{\"status\":\"Accepted\"}");
        assertThat(result(inFlight).status()).isEqualTo(ResetStatus.Accepted);
        assertThat(result(queued).status()).isEqualTo(ClearCacheStatus.Accepted);
    }

    // ---- calls from the charger -------------------------------------------------------------

    @Test
    void handlerThatNeverCompletesGivesInternalErrorAfterHandlerTimeout() throws Exception {
        start("handlerTimeout", 1);
        harness.addHandler((context, request, chain) -> new CompletableFuture<>(), 0, "DataTransfer");
        RawCharger cp = charger("H-1");
        long t0 = System.nanoTime();
        String stuck = cp.call("DataTransfer", "{\"vendorId\":\"v\"}");
        String heartbeat = cp.call("Heartbeat", "{}");
        JsonNode error = cp.expectCallError(stuck);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(error.get(2).asText()).isEqualTo("InternalError");
        assertThat(elapsedMs).isBetween(900L, 4000L);
        JsonNode answer = cp.next();
        assertThat(answer.get(0).asInt()).isEqualTo(3);
        assertThat(answer.get(1).asText()).isEqualTo(heartbeat);
        cp.assertHeartbeatAnswered();
    }

    @Test
    void callRejectedExceptionBecomesThatCallError() throws Exception {
        start();
        harness.addHandler((context, request, chain) -> {
            throw new CallRejectedException(ErrorCode.SecurityError, "idTag locked by the operator");
        }, 0, "Authorize");
        harness.addHandler((context, request, chain) -> CompletableFuture.supplyAsync(() -> {
            throw new CallRejectedException(ErrorCode.PropertyConstraintViolation, "unsupported vendor payload");
        }), 0, "DataTransfer");
        harness.addHandler((context, request, chain) -> CompletableFuture.failedFuture(
                new IllegalStateException("database down")), 0, "MeterValues");
        RawCharger cp = charger("X-1");

        String auth = cp.call("Authorize", "{\"idTag\":\"T\"}");
        JsonNode e1 = cp.expectCallError(auth);
        assertThat(e1.get(2).asText()).isEqualTo("SecurityError");
        assertThat(e1.get(3).asText()).isEqualTo("idTag locked by the operator");

        String dt = cp.call("DataTransfer", "{\"vendorId\":\"v\"}");
        JsonNode e2 = cp.expectCallError(dt);
        assertThat(e2.get(2).asText()).isEqualTo("PropertyConstraintViolation");
        assertThat(e2.get(3).asText()).isEqualTo("unsupported vendor payload");

        String mv = cp.call("MeterValues", "{\"connectorId\":1,\"meterValue\":[{\"timestamp\":"
                + "\"2030-01-01T00:00:00Z\",\"sampledValue\":[{\"value\":\"1\"}]}]}");
        JsonNode e3 = cp.expectCallError(mv);
        assertThat(e3.get(2).asText()).isEqualTo("InternalError");
        assertThat(e3.get(3).asText()).doesNotContain("database");
        cp.assertHeartbeatAnswered();
    }

    @Test
    void handlerChainRunsByRankingAndDelegatesWithProceed() throws Exception {
        start();
        List<String> order = new CopyOnWriteArrayList<>();
        // Registered lowest ranking first, so registration order cannot explain the result.
        harness.addHandler((context, request, chain) -> {
            order.add("low");
            return chain.proceed(request);
        }, -5, "DataTransfer");
        harness.addHandler((context, request, chain) -> {
            order.add("high");
            // Adapts the request on the way down and the answer on the way up.
            DataTransferRequest dt = (DataTransferRequest) request;
            return chain.proceed(new DataTransferRequest(dt.vendorId(), "seen-by-high", dt.data()))
                    .thenApply(c -> (Confirmation) new DataTransferConfirmation(
                            ((DataTransferConfirmation) c).status(), "high:" + ((DataTransferConfirmation) c).data()));
        }, 100, "DataTransfer");
        harness.addHandler((context, request, chain) -> {
            order.add("middle");
            DataTransferRequest dt = (DataTransferRequest) request;
            if ("mine".equals(dt.vendorId())) {
                return CompletableFuture.completedFuture(new DataTransferConfirmation(DataTransferStatus.Accepted,
                        "middle answered " + dt.messageId()));
            }
            return chain.proceed(request);
        }, 10, "DataTransfer");
        RawCharger cp = charger("C-1");

        JsonNode mine = cp.callAndAwait("DataTransfer", "{\"vendorId\":\"mine\",\"messageId\":\"m\"}");
        assertThat(order).containsExactly("high", "middle");
        assertThat(mine.get(2).get("status").asText()).isEqualTo("Accepted");
        assertThat(mine.get(2).get("data").asText()).isEqualTo("high:middle answered seen-by-high");

        order.clear();
        JsonNode other = cp.callAndAwait("DataTransfer", "{\"vendorId\":\"other\"}");
        assertThat(order).containsExactly("high", "middle", "low");
        assertThat(other.get(2).get("status").asText()).isEqualTo("UnknownVendorId");
        assertThat(other.get(2).get("data").asText()).isEqualTo("high:null");
    }

    @Test
    void removedHandlerNoLongerTakesPart() throws Exception {
        start();
        ChargerCallHandler handler = (context, request, chain) -> CompletableFuture.completedFuture(
                new AuthorizeConfirmation(IdTagInfo.of(AuthorizationStatus.Blocked)));
        harness.addHandler(handler, 0, "Authorize");
        RawCharger cp = charger("D-1");
        assertThat(cp.callAndAwait("Authorize", "{\"idTag\":\"T\"}").get(2).get("idTagInfo").get("status").asText())
                .isEqualTo("Blocked");
        harness.centralSystem.removeHandler(handler);
        assertThat(cp.callAndAwait("Authorize", "{\"idTag\":\"T\"}").get(2).get("idTagInfo").get("status").asText())
                .isEqualTo("Accepted");
    }

    @Test
    void handlerAnsweringWithTheWrongConfirmationTypeGivesInternalError() throws Exception {
        start();
        harness.addHandler((context, request, chain) -> CompletableFuture.completedFuture(
                new DataTransferConfirmation(DataTransferStatus.Accepted, null)), 0, "Authorize");
        harness.addHandler((context, request, chain) -> null, 0, "StatusNotification");
        RawCharger cp = charger("W-1");
        String auth = cp.call("Authorize", "{\"idTag\":\"T\"}");
        assertThat(cp.expectCallError(auth).get(2).asText()).isEqualTo("InternalError");
        String status = cp.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Available\"}");
        assertThat(cp.expectCallError(status).get(2).asText()).isEqualTo("InternalError");
        cp.assertHeartbeatAnswered();
    }

    @Test
    void pipelinedCallsAreAnsweredInOrder() throws Exception {
        start();
        CompletableFuture<Confirmation> held = new CompletableFuture<>();
        CountDownLatch reached = new CountDownLatch(1);
        harness.addHandler((context, request, chain) -> {
            reached.countDown();
            return held;
        }, 0, "Authorize");
        RawCharger cp = charger("P-1");
        String auth = cp.call("Authorize", "{\"idTag\":\"T\"}");
        String heartbeat = cp.call("Heartbeat", "{}");
        assertThat(reached.await(5, TimeUnit.SECONDS)).isTrue();
        cp.assertNothingWithin(QUIET);

        held.complete(new AuthorizeConfirmation(IdTagInfo.of(AuthorizationStatus.Expired)));
        JsonNode first = cp.next();
        assertThat(first.get(1).asText()).isEqualTo(auth);
        assertThat(first.get(2).get("idTagInfo").get("status").asText()).isEqualTo("Expired");
        JsonNode second = cp.next();
        assertThat(second.get(1).asText()).isEqualTo(heartbeat);
        assertThat(second.get(0).asInt()).isEqualTo(3);
    }

    @Test
    void slowHandlerForOneChargerDoesNotDelayAnother() throws Exception {
        start("handlerTimeout", 20, "ioThreads", 1);
        CountDownLatch reached = new CountDownLatch(1);
        harness.addHandler((context, request, chain) -> {
            if (context.chargePointId().equals("SLOW")) {
                reached.countDown();
                return new CompletableFuture<>();
            }
            return chain.proceed(request);
        }, 0, "DataTransfer");
        RawCharger slow = charger("SLOW");
        RawCharger fast = charger("FAST");
        slow.call("DataTransfer", "{\"vendorId\":\"v\"}");
        assertThat(reached.await(5, TimeUnit.SECONDS)).isTrue();

        long t0 = System.nanoTime();
        fast.assertHeartbeatAnswered();
        fast.callAndAwait("DataTransfer", "{\"vendorId\":\"v\"}");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
        slow.assertNothingWithin(QUIET);
    }

    // ---- failures inside the gateway --------------------------------------------------------

    /**
     * The built-in StartTransaction answer reserves transaction ids on disk. When that fails
     * (read-only or full storage), the charger must get InternalError for that call and its
     * later calls must still be answered; the session must not wedge.
     */
    @Test
    void storageFailureWhileIssuingATransactionIdGivesInternalErrorAndTheChargerIsStillServed() throws Exception {
        start();
        RawCharger cp = charger("S-1");
        // A directory where the issuer writes its temporary file makes the reservation fail.
        java.nio.file.Files.createDirectories(dataDir.resolve("transaction-ids.tmp"));
        String start = cp.call("StartTransaction",
                "{\"connectorId\":1,\"idTag\":\"T\",\"meterStart\":0,\"timestamp\":\"2030-01-01T00:00:00Z\"}");
        JsonNode error = cp.expectCallError(start);
        assertThat(error.get(2).asText()).isEqualTo("InternalError");
        cp.assertHeartbeatAnswered();
    }

    @Test
    void pendingCallFailsWithShutdownWhenTheGatewayStops() throws Exception {
        start();
        RawCharger cp = charger("Z-1");
        CompletionStage<ResetConfirmation> pending = harness.centralSystem.call("Z-1", new ResetRequest(ResetType.Hard));
        assertThat(cp.next().get(2).asText()).isEqualTo("Reset");
        harness.close();
        harness = null;
        assertThat(failure(pending).reason()).isEqualTo(Reason.SHUTDOWN);
        assertThat(cp.awaitClose()).isEqualTo(1001);
    }
}
