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
 * The hand-written mapping of one value, one line of configuration:
 *
 * <pre>
 * METER QUANTITY [PHASE] topic=FILTER [json=PATH | value] [scale=N] [invert] [import | export] [sum] [staleAfter=S]
 *     [time=PATH]
 * </pre>
 *
 * METER is grid, pv, battery, building or circuit:NAME; QUANTITY one of
 * {@link Quantity}; PHASE L1, L2, L3 or {@code L*} for a triplet, whose topic
 * and path may hold {n} (1..3), {i} (0..2) or {x} (a..c), and which with
 * {@code sum} also gives the total. {@code import} and {@code export} name the
 * two unsigned halves of one signed value (import minus export). {@code time}
 * names the JSON field(s, separated by |) holding the device's measuring time,
 * see {@link DeviceTime}.
 */
final class MappingLine {

    private MappingLine() {
    }

    static List<Mapping> parse(String line, Duration defaultStaleAfter) {
        String[] tokens = line.strip().split("\\s+");
        if (tokens.length < 3) {
            throw new IllegalArgumentException("expected METER QUANTITY [PHASE] topic=...: " + line);
        }
        Meter meter = meter(tokens[0]);
        Quantity quantity = quantity(tokens[1]);
        String phase = "TOTAL";
        String topic = null;
        String json = null;
        double scale = 1;
        boolean invert = false;
        int half = -1;
        boolean sum = false;
        Duration staleAfter = defaultStaleAfter;
        DeviceTime time = null;
        for (int i = 2; i < tokens.length; i++) {
            String t = tokens[i];
            int eq = t.indexOf('=');
            String name = eq < 0 ? t : t.substring(0, eq);
            String value = eq < 0 ? null : t.substring(eq + 1);
            switch (name.toLowerCase(Locale.ROOT)) {
                case "l1", "l2", "l3", "l*", "total" -> {
                    if (i != 2) {
                        throw new IllegalArgumentException("the phase comes right after the quantity: " + line);
                    }
                    phase = name.toUpperCase(Locale.ROOT);
                }
                case "topic" -> topic = value;
                case "json", "path" -> json = value;
                case "value" -> json = "/value";
                case "scale" -> scale = number(value, line);
                case "invert" -> invert = true;
                case "import" -> half = 0;
                case "export" -> half = 1;
                case "sum" -> sum = true;
                case "staleafter" -> staleAfter = Duration.ofSeconds((long) number(value, line));
                case "time" -> time = deviceTime(value, line);
                default -> throw new IllegalArgumentException("unknown word '" + t + "' in: " + line);
            }
        }
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic= missing in: " + line);
        }
        double factor = invert ? -scale : scale;
        List<Mapping> out = new ArrayList<>();
        if (phase.equals("L*")) {
            if (half >= 0) {
                throw new IllegalArgumentException("import/export and L* do not combine in one line: " + line);
            }
            out.addAll(triplet(meter, quantity, topic, json, factor, sum, staleAfter));
        } else {
            if (sum) {
                throw new IllegalArgumentException("sum needs phase L*: " + line);
            }
            MeasurementKey key = new MeasurementKey(meter, quantity, PhaseRef.valueOf(phase));
            out.add(half < 0 ? Mapping.direct(topic, json, factor, key, staleAfter)
                    : Mapping.part(topic, json, half == 0 ? factor : -factor, key, half, 2, staleAfter));
        }
        if (time != null) {
            if (json == null) {
                throw new IllegalArgumentException("time= needs a JSON value (json=PATH): " + line);
            }
            DeviceTime t = time;
            out.replaceAll(m -> m.withTime(t));
        }
        return out;
    }

    private static DeviceTime deviceTime(String value, String line) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("time= needs a JSON path: " + line);
        }
        try {
            return DeviceTime.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("time=" + value + ": " + e.getMessage() + " in: " + line);
        }
    }

    /** Per-phase values from a template, and with {@code sum} their total. */
    static List<Mapping> triplet(Meter meter, Quantity quantity, String topic, String json, double factor,
                                 boolean sum, Duration staleAfter) {
        return phases(meter, quantity, topic, json, factor, sum, staleAfter, 3);
    }

    /** Per-phase values of the first {@code count} phases (those the site has), and with {@code sum} their total. */
    static List<Mapping> phases(Meter meter, Quantity quantity, String topic, String json, double factor,
                                boolean sum, Duration staleAfter, int count) {
        List<Mapping> out = new ArrayList<>();
        PhaseRef[] phases = {PhaseRef.L1, PhaseRef.L2, PhaseRef.L3};
        for (int p = 0; p < count; p++) {
            String t = expand(topic, p);
            String j = json == null ? null : expand(json, p);
            out.add(Mapping.direct(t, j, factor, new MeasurementKey(meter, quantity, phases[p]), staleAfter));
            if (sum) {
                out.add(Mapping.part(t, j, factor, MeasurementKey.of(meter, quantity), p, count, staleAfter));
            }
        }
        return out;
    }

    static String expand(String template, int phase) {
        return template.replace("{n}", String.valueOf(phase + 1)).replace("{i}", String.valueOf(phase))
                .replace("{x}", String.valueOf((char) ('a' + phase)));
    }

    static Meter meter(String s) {
        String m = s.strip();
        if (m.toLowerCase(Locale.ROOT).startsWith("circuit:")) {
            String name = m.substring("circuit:".length());
            if (name.isBlank()) {
                throw new IllegalArgumentException("circuit needs a name: " + s);
            }
            return Meter.circuit(name);
        }
        return switch (m.toLowerCase(Locale.ROOT)) {
            case "grid" -> Meter.GRID;
            case "pv" -> Meter.PV;
            case "battery" -> Meter.BATTERY;
            case "building" -> Meter.BUILDING;
            default -> throw new IllegalArgumentException(
                    "meter must be grid, pv, battery, building or circuit:NAME, not " + s);
        };
    }

    static Quantity quantity(String s) {
        String q = s.strip().toUpperCase(Locale.ROOT);
        if (q.equals("SOC")) {
            return Quantity.STATE_OF_CHARGE;
        }
        try {
            return Quantity.valueOf(q);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quantity must be POWER, CURRENT, VOLTAGE, ENERGY or SOC, not " + s);
        }
    }

    private static double number(String value, String line) {
        try {
            double d = Double.parseDouble(value);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("not a number: '" + value + "' in: " + line);
        }
    }
}
