package org.chargeedge.mqtt.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One input's configuration, free of OSGi so presets can be built in tests.
 *
 * @param name for logs and the shell (the factory configuration's name)
 * @param preset which device; {@code generic} for hand-written lines only
 * @param topicPrefix the device's topic prefix; empty for the preset's default
 * @param device serial, portal id, name or object id, where the preset needs one
 * @param meter where the device measures, for meters that can sit anywhere; empty for the preset's default
 * @param quantity what a single-value preset (Home Assistant) reads
 * @param scale factor to the model's unit for single-value presets (1000 for kW)
 * @param invert flip the sign of power values
 * @param staleAfter staleness timeout; null for the preset's default
 * @param pv Victron: which PV power to read: dc, ac or both
 * @param sensor Tasmota: the sensor name in the SENSOR message (SML by default)
 * @param powerLabel Tasmota: the power label
 * @param energyLabel Tasmota: the import energy label (kWh)
 * @param lines hand-written mapping lines, see {@link MappingLine}
 * @param phases how many phases the site has (1..3): the phases it does not have are not read, so they
 *        are not unknown, and totals are the sum of the phases it has
 * @param reactionTime how often the grid meter must report for the load balancer to react in time;
 *        an input reading grid power more slowly is warned about
 */
record InputSettings(String name, String preset, String topicPrefix, String device, String meter, String quantity,
                     double scale, boolean invert, Duration staleAfter, String pv, String sensor, String powerLabel,
                     String energyLabel, List<String> lines, int phases, Duration reactionTime) {

    static final String MAPPING_PREFIX = "mapping.";
    static final int DEFAULT_REACTION_SECONDS = 30;

    InputSettings {
        lines = List.copyOf(lines);
        if (phases < 1 || phases > 3) {
            throw new IllegalArgumentException("phases must be 1, 2 or 3, not " + phases);
        }
    }

    /**
     * From an input's configuration properties (as DS hands them over, or as
     * a test writes them): absent keys take the defaults of {@link InputConfig},
     * {@code mapping.*} keys are the hand-written lines, in key order.
     *
     * @throws IllegalArgumentException if a number or a flag cannot be read
     */
    static InputSettings from(String name, Map<String, ?> p) {
        int stale = Integer.parseInt(text(p, "staleAfter", "0"));
        // sorted by property name, so the order of hand-written lines is stable
        Map<String, String> lines = new TreeMap<>();
        p.forEach((k, v) -> {
            if (k.startsWith(MAPPING_PREFIX) && v != null && !String.valueOf(v).isBlank()) {
                lines.put(k, String.valueOf(v));
            }
        });
        return new InputSettings(name, text(p, "preset", "generic"), text(p, "topicPrefix", ""),
                text(p, "device", ""), text(p, "meter", ""), text(p, "quantity", "POWER"),
                Double.parseDouble(text(p, "scale", "1")), flag(text(p, "invert", "false")),
                stale > 0 ? Duration.ofSeconds(stale) : null, text(p, "pv", "dc"), text(p, "sensor", "SML"),
                text(p, "powerLabel", "Power_curr"), text(p, "energyLabel", "Total_in"), List.copyOf(lines.values()),
                Integer.parseInt(text(p, "phases", "3")),
                Duration.ofSeconds(Long.parseLong(text(p, "reactionTime", String.valueOf(DEFAULT_REACTION_SECONDS)))));
    }

    private static String text(Map<String, ?> p, String key, String dflt) {
        Object v = p.get(key);
        return v == null ? dflt : String.valueOf(v).strip();
    }

    private static boolean flag(String s) {
        if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("not true or false: " + s);
        }
        return Boolean.parseBoolean(s);
    }
}
