package org.chargeedge.mqtt.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;

/**
 * Built-in mappings for devices integrators own. Topics, payloads, units and
 * signs are those the devices and bridges publish (see docs/configuration.md
 * for an example of each). Every preset also takes hand-written lines.
 */
final class Presets {

    /** What an input does: its mappings and, for Victron, the keepalive it must publish. */
    record Plan(List<Mapping> mappings, String keepaliveTopic, Duration keepaliveEvery) {
        Plan {
            mappings = List.copyOf(mappings);
        }
    }

    static final List<String> NAMES = List.of("generic", "opendtu", "ahoydtu", "victron", "shelly3em", "shellypro3em",
            "tasmota", "sbfspot", "smaem", "fronius", "homeassistant", "zigbee2mqtt");

    /** Device time fields of the presets that read one (see {@link DeviceTime} for the formats). */
    static final DeviceTime TASMOTA_TIME = DeviceTime.parse("Time");
    static final DeviceTime SBFSPOT_TIME = DeviceTime.parse("Timestamp|TimeStamp|timestamp");

    private Presets() {
    }

    private static void withTime(List<Mapping> out, int from, DeviceTime t) {
        for (int i = from; i < out.size(); i++) {
            out.set(i, out.get(i).withTime(t));
        }
    }

    static Plan build(InputSettings s) {
        String preset = s.preset().strip().toLowerCase(Locale.ROOT);
        List<Mapping> out = new ArrayList<>();
        String keepalive = null;
        Duration stale = s.staleAfter() != null ? s.staleAfter() : defaultStaleAfter(preset);
        switch (preset) {
            case "generic" -> {
                if (s.lines().isEmpty()) {
                    throw new IllegalArgumentException("preset generic needs mapping lines (mapping.NAME = ...)");
                }
            }
            case "opendtu" -> {
                String p = prefix(s, "solar");
                out.add(Mapping.direct(p + "/ac/power", null, 1, key(Meter.PV, Quantity.POWER), stale));
                out.add(Mapping.direct(p + "/ac/yieldtotal", null, 1000, key(Meter.PV, Quantity.ENERGY), stale));
            }
            case "ahoydtu" -> {
                String p = prefix(s, "inverter");
                // plain mode publishes total/P_AC, JSON mode a "total" object: whichever comes is read
                out.add(Mapping.direct(p + "/total/P_AC", null, 1, key(Meter.PV, Quantity.POWER), stale));
                out.add(Mapping.direct(p + "/total", "/P_AC", 1, key(Meter.PV, Quantity.POWER), stale));
                out.add(Mapping.direct(p + "/total", "/YieldTotal", 1000, key(Meter.PV, Quantity.ENERGY), stale));
            }
            case "victron" -> {
                String portal = required(s.device(), "device (the Venus OS portal id)");
                String p = "N/" + portal + "/system/0";
                out.addAll(MappingLine.triplet(Meter.GRID, Quantity.POWER, p + "/Ac/Grid/L{n}/Power", "/value", 1,
                        true, stale));
                String pv = s.pv().strip().toLowerCase(Locale.ROOT);
                switch (pv) {
                    case "dc" -> out.add(Mapping.direct(p + "/Dc/Pv/Power", "/value", 1, key(Meter.PV, Quantity.POWER),
                            stale));
                    case "ac" -> out.add(Mapping.direct(p + "/Ac/PvOnGrid/Total/Power", "/value", 1,
                            key(Meter.PV, Quantity.POWER), stale));
                    case "both" -> {
                        out.add(Mapping.part(p + "/Dc/Pv/Power", "/value", 1, key(Meter.PV, Quantity.POWER), 0, 2,
                                stale));
                        out.add(Mapping.part(p + "/Ac/PvOnGrid/Total/Power", "/value", 1,
                                key(Meter.PV, Quantity.POWER), 1, 2, stale));
                    }
                    default -> throw new IllegalArgumentException("pv must be dc, ac or both, not " + s.pv());
                }
                out.add(Mapping.direct(p + "/Dc/Battery/Power", "/value", 1, key(Meter.BATTERY, Quantity.POWER), stale));
                out.add(Mapping.direct(p + "/Dc/Battery/Soc", "/value", 1,
                        key(Meter.BATTERY, Quantity.STATE_OF_CHARGE), stale));
                keepalive = "R/" + portal + "/keepalive";
            }
            case "shelly3em" -> {
                String p = prefix(s, "shellies") + "/" + required(s.device(), "device (the Shelly id)") + "/emeter/{i}";
                Meter m = meter(s, Meter.GRID);
                out.addAll(MappingLine.triplet(m, Quantity.POWER, p + "/power", null, 1, true, stale));
                out.addAll(MappingLine.triplet(m, Quantity.CURRENT, p + "/current", null, 1, false, stale));
                out.addAll(MappingLine.triplet(m, Quantity.VOLTAGE, p + "/voltage", null, 1, false, stale));
                // the import register (Wh) per phase and summed; total_returned (export) is not mapped: the
                // model's ENERGY is a rising import register (as Tasmota's Total_in), and total - total_returned
                // would fall while exporting
                out.addAll(MappingLine.triplet(m, Quantity.ENERGY, p + "/total", null, 1, true, stale));
            }
            case "shellypro3em" -> {
                String p = required(s.topicPrefix(), "topicPrefix (the device's MQTT prefix)");
                Meter m = meter(s, Meter.GRID);
                // full status and NotifyStatus notifications; a notification may carry only the changed fields
                for (String[] source : new String[][] {{p + "/status/em:0", ""}, {p + "/events/rpc", "/params/em:0"}}) {
                    String t = source[0];
                    String base = source[1];
                    out.add(Mapping.direct(t, base + "/total_act_power", 1, key(m, Quantity.POWER), stale));
                    out.addAll(MappingLine.triplet(m, Quantity.POWER, t, base + "/{x}_act_power", 1, false, stale));
                    out.addAll(MappingLine.triplet(m, Quantity.CURRENT, t, base + "/{x}_current", 1, false, stale));
                    out.addAll(MappingLine.triplet(m, Quantity.VOLTAGE, t, base + "/{x}_voltage", 1, false, stale));
                }
            }
            case "tasmota" -> {
                String t = prefix(s, "tele") + "/" + required(s.device(), "device (the Tasmota topic)") + "/SENSOR";
                Meter m = meter(s, Meter.GRID);
                int first = out.size();
                out.add(Mapping.direct(t, "/" + s.sensor() + "/" + s.powerLabel(), 1, key(m, Quantity.POWER), stale));
                if (!s.energyLabel().isBlank()) {
                    out.add(Mapping.direct(t, "/" + s.sensor() + "/" + s.energyLabel(), 1000,
                            key(m, Quantity.ENERGY), stale));
                }
                // "Time" is the device's local time of the reading
                withTime(out, first, TASMOTA_TIME);
            }
            case "sbfspot" -> {
                String t = s.topicPrefix().isBlank() ? "sbfspot_" + required(s.device(), "device (the inverter serial)")
                        : prefix(s, "");
                int first = out.size();
                out.add(Mapping.direct(t, "/PACTot", 1, key(Meter.PV, Quantity.POWER), stale));
                out.add(Mapping.direct(t, "/MeteringWTot", 1, key(Meter.GRID, Quantity.POWER), stale));
                // runs from cron: the reading's own time, so data minutes old counts as old
                withTime(out, first, SBFSPOT_TIME);
            }
            case "smaem" -> {
                String t = prefix(s, "SMA-EM/status") + "/" + required(s.device(), "device (the meter serial)");
                Meter m = meter(s, Meter.GRID);
                out.add(Mapping.part(t, "/pconsume", 1, key(m, Quantity.POWER), 0, 2, stale));
                out.add(Mapping.part(t, "/psupply", -1, key(m, Quantity.POWER), 1, 2, stale));
                PhaseRef[] phases = {PhaseRef.L1, PhaseRef.L2, PhaseRef.L3};
                for (int i = 0; i < 3; i++) {
                    MeasurementKey k = new MeasurementKey(m, Quantity.POWER, phases[i]);
                    out.add(Mapping.part(t, "/p" + (i + 1) + "consume", 1, k, 0, 2, stale));
                    out.add(Mapping.part(t, "/p" + (i + 1) + "supply", -1, k, 1, 2, stale));
                }
            }
            case "fronius" -> {
                String t = prefix(s, "fronius") + "/meter/" + required(s.device(), "device (the meter name)")
                        + "/values";
                Meter m = meter(s, Meter.GRID);
                out.add(Mapping.direct(t, "/power_active", 1, key(m, Quantity.POWER), stale));
                // assumed: "phases" holds L1..L3 in order, each {"power_active":..,"current":..,"voltage":..};
                // without the array (or a field) those values are simply absent, as in a partial update
                out.addAll(MappingLine.triplet(m, Quantity.POWER, t, "/phases/{i}/power_active", 1, false, stale));
                out.addAll(MappingLine.triplet(m, Quantity.CURRENT, t, "/phases/{i}/current", 1, false, stale));
                out.addAll(MappingLine.triplet(m, Quantity.VOLTAGE, t, "/phases/{i}/voltage", 1, false, stale));
            }
            case "homeassistant" -> {
                String t = prefix(s, "homeassistant") + "/sensor/"
                        + required(s.device(), "device (the sensor's object id)") + "/state";
                Meter m = MappingLine.meter(required(s.meter(), "meter"));
                out.add(Mapping.direct(t, null, s.scale(), key(m, MappingLine.quantity(s.quantity())), stale));
            }
            case "zigbee2mqtt" -> {
                String name = required(s.device(), "device (the friendly name)");
                String t = prefix(s, "zigbee2mqtt") + "/" + name;
                Meter m = meter(s, Meter.circuit(name));
                out.add(Mapping.direct(t, "/power", 1, key(m, Quantity.POWER), stale));
                out.add(Mapping.direct(t, "/energy", 1000, key(m, Quantity.ENERGY), stale));
            }
            default -> throw new IllegalArgumentException("unknown preset '" + s.preset() + "'; known: " + NAMES);
        }
        if (s.invert()) {
            // a meter whose sign convention is the other way round: power only, registers keep their sign
            out.replaceAll(m -> m.key().quantity() == Quantity.POWER ? m.inverted() : m);
        }
        for (String line : s.lines()) {
            out.addAll(MappingLine.parse(line, stale));
        }
        return new Plan(out, keepalive, keepalive == null ? null : Duration.ofSeconds(30));
    }

    /** Sources that publish on a timer get a short timeout; SBFspot runs from cron every few minutes. */
    static Duration defaultStaleAfter(String preset) {
        return switch (preset) {
            case "sbfspot" -> Duration.ofMinutes(15);
            // on change only, with thresholds: a steady value may be quiet for minutes
            case "shellypro3em", "homeassistant", "zigbee2mqtt" -> Duration.ofMinutes(5);
            // Venus OS republishes everything on every keepalive (30 s)
            case "victron" -> Duration.ofSeconds(90);
            default -> Duration.ofSeconds(60);
        };
    }

    private static MeasurementKey key(Meter m, Quantity q) {
        return MeasurementKey.of(m, q);
    }

    private static String prefix(InputSettings s, String dflt) {
        String p = s.topicPrefix().strip();
        p = p.isEmpty() ? dflt : p;
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static Meter meter(InputSettings s, Meter dflt) {
        return s.meter().isBlank() ? dflt : MappingLine.meter(s.meter());
    }

    private static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("this preset needs " + what);
        }
        return value.strip();
    }
}
