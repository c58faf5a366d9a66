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
        ChargerInfo ci = chargerInTwoTransactions(connector(0, ChargePointStatus.Available),
                connector(1, ChargePointStatus.Charging));
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

    /**
     * A car that stops on its own: the charger says SuspendedEV before its next MeterValues. Its draw is nothing
     * from then on (a status older than the meter value changes nothing, nor does Charging).
     */
    @Test
    void aConnectorThatSaidItsCarStoppedAfterItsLastMeterValueDrawsNothing() {
        MeterValue drawing = new MeterValue(NOW.minusSeconds(5), List.of(SampledValue.of("16", Measurand.CurrentImport,
                UnitOfMeasure.A)));
        for (ChargePointStatus status : List.of(ChargePointStatus.SuspendedEV, ChargePointStatus.SuspendedEVSE,
                ChargePointStatus.Finishing, ChargePointStatus.Charging)) {
            ChargerInfo ci = new ChargerInfo("CP-1", true, NOW, null, "127.0.0.1", null, null, NOW,
                    List.of(new ConnectorInfo(1, status, ChargePointErrorCode.NoError, null, null, NOW, drawing)),
                    List.of(new TransactionInfo(7, 1, "TAG", 0, NOW.minusSeconds(60), null)));
            SiteSnapshot s = SnapshotAdapter.build(NOW, SiteSettings.from(TestSite.config(Map.of())), null,
                    List.of(ci), (ref, session) -> new ConnectorFacts(Mode.FAST, 0, Control.OBEYS,
                            OptionalDouble.empty(), true, OptionalDouble.empty()), BalancerState.INITIAL);
            assertThat(s.connectors().get(0).draw()).as("%s after the meter value", status)
                    .isEqualTo(status == ChargePointStatus.Charging ? PhaseAmps.all(16) : PhaseAmps.all(0));
        }
        ConnectorInfo before = new ConnectorInfo(1, ChargePointStatus.SuspendedEV, ChargePointErrorCode.NoError, null,
                null, NOW.minusSeconds(10), drawing);
        assertThat(SnapshotAdapter.stoppedSince(before, drawing)).as("a status before the meter value").isFalse();
        assertThat(SnapshotAdapter.stoppedSince(before, null)).isFalse();
    }

    private static ConnectorInfo connector(int id, ChargePointStatus status) {
        return new ConnectorInfo(id, status, ChargePointErrorCode.NoError, null, null, NOW, null);
    }

    /** CP-1 with these connectors' statuses, transaction 7 on connector 1 and 8 on connector 2. */
    private static ChargerInfo chargerInTwoTransactions(ConnectorInfo... connectors) {
        return new ChargerInfo("CP-1", true, NOW, null, "127.0.0.1", null, null, NOW, List.of(connectors),
                List.of(new TransactionInfo(7, 1, "TAG", 0, NOW, null), new TransactionInfo(8, 2, "TAG", 0, NOW, null)));
    }

    @Test
    void theBatterysStateOfChargeIsReadFreshOnlyAndKeptThroughTheGridCorrections() {
        MeasurementKey soc = MeasurementKey.of(Meter.BATTERY, Quantity.STATE_OF_CHARGE);
        MeasurementKey power = MeasurementKey.of(Meter.BATTERY, Quantity.POWER);
        SiteSnapshot s = SnapshotAdapter.build(NOW, SiteSettings.from(TestSite.config(Map.of())),
                new EnergySnapshot(NOW, Map.of(L1, m(L1, 30, Measurement.Timing.RECEIVED),
                        soc, m(soc, 76.5, Measurement.Timing.RECEIVED),
                        power, m(power, 2000, Measurement.Timing.RECEIVED))), List.of(),
                (ref, session) -> null, BalancerState.INITIAL);
        assertThat(s.measurements().batterySocPercent()).isEqualTo(Reading.fresh(76.5));
        assertThat(s.measurements().batteryPowerW()).isEqualTo(Reading.fresh(2000));
        SiteSnapshot aligned = SnapshotAdapter.alignGrid(s, new double[] {20, 0, 0}, new double[] {12, 0, 0});
        assertThat(aligned.measurements().batterySocPercent()).isEqualTo(Reading.fresh(76.5));
        assertThat(SnapshotAdapter.addToGrid(s, new double[] {5, 0, 0}).measurements().batterySocPercent())
                .isEqualTo(Reading.fresh(76.5));
        // a retained SoC is of unknown age, a missing one unknown: neither is a value
        EnergySnapshot retained = new EnergySnapshot(NOW, Map.of(),
                Map.of(soc, m(soc, 50, Measurement.Timing.AGE_UNKNOWN)));
        assertThat(SnapshotAdapter.measurements(retained).batterySocPercent().freshness())
                .isEqualTo(Reading.Freshness.AGE_UNKNOWN);
        assertThat(SnapshotAdapter.measurements(new EnergySnapshot(NOW, Map.of())).batterySocPercent().usable())
                .isFalse();
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

    @Test
    void aRiseIsCountedAtItsNewLimitOnlyOnThePhasesTheCarDrawsOn() {
        // a 1-phase car at 16 A raised to 20 A: counted at 20 A on its phase, nothing on the others
        assertThat(SnapshotAdapter.withFloor(new PhaseAmps(16, 0.4, 0), 20)).isEqualTo(new PhaseAmps(20, 0.4, 0));
        // a draw above the floor stays what it is
        assertThat(SnapshotAdapter.withFloor(new PhaseAmps(22, 21, 23), 20)).isEqualTo(new PhaseAmps(22, 21, 23));
    }

    @Test
    void aLoadNobodyExplainsIsAddedToTheGridMeterAndNothingElse() {
        SiteSnapshot s = SnapshotAdapter.build(NOW, SiteSettings.from(TestSite.config(Map.of())),
                new EnergySnapshot(NOW, Map.of(L1, m(L1, 30, Measurement.Timing.RECEIVED))), List.of(),
                (ref, session) -> null, BalancerState.INITIAL);
        SiteSnapshot corrected = SnapshotAdapter.addToGrid(s, new double[] {5, 3, 0});
        assertThat(corrected.measurements().gridL1()).isEqualTo(Reading.fresh(35));
        // a phase without a reading stays without one: a correction never makes a missing meter look fresh
        assertThat(corrected.measurements().gridL2().usable()).isFalse();
        assertThat(SnapshotAdapter.addToGrid(s, new double[3])).isSameAs(s);
    }

    @Test
    void theCsmsLimitIsEachConnectorsUpperBoundAndTheCoreNamesItWhenItBinds() {
        ChargerInfo ci = chargerInTwoTransactions(connector(1, ChargePointStatus.Charging),
                connector(2, ChargePointStatus.Charging));
        SiteSettings settings = SiteSettings.from(TestSite.config(Map.of("gridLimitA", 63.0, "safeBudgetA", 3.0,
                "chargerPhases", "CP-1=1")));
        List<String> asked = new java.util.ArrayList<>();
        org.chargeedge.api.smartcharging.CsmsLimits csms = (charger, connector, at, phases) -> {
            asked.add(charger + "/" + connector + " " + phases + " " + at);
            return connector == 1 ? OptionalDouble.of(10.5) : OptionalDouble.empty();
        };
        SiteSnapshot s = SnapshotAdapter.build(NOW, settings, null, List.of(ci),
                (ref, session) -> new ConnectorFacts(Mode.FAST, 0, Control.OBEYS, OptionalDouble.empty(), true,
                        OptionalDouble.empty()), BalancerState.INITIAL, csms);
        assertThat(s.connectors()).extracting(c -> c.csmsLimitA())
                .containsExactly(OptionalDouble.of(10.5), OptionalDouble.empty());
        // A 1-phase charger's limit in W counts on its one phase.
        assertThat(asked).containsExactly("CP-1/1 1 " + NOW, "CP-1/2 1 " + NOW);

        var allocation = org.chargeedge.balancer.core.Balancer.allocate(s);
        var limited = allocation.limits().stream().filter(l -> l.ref().connectorId() == 1).findFirst().orElseThrow();
        var free = allocation.limits().stream().filter(l -> l.ref().connectorId() == 2).findFirst().orElseThrow();
        assertThat(limited.limitA()).isEqualTo(10.5);
        assertThat(limited.reason().text()).contains("CSMS limit 10.5 A");
        assertThat(free.limitA()).isGreaterThan(10.5);
        assertThat(free.reason().text()).doesNotContain("CSMS");

        // Without the service, no CSMS limit.
        SiteSnapshot none = SnapshotAdapter.build(NOW, settings, null, List.of(ci),
                (ref, session) -> new ConnectorFacts(Mode.FAST, 0, Control.OBEYS, OptionalDouble.empty(), true,
                        OptionalDouble.empty()), BalancerState.INITIAL, null);
        assertThat(none.connectors()).allSatisfy(c -> assertThat(c.csmsLimitA()).isEmpty());
    }

    @Test
    void aCarsPhasesComeFromItsDrawElseFromTheWiring() {
        assertThat(SnapshotAdapter.phases(null, 3)).isEqualTo(3);
        assertThat(SnapshotAdapter.phases(new PhaseAmps(15, 0.4, 0), 3)).isEqualTo(1);
        assertThat(SnapshotAdapter.phases(new PhaseAmps(15, 14, 16), 1)).isEqualTo(3);
        assertThat(SnapshotAdapter.phases(PhaseAmps.ZERO, 2)).isEqualTo(2);
    }
}
