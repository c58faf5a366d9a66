package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

import org.chargeedge.api.store.StoreStatistics;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the meter value history's index (schema version 7) costs the chargers' writes and gives its
 * reads: the same closed loop of chargers sending MeterValues, against a store with the index and one
 * where it was dropped, in alternating runs; then the history of one charger read from each. Skipped
 * unless {@code -Dbenchmark=true}; see docs/benchmarks.md.
 */
class MeterValueIndexBenchmark {

    private static final int CHARGERS = 50;
    private static final int REQUESTS = 300;
    private static final int SAMPLES = 10;
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void writesWithAndWithoutTheIndexAndTheHistoryRead() throws Exception {
        assumeTrue(Boolean.getBoolean("benchmark"), "-Dbenchmark=true runs it");
        for (int round = 1; round <= 3; round++) {
            for (boolean index : new boolean[] {true, false}) {
                run(round, index);
            }
        }
    }

    private void run(int round, boolean index) throws Exception {
        Path file = dir.resolve("round-" + round + "-" + index + ".db");
        SqliteStore store = SqliteStore.open(file, StoreSettings.defaults());
        try {
            if (!index) {
                try (Connection c = SqliteStore.connect(file, 5000); Statement st = c.createStatement()) {
                    st.execute("DROP INDEX meter_value_by_charger_time");
                }
            }
            CyclicBarrier together = new CyclicBarrier(CHARGERS);
            List<Thread> chargers = new ArrayList<>();
            for (int c = 0; c < CHARGERS; c++) {
                String id = "CP-" + c;
                chargers.add(new Thread(() -> {
                    try {
                        together.await();
                        for (int i = 0; i < REQUESTS; i++) {
                            Fixtures.result(store.meterValues(id, reading(i), T0));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            long start = System.nanoTime();
            chargers.forEach(Thread::start);
            for (Thread t : chargers) {
                t.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            StoreStatistics s = store.statistics();
            assertThat(s.writes()).isEqualTo((long) CHARGERS * REQUESTS);
            long[] queries = new long[50];
            for (int q = 0; q < queries.length; q++) {
                long began = System.nanoTime();
                assertThat(store.meterValueHistory("CP-" + (q % CHARGERS), 1, Measurand.PowerActiveImport,
                        T0, T0.plusSeconds(86_400), 2000)).hasSize(REQUESTS * 3);
                queries[q] = System.nanoTime() - began;
            }
            Arrays.sort(queries);
            System.out.printf("round %d, %s index: %d MeterValues (%d sampled values) from %d chargers in %.2f s:"
                    + " %.0f requests/s, %d commits (mean %.2f ms); history of one charger (900 of %d values):"
                    + " p50 %.2f ms, max %.2f ms%n", round, index ? "with the" : "without the",
                    s.writes(), s.writes() * SAMPLES, CHARGERS, seconds, s.writes() / seconds, s.commits(),
                    s.commitSecondsSum() * 1000 / s.commits(), (long) CHARGERS * REQUESTS * SAMPLES,
                    queries[queries.length / 2] / 1e6, queries[queries.length - 1] / 1e6);
        } finally {
            store.close();
        }
    }

    /** Power on three phases, current on three, voltage on three and the register: one reading a minute. */
    private static MeterValuesRequest reading(int minute) {
        List<SampledValue> values = new ArrayList<>();
        for (Phase phase : new Phase[] {Phase.L1, Phase.L2, Phase.L3}) {
            values.add(new SampledValue(String.valueOf(3600 + minute), null, null, Measurand.PowerActiveImport, phase,
                    null, UnitOfMeasure.W));
            values.add(new SampledValue("16", null, null, Measurand.CurrentImport, phase, null, UnitOfMeasure.A));
            values.add(new SampledValue("230", null, null, Measurand.Voltage, phase, null, UnitOfMeasure.V));
        }
        values.add(new SampledValue(String.valueOf(1000 * minute), null, null, null, null, null, null));
        return new MeterValuesRequest(1, null, List.of(new MeterValue(T0.plusSeconds(60L * minute), values)));
    }
}
