package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.chargeedge.store.internal.Fixtures.ACCEPTED;
import static org.chargeedge.store.internal.Fixtures.T0;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.result;

import java.time.Duration;
import java.time.Instant;

import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.junit.jupiter.api.Test;

/** The outbound journal: written by the store's own records, in their commit; read and acknowledged by a reader. */
class OutboundJournalTest extends StoreFileTest {

    private void transaction(String charger, int id, int connector, Instant at) throws Exception {
        result(store.transactionStarted(charger, id, new StartTransactionRequest(connector, "TAG", 0, null, at),
                ACCEPTED, at));
        result(store.meterValues(charger, Fixtures.meterValues(connector, id, 3, at.plusSeconds(60)), at));
        result(store.transactionStopped(charger, Fixtures.stop(id, 500), at));
    }

    @Test
    void everyTransactionMessageTheStoreRecordsIsJournaledInOrderWithItsTransaction() throws Exception {
        transaction("CP-1", 7, 1, T0);
        result(store.meterValues("CP-1", Fixtures.meterValues(2, null, 1, T0), T0));
        transaction("CP-2", 8, 1, T0);

        assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::sequence, OutboundMessage::action,
                OutboundMessage::transactionId).containsExactly(
                tuple(1L, "StartTransaction", 7), tuple(2L, "MeterValues", 7), tuple(3L, "StopTransaction", 7),
                tuple(4L, "MeterValues", null));
        assertThat(store.peek("CP-1", 1).get(0).payloadJson())
                .contains("\"connectorId\":1", "\"idTag\":\"TAG\"", "\"meterStart\":0").doesNotContain("[");
        assertThat(store.peek("CP-2", 10)).hasSize(3);
        assertThat(store.chargersWithMessages()).containsExactly("CP-1", "CP-2");
        assertThat(store.depth("CP-1")).isEqualTo(4);
    }

    @Test
    void aChargersResendsAreJournaledOnceAndAResentStartKeepsItsFirstId() throws Exception {
        StartTransactionRequest start = new StartTransactionRequest(1, "TAG", 10, null, T0);
        assertThat(result(store.transactionStarted("CP-1", 7, start, ACCEPTED, T0))).isEqualTo(7);
        assertThat(result(store.transactionStarted("CP-1", 8, start, ACCEPTED, T0.plusSeconds(30))))
                .as("the same start sent again gets its first id").isEqualTo(7);
        assertThat(result(store.transactionStarted("CP-1", 9,
                new StartTransactionRequest(1, "tag", 10, null, T0), ACCEPTED, T0))).as("idTags ignore case")
                .isEqualTo(7);
        assertThat(result(store.transactionStarted("CP-2", 10, start, ACCEPTED, T0))).as("another charger")
                .isEqualTo(10);
        result(store.meterValues("CP-1", Fixtures.meterValues(1, 7, 3, T0), T0));
        result(store.meterValues("CP-1", Fixtures.meterValues(1, 7, 3, T0), T0));
        result(store.transactionStopped("CP-1", Fixtures.stop(7, 500), T0));
        reopen();
        result(store.transactionStopped("CP-1", Fixtures.stop(7, 500), T0));
        assertThat(result(store.transactionStarted("CP-1", 11, start, ACCEPTED, T0))).as("after a restart and"
                + " the stop").isEqualTo(7);
        assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::action)
                .containsExactly("StartTransaction", "MeterValues", "StopTransaction");
        assertThat(count(file, "SELECT COUNT(*) FROM charge_transaction")).isEqualTo(2);
    }

    /** The gateway never issued it: no CSMS could place it either. Kept once, as evidence (ForeignTransactionTest). */
    @Test
    void aStopForATransactionTheStoreNeverSawStartIsNotJournaled() throws Exception {
        result(store.transactionStopped("CP-1", Fixtures.stop(42, 500), T0));
        result(store.transactionStopped("CP-1", Fixtures.stop(42, 500), T0));
        assertThat(store.peek("CP-1", 10)).isEmpty();
        assertThat(store.chargersWithMessages()).isEmpty();
        assertThat(store.parked("CP-1")).extracting(p -> p.message().transactionId()).containsExactly(42);
    }

    @Test
    void theDeliveredPositionOnlyMovesForwardAndSequencesAreNeverReused() throws Exception {
        transaction("CP-1", 7, 1, T0);
        result(store.acknowledge("CP-1", 2));
        assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::sequence).containsExactly(3L);
        result(store.acknowledge("CP-1", 1));
        assertThat(store.depth("CP-1")).as("acknowledging less changes nothing").isEqualTo(1);
        assertThat(count(file, "SELECT delivered_up_to FROM outbound_sequence WHERE charge_point_id = 'CP-1'"))
                .isEqualTo(2);
        result(store.acknowledge("CP-1", 3));
        assertThat(store.depth("CP-1")).isZero();
        assertThat(store.chargersWithMessages()).isEmpty();
        reopen();
        transaction("CP-1", 8, 1, T0.plusSeconds(7200));
        assertThat(store.peek("CP-1", 1).get(0).sequence()).as("after emptying and a restart").isEqualTo(4L);
    }

    @Test
    void refusalsAreCountedDurablyPerMessage() throws Exception {
        transaction("CP-1", 7, 1, T0);
        assertThat(result(store.countRefusal("CP-1", 1))).isEqualTo(1);
        assertThat(result(store.countRefusal("CP-1", 1))).isEqualTo(2);
        reopen();
        assertThat(result(store.countRefusal("CP-1", 1))).as("after a restart").isEqualTo(3);
        assertThat(result(store.countRefusal("CP-1", 2))).as("counted per message").isEqualTo(1);
        result(store.acknowledge("CP-1", 1));
        assertThat(result(store.countRefusal("CP-1", 1))).as("no longer journaled").isZero();
    }

    @Test
    void aParkedMessageLeavesTheJournalAndComesBackAtItsEndWithItsTransaction() throws Exception {
        transaction("CP-1", 7, 1, T0);
        OutboundMessage first = store.peek("CP-1", 1).get(0);
        result(store.park(first, "refused"));
        assertThat(store.depth("CP-1")).isEqualTo(2);
        assertThat(store.parked("CP-1")).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("refused");
            assertThat(p.message().transactionId()).isEqualTo(7);
        });
        assertThat(result(store.requeue("CP-1"))).isEqualTo(1);
        assertThat(store.parked("CP-1")).isEmpty();
        assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::sequence, OutboundMessage::action,
                OutboundMessage::transactionId).containsExactly(tuple(2L, "MeterValues", 7),
                tuple(3L, "StopTransaction", 7), tuple(4L, "StartTransaction", 7));
        reopen();
        assertThat((long) store.depth("CP-1")).isEqualTo(count(file, "SELECT COUNT(*) FROM outbound_journal"))
                .isEqualTo(3L);
    }

    @Test
    void withoutAReaderOldEntriesGoWithTheRetentionButNeverThoseAReaderHasYetToDeliver() throws Exception {
        store.close();
        store = SqliteStore.open(file, StoreSettings.defaults().withRetention(Duration.ofDays(1), 2, false));
        Instant old = Instant.now().minus(Duration.ofDays(3));
        transaction("STANDALONE", 7, 1, old);
        transaction("LINKED", 8, 1, old);
        result(store.acknowledge("LINKED", 1));
        transaction("STANDALONE", 9, 1, Instant.now());
        result(store.meterValues("STANDALONE", Fixtures.meterValues(3, null, 1, Instant.now()), Instant.now()));

        store.writer().requestMaintenance();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.depth("STANDALONE") > 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(store.peek("STANDALONE", 10)).as("only the young entries stay")
                .extracting(OutboundMessage::transactionId).containsExactly(9, 9, 9, null);
        assertThat(store.depth("LINKED")).as("a reader's undelivered entries are kept whatever their age")
                .isEqualTo(2);
    }
}
