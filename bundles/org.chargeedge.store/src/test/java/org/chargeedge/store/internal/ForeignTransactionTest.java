package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.chargeedge.store.internal.Fixtures.ACCEPTED;
import static org.chargeedge.store.internal.Fixtures.T0;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.result;

import java.time.Instant;
import java.util.List;

import org.chargeedge.api.store.ForeignTransactionMessages;
import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.api.store.ParkedMessages.Parked;
import org.chargeedge.api.store.StoredTransaction;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.Reason;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.junit.jupiter.api.Test;

/**
 * A charger touches only its own transactions: a StopTransaction or MeterValues naming a transaction
 * another charger started, or one the gateway never issued, is kept as evidence (parked, counted),
 * never applied and never journaled, and the owner's own messages are recorded as if it had never come.
 */
class ForeignTransactionTest extends StoreTest {

    private static final String A = "CP-A";
    private static final String B = "CP-B";
    private static final int TX = 17;

    /** A starts transaction 17 on its connector 1 at meter 1000 and sends one reading for it. */
    private StoredTransaction aStarts() throws Exception {
        result(store.transactionStarted(A, TX, new StartTransactionRequest(1, "TAG-A", 1000, null, T0), ACCEPTED, T0));
        result(store.meterValues(A, Fixtures.meterValues(1, TX, 3, T0.plusSeconds(60)), T0.plusSeconds(60)));
        return store.transaction(TX).orElseThrow();
    }

    private static StopTransactionRequest stop(int meterStop, Instant at) {
        return new StopTransactionRequest(null, meterStop, at, TX, Reason.Local, List.of(new MeterValue(at,
                List.of(SampledValue.of(String.valueOf(meterStop), null, null)))));
    }

    private List<String> journaled(String chargePointId) {
        return store.peek(chargePointId, 100).stream().map(m -> m.action() + ":" + m.transactionId()).toList();
    }

    @Test
    void anotherChargersStopIsKeptAsEvidenceAndTheOwnersOwnStopIsRecordedAndJournaledOnce() throws Exception {
        StoredTransaction started = aStarts();
        long valuesOfA = count(file, "SELECT COUNT(*) FROM meter_value WHERE transaction_id = " + TX);

        // B names A's transaction with a lower meter: it completes (B gets its answer) and changes nothing of A's.
        Instant bAt = T0.plusSeconds(1800);
        result(store.transactionStopped(B, stop(1200, bAt), bAt.plusMillis(5)));
        assertThat(store.transaction(TX)).as("A's transaction open and unchanged").hasValue(started);
        assertThat(store.openTransactions(A)).containsExactly(started);
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value WHERE transaction_id = " + TX))
                .as("B's transaction data not attached").isEqualTo(valuesOfA);
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value WHERE charge_point_id = '" + B + "'")).isZero();
        assertThat(store.peek(B, 10)).as("nothing of B journaled for the CSMS").isEmpty();
        assertThat(store.depth(B)).isZero();
        assertThat(store.chargersWithMessages()).containsExactly(A);
        assertThat(store.parked(B)).singleElement().satisfies(p -> {
            assertThat(p.message().action()).isEqualTo("StopTransaction");
            assertThat(p.message().transactionId()).isEqualTo(TX);
            assertThat(p.message().payloadJson()).contains("\"meterStop\":1200");
            assertThat(p.reason()).isEqualTo("StopTransaction of CP-B for transaction 17, which CP-A started");
            assertThat(p.message().queuedAt()).isEqualTo(bAt.plusMillis(5));
        });
        assertThat(store.parked(A)).isEmpty();

        // B sends it again (it lost the answer): kept once, counted once.
        result(store.transactionStopped(B, stop(1200, bAt), bAt.plusSeconds(30)));
        assertThat(store.parked(B)).hasSize(1);
        assertThat(store.foreignTransactionMessages())
                .containsExactly(new ForeignTransactionMessages(B, 1, 0, bAt.plusMillis(5)));

        // A's own stop, as if B's had never come: recorded with A's meter, journaled once.
        Instant aAt = T0.plusSeconds(3600);
        result(store.transactionStopped(A, stop(9000, aAt), aAt));
        result(store.transactionStopped(A, stop(9000, aAt), aAt.plusSeconds(30)));
        StoredTransaction stopped = store.transaction(TX).orElseThrow();
        assertThat(stopped.open()).isFalse();
        assertThat(stopped.meterStop()).isEqualTo(9000);
        assertThat(stopped.stoppedAt()).isEqualTo(aAt);
        assertThat(stopped.chargePointId()).isEqualTo(A);
        assertThat(journaled(A)).containsExactly("StartTransaction:17", "MeterValues:17", "StopTransaction:17");
        assertThat(store.peek(A, 10).get(2).payloadJson()).contains("\"meterStop\":9000");
        assertThat(store.peek(B, 10)).isEmpty();

        // B naming the transaction once A stopped it is no repeat of A's stop: evidence as well.
        result(store.transactionStopped(B, stop(1300, aAt.plusSeconds(60)), aAt.plusSeconds(60)));
        assertThat(store.parked(B)).extracting(p -> p.message().payloadJson().contains("1300")).containsExactly(false,
                true);
        assertThat(store.transaction(TX).orElseThrow().meterStop()).isEqualTo(9000);

        // Durable: what B's answers stood for is there after a restart.
        reopen();
        assertThat(store.parked(B)).hasSize(2);
        assertThat(store.foreignTransactionMessages()).singleElement().satisfies(f -> {
            assertThat(f.ofOtherChargers()).isEqualTo(2);
            assertThat(f.lastAt()).isEqualTo(aAt.plusSeconds(60));
        });
    }

