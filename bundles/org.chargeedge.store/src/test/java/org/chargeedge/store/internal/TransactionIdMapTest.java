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
    void csmsIdsMapBothWaysPerChargerAndSurviveARestart() throws Exception {
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
}
