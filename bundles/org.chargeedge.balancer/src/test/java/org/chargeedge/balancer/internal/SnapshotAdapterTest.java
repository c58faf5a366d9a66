package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.balancer.core.BalancerState;
import org.chargeedge.balancer.core.Reading;
import org.chargeedge.balancer.core.SiteSnapshot;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorState;
import org.chargeedge.balancer.core.SiteSnapshot.Control;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.chargeedge.balancer.internal.SnapshotAdapter.ConnectorFacts;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.Test;

class SnapshotAdapterTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final MeasurementKey L1 = new MeasurementKey(Meter.GRID, Quantity.CURRENT, PhaseRef.L1);

    private static Measurement m(MeasurementKey k, double v, Measurement.Timing timing) {
        return new Measurement(k, v, NOW, Duration.ofSeconds(10), "test", timing, null);
    }

    @Test
    void onlyAFreshGridValueIsAValueAndNoDataIsNeverZero() {
        EnergySnapshot fresh = new EnergySnapshot(NOW, Map.of(L1, m(L1, 12, Measurement.Timing.RECEIVED)));
        assertThat(SnapshotAdapter.reading(fresh, Meter.GRID, Quantity.CURRENT, PhaseRef.L1))
                .isEqualTo(Reading.fresh(12));
        EnergySnapshot stale = new EnergySnapshot(NOW, Map.of(), Map.of(L1, m(L1, 12, Measurement.Timing.RECEIVED)));
        assertThat(SnapshotAdapter.reading(stale, Meter.GRID, Quantity.CURRENT, PhaseRef.L1).freshness())
                .isEqualTo(Reading.Freshness.STALE);
        EnergySnapshot retained = new EnergySnapshot(NOW, Map.of(),
                Map.of(L1, m(L1, 12, Measurement.Timing.AGE_UNKNOWN)));
        assertThat(SnapshotAdapter.reading(retained, Meter.GRID, Quantity.CURRENT, PhaseRef.L1).freshness())
                .isEqualTo(Reading.Freshness.AGE_UNKNOWN);
        assertThat(SnapshotAdapter.reading(new EnergySnapshot(NOW, Map.of()), Meter.GRID, Quantity.CURRENT,
                PhaseRef.L1).usable()).isFalse();
        assertThat(SnapshotAdapter.reading(null, Meter.GRID, Quantity.CURRENT, PhaseRef.L1).usable()).isFalse();
    }

    @Test
    void theDrawIsCurrentImportPerPhaseAndAPhaselessCurrentCountsOnEveryPhase() {
        MeterValue perPhase = new MeterValue(NOW, List.of(
                new SampledValue("15.5", null, null, Measurand.CurrentImport, Phase.L1_N, null, UnitOfMeasure.A),
                new SampledValue("0.2", null, null, Measurand.CurrentImport, Phase.L2, null, null),
                new SampledValue("1000", null, null, null, null, null, null)));
        assertThat(SnapshotAdapter.drawOf(perPhase)).isEqualTo(new PhaseAmps(15.5, 0.2, 0));
        MeterValue total = new MeterValue(NOW, List.of(SampledValue.of("9", Measurand.CurrentImport,
                UnitOfMeasure.A)));
        assertThat(SnapshotAdapter.drawOf(total)).isEqualTo(PhaseAmps.all(9));
        MeterValue energyOnly = new MeterValue(NOW, List.of(SampledValue.of("1000", null, null)));
        assertThat(SnapshotAdapter.drawOf(energyOnly)).isNull();
    }

    @Test
    void aTransactionThatHasNotStartedDrawingCountsAsCharging() {
        assertThat(SnapshotAdapter.state(ChargePointStatus.Preparing, true)).isEqualTo(ConnectorState.CHARGING);
        assertThat(SnapshotAdapter.state(ChargePointStatus.Preparing, false)).isEqualTo(ConnectorState.PREPARING);
        assertThat(SnapshotAdapter.state(null, true)).isEqualTo(ConnectorState.CHARGING);
        assertThat(SnapshotAdapter.state(ChargePointStatus.SuspendedEV, true))
                .isEqualTo(ConnectorState.SUSPENDED_EV);
    }

    @Test
    void connectorsComeFromStatusesAndOpenTransactionsAndAnUnmeasuredIgnorerCountsAtItsMaximumWithoutAGridMeter() {
        ConnectorInfo c1 = new ConnectorInfo(1, ChargePointStatus.Charging, ChargePointErrorCode.NoError, null, null,
                NOW, null);
        ConnectorInfo c0 = new ConnectorInfo(0, ChargePointStatus.Available, ChargePointErrorCode.NoError, null, null,
                NOW, null);
        ChargerInfo ci = new ChargerInfo("CP-1", true, NOW, null, "127.0.0.1", null, null, NOW, List.of(c0, c1),
                List.of(new TransactionInfo(7, 1, "TAG", 0, NOW, null), new TransactionInfo(8, 2, "TAG", 0, NOW, null)));
        SiteSettings settings = SiteSettings.from(TestSite.config(Map.of("gridLimitA", 40.0, "chargerMaxA", "CP-1=16")));
        SiteSnapshot s = SnapshotAdapter.build(NOW, settings, null, List.of(ci),
                (ref, session) -> new ConnectorFacts(Mode.FAST, 0,
                        ref.connectorId() == 2 ? Control.IGNORES : Control.OBEYS, OptionalDouble.empty(), true,
                        OptionalDouble.empty()),
                BalancerState.INITIAL);
        assertThat(s.connectors()).extracting(c -> c.ref().toString() + " " + c.session() + " " + c.state())
                .containsExactly("CP-1/1 7 CHARGING", "CP-1/2 8 CHARGING");
        assertThat(s.connectors().get(0).draw()).isNull();
        assertThat(s.connectors().get(1).draw()).isNull();
        SiteSnapshot counted = SnapshotAdapter.countUnmeasured(s, settings);
        assertThat(counted.connectors().get(0).draw()).isNull();
        assertThat(counted.connectors().get(1).draw()).isEqualTo(PhaseAmps.all(16));
        assertThat(s.measurements().gridL1().usable()).isFalse();
        assertThat(s.chargers().get(0).maxA()).isEqualTo(16.0);
    }

    @Test
    void theOtherLoadIsHeldBetweenTwoGridReadings() {
        SiteSnapshot s = SnapshotAdapter.build(NOW, SiteSettings.from(TestSite.config(Map.of())),
                new EnergySnapshot(NOW, Map.of(L1, m(L1, 30, Measurement.Timing.RECEIVED))), List.of(),
                (ref, session) -> null, BalancerState.INITIAL);
        // the reading of 30 A came with the chargers drawing 20 A on L1; they now draw 12 A
        SiteSnapshot aligned = SnapshotAdapter.alignGrid(s, new double[] {20, 0, 0}, new double[] {12, 0, 0});
        assertThat(aligned.measurements().gridL1()).isEqualTo(Reading.fresh(22));
        assertThat(aligned.measurements().gridL2().usable()).isFalse();
    }
}
