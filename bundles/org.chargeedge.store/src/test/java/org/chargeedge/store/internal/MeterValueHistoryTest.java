package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.chargeedge.store.internal.Fixtures.ACCEPTED;
import static org.chargeedge.store.internal.Fixtures.T0;
import static org.chargeedge.store.internal.Fixtures.result;

import java.time.Instant;
import java.util.List;

import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoredMeterValue;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reading one charger's meter values back over a time range: what the dashboard's chart draws. */
class MeterValueHistoryTest extends StoreTest {

    private static final Instant END = T0.plusSeconds(3600);

    /** Power on L1 and L2 then the energy register (no measurand: OCPP's default), each minute. */
    private static MeterValuesRequest reading(int connectorId, Integer transactionId, int minute) {
        return new MeterValuesRequest(connectorId, transactionId, List.of(new MeterValue(T0.plusSeconds(60L * minute),
                List.of(power(Phase.L1, 1000 + minute), power(Phase.L2, 2000 + minute),
                        new SampledValue(String.valueOf(50_000 + minute), null, null, null, null, null, null)))));
    }

    private static SampledValue power(Phase phase, int watts) {
        return new SampledValue(String.valueOf(watts), null, null, Measurand.PowerActiveImport, phase, null,
                UnitOfMeasure.W);
    }

    @BeforeEach
    void threeReadingsOfTwoConnectorsAndAnotherCharger() throws Exception {
        result(store.transactionStarted("CP-1", 1, Fixtures.start(1, "TAG", 0), ACCEPTED, T0));
        for (int minute = 0; minute < 3; minute++) {
            result(store.meterValues("CP-1", reading(1, 1, minute), T0));
            result(store.meterValues("CP-1", reading(2, null, minute), T0));
            result(store.meterValues("CP-2", reading(1, null, minute), T0));
        }
    }

    @Test
    void newestFirstWithEachReadingInTheChargersOrder() {
        List<StoredMeterValue> all = store.meterValueHistory("CP-1", 1, null, T0, END, 100);
        assertThat(all).hasSize(9);
        assertThat(all).extracting(v -> v.sampledValue().value()).containsExactly("1002", "2002", "50002",
                "1001", "2001", "50001", "1000", "2000", "50000");
        StoredMeterValue newest = all.get(0);
        assertThat(newest.connectorId()).isEqualTo(1);
        assertThat(newest.transactionId()).isEqualTo(1);
        assertThat(newest.sampledAt()).isEqualTo(T0.plusSeconds(120));
        assertThat(newest.sampledValue()).isEqualTo(power(Phase.L1, 1002));
        assertThat(all.get(2).sampledValue().measurand()).isNull(); // as sent, not filled in

        // both connectors, not the other charger
        assertThat(store.meterValueHistory("CP-1", null, null, T0, END, 100)).hasSize(18)
                .extracting(StoredMeterValue::connectorId).containsOnly(1, 2);
        assertThat(store.meterValueHistory("CP-3", null, null, T0, END, 100)).isEmpty();
    }

    @Test
    void theRangeIncludesItsStartNotItsEndAndTheLimitKeepsTheNewest() {
        assertThat(store.meterValueHistory("CP-1", 1, null, T0.plusSeconds(60), T0.plusSeconds(120), 100))
                .extracting(v -> v.sampledValue().value()).containsExactly("1001", "2001", "50001");
        assertThat(store.meterValueHistory("CP-1", 1, null, T0, END, 4))
                .extracting(v -> v.sampledValue().value()).containsExactly("1002", "2002", "50002", "50001");
        assertThat(store.meterValueHistory("CP-1", 1, null, END, END.plusSeconds(60), 100)).isEmpty();
    }

    @Test
    void aMeasurandIsSelectedAndTheRegisterIncludesValuesThatNameNone() {
        assertThat(store.meterValueHistory("CP-1", 1, Measurand.PowerActiveImport, T0, END, 100))
                .extracting(v -> v.sampledValue().value()).containsExactly("1002", "2002", "1001", "2001", "1000",
                        "2000");
        assertThat(store.meterValueHistory("CP-1", 1, Measurand.EnergyActiveImportRegister, T0, END, 100))
                .extracting(v -> v.sampledValue().value()).containsExactly("50002", "50001", "50000");
        assertThat(store.meterValueHistory("CP-1", 1, Measurand.Voltage, T0, END, 100)).isEmpty();
    }

    @Test
    void theTransactionDataOfAStopIsPartOfTheHistory() throws Exception {
        result(store.transactionStopped("CP-1", new StopTransactionRequest(null, 9000, T0.plusSeconds(600), 1, null,
                reading(1, 1, 10).meterValue()), T0.plusSeconds(600)));
        assertThat(store.meterValueHistory("CP-1", 1, Measurand.PowerActiveImport, T0, END, 2))
                .extracting(v -> v.sampledValue().value()).containsExactly("1010", "2010");
    }

    @Test
    void badRangesAndLimitsAreRefused() {
        assertThatThrownBy(() -> store.meterValueHistory("CP-1", 1, null, END, T0, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start before it ends");
        assertThatThrownBy(() -> store.meterValueHistory("CP-1", 1, null, T0, T0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.meterValueHistory("CP-1", 1, null, T0, END, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> store.meterValueHistory("CP-1", 1, null, T0, END,
                SiteStore.MAX_METER_VALUE_HISTORY + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theQueryWalksTheIndexInsteadOfTheTable() throws Exception {
        List<List<Object>> plan = Fixtures.rows(file, "EXPLAIN QUERY PLAN SELECT value FROM meter_value"
                + " WHERE charge_point_id = 'CP-1' AND sampled_at >= 0 AND sampled_at < 1 AND connector_id = 1"
                + " ORDER BY sampled_at DESC, id DESC LIMIT 10");
        String text = plan.toString();
        assertThat(text).contains("USING INDEX meter_value_by_charger_time").doesNotContain("TEMP B-TREE");
    }
}
