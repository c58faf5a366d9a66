package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Acknowledged means durable, across {@code kill -9}: 100 chargers send transactions at full speed
 * to the gateway running as a child process, the gateway is killed with SIGKILL mid-run and started
 * again on the same data directory. Every message that got a CALLRESULT must be in the store, the
 * store must open cleanly, the chargers must carry on, and no transaction id may be issued twice.
 * A charger whose MeterValues got no answer sends it again, as a real one does: it is kept once.
 */
class StoreCrashIT {

    private static final int CHARGERS = 100;
    private static final int METER_VALUES_PER_TRANSACTION = 3;
    private static final long RUN_BEFORE_KILL_MS = 3000;

    private Path work;
    private Path data;
    private int port;
    private final List<Process> processes = new ArrayList<>();

    /** What the gateway acknowledged: concurrent sets, written by the 100 charger threads. */
    private final Set<Integer> startsAcknowledged = ConcurrentHashMap.newKeySet();
    private final Set<Integer> stopsAcknowledged = ConcurrentHashMap.newKeySet();
    private final Set<String> meterValuesAcknowledged = ConcurrentHashMap.newKeySet();
    /**
     * Per charger, the transaction started and acknowledged but not stopped when the gateway died;
     * concurrent because each charger thread writes its own key and the test thread reads them all.
     */
    private final ConcurrentHashMap<String, Integer> openAtKill = new ConcurrentHashMap<>();
    /** The MeterValues each charger had sent without an answer when the gateway died. */
    private final ConcurrentHashMap<String, ObjectNode> meterValuesInFlight = new ConcurrentHashMap<>();

