package org.chargeedge.mqtt.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;

/**
 * Built-in mappings for devices integrators own. Topics, payloads, units and
 * signs are those the devices and bridges publish (see docs/configuration.md
 * for an example of each and the settings the device needs). Every preset
 * also takes hand-written lines.
 */
final class Presets {

    /**
     * What an input does: its mappings and validity flags; for Victron the
     * keepalive it must publish (the first of each connection asks for
     * everything, the next ones only keep the device publishing); how often
     * the device reports at its defaults, and what to set on it for faster
     * grid readings.
     */
    record Plan(List<Mapping> mappings, List<Gate> gates, String keepaliveTopic, Duration keepaliveEvery,
                String keepaliveFirst, String keepaliveNext, Duration defaultInterval, String advice) {
        Plan {
            mappings = List.copyOf(mappings);
            gates = List.copyOf(gates);
        }
    }

    static final List<String> NAMES = List.of("generic", "opendtu", "ahoydtu", "victron", "shelly3em", "shellypro3em",
            "tasmota", "sbfspot", "smaem", "fronius", "homeassistant", "zigbee2mqtt");

    /** Device time fields of the presets that read one (see {@link DeviceTime} for the formats). */
    static final DeviceTime TASMOTA_TIME = DeviceTime.parse("Time");
    static final DeviceTime SBFSPOT_TIME = DeviceTime.parse("Timestamp|TimeStamp|timestamp");
    /** fronius-bridge: epoch milliseconds, UTC. */
    static final DeviceTime FRONIUS_TIME = DeviceTime.parse("time");

    /** dbus-flashmq: after the first keepalive, later ones need not make the GX republish every topic. */
    static final String VICTRON_SUPPRESS_REPUBLISH = "{\"keepalive-options\":[\"suppress-republish\"]}";

    private Presets() {
    }

    private static void withTime(List<Mapping> out, int from, DeviceTime t) {
        for (int i = from; i < out.size(); i++) {
            out.set(i, out.get(i).withTime(t));
        }
    }

    private static void alive(List<Mapping> out, int from, String group) {
        for (int i = from; i < out.size(); i++) {
            out.set(i, out.get(i).withAlive(group));
        }
    }

