package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;

/** Requests, stage helpers and a look at the database through a connection of its own. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123Z");
    static final IdTagInfo ACCEPTED = IdTagInfo.of(AuthorizationStatus.Accepted);

    private Fixtures() {
    }

    static StartTransactionRequest start(int connectorId, String idTag, int meterStart) {
        return new StartTransactionRequest(connectorId, idTag, meterStart, null, T0);
    }

    static StopTransactionRequest stop(int transactionId, int meterStop) {
        return new StopTransactionRequest(null, meterStop, T0.plusSeconds(3600), transactionId, null, null);
    }

    /** {@code samples} energy readings on phases L1, L2, L3 in turn. */
    static MeterValuesRequest meterValues(int connectorId, Integer transactionId, int samples) {
        return meterValues(connectorId, transactionId, samples, T0);
    }

    /** The same, sampled at {@code sampledAt}: a new reading, where the other is a charger's resend. */
    static MeterValuesRequest meterValues(int connectorId, Integer transactionId, int samples, Instant sampledAt) {
        List<SampledValue> values = new ArrayList<>();
        Phase[] phases = {Phase.L1, Phase.L2, Phase.L3};
        for (int i = 0; i < samples; i++) {
            values.add(new SampledValue(String.valueOf(1000 + i), null, null, Measurand.CurrentImport,
                    phases[i % 3], null, UnitOfMeasure.A));
        }
        return new MeterValuesRequest(connectorId, transactionId, List.of(new MeterValue(sampledAt, values)));
    }

    static <T> T result(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The exception the stage fails with. */
    static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            Object value = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
            return fail("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** A single number from a query on a fresh connection: what any other process would see. */
    static long count(Path file, String sql) throws SQLException {
        try (Connection c = SqliteStore.connect(file, 1000); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getLong(1);
        }
    }

    /** Every row of a query on a fresh connection, each as a list of its columns' values. */
    static List<List<Object>> rows(Path file, String sql) throws SQLException {
        try (Connection c = SqliteStore.connect(file, 1000); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            List<List<Object>> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    /** Occupies the writer thread until {@code release}, so that what is submitted meanwhile waits and then forms one batch. */
    static CompletableFuture<Void> holdWriter(SqliteStore store, CountDownLatch release) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Void> blocker = store.writer().submit(s -> {
            running.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        return blocker;
    }
}
