package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.store.internal.Fixtures.ACCEPTED;
import static org.chargeedge.store.internal.Fixtures.T0;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.result;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/** The handler in the real central system, driven by a charger over a real WebSocket. */
class StoreCallHandlerTest {

    private static final String START = "{\"connectorId\":1,\"idTag\":\"TAG\",\"meterStart\":100,"
            + "\"timestamp\":\"2025-03-01T10:00:00Z\"}";

    @TempDir
    Path dir;
    Path file;
    SqliteStore store;
    CentralSystemHarness centralSystem;
    WireCharger charger;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("store").resolve("chargeedge.db");
        store = SqliteStore.open(file, StoreSettings.defaults());
        centralSystem = new CentralSystemHarness(dir.resolve("centralsystem"));
        centralSystem.addHandler(new StoreCallHandler(store), StoreCallHandler.RANKING, "BootNotification",
                "StatusNotification", "StartTransaction", "MeterValues", "StopTransaction");
        charger = WireCharger.connect(centralSystem.url("CP-1"));
    }

    @AfterEach
    void stop() {
        charger.close();
        centralSystem.close();
        store.close();
    }

    private static String meterValues(int transactionId, int samples) {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < samples; i++) {
            values.append(i == 0 ? "" : ",").append("{\"value\":\"").append(i).append("\",\"measurand\":\"Voltage\"}");
        }
        return "{\"connectorId\":1,\"transactionId\":" + transactionId
                + ",\"meterValue\":[{\"timestamp\":\"2025-03-01T10:01:00Z\",\"sampledValue\":[" + values + "]}]}";
    }

    private static String stop(int transactionId) {
        return "{\"meterStop\":900,\"timestamp\":\"2025-03-01T11:00:00Z\",\"transactionId\":" + transactionId
                + ",\"reason\":\"Local\"}";
    }

    /**
     * Holds the store's writer while the charger sends, proves no answer comes meanwhile, then
     * releases it and checks the data is in the database when the answer is there.
     */
    private JsonNode answeredOnlyOnceStored(String action, String payload) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> held = Fixtures.holdWriter(store, release);
        CompletableFuture<JsonNode> answer = charger.call(action, payload);
        try {
            answer.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError(action + " answered before it was stored: " + answer.join());
        } catch (TimeoutException expected) {
            // The answer waits for the commit.
        } finally {
            release.countDown();
        }
        result(held);
        JsonNode frame = answer.get(10, TimeUnit.SECONDS);
        assertThat(frame.get(0).asInt()).as("%s answer %s", action, frame).isEqualTo(3);
        return frame.get(2);
    }

    @Test
    void transactionMessagesAreInTheDatabaseBeforeTheirAnswer() throws Exception {
        int id = answeredOnlyOnceStored("StartTransaction", START).get("transactionId").asInt();
        assertThat(count(file, "SELECT COUNT(*) FROM charge_transaction WHERE transaction_id = " + id
                + " AND state = 'Started' AND start_status = 'Accepted'")).isEqualTo(1);

        answeredOnlyOnceStored("MeterValues", meterValues(id, 3));
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value WHERE transaction_id = " + id)).isEqualTo(3);

        answeredOnlyOnceStored("StopTransaction", stop(id));
        assertThat(count(file, "SELECT meter_stop FROM charge_transaction WHERE transaction_id = " + id))
                .isEqualTo(900);
        assertThat(store.openTransactions("CP-1")).isEmpty();
    }

    /** Never refused (a charger would send it again forever), never recorded: kept as evidence. */
    @Test
    void aStopOrMeterValuesForATransactionTheGatewayNeverIssuedIsAnsweredAndKeptAsEvidence() throws Exception {
        JsonNode answer = charger.result("StopTransaction", stop(4711));
        assertThat(answer.isObject()).isTrue();
        assertThat(answer.path("idTagInfo").isMissingNode()).as("no idTag, no idTagInfo: %s", answer).isTrue();
        assertThat(charger.result("MeterValues", meterValues(4712, 1)).size()).as("MeterValues.conf is empty").isZero();
        assertThat(store.transaction(4711)).isEmpty();
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isZero();
        assertThat(store.peek("CP-1", 10)).isEmpty();
        assertThat(store.parked("CP-1")).extracting(p -> p.message().transactionId()).containsExactly(4711, 4712);
    }

    /**
     * Another charger's StopTransaction and MeterValues for this charger's transaction are answered
     * as OCPP has it (the charger must not retry them forever) and change nothing; this charger's own
     * stop then ends the transaction with its meter.
     */
    @Test
    void anotherChargersStopIsAnsweredButOnlyTheOwnersStopEndsTheTransaction() throws Exception {
        int id = charger.result("StartTransaction", START).get("transactionId").asInt();
        try (WireCharger other = WireCharger.connect(centralSystem.url("CP-2"))) {
            JsonNode answer = other.result("StopTransaction", "{\"meterStop\":150,\"timestamp\":"
                    + "\"2025-03-01T10:30:00Z\",\"transactionId\":" + id + ",\"reason\":\"Local\"}");
            assertThat(answer.isObject()).isTrue();
            assertThat(other.result("MeterValues", meterValues(id, 2)).size()).isZero();
        }
        assertThat(store.transaction(id).orElseThrow().open()).isTrue();
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isZero();
        assertThat(store.parked("CP-2")).hasSize(2).allSatisfy(p -> assertThat(p.reason())
                .contains("of CP-2 for transaction " + id + ", which CP-1 started"));

        charger.result("StopTransaction", stop(id));
        assertThat(count(file, "SELECT meter_stop FROM charge_transaction WHERE transaction_id = " + id))
                .isEqualTo(900);
        assertThat(store.peek("CP-1", 10)).extracting(m -> m.action())
                .containsExactly("StartTransaction", "StopTransaction");
        assertThat(store.peek("CP-2", 10)).isEmpty();
    }

    @Test
    void anIdTheStoreHasForAnotherTransactionIsRefusedAndTheRetryGetsANewOne() throws Exception {
        // The central system's issuer starts at 1 on a new data directory; the store already has 1.
        result(store.transactionStarted("OTHER", 1, Fixtures.start(2, "X", 0), ACCEPTED, T0));
        JsonNode refused = charger.call("StartTransaction", START).get(10, TimeUnit.SECONDS);
        assertThat(refused.get(0).asInt()).isEqualTo(4);
        assertThat(refused.get(2).asText()).isEqualTo("InternalError");
        int retried = charger.result("StartTransaction", START).get("transactionId").asInt();
        assertThat(retried).isNotEqualTo(1);
        assertThat(store.transaction(retried).orElseThrow().chargePointId()).isEqualTo("CP-1");
        assertThat(store.transaction(1).orElseThrow().chargePointId()).isEqualTo("OTHER");
    }

    @Test
    void aFailingStoreGivesTheChargerInternalErrorUntilItWritesAgain() throws Exception {
        int id = charger.result("StartTransaction", START).get("transactionId").asInt();
        result(store.limitSize(1));
        String big = meterValues(id, 400);
        JsonNode refused = charger.call("MeterValues", big).get(10, TimeUnit.SECONDS);
        assertThat(refused.get(0).asInt()).as("%s", refused).isEqualTo(4);
        assertThat(refused.get(2).asText()).isEqualTo("InternalError");
        assertThat(refused.get(3).asText()).contains("cannot store");
        assertThat(store.health().ok()).isFalse();
        // Boot data is not held back by a failing store.
        assertThat(charger.result("BootNotification", "{\"chargePointVendor\":\"V\",\"chargePointModel\":\"M\"}")
                .get("status").asText()).isEqualTo("Accepted");

        result(store.limitSize(0));
        charger.result("MeterValues", big);
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value WHERE transaction_id = " + id)).isEqualTo(400);
        assertThat(store.health().ok()).isTrue();
    }

    /** A StartTransaction sent again after a lost answer gets the id of its first arrival, and one record. */
    @Test
    void aResentStartGetsItsFirstId() throws Exception {
        int first = charger.result("StartTransaction", START).get("transactionId").asInt();
        int again = charger.result("StartTransaction", START).get("transactionId").asInt();
        assertThat(again).isEqualTo(first);
        assertThat(count(file, "SELECT COUNT(*) FROM charge_transaction")).isEqualTo(1);
        assertThat(store.peek("CP-1", 10)).as("journaled once").hasSize(1);
    }

    /**
     * The store going away while its handler holds a call (its bundle stopped or updated) is not an
     * error for the charger: the handler says its part is stopping, so the call runs again later.
     */
    @Test
    void aWriteFailingBecauseTheStoreStopsSaysThePartIsStopping() throws Exception {
        StoreCallHandler handler = new StoreCallHandler(store);
        handler.deactivate();
        store.close();
        org.chargeedge.api.charger.CallContext context = new org.chargeedge.api.charger.CallContext("CP-1", "m-1", T0);
        Throwable failure = Fixtures.failure(handler.handle(context, Fixtures.meterValues(1, null, 1),
                r -> java.util.concurrent.CompletableFuture.completedFuture(
                        new org.chargeedge.ocpp.v16.MeterValuesConfirmation())));
        assertThat(failure).isInstanceOf(org.chargeedge.api.charger.PartStoppingException.class);
        assertThat(((org.chargeedge.api.charger.PartStoppingException) failure).part()).isEqualTo("store");
        store = SqliteStore.open(file, StoreSettings.defaults());
    }

    @Test
    void bootAndStatusAreStored() throws Exception {
        charger.result("BootNotification", "{\"chargePointVendor\":\"Vendor\",\"chargePointModel\":\"Model\","
                + "\"firmwareVersion\":\"1.0\"}");
        charger.result("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\"}");
        // Stored without waiting: a write queued now commits after them.
        result(store.writer().submit(s -> null));
        assertThat(Fixtures.rows(file, "SELECT vendor, model, firmware_version FROM charger"))
                .containsExactly(java.util.List.of("Vendor", "Model", "1.0"));
        assertThat(Fixtures.rows(file, "SELECT connector_id, status FROM connector_status"))
                .containsExactly(java.util.List.of(1, "Charging"));
    }
}