    static Plan build(InputSettings s) {
        String preset = s.preset().strip().toLowerCase(Locale.ROOT);
        List<Mapping> out = new ArrayList<>();
        List<Gate> gates = new ArrayList<>();
        String keepalive = null;
        int phases = s.phases();
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
                // an unreachable inverter: OpenDTU keeps republishing the last power with ac/is_valid = 0
                gates.add(new Gate(TopicFilter.of(p + "/ac/is_valid"),
                        Set.of(key(Meter.PV, Quantity.POWER), key(Meter.PV, Quantity.ENERGY))));
            }
            case "ahoydtu" -> {
                String p = prefix(s, "inverter");
                // plain mode publishes total/P_AC and total/YieldTotal, JSON mode a "total" object: whichever comes
                out.add(Mapping.direct(p + "/total/P_AC", null, 1, key(Meter.PV, Quantity.POWER), stale));
                out.add(Mapping.direct(p + "/total/YieldTotal", null, 1000, key(Meter.PV, Quantity.ENERGY), stale));
                out.add(Mapping.direct(p + "/total", "/P_AC", 1, key(Meter.PV, Quantity.POWER), stale));
                out.add(Mapping.direct(p + "/total", "/YieldTotal", 1000, key(Meter.PV, Quantity.ENERGY), stale));
            }
            case "victron" -> {
                String portal = required(s.device(), "device (the Venus OS portal id)");
                String p = "N/" + portal + "/system/0";
                // systemcalc publishes {"value": null} for the phases a single- or two-phase site lacks
                out.addAll(MappingLine.phases(Meter.GRID, Quantity.POWER, p + "/Ac/Grid/L{n}/Power", "/value", 1,
                        true, stale, phases));
                out.addAll(victronPv(p, s.pv(), phases, stale));
                out.add(Mapping.direct(p + "/Dc/Battery/Power", "/value", 1, key(Meter.BATTERY, Quantity.POWER), stale));
                out.add(Mapping.direct(p + "/Dc/Battery/Soc", "/value", 1,
                        key(Meter.BATTERY, Quantity.STATE_OF_CHARGE), stale));
                // with suppress-republish the GX publishes changes only: a live message confirms the rest
                alive(out, 0, "victron");
                keepalive = "R/" + portal + "/keepalive";
            }
            case "shelly3em" -> {
                String p = prefix(s, "shellies") + "/" + required(s.device(), "device (the Shelly id)") + "/emeter/{i}";
                Meter m = meter(s, Meter.GRID);
                out.addAll(MappingLine.phases(m, Quantity.POWER, p + "/power", null, 1, true, stale, phases));
                out.addAll(MappingLine.phases(m, Quantity.CURRENT, p + "/current", null, 1, false, stale, phases));
                out.addAll(MappingLine.phases(m, Quantity.VOLTAGE, p + "/voltage", null, 1, false, stale, phases));
                // the import register (Wh) per phase and summed; total_returned (export) is not mapped: the
                // model's ENERGY is a rising import register (as Tasmota's Total_in), and total - total_returned
                // would fall while exporting
                out.addAll(MappingLine.phases(m, Quantity.ENERGY, p + "/total", null, 1, true, stale, phases));
            }
            case "shellypro3em" -> {
                String p = required(s.topicPrefix(), "topicPrefix (the device's MQTT prefix)");
                Meter m = meter(s, Meter.GRID);
                // full status and NotifyStatus notifications; a notification carries only the changed fields,
                // so any live frame confirms the others (alive group)
                for (String[] source : new String[][] {{p + "/status/em:0", ""}, {p + "/events/rpc", "/params/em:0"}}) {
                    String t = source[0];
                    String base = source[1];
                    out.add(Mapping.direct(t, base + "/total_act_power", 1, key(m, Quantity.POWER), stale));
                    out.addAll(MappingLine.phases(m, Quantity.POWER, t, base + "/{x}_act_power", 1, false, stale,
                            phases));
                    out.addAll(MappingLine.phases(m, Quantity.CURRENT, t, base + "/{x}_current", 1, false, stale,
                            phases));
                    out.addAll(MappingLine.phases(m, Quantity.VOLTAGE, t, base + "/{x}_voltage", 1, false, stale,
                            phases));
                }
                // the monophase profile: three single-phase meters em1:0..2, one per phase
                for (String[] source : new String[][] {{p + "/status/em1:{i}", ""}, {p + "/events/rpc",
                        "/params/em1:{i}"}}) {
                    out.addAll(MappingLine.phases(m, Quantity.POWER, source[0], source[1] + "/act_power", 1, true,
                            stale, phases));
                    out.addAll(MappingLine.phases(m, Quantity.CURRENT, source[0], source[1] + "/current", 1, false,
                            stale, phases));
                    out.addAll(MappingLine.phases(m, Quantity.VOLTAGE, source[0], source[1] + "/voltage", 1, false,
                            stale, phases));
                }
                alive(out, 0, "shellypro3em");
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
                // "Time": trusted only with SetOption52 (an offset); else the arrival counts, the skew is shown
                withTime(out, first, TASMOTA_TIME);
            }
            case "sbfspot" -> {
                String t = s.topicPrefix().isBlank() ? "sbfspot_" + required(s.device(), "device (the inverter serial)")
                        : prefix(s, "");
                int first = out.size();
                out.add(Mapping.direct(t, "/PACTot", 1, key(Meter.PV, Quantity.POWER), stale));
                // only with MeteringWTot added to MQTT_Data in SBFspot.cfg
                out.add(Mapping.direct(t, "/MeteringWTot", 1, key(Meter.GRID, Quantity.POWER), stale));
                withTime(out, first, SBFSPOT_TIME);
            }
            case "smaem" -> {
                String t = prefix(s, "SMA-EM/status") + "/" + required(s.device(), "device (the meter serial)");
                Meter m = meter(s, Meter.GRID);
                out.add(Mapping.part(t, "/pconsume", 1, key(m, Quantity.POWER), 0, 2, stale));
                out.add(Mapping.part(t, "/psupply", -1, key(m, Quantity.POWER), 1, 2, stale));
                PhaseRef[] ph = {PhaseRef.L1, PhaseRef.L2, PhaseRef.L3};
                for (int i = 0; i < phases; i++) {
                    MeasurementKey k = new MeasurementKey(m, Quantity.POWER, ph[i]);
                    out.add(Mapping.part(t, "/p" + (i + 1) + "consume", 1, k, 0, 2, stale));
                    out.add(Mapping.part(t, "/p" + (i + 1) + "supply", -1, k, 1, 2, stale));
                }
            }
            case "fronius" -> {
                // bridge releases before mid-2026 publish <topic>/meter/values, without the meter name
                String t = prefix(s, "fronius-bridge") + "/meter/" + (s.device().isBlank() ? "" : s.device().strip()
                        + "/") + "values";
                Meter m = meter(s, Meter.GRID);
                int first = out.size();
                out.add(Mapping.direct(t, "/power_active", 1, key(m, Quantity.POWER), stale));
                // "phases" lists the meter's phases from id 1; a field or phase not in a message is left as it was
                out.addAll(MappingLine.phases(m, Quantity.POWER, t, "/phases/{i}/power_active", 1, false, stale,
                        phases));
                out.addAll(MappingLine.phases(m, Quantity.CURRENT, t, "/phases/{i}/current", 1, false, stale, phases));
                out.addAll(MappingLine.phases(m, Quantity.VOLTAGE, t, "/phases/{i}/voltage_ph", 1, false, stale,
                        phases));
                out.add(Mapping.direct(t, "/energy_active_import", 1000, key(m, Quantity.ENERGY), stale));
                withTime(out, first, FRONIUS_TIME);
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
        return new Plan(out, gates, keepalive, keepalive == null ? null : Duration.ofSeconds(30), "",
                VICTRON_SUPPRESS_REPUBLISH, defaultInterval(preset), advice(preset));
    }

