package org.chargeedge.mqtt.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Freshness;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.ocpp.v16.Location;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.UnitOfMeasure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON documents the gateway publishes, built from immutable snapshots.
 * Unknown values are JSON null (Home Assistant shows them as unknown), never 0.
 */
final class SiteDocuments {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Always in the site document, null while unknown, so dashboards and discovery can rely on them. */
    static final List<MeasurementKey> STANDARD = List.of(
            MeasurementKey.of(Meter.GRID, Quantity.POWER),
            new MeasurementKey(Meter.GRID, Quantity.POWER, PhaseRef.L1),
            new MeasurementKey(Meter.GRID, Quantity.POWER, PhaseRef.L2),
            new MeasurementKey(Meter.GRID, Quantity.POWER, PhaseRef.L3),
            new MeasurementKey(Meter.GRID, Quantity.CURRENT, PhaseRef.L1),
            new MeasurementKey(Meter.GRID, Quantity.CURRENT, PhaseRef.L2),
            new MeasurementKey(Meter.GRID, Quantity.CURRENT, PhaseRef.L3),
            MeasurementKey.of(Meter.PV, Quantity.POWER),
            MeasurementKey.of(Meter.BATTERY, Quantity.POWER),
            MeasurementKey.of(Meter.BATTERY, Quantity.STATE_OF_CHARGE),
            MeasurementKey.of(Meter.BUILDING, Quantity.POWER));

    private SiteDocuments() {
    }

    /** grid/POWER/L1 to grid_power_l1, circuit:garage/POWER to circuit_garage_power. */
    static String field(MeasurementKey k) {
        String meter = k.meter().name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        String quantity = k.quantity() == Quantity.STATE_OF_CHARGE ? "soc" : k.quantity().name().toLowerCase(Locale.ROOT);
        return meter + "_" + quantity + (k.phase() == PhaseRef.TOTAL ? "" : "_" + k.phase().name().toLowerCase(Locale.ROOT));
    }

    static ObjectNode site(EnergySnapshot snapshot) {
        return site(snapshot, List.of());
    }

    /**
     * The site document; while some values are held with an unknown age
     * (retained, not confirmed) they are listed in {@code age_unknown} (their
     * fields stay null), and the inputs' warnings (a grid meter too slow for
     * the load balancer) in {@code warnings}.
     */
    static ObjectNode site(EnergySnapshot snapshot, List<String> warnings) {
        ObjectNode doc = JSON.createObjectNode();
        for (MeasurementKey k : STANDARD) {
            doc.putNull(field(k));
        }
        Map<String, Measurement> sorted = new TreeMap<>();
        java.util.Set<String> ageUnknown = new java.util.TreeSet<>();
        if (snapshot != null) {
            snapshot.measurements().forEach((k, m) -> sorted.put(field(k), m));
            snapshot.withheld().forEach((k, m) -> {
                if (snapshot.freshness(k) == Freshness.AGE_UNKNOWN) {
                    ageUnknown.add(field(k));
                }
            });
        }
        sorted.forEach((f, m) -> doc.put(f, round(m.value())));
        if (!ageUnknown.isEmpty()) {
            ageUnknown.forEach(doc.putArray("age_unknown")::add);
        }
        if (!warnings.isEmpty()) {
            warnings.forEach(doc.putArray("warnings")::add);
        }
        return doc;
    }

    static ObjectNode charger(ChargerInfo c) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("connected", c.connected());
        String status = c.connected() ? mainStatus(c) : null;
        if (status == null) {
            doc.putNull("status");
        } else {
            doc.put("status", status);
        }
        Double power = null;
        Double energy = null;
        ObjectNode connectors = JSON.createObjectNode();
        for (ConnectorInfo k : c.connectors()) {
            if (k.connectorId() == 0) {
                continue;
            }
            ObjectNode kn = connectors.putObject(String.valueOf(k.connectorId()));
            putOrNull(kn, "status", k.status() == null ? null : k.status().value());
            Double p = read(k.latestMeterValue(), Measurand.PowerActiveImport);
            putOrNull(kn, "power", p);
            Double e = read(k.latestMeterValue(), Measurand.EnergyActiveImportRegister);
            putOrNull(kn, "energy", e);
            Double session = null;
            for (TransactionInfo t : c.openTransactions()) {
                if (t.connectorId() == k.connectorId()) {
                    Double reg = read(t.latestMeterValue(), Measurand.EnergyActiveImportRegister);
                    session = reg == null ? null : round(Math.max(0, reg - t.meterStart()));
                    kn.put("transaction_id", t.transactionId());
                }
            }
            putOrNull(kn, "session_energy", session);
            // sums of the connectors that report a value; null while none does (a charger that sends only
            // Current.Import has no power)
            power = sum(power, p);
            energy = sum(energy, session);
        }
        // power known only while the charger is connected: an old meter value is not today's power
        putOrNull(doc, "power", c.connected() ? power : null);
        putOrNull(doc, "session_energy", energy);
        doc.set("connectors", connectors);
        return doc;
    }

    private static Double sum(Double total, Double value) {
        if (value == null) {
            return total;
        }
        return total == null ? value : total + value;
    }

    /** The status of connector 1 (most chargers have one), else of the charge point as a whole. */
    private static String mainStatus(ChargerInfo c) {
        for (int id : new int[] {1, 0}) {
            ConnectorInfo k = c.connector(id).orElse(null);
            if (k != null && k.status() != null) {
                return k.status().value();
            }
        }
        return null;
    }

    /** The value of a measurand in W or Wh: the phase total if the charger sent one, else the sum of its phases. */
    static Double read(MeterValue mv, Measurand measurand) {
        if (mv == null) {
            return null;
        }
        Double total = null;
        Double phases = null;
        for (SampledValue v : mv.sampledValue()) {
            // EV location is the car's side (SoC and the like), not what the charger delivers
            if (v.measurandOrDefault() != measurand || v.locationOrDefault() == Location.EV) {
                continue;
            }
            double x;
            try {
                x = Double.parseDouble(v.value());
            } catch (NumberFormatException | NullPointerException e) {
                continue;
            }
            if (!Double.isFinite(x)) {
                continue;
            }
            UnitOfMeasure u = v.unit() == null ? (measurand == Measurand.PowerActiveImport ? UnitOfMeasure.W
                    : UnitOfMeasure.Wh) : v.unit();
            if (u == UnitOfMeasure.kW || u == UnitOfMeasure.kWh) {
                x *= 1000;
            }
            if (v.phase() == null) {
                total = x;
            } else if (v.phase().value().matches("L[123](-N)?")) {
                phases = (phases == null ? 0 : phases) + x;
            }
        }
        return total != null ? total : phases;
    }

    private static void putOrNull(ObjectNode n, String field, Object value) {
        if (value == null) {
            n.putNull(field);
        } else if (value instanceof Double d) {
            n.put(field, round(d));
        } else {
            n.put(field, value.toString());
        }
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