    @BeforeEach
    void cleanWorkDir() throws IOException {
        work = GatewayRuntime.itDir().resolve("StoreCrashIT");
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                for (Path p : walk.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
                    Files.delete(p);
                }
            }
        }
        data = work.resolve("data");
        Files.createDirectories(work.resolve("config"));
        port = GatewayRuntime.freePort();
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void everyAcknowledgedMessageSurvivesKillNineAndNoTransactionIdIsReused() throws Exception {
        Process first = startGateway(1);

        // Chargers at full speed until the gateway dies under them.
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(CHARGERS);
        for (int i = 0; i < CHARGERS; i++) {
            String id = String.format("CRASH-%03d", i);
            int index = i;
            Thread t = new Thread(() -> {
                try {
                    runUntilTheGatewayDies(id, index, running);
                } finally {
                    done.countDown();
                }
            }, id);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(RUN_BEFORE_KILL_MS);
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        running.set(false);
        assertThat(done.await(30, TimeUnit.SECONDS)).as("chargers noticed the dead gateway").isTrue();
        assertThat(startsAcknowledged).as("transactions acknowledged before the kill").hasSizeGreaterThan(CHARGERS);
        System.out.printf("acknowledged before the kill: %d StartTransaction, %d MeterValues, %d StopTransaction;"
                + " %d transactions open, %d MeterValues unanswered%n", startsAcknowledged.size(),
                meterValuesAcknowledged.size(), stopsAcknowledged.size(), openAtKill.size(), meterValuesInFlight.size());

        // The store as the killed gateway left it: opened by this test alone.
        Path db = data.resolve("store").resolve("chargeedge.db");
        Set<Integer> idsBefore = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            assertThat(single(st, "PRAGMA integrity_check")).isEqualTo("ok");
            try (ResultSet rs = st.executeQuery("SELECT transaction_id FROM charge_transaction")) {
                while (rs.next()) {
                    idsBefore.add(rs.getInt(1));
                }
            }
            assertThat(idsBefore).as("every acknowledged StartTransaction").containsAll(startsAcknowledged);
            Set<Integer> stopped = ids(st, "SELECT transaction_id FROM charge_transaction WHERE state = 'Stopped'"
                    + " AND meter_stop IS NOT NULL");
            assertThat(stopped).as("every acknowledged StopTransaction").containsAll(stopsAcknowledged);
            Set<String> values = new HashSet<>();
            try (ResultSet rs = st.executeQuery("SELECT value FROM meter_value")) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            assertThat(values).as("every acknowledged MeterValues").containsAll(meterValuesAcknowledged);
        }

        // Restart on the same data: the store opens, the chargers reconnect and carry on.
        Process second = startGateway(2);
        Path log = work.resolve("gateway-2.log");
        awaitLog(log, "Store open:");
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).doesNotContain("cannot be opened");
        Set<Integer> idsAfter = ConcurrentHashMap.newKeySet();
        List<Thread> continuing = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < CHARGERS; i++) {
            String id = String.format("CRASH-%03d", i);
            Thread t = new Thread(() -> {
                try (OcppTestClient cp = OcppTestClient.connect(port, id)) {
                    ObjectNode unanswered = meterValuesInFlight.get(id);
                    if (unanswered != null) {
                        // Maybe stored before the kill, maybe not: a charger cannot know, so it sends it again.
                        cp.callResult("MeterValues", unanswered);
                    }
                    Integer open = openAtKill.get(id);
                    if (open != null) {
                        // Started before the crash, stopped after it.
                        cp.callResult("StopTransaction", stop(open, 99));
                    }
                    idsAfter.add(cp.callResult("StartTransaction", start(1)).get("transactionId").asInt());
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            continuing.add(t);
            t.start();
        }
        for (Thread t : continuing) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failures).isEmpty();
        assertThat(openAtKill).as("some transactions were running at the kill").isNotEmpty();
        assertThat(idsAfter).hasSize(CHARGERS).doesNotContainAnyElementsOf(idsBefore);
        assertThat(idsAfter.stream().mapToInt(Integer::intValue).min().orElseThrow())
                .isGreaterThan(idsBefore.stream().mapToInt(Integer::intValue).max().orElseThrow());

        second.destroy();
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            // A stop that was stored but not answered before the kill is sent again and kept once.
            Set<Integer> stopped = ids(st, "SELECT transaction_id FROM charge_transaction"
                    + " WHERE state = 'Stopped' AND start_unknown = 0");
            assertThat(stopped).containsAll(openAtKill.values());
            assertThat(ids(st, "SELECT transaction_id FROM charge_transaction WHERE state = 'Started'"))
                    .containsAll(idsAfter);
            // Every reading once, the ones sent again after the kill included.
            Set<String> twice = new HashSet<>();
            try (ResultSet rs = st.executeQuery("SELECT value FROM meter_value GROUP BY value HAVING COUNT(*) > 1")) {
                while (rs.next()) {
                    twice.add(rs.getString(1));
                }
            }
            assertThat(twice).as("meter values stored twice").isEmpty();
        }
    }

    /** One charger: Start, MeterValues, Stop, again, recording what was acknowledged. */
    private void runUntilTheGatewayDies(String id, int index, AtomicBoolean running) {
        int sample = 0;
        try (OcppTestClient cp = OcppTestClient.connect(port, id)) {
            while (running.get()) {
                int tx = cp.callResult("StartTransaction", start(1)).get("transactionId").asInt();
                startsAcknowledged.add(tx);
                openAtKill.put(id, tx);
                for (int m = 0; m < METER_VALUES_PER_TRANSACTION; m++) {
                    String value = String.valueOf(index * 1_000_000 + ++sample);
                    ObjectNode request = meterValues(tx, value);
                    meterValuesInFlight.put(id, request);
                    cp.callResult("MeterValues", request);
                    meterValuesInFlight.remove(id);
                    meterValuesAcknowledged.add(value);
                }
                cp.callResult("StopTransaction", stop(tx, 500));
                stopsAcknowledged.add(tx);
                openAtKill.remove(id, tx);
            }
        } catch (Throwable e) {
            // The gateway was killed: the call in flight got no answer, which is what may be lost.
        }
    }

    private static ObjectNode start(int connectorId) {
        ObjectNode p = OcppTestClient.object();
        p.put("connectorId", connectorId).put("idTag", "CRASHTAG").put("meterStart", 0)
                .put("timestamp", OcppTestClient.now());
        return p;
    }

    private static ObjectNode meterValues(int transactionId, String value) {
        ObjectNode p = OcppTestClient.object();
        p.put("connectorId", 1).put("transactionId", transactionId);
        ObjectNode mv = p.putArray("meterValue").addObject();
        mv.put("timestamp", OcppTestClient.now());
        mv.putArray("sampledValue").addObject().put("value", value).put("measurand", "Energy.Active.Import.Register");
        return p;
    }

    private static ObjectNode stop(int transactionId, int meterStop) {
        ObjectNode p = OcppTestClient.object();
        p.put("transactionId", transactionId).put("meterStop", meterStop).put("timestamp", OcppTestClient.now());
        return p;
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static Set<Integer> ids(Statement st, String sql) throws SQLException {
        Set<Integer> out = new HashSet<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    /** Starts the gateway jar on the data directory and waits until it accepts chargers. */
    private Process startGateway(int n) throws Exception {
        Path log = work.resolve("gateway-" + n + ".log");
        Process p = GatewayRuntime.startProcess(work, data, log, Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port)));
        processes.add(p);
        // Not "central system listening on": this configuration requires no site parts, so a call that
        // came before the store's handler registered would be answered without the store.
        awaitLog(log, "ChargeEdge gateway started");
        return p;
    }

    /** Waits until the gateway's output contains {@code text}. */
    private static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
            assertThat(System.nanoTime()).as("'%s' within 30 s in:\n%s", text, Files.readString(log))
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