    /**
     * Victron PV: any of dc (MPPT chargers), ac (PV inverters on the grid side, /Ac/PvOnGrid) and output
     * (on the inverter/charger's AC output, /Ac/PvOnOutput), summed; both = dc + ac. AC PV is read per
     * phase (systemcalc publishes no total): a phase without a PV inverter is null and counts 0 as long
     * as a phase of the same position has a value.
     */
    private static List<Mapping> victronPv(String p, String spec, int phases, Duration stale) {
        Set<String> sources = new LinkedHashSet<>();
        for (String part : spec.toLowerCase(Locale.ROOT).split("[,+\\s]+")) {
            switch (part) {
                case "dc", "ac", "output" -> sources.add(part);
                case "both" -> {
                    sources.add("dc");
                    sources.add("ac");
                }
                case "" -> {
                }
                default -> throw new IllegalArgumentException("pv must be dc, ac, output, both or a list such as "
                        + "dc,ac,output; not " + spec);
            }
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("pv must name at least one of dc, ac, output");
        }
        MeasurementKey pv = key(Meter.PV, Quantity.POWER);
        int count = (sources.contains("dc") ? 1 : 0) + (sources.size() - (sources.contains("dc") ? 1 : 0)) * phases;
        List<Mapping> out = new ArrayList<>();
        int index = 0;
        int group = 0;
        for (String source : sources) {
            if (source.equals("dc")) {
                out.add(count == 1 ? Mapping.direct(p + "/Dc/Pv/Power", "/value", 1, pv, stale)
                        : Mapping.part(p + "/Dc/Pv/Power", "/value", 1, pv, index++, count, stale));
                continue;
            }
            String path = p + (source.equals("ac") ? "/Ac/PvOnGrid" : "/Ac/PvOnOutput") + "/L";
            for (int n = 1; n <= phases; n++) {
                out.add(Mapping.part(path + n + "/Power", "/value", 1, pv, index++, count, stale).nullAsZero(group));
            }
            group++;
        }
        return out;
    }

    /** How long a value lasts without a new message: a little over the device's default reporting interval. */
    static Duration defaultStaleAfter(String preset) {
        return switch (preset) {
            // OpenDTU publishes every 5 s by default (retained)
            case "opendtu" -> Duration.ofSeconds(30);
            // TelePeriod 300 by default: one period and a margin
            case "tasmota" -> Duration.ofSeconds(330);
            // runs from cron every 5 minutes (at most 15 minutes in the SBFspot documentation)
            case "sbfspot" -> Duration.ofMinutes(15);
            // on change only, with thresholds (Shelly Pro 3EM's alive group keeps unchanged values)
            case "shellypro3em", "homeassistant" -> Duration.ofMinutes(5);
            // Zigbee2MQTT plugs with default reporting may report power only hourly on a steady load
            case "zigbee2mqtt" -> Duration.ofMinutes(65);
            // changes only after the first keepalive; the alive group and the 30 s keepalive keep the rest
            case "victron" -> Duration.ofSeconds(90);
            default -> Duration.ofSeconds(60);
        };
    }

    /** How often the device reports at its defaults; null where it reports on change. */
    static Duration defaultInterval(String preset) {
        return switch (preset) {
            case "opendtu" -> Duration.ofSeconds(5);
            case "tasmota", "sbfspot" -> Duration.ofSeconds(300);
            case "shelly3em" -> Duration.ofSeconds(30);
            case "smaem" -> Duration.ofSeconds(20);
            case "fronius" -> Duration.ofSeconds(4);
            default -> null;
        };
    }

    /** What to set on the device when its grid readings come too slowly for the load balancer. */
    static String advice(String preset) {
        return switch (preset) {
            case "tasmota" -> "set TelePeriod 10 on the Tasmota device (console: TelePeriod 10)";
            case "sbfspot" -> "SBFspot runs from cron every few minutes and cannot protect a fuse: "
                    + "read the grid meter from an SMA Energy Meter (preset smaem) or another fast meter";
            case "shelly3em" -> "lower the Shelly's MQTT update period (settings: mqtt_update_period)";
            case "shellypro3em" -> "enable 'Generic status update over MQTT' on the Shelly";
            case "zigbee2mqtt" -> "set the plug's reporting (Zigbee2MQTT: Reporting, power, max interval) lower";
            case "homeassistant" -> "publish the entity more often, or read the meter directly";
            case "smaem" -> "lower min_update in [FEATURE-mqtt] of the SMA-EM daemon's configuration";
            case "fronius" -> "lower update_interval of the meter in the fronius-bridge configuration";
            case "victron" -> "check that the GX device stays connected to the broker (keepalive)";
            default -> "make the device publish its grid power more often";
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
