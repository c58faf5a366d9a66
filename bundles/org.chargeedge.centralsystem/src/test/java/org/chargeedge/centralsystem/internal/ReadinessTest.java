package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Site readiness with real WebSocket chargers: calls wait for the required
 * site parts, are answered by the whole chain once they are there, and after
 * the readiness timeout only the calls that need the whole site are refused.
 */
class ReadinessTest {

    private static final Duration QUIET = Duration.ofMillis(300);
    private static final String START = "{\"connectorId\":1,\"idTag\":\"TAG\",\"meterStart\":0,"
            + "\"timestamp\":\"2026-11-24T10:00:00Z\"}";
    private static final String METER_VALUES = "{\"connectorId\":1,\"transactionId\":1,\"meterValue\":[{"
            + "\"timestamp\":\"2026-11-24T10:05:00Z\",\"sampledValue\":[{\"value\":\"120\"}]}]}";
    private static final String STOP = "{\"meterStop\":500,\"timestamp\":\"2026-11-24T10:30:00Z\",\"transactionId\":1}";
    private static final String STATUS = "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Available\"}";
    private static final String BOOT = "{\"chargePointVendor\":\"Acme\",\"chargePointModel\":\"Wallbox\"}";
    /** The transaction id the test's upstream part puts into StartTransaction answers. */
    private static final int UPSTREAM_ID = 4242;

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

    /** Connected, without a first call: that would wait too while the site is not ready. */
    private RawCharger charger(String id) throws Exception {
        RawCharger cp = RawCharger.connect(harness, id);
        chargers.add(cp);
        return cp;
    }

    /** A site part's handler: records what it sees and passes it on. */
    private static class Part implements ChargerCallHandler {
        final String name;
        final List<String> seen = new CopyOnWriteArrayList<>();

        Part(String name) {
            this.name = name;
        }

        @Override
        public CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain) {
            seen.add(request.action() + " " + context.messageId());
            return chain.proceed(request);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The upstream part: like the CSMS's answer, its StartTransaction answer carries its own id. */
    private static class Upstream extends Part {
        Upstream() {
            super("upstream");
        }

        @Override
        public CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain) {
            CompletionStage<Confirmation> answer = super.handle(context, request, chain);
            return request instanceof org.chargeedge.ocpp.v16.StartTransactionRequest
                    ? answer.thenApply(c -> new StartTransactionConfirmation(
                            ((StartTransactionConfirmation) c).idTagInfo(), UPSTREAM_ID))
                    : answer;
        }
    }

    private void addStore(Part store) {
        harness.addSitePart("store", store, 1000, "StartTransaction", "MeterValues", "StopTransaction", "Heartbeat");
    }

