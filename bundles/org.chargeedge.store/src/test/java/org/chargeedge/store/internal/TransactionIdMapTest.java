package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.result;

import java.nio.file.Path;
import java.util.OptionalInt;

import org.chargeedge.api.store.OutboundMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upstream link's records (schema V2): the transaction id map and the parked messages. */
class TransactionIdMapTest {

    @TempDir
    Path dir;
    Path file;
    SqliteStore store;

    @BeforeEach
    void open() throws Exception {
        file = dir.resolve("chargeedge.db");
        store = SqliteStore.open(file, StoreSettings.defaults());
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aResentStartKeepsItsFirstIdAndIsQueuedOnce() throws Exception {
        assertThat(result(store.queueStart("CP-1", "1|tag|0|t", 10, "{\"a\":1}"))).isEqualTo(10);
        assertThat(result(store.queueStart("CP-1", "1|tag|0|t", 11, "{\"a\":1}"))).isEqualTo(10);
        assertThat(result(store.queueStart("CP-2", "1|tag|0|t", 12, "{\"a\":1}"))).as("another charger").isEqualTo(12);
        assertThat(store.depth("CP-1")).isEqualTo(1);
        assertThat(store.startedAs("CP-1", "1|tag|0|t")).isEqualTo(OptionalInt.of(10));
        assertThat(store.startedAs("CP-1", "other")).isEmpty();
    }

    @Test
    void aStopIsQueuedOnceEvenForATransactionStartedBeforeTheLink() throws Exception {
        assertThat(result(store.queueStop("CP-1", 42, "{\"transactionId\":42}"))).isTrue();
        assertThat(result(store.queueStop("CP-1", 42, "{\"transactionId\":42}"))).isFalse();
        assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::action).containsExactly("StopTransaction");
    }

    @Test
    void csmsIdsMapBothWaysPerChargerAndSurviveARestart() throws Exception {
        result(store.queueStart("CP-1", "k", 10, "{}"));
        assertThat(store.csmsId(10)).isEmpty();
        result(store.map("CP-1", 10, 7001));
        result(store.map("CP-2", 11, 7001));
        store.close();
        store = SqliteStore.open(file, StoreSettings.defaults());
        assertThat(store.csmsId(10)).isEqualTo(OptionalInt.of(7001));
        assertThat(store.gatewayId("CP-1", 7001)).isEqualTo(OptionalInt.of(10));
        assertThat(store.gatewayId("CP-2", 7001)).isEqualTo(OptionalInt.of(11));
        assertThat(store.gatewayId("CP-3", 7001)).isEmpty();
    }

    @Test
    void aParkedMessageLeavesTheQueueAndComesBackAtItsEndOnRequest() throws Exception {
        result(store.append("CP-1", "MeterValues", "{\"n\":1}"));
        result(store.append("CP-1", "MeterValues", "{\"n\":2}"));
        OutboundMessage first = store.peek("CP-1", 1).get(0);
        result(store.park(first, "refused"));
        assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::payloadJson).containsExactly("{\"n\":2}");
        assertThat(store.parked("CP-1")).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("refused");
            assertThat(p.message().payloadJson()).isEqualTo("{\"n\":1}");
        });
        assertThat(result(store.requeue("CP-1"))).isEqualTo(1);
        assertThat(store.parked("CP-1")).isEmpty();
        assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::payloadJson)
                .containsExactly("{\"n\":2}", "{\"n\":1}");
        assertThat(count(file, "SELECT COUNT(*) FROM outbound_parked")).isZero();
    }
}