    @Test
    void anotherChargersMeterValuesAreNotAttachedToTheTransactionNorJournaled() throws Exception {
        aStarts();
        long valuesOfA = count(file, "SELECT COUNT(*) FROM meter_value WHERE transaction_id = " + TX);

        result(store.meterValues(B, Fixtures.meterValues(2, TX, 3, T0.plusSeconds(120)), T0.plusSeconds(120)));
        result(store.meterValues(B, Fixtures.meterValues(2, TX, 3, T0.plusSeconds(120)), T0.plusSeconds(150)));
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value WHERE transaction_id = " + TX)).isEqualTo(valuesOfA);
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value WHERE charge_point_id = '" + B + "'")).isZero();
        assertThat(store.peek(B, 10)).isEmpty();
        assertThat(store.parked(B)).singleElement().satisfies(p -> {
            assertThat(p.message().action()).isEqualTo("MeterValues");
            assertThat(p.message().transactionId()).isEqualTo(TX);
            assertThat(p.reason()).isEqualTo("MeterValues of CP-B for transaction 17, which CP-A started");
        });

        // A's own readings as before; B's readings without a transaction are B's to record.
        result(store.meterValues(A, Fixtures.meterValues(1, TX, 3, T0.plusSeconds(180)), T0.plusSeconds(180)));
        result(store.meterValues(B, Fixtures.meterValues(2, null, 2, T0.plusSeconds(180)), T0.plusSeconds(180)));
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value WHERE transaction_id = " + TX))
                .isEqualTo(valuesOfA + 3);
        assertThat(journaled(A)).containsExactly("StartTransaction:17", "MeterValues:17", "MeterValues:17");
        assertThat(journaled(B)).containsExactly("MeterValues:null");
        assertThat(store.peek(B, 1).get(0).sequence()).as("the evidence took a sequence, not a place in the journal")
                .isEqualTo(2L);
        assertThat(store.foreignTransactionMessages())
                .containsExactly(new ForeignTransactionMessages(B, 1, 0, T0.plusSeconds(120)));
    }

    @Test
    void aStopOrMeterValuesForATransactionIdNeverIssuedIsKeptAsEvidenceAndNotJournaled() throws Exception {
        result(store.meterValues(B, Fixtures.meterValues(4, 4711, 2), T0));
        result(store.transactionStopped(B, Fixtures.stop(4711, 5000), T0.plusSeconds(1)));

        assertThat(store.transaction(4711)).as("no transaction record made up from the stop").isEmpty();
        assertThat(store.highestTransactionId()).isZero();
        assertThat(count(file, "SELECT COUNT(*) FROM meter_value")).isZero();
        assertThat(store.peek(B, 10)).isEmpty();
        assertThat(store.parked(B)).extracting(p -> p.message().action(), p -> p.message().transactionId(),
                Parked::reason).containsExactly(
                tuple("MeterValues", 4711, "MeterValues of CP-B for transaction 4711, which this gateway never issued"),
                tuple("StopTransaction", 4711,
                        "StopTransaction of CP-B for transaction 4711, which this gateway never issued"));
        assertThat(store.foreignTransactionMessages())
                .containsExactly(new ForeignTransactionMessages(B, 0, 2, T0.plusSeconds(1)));
    }

    /**
     * The operator's replay puts evidence back at the end of the charger's journal with the
     * transaction it named, like any parked message; the store still applies it to nothing (the
     * upstream link parks it again rather than sending it).
     */
    @Test
    void replayedEvidenceGoesToTheJournalOfItsSenderAndStillTouchesNoTransaction() throws Exception {
        StoredTransaction started = aStarts();
        result(store.transactionStopped(B, stop(1200, T0.plusSeconds(1800)), T0.plusSeconds(1800)));

        assertThat(result(store.requeue(B))).isEqualTo(1);
        assertThat(store.parked(B)).isEmpty();
        assertThat(store.peek(B, 10)).extracting(OutboundMessage::action, OutboundMessage::transactionId)
                .containsExactly(tuple("StopTransaction", TX));
        assertThat(store.transaction(TX)).hasValue(started);
        assertThat(store.foreignTransactionMessages()).as("still counted").extracting(f -> f.total())
                .containsExactly(1);
    }
}
