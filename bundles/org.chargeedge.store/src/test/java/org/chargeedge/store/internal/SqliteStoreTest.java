package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.chargeedge.store.internal.Fixtures.ACCEPTED;
import static org.chargeedge.store.internal.Fixtures.T0;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.failure;
import static org.chargeedge.store.internal.Fixtures.result;
import static org.chargeedge.store.internal.Fixtures.rows;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.chargeedge.api.authorization.AuthorizationRepository.CachedIdTag;
import org.chargeedge.api.authorization.AuthorizationRepository.StoredList;
import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.api.store.StoreException;
import org.chargeedge.api.store.StoredTransaction;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.Location;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.ReadingContext;
import org.chargeedge.ocpp.v16.Reason;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.chargeedge.ocpp.v16.ValueFormat;
import org.junit.jupiter.api.Test;

/** Every write and query, checked through the store's readers and through a connection of the test's own. */
class SqliteStoreTest extends StoreTest {

    @Test
    void theDatabaseIsInWalModeWithFullSync() throws Exception {
        assertThat(rows(file, "PRAGMA journal_mode")).containsExactly(List.of("wal"));
        assertThat(store.health().ok()).isTrue();
        assertThat(store.health().sizeBytes()).isPositive();
    }

    @Test
    void aStartedTransactionIsStoredAndOpen() throws Exception {
        Instant received = T0.plusMillis(5);
        StartTransactionRequest start = new StartTransactionRequest(2, "TAG-1", 1500, 42, T0);
        result(store.transactionStarted("CP-1", 17, start,
                new IdTagInfo(null, "PARENT", AuthorizationStatus.ConcurrentTx), received));

        StoredTransaction t = store.transaction(17).orElseThrow();
        assertThat(t).isEqualTo(new StoredTransaction(17, "CP-1", 2, "TAG-1", 1500, T0, 42,
                AuthorizationStatus.ConcurrentTx, null, null, null, null, false));
        assertThat(t.open()).isTrue();
        assertThat(store.openTransactions("CP-1")).containsExactly(t);
        assertThat(store.openTransactions("CP-2")).isEmpty();
        assertThat(store.openTransactionsOf("tag-1")).as("idTags compare without case").containsExactly(t);
        assertThat(store.highestTransactionId()).isEqualTo(17);
        assertThat(rows(file, "SELECT start_parent_id_tag, start_received_at FROM charge_transaction"))
                .containsExactly(List.of("PARENT", received.toEpochMilli()));
        assertThat(count(file, "SELECT last_seen_at FROM charger WHERE charge_point_id = 'CP-1'"))
                .isEqualTo(received.toEpochMilli());
    }

    @Test
    void nothingStoredMeansNoTransactions() {
        assertThat(store.transaction(1)).isEmpty();
        assertThat(store.highestTransactionId()).isZero();
        assertThat(store.openTransactionsOf("X")).isEmpty();
    }

    @Test
    void openTransactionsAreListedOldestFirst() throws Exception {
        result(store.transactionStarted("CP-1", 5, new StartTransactionRequest(1, "A", 0, null, T0.plusSeconds(60)),
                ACCEPTED, T0));
        result(store.transactionStarted("CP-1", 9, new StartTransactionRequest(2, "A", 0, null, T0), ACCEPTED, T0));
        result(store.transactionStarted("CP-2", 3, new StartTransactionRequest(1, "A", 0, null, T0), ACCEPTED, T0));
        assertThat(store.openTransactions("CP-1")).extracting(StoredTransaction::transactionId).containsExactly(9, 5);
        assertThat(store.openTransactionsOf("A")).extracting(StoredTransaction::transactionId)
                .containsExactlyInAnyOrder(9, 5, 3);
    }