    private void addUpstream(Part upstream) {
        harness.addSitePart("upstream", upstream, 900, "StartTransaction", "MeterValues", "StopTransaction",
                "Heartbeat", "Authorize");
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void aCallWaitsForAMissingPartAndIsAnsweredByTheWholeChainOnceItIsThere() throws Exception {
        start("requiredParts", "store, upstream");
        Part store = new Part("store");
        addStore(store);
        assertThat(harness.siteView().readiness().missing()).containsExactly("upstream");
        RawCharger cp = charger("W-1");

        String start = cp.call("StartTransaction", START);
        // Sent before the first is answered: it must stay behind it.
        String meter = cp.call("MeterValues", METER_VALUES);
        cp.assertNothingWithin(QUIET);
        assertThat(store.seen).as("no part sees a call before the site is ready").isEmpty();

        Upstream upstream = new Upstream();
        long t0 = System.nanoTime();
        addUpstream(upstream);
        JsonNode answer = cp.next();
        assertThat(millisSince(t0)).as("answered as soon as the part is there").isLessThan(5000);
        assertThat(answer.get(0).asInt()).as("CALLRESULT %s", answer).isEqualTo(3);
        assertThat(answer.get(1).asText()).isEqualTo(start);
        assertThat(answer.get(2).get("transactionId").asInt()).as("answered through the upstream part")
                .isEqualTo(UPSTREAM_ID);
        JsonNode second = cp.next();
        assertThat(second.get(0).asInt()).isEqualTo(3);
        assertThat(second.get(1).asText()).isEqualTo(meter);
        assertThat(store.seen).containsExactly("StartTransaction " + start, "MeterValues " + meter);
        assertThat(upstream.seen).containsExactly("StartTransaction " + start, "MeterValues " + meter);
        assertThat(harness.centralSystem.handlerRegistry().waiting()).isZero();
    }

    /**
     * A part stopping while it holds a call (its bundle updated mid-call) does not give the charger an
     * error: the call runs again through the whole chain once the part is back.
     */
    @Test
    void aCallWhosePartStopsWhileHoldingItRunsAgainOnceThePartIsBack() throws Exception {
        start("requiredParts", "store, upstream");
        addUpstream(new Upstream());
        java.util.concurrent.CompletableFuture<Void> stopping = new java.util.concurrent.CompletableFuture<>();
        Part oldStore = new Part("old store") {
            @Override
            public CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain) {
                seen.add(request.action() + " " + context.messageId());
                // The store is being updated: its write fails after the part left the registry.
                return stopping.thenCompose(v -> java.util.concurrent.CompletableFuture.failedFuture(
                        new org.chargeedge.api.charger.PartStoppingException("store", "the store stopped", null)));
            }
        };
        addStore(oldStore);
        RawCharger cp = charger("W-9");
        String meter = cp.call("MeterValues", METER_VALUES);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (oldStore.seen.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(oldStore.seen).hasSize(1);
        harness.removeHandler(oldStore);
        stopping.complete(null);
        cp.assertNothingWithin(QUIET);

        Part newStore = new Part("new store");
        addStore(newStore);
        JsonNode answer = cp.next();
        assertThat(answer.get(0).asInt()).as("CALLRESULT, not an error: %s", answer).isEqualTo(3);
        assertThat(answer.get(1).asText()).isEqualTo(meter);
        assertThat(newStore.seen).as("run again by the whole chain").containsExactly("MeterValues " + meter);
    }

    @Test
    void withEveryPartThereACallGoesAtOnce() throws Exception {
        start("requiredParts", "store,upstream");
        Part store = new Part("store");
        Upstream upstream = new Upstream();
        addStore(store);
        addUpstream(upstream);
        SiteReadiness readiness = harness.siteView().readiness();
        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.required()).containsExactly("store", "upstream");
        assertThat(readiness.missing()).isEmpty();

        RawCharger cp = charger("W-2");
        long t0 = System.nanoTime();
        JsonNode answer = cp.callAndAwait("StartTransaction", START);
        assertThat(millisSince(t0)).as("far from the 10 s a waiting call could take").isLessThan(5000);
        assertThat(answer.get(2).get("transactionId").asInt()).isEqualTo(UPSTREAM_ID);
        assertThat(store.seen).hasSize(1);
        assertThat(upstream.seen).hasSize(1);
    }

    @Test
    void afterTheTimeoutMessagesThatNeedTheWholeSiteAreRefusedAndOthersAnswered() throws Exception {
        start("requiredParts", "store, upstream", "readinessTimeoutSeconds", 1);
        Part store = new Part("store");
        addStore(store);
        RawCharger cp = charger("W-3");

        for (String[] call : new String[][] {{"StartTransaction", START}, {"MeterValues", METER_VALUES},
                {"StopTransaction", STOP}, {"Authorize", "{\"idTag\":\"TAG\"}"}}) {
            long t0 = System.nanoTime();
            String id = cp.call(call[0], call[1]);
            JsonNode error = cp.expectCallError(id);
            assertThat(millisSince(t0)).as("%s waited for the site", call[0]).isGreaterThanOrEqualTo(900);
            assertThat(error.get(2).asText()).isEqualTo("InternalError");
            assertThat(error.get(3).asText()).isEqualTo("the gateway's upstream is not running; send it again later");
        }
        assertThat(store.seen).as("refused calls reach no handler").isEmpty();

        long t0 = System.nanoTime();
        cp.assertHeartbeatAnswered();
        assertThat(millisSince(t0)).as("the Heartbeat waited too").isGreaterThanOrEqualTo(900);
        assertThat(store.seen).as("answered by the handlers that are there").hasSize(1).first().asString()
                .startsWith("Heartbeat");
        JsonNode status = cp.callAndAwait("StatusNotification", STATUS);
        assertThat(status.get(0).asInt()).isEqualTo(3);
        JsonNode boot = cp.callAndAwait("BootNotification", BOOT);
        assertThat(boot.get(2).get("status").asText()).isEqualTo("Accepted");
        assertThat(harness.centralSystem.handlerRegistry().waiting()).as("timed-out waiters are forgotten").isZero();

        // The part arrives: answered by the whole chain again, not refused.
        Upstream upstream = new Upstream();
        addUpstream(upstream);
        JsonNode answer = cp.callAndAwait("StartTransaction", START);
        assertThat(answer.get(0).asInt()).as("CALLRESULT %s", answer).isEqualTo(3);
        assertThat(answer.get(2).get("transactionId").asInt()).isEqualTo(UPSTREAM_ID);
    }

