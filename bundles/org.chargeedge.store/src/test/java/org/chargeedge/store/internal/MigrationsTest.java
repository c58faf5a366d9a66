package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.chargeedge.api.store.OutboundMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MigrationsTest {

    private static final String SCHEMA = "SELECT type || ' ' || name || ': ' || sql FROM sqlite_master"
            + " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";

    @TempDir
    Path dir;

    /** Every version a database on a site may have: 0 (a new file) up to the latest. */
    static Stream<Integer> everyVersion() {
        return IntStream.rangeClosed(0, Migrations.load().latest()).boxed();
    }

    @Test
    void theScriptsAreFoundInOrder() {
        Migrations migrations = Migrations.load();
        assertThat(migrations.latest()).isGreaterThanOrEqualTo(1);
    }

    @ParameterizedTest(name = "from version {0}")
    @MethodSource("everyVersion")
    void aDatabaseOfAnyEarlierVersionOpensWithTheSchemaOfANewOne(int from) throws Exception {
        Path fresh = dir.resolve("fresh.db");
        SqliteStore.open(fresh, StoreSettings.defaults()).close();

        Path old = dir.resolve("v" + from + ".db");
        try (Connection c = SqliteStore.connect(old, 1000)) {
            Migrations.load().migrate(c, from);
            assertThat(Migrations.version(c)).isEqualTo(from);
        }
        SqliteStore store = SqliteStore.open(old, StoreSettings.defaults());
        try {
            assertThat(Fixtures.count(old, "PRAGMA user_version")).isEqualTo(Migrations.load().latest());
            assertThat(Fixtures.rows(old, SCHEMA)).isEqualTo(Fixtures.rows(fresh, SCHEMA));
            // The migrated store works.
            Fixtures.result(store.transactionStarted("CP-1", 7, Fixtures.start(1, "TAG", 0), Fixtures.ACCEPTED,
                    Fixtures.T0));
            assertThat(store.transaction(7)).isPresent();
        } finally {
            store.close();
        }
    }

    @Test
    void chargersLearntUnderVersion8AreKeptAndNotSaidToSwitchPhases() throws Exception {
        Path file = dir.resolve("v8-capabilities.db");
        try (Connection c = SqliteStore.connect(file, 1000); Statement st = c.createStatement()) {
            Migrations.load().migrate(c, 8);
            st.execute("INSERT INTO balancer_capabilities VALUES ('CP-1', 'W', 0, 1, 0, '1.2', 1000)");
        }
        SqliteStore store = SqliteStore.open(file, StoreSettings.defaults());
        try {
            assertThat(store.remembered().capabilities()).containsExactly(new org.chargeedge.api.store.BalancerMemory
                    .ChargerCapabilities("CP-1", "W", false, true, false, "1.2", java.time.Instant.ofEpochMilli(1000),
                    false, null));
        } finally {
            store.close();
        }
    }

    @Test
    void queuesOfAVersion2DatabaseKeepTheirDepth() throws Exception {
        Path file = dir.resolve("v2-queue.db");
        try (Connection c = SqliteStore.connect(file, 1000); Statement st = c.createStatement()) {
            Migrations.load().migrate(c, 2);
            st.execute("INSERT INTO outbound_sequence VALUES ('CP-1', 7), ('CP-2', 3)");
            st.execute("INSERT INTO outbound_message VALUES ('CP-1', 6, 'MeterValues', '{}', 0),"
                    + " ('CP-1', 7, 'MeterValues', '{}', 0)");
        }
        SqliteStore store = SqliteStore.open(file, StoreSettings.defaults());
        try {
            assertThat(store.depth("CP-1")).isEqualTo(2);
            assertThat(store.depth("CP-2")).isZero();
            assertThat(store.chargersWithMessages()).containsExactly("CP-1");
            Fixtures.result(store.meterValues("CP-1", Fixtures.meterValues(1, null, 1), Fixtures.T0));
            assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::sequence).containsExactly(6L, 7L, 8L);
            assertThat(store.depth("CP-1")).isEqualTo(3);
        } finally {
            store.close();
        }
    }

    /** A version 3 queue, written by the upstream link: it becomes the journal, with its position and transactions. */
    @Test
    void theUpstreamQueueOfAVersion3DatabaseBecomesTheJournal() throws Exception {
        Path file = dir.resolve("v3-queue.db");
        String start = "{\"connectorId\":1,\"idTag\":\"Tag-A\",\"meterStart\":10,"
                + "\"timestamp\":\"2025-03-01T10:00:00.123Z\"}";
        try (Connection c = SqliteStore.connect(file, 1000); Statement st = c.createStatement()) {
            Migrations.load().migrate(c, 3);
            st.execute("INSERT INTO transaction_id_map (gateway_id, charge_point_id, start_key, csms_id, stop_queued)"
                    + " VALUES (41, 'CP-1', '1|tag-a|10|2025-03-01T10:00:00.123Z', NULL, 0),"
                    + " (40, 'CP-1', NULL, 9001, 1)");
            st.execute("INSERT INTO outbound_sequence (charge_point_id, last_sequence, queued) VALUES"
                    + " ('CP-1', 12, 3), ('CP-2', 5, 0)");
            st.execute("INSERT INTO outbound_message (charge_point_id, sequence, action, payload, queued_at, refusals)"
                    + " VALUES ('CP-1', 10, 'StopTransaction', '{\"transactionId\":40,\"meterStop\":5,"
                    + "\"timestamp\":\"2025-03-01T09:00:00Z\"}', 1, 2),"
                    + " ('CP-1', 11, 'StartTransaction', '" + start + "', 2, 0),"
                    + " ('CP-1', 12, 'MeterValues', '{\"connectorId\":1,\"transactionId\":41,\"meterValue\":[]}', 3, 0)");
            st.execute("INSERT INTO outbound_parked (charge_point_id, sequence, action, payload, queued_at, reason,"
                    + " parked_at) VALUES ('CP-1', 9, 'MeterValues', '{\"connectorId\":1,\"transactionId\":39}',"
                    + " 0, 'refused', 0)");
        }
        SqliteStore store = SqliteStore.open(file, StoreSettings.defaults());
        try {
            assertThat(store.peek("CP-1", 10)).extracting(OutboundMessage::sequence, OutboundMessage::action,
                    OutboundMessage::transactionId).containsExactly(
                    org.assertj.core.api.Assertions.tuple(10L, "StopTransaction", 40),
                    org.assertj.core.api.Assertions.tuple(11L, "StartTransaction", 41),
                    org.assertj.core.api.Assertions.tuple(12L, "MeterValues", 41));
            assertThat(Fixtures.result(store.countRefusal("CP-1", 10))).as("refusals kept").isEqualTo(3);
            assertThat(store.parked("CP-1")).singleElement()
                    .satisfies(p -> assertThat(p.message().transactionId()).isEqualTo(39));
            assertThat(store.csmsId(40)).hasValue(9001);
            assertThat(Fixtures.count(file, "SELECT delivered_up_to FROM outbound_sequence"
                    + " WHERE charge_point_id = 'CP-1'")).as("the upstream had delivered up to 9").isEqualTo(9);
            assertThat(Fixtures.count(file, "SELECT delivered_up_to FROM outbound_sequence"
                    + " WHERE charge_point_id = 'CP-2'")).as("an emptied queue").isEqualTo(5);
            assertThat(store.depth("CP-1")).isEqualTo(3);
        } finally {
            store.close();
        }
    }

    @Test
    void aDatabaseOfANewerGatewayIsRefused() throws Exception {
        Path file = dir.resolve("newer.db");
        try (Connection c = SqliteStore.connect(file, 1000); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = " + (Migrations.load().latest() + 1));
        }
        assertThatThrownBy(() -> SqliteStore.open(file, StoreSettings.defaults()))
                .isInstanceOf(SQLException.class).hasMessageContaining("newer");
    }

    @Test
    void aFailingMigrationLeavesTheDatabaseAtTheLastCompleteVersion() throws Exception {
        Migrations broken = new Migrations(List.of("CREATE TABLE a (x INTEGER);",
                "CREATE TABLE b (y INTEGER);\nINSERT INTO no_such_table VALUES (1);"));
        Path file = dir.resolve("broken.db");
        try (Connection c = SqliteStore.connect(file, 1000)) {
            assertThatThrownBy(() -> broken.migrate(c)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("version 2");
            assertThat(Migrations.version(c)).isEqualTo(1);
        }
        assertThat(Fixtures.count(file, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'")).isEqualTo(1);
        assertThat(Fixtures.count(file, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'")).isZero();
    }

    @Test
    void scriptsAreSplitIntoStatementsWithoutComments() {
        assertThat(Migrations.statements("-- a comment\nCREATE TABLE a (\n  x INTEGER\n);\n\n-- more\nSELECT 1;\n"))
                .containsExactly("CREATE TABLE a (\n  x INTEGER\n);", "SELECT 1;");
    }
}
