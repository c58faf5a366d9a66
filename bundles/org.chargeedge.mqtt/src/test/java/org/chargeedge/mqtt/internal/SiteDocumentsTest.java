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
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The site document: values of unknown age stay null and are listed; input warnings are shown. */
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
}