    @Test
    void severalMissingPartsAreNamed() throws Exception {
        start("requiredParts", "store, authorization, upstream", "readinessTimeoutSeconds", 1);
        RawCharger cp = charger("W-4");
        JsonNode error = cp.expectCallError(cp.call("Authorize", "{\"idTag\":\"TAG\"}"));
        assertThat(error.get(3).asText())
                .isEqualTo("the gateway's store, authorization and upstream are not running; send it again later");
    }

    @Test
    void aPartGoingAwayMakesNewCallsWaitAgain() throws Exception {
        start("requiredParts", "store, upstream");
        Part store = new Part("store");
        Upstream first = new Upstream();
        addStore(store);
        addUpstream(first);
        RawCharger cp = charger("W-5");
        cp.assertHeartbeatAnswered();
        Instant readySince = harness.siteView().readiness().since();

        harness.removeHandler(first);
        SiteReadiness gone = harness.siteView().readiness();
        assertThat(gone.ready()).isFalse();
        assertThat(gone.missing()).containsExactly("upstream");
        assertThat(gone.since()).isAfterOrEqualTo(readySince);
        String start = cp.call("StartTransaction", START);
        cp.assertNothingWithin(QUIET);
        assertThat(store.seen).hasSize(1); // the Heartbeat only

        Upstream second = new Upstream();
        addUpstream(second);
        JsonNode answer = cp.next();
        assertThat(answer.get(1).asText()).isEqualTo(start);
        assertThat(answer.get(2).get("transactionId").asInt()).isEqualTo(UPSTREAM_ID);
        assertThat(second.seen).containsExactly("StartTransaction " + start);
        assertThat(first.seen).hasSize(1); // the Heartbeat only
        assertThat(harness.siteView().readiness().ready()).isTrue();
    }

    @Test
    void waitingCallsOfManyChargersAllGoOnceTheSiteIsReady() throws Exception {
        start("requiredParts", "upstream");
        List<RawCharger> site = new java.util.ArrayList<>();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            RawCharger cp = charger("M-" + i);
            site.add(cp);
            ids.add(cp.call("StartTransaction", START));
        }
        Await.until("20 calls waiting", () -> harness.centralSystem.handlerRegistry().waiting() == 20);
        Upstream upstream = new Upstream();
        addUpstream(upstream);
        for (int i = 0; i < site.size(); i++) {
            JsonNode answer = site.get(i).next();
            assertThat(answer.get(1).asText()).isEqualTo(ids.get(i));
            assertThat(answer.get(2).get("transactionId").asInt()).isEqualTo(UPSTREAM_ID);
        }
        assertThat(upstream.seen).hasSize(20);
    }

    @Test
    void withNothingRequiredTheCentralSystemIsReadyAlone() throws Exception {
        start();
        SiteReadiness readiness = harness.siteView().readiness();
        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.required()).isEmpty();
        assertThat(readiness.since()).isNotNull();
        RawCharger cp = charger("W-6");
        assertThat(cp.callAndAwait("StartTransaction", START).get(0).asInt()).isEqualTo(3);
    }

    @Test
    void requiredPartsAreTrimmedAndCountedOnce() {
        assertThat(CentralSystem.requiredParts(" store, ,authorization,store , upstream"))
                .containsExactly("store", "authorization", "upstream");
        assertThat(CentralSystem.requiredParts("")).isEmpty();
        assertThat(CentralSystem.requiredParts(" , ")).isEmpty();
    }
}