    @Test
    void aStoppedTransactionKeepsItsStopAndTransactionData() throws Exception {
        result(store.transactionStarted("CP-1", 1, Fixtures.start(3, "TAG", 100), ACCEPTED, T0));
        StopTransactionRequest stop = new StopTransactionRequest("TAG-2", 9100, T0.plusSeconds(60), 1,
                Reason.EVDisconnected, List.of(new MeterValue(T0.plusSeconds(60), List.of(new SampledValue("9100",
                        ReadingContext.TransactionEnd, null, null, null, null, null)))));
        result(store.transactionStopped("CP-1", stop, T0.plusSeconds(61)));

        StoredTransaction t = store.transaction(1).orElseThrow();
        assertThat(t.open()).isFalse();
        assertThat(t.meterStop()).isEqualTo(9100);
        assertThat(t.stoppedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(t.stopIdTag()).isEqualTo("TAG-2");
        assertThat(t.reason()).isEqualTo(Reason.EVDisconnected);
        assertThat(t.startUnknown()).isFalse();
        assertThat(store.openTransactions("CP-1")).isEmpty();
        assertThat(store.openTransactionsOf("TAG")).isEmpty();
        assertThat(rows(file, "SELECT connector_id, transaction_id, value, context FROM meter_value"))
                .containsExactly(List.of(3, 1, "9100", "Transaction.End"));
    }

    @Test
    void aRepeatedStopIsAcceptedOnceAndItsDataNotStoredTwice() throws Exception {
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "TAG", 0), ACCEPTED, T0));
        StopTransactionRequest stop = new StopTransactionRequest(null, 700, T0.plusSeconds(9), 1, Reason.Local,
                List.of(new MeterValue(T0.plusSeconds(9), List.of(SampledValue.of("700", null, null)))));
        result(store.transactionStopped("CP-1", stop, T0.plusSeconds(10)));
        result(store.transactionStopped("CP-1", new StopTransactionRequest(null, 800, T0.plusSeconds(20), 1, null,
                stop.transactionData()), T0.plusSeconds(30)));
        assertThat(store.transaction(1).orElseThrow().meterStop()).as("the first stop counts").isEqualTo(700);
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isEqualTo(1);
    }

    @Test
    void aTransactionIdStoredForAnotherTransactionIsRefusedAndTheFirstKept() throws Exception {
        result(store.transactionStarted("CP-1", 5, Fixtures.start(1, "TAG", 0), ACCEPTED, T0));
        Throwable refused = failure(store.transactionStarted("CP-2", 5, Fixtures.start(1, "OTHER", 0), ACCEPTED, T0));
        assertThat(refused).isInstanceOf(StoreException.class).hasMessageContaining("already used");
        assertThat(store.transaction(5).orElseThrow().chargePointId()).isEqualTo("CP-1");
        assertThat(store.health().ok()).as("a refused write is no store failure").isTrue();
    }

    @Test
    void theSameStartWrittenTwiceIsKeptOnce() throws Exception {
        result(store.transactionStarted("CP-1", 5, Fixtures.start(1, "TAG", 0), ACCEPTED, T0));
        result(store.transactionStarted("CP-1", 5, Fixtures.start(1, "tag", 0), ACCEPTED, T0));
        assertThat(count(file, "SELECT COUNT(*) FROM charge_transaction")).isEqualTo(1);
    }

    @Test
    void everySampledValueIsStoredWithAllItsFields() throws Exception {
        result(store.transactionStarted("CP-9", 12, Fixtures.start(2, "TAG", 0), ACCEPTED, T0));
        Instant sampled = T0.minusSeconds(30);
        MeterValuesRequest request = new MeterValuesRequest(2, 12, List.of(
                new MeterValue(sampled, List.of(
                        new SampledValue("230.1", ReadingContext.SampleClock, ValueFormat.Raw, Measurand.Voltage,
                                Phase.L1_N, Location.Inlet, UnitOfMeasure.V),
                        SampledValue.of("11000", Measurand.PowerActiveImport, UnitOfMeasure.W))),
                new MeterValue(T0, List.of(new SampledValue("0xAB", null, ValueFormat.SignedData, null, null,
                        null, null)))));
        result(store.meterValues("CP-9", request, T0.plusMillis(1)));
        result(store.meterValues("CP-9", new MeterValuesRequest(0, null, List.of(new MeterValue(T0,
                List.of(SampledValue.of("50", Measurand.Frequency, null))))), T0.plusMillis(2)));

        assertThat(rows(file, "SELECT charge_point_id, connector_id, transaction_id, sampled_at, value, context,"
                + " format, measurand, phase, location, unit, received_at, delivered_upstream FROM meter_value"
                + " ORDER BY id")).containsExactly(
                List.of("CP-9", 2, 12, sampled.toEpochMilli(), "230.1", "Sample.Clock", "Raw", "Voltage", "L1-N",
                        "Inlet", "V", T0.toEpochMilli() + 1, 0),
                Arrays.asList("CP-9", 2, 12, sampled.toEpochMilli(), "11000", null, null,
                        "Power.Active.Import", null, null, "W", T0.toEpochMilli() + 1, 0),
                Arrays.asList("CP-9", 2, 12, T0.toEpochMilli(), "0xAB", null, "SignedData", null, null,
                        null, null, T0.toEpochMilli() + 1, 0),
                Arrays.asList("CP-9", 0, null, T0.toEpochMilli(), "50", null, null, "Frequency", null,
                        null, null, T0.toEpochMilli() + 2, 0));
    }

    @Test
    void bootDataAndConnectorStatesAreKeptPerCharger() throws Exception {
        result(store.chargerBooted("CP-1", new BootNotificationRequest("Vendor", "Model", "CPS", "CBS", "1.2.3",
                "ICCID", "IMSI", "MT", "MS"), T0));
        result(store.connectorStatus("CP-1", new StatusNotificationRequest(1, ChargePointErrorCode.NoError, null,
                ChargePointStatus.Available, T0, null, null), T0.plusSeconds(1)));
        result(store.connectorStatus("CP-1", new StatusNotificationRequest(1, ChargePointErrorCode.GroundFailure,
                "info", ChargePointStatus.Faulted, null, "V", "E42"), T0.plusSeconds(2)));
        result(store.chargerBooted("CP-1", new BootNotificationRequest("Vendor", "Model2", null, null, "1.2.4",
                null, null, null, null), T0.plusSeconds(3)));

        assertThat(rows(file, "SELECT vendor, model, charge_point_serial, firmware_version, booted_at,"
                + " last_seen_at FROM charger")).containsExactly(Arrays.asList("Vendor", "Model2", null,
                "1.2.4", T0.plusSeconds(3).toEpochMilli(), T0.plusSeconds(3).toEpochMilli()));
        assertThat(rows(file, "SELECT connector_id, status, error_code, info, vendor_id, vendor_error_code,"
                + " status_at, received_at FROM connector_status")).containsExactly(Arrays.asList(1,
                "Faulted", "GroundFailure", "info", "V", "E42", null, T0.plusSeconds(2).toEpochMilli()));
    }

    @Test
    void theAuthorizationListIsReplacedAsAWhole() throws Exception {
        assertThat(store.loadList()).isEqualTo(new StoredList(0, List.of()));
        Instant expiry = Instant.parse("2030-01-01T00:00:00Z");
        result(store.saveList(3, List.of(new AuthorizationData("B", new IdTagInfo(expiry, "P", AuthorizationStatus.Blocked)),
                new AuthorizationData("A", IdTagInfo.of(AuthorizationStatus.Accepted)),
                new AuthorizationData("C", null))));
        assertThat(store.loadList()).isEqualTo(new StoredList(3, List.of(
                new AuthorizationData("A", IdTagInfo.of(AuthorizationStatus.Accepted)),
                new AuthorizationData("B", new IdTagInfo(expiry, "P", AuthorizationStatus.Blocked)),
                new AuthorizationData("C", null))));
        result(store.saveList(4, List.of(new AuthorizationData("D", IdTagInfo.of(AuthorizationStatus.Invalid)))));
        assertThat(store.loadList()).isEqualTo(new StoredList(4, List.of(
                new AuthorizationData("D", IdTagInfo.of(AuthorizationStatus.Invalid)))));
    }

    @Test
    void theCacheKeepsTheLastInfoPerIdTagUntilCleared() throws Exception {
        assertThat(store.loadCache()).isEmpty();
        result(store.saveCacheEntry("abc", IdTagInfo.of(AuthorizationStatus.Accepted), T0));
        result(store.saveCacheEntry("ABC", new IdTagInfo(T0.plusSeconds(60), "G", AuthorizationStatus.Expired),
                T0.plusSeconds(1)));
        result(store.saveCacheEntry("other", IdTagInfo.of(AuthorizationStatus.Blocked), T0));
        assertThat(store.loadCache()).hasSize(2).containsEntry("ABC", new CachedIdTag(
                new IdTagInfo(T0.plusSeconds(60), "G", AuthorizationStatus.Expired), T0.plusSeconds(1)));
        result(store.clearCache());
        assertThat(store.loadCache()).isEmpty();
    }

    @Test
    void meterValuesSentAgainAfterALostAnswerAreRecordedOnceEvenAcrossARestart() throws Exception {
        // Readings outside a transaction: those of a transaction are looked at the same way.
        MeterValuesRequest reading = Fixtures.meterValues(1, null, 3, T0);
        result(store.meterValues("CP-1", reading, T0));
        result(store.meterValues("CP-1", reading, T0.plusSeconds(30)));
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isEqualTo(3);
        reopen();
        result(store.meterValues("CP-1", reading, T0.plusSeconds(60)));
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).as("after a restart").isEqualTo(3);

        // Repeats are looked for per charger and connector, and only against the last reading.
        result(store.meterValues("CP-2", reading, T0));
        result(store.meterValues("CP-1", Fixtures.meterValues(2, null, 3, T0), T0));
        MeterValuesRequest next = Fixtures.meterValues(1, null, 3, T0.plusSeconds(60));
        result(store.meterValues("CP-1", next, T0.plusSeconds(60)));
        result(store.meterValues("CP-1", reading, T0.plusSeconds(90)));
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isEqualTo(5 * 3);
        // A reading differing in one value only is a new reading.
        result(store.meterValues("CP-1", Fixtures.meterValues(1, null, 4, T0), T0.plusSeconds(120)));
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isEqualTo(5 * 3 + 4);
    }

    @Test
    void everythingAcknowledgedIsThereAfterAReopen() throws Exception {
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "TAG", 0), ACCEPTED, T0));
        result(store.meterValues("CP-1", Fixtures.meterValues(1, 1, 3), T0));
        result(store.saveList(2, List.of(new AuthorizationData("A", ACCEPTED))));
        result(store.saveCacheEntry("B", ACCEPTED, T0));
        reopen();
        assertThat(store.transaction(1)).isPresent();
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isEqualTo(3);
        assertThat(store.loadList().version()).isEqualTo(2);
        assertThat(store.loadCache()).containsKey("B");
        assertThat(store.depth("CP-1")).as("the start and the meter values, journaled").isEqualTo(2);
    }

    @Test
    void writesAfterCloseAreRefused() throws Exception {
        store.close();
        assertThat(failure(store.meterValues("CP-1", Fixtures.meterValues(1, null, 1), T0)))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
    }
}
