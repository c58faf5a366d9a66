package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The site document: values of unknown age stay null and are listed; input warnings are shown. A charger's
 * document: power and session energy are sums of what its connectors report, null when none reports them.
 */
class SiteDocumentsTest {

    private static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");

    @Test
    void valuesOfUnknownAgeAreNullAndListedAndWarningsAreShown() {
        MeasurementKey grid = MeasurementKey.of(Meter.GRID, Quantity.POWER);
        MeasurementKey pv = MeasurementKey.of(Meter.PV, Quantity.POWER);
        Measurement fresh = new Measurement(grid, 1200, NOW, Duration.ofSeconds(60), "m");
        Measurement replayed = new Measurement(pv, 700, NOW, Duration.ofSeconds(60), "solar/ac/power",
                Measurement.Timing.AGE_UNKNOWN, null);
        ObjectNode doc = SiteDocuments.site(new EnergySnapshot(NOW, Map.of(grid, fresh), Map.of(pv, replayed)),
                List.of("grid: grid power arrives every 300 s"));
        assertThat(doc.get("grid_power").asDouble()).isEqualTo(1200);
        assertThat(doc.get("pv_power").isNull()).isTrue();
        assertThat(doc.get("age_unknown").toString()).isEqualTo("[\"pv_power\"]");
        assertThat(doc.get("warnings").get(0).asText()).startsWith("grid: ");

        ObjectNode plain = SiteDocuments.site(new EnergySnapshot(NOW, Map.of(grid, fresh)));
        assertThat(plain.has("age_unknown")).isFalse();
        assertThat(plain.has("warnings")).isFalse();
    }

    @Test
    void aChargerThatReportsNoPowerHasNullPowerAndItsSessionEnergy() {
        // Current.Import per phase and the register, no Power.Active.Import: as many wallboxes report
        MeterValue mv = new MeterValue(NOW, List.of(
                new SampledValue("16.0", null, null, Measurand.CurrentImport, Phase.L1, null, UnitOfMeasure.A),
                SampledValue.of("1500", Measurand.EnergyActiveImportRegister, UnitOfMeasure.Wh)));
        ConnectorInfo charging = new ConnectorInfo(1, ChargePointStatus.Charging, ChargePointErrorCode.NoError,
                null, null, NOW, mv);
        ConnectorInfo idle = new ConnectorInfo(2, ChargePointStatus.Available, ChargePointErrorCode.NoError,
                null, null, NOW, null);
        TransactionInfo tx = new TransactionInfo(7, 1, "TAG", 1000, NOW, mv);
        ChargerInfo c = new ChargerInfo("CP-1", true, NOW, null, "127.0.0.1", null, NOW, NOW,
                List.of(charging, idle), List.of(tx));

        ObjectNode doc = SiteDocuments.charger(c);

        assertThat(doc.get("power").isNull()).isTrue();
        assertThat(doc.get("session_energy").asDouble()).isEqualTo(500);
        assertThat(doc.get("connectors").get("1").get("power").isNull()).isTrue();
        assertThat(doc.get("connectors").get("2").get("session_energy").isNull()).isTrue();

        ChargerInfo nothingYet = new ChargerInfo("CP-2", true, NOW, null, "127.0.0.1", null, NOW, NOW,
                List.of(idle), List.of());
        ObjectNode empty = SiteDocuments.charger(nothingYet);
        assertThat(empty.get("power").isNull()).isTrue();
        assertThat(empty.get("session_energy").isNull()).isTrue();
    }
}
