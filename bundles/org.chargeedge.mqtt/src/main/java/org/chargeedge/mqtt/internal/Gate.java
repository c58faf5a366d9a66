package org.chargeedge.mqtt.internal;

import java.util.Set;

import org.chargeedge.api.energy.MeasurementKey;

/**
 * A device's validity flag (OpenDTU's {@code ac/is_valid}): while it says
 * invalid, the values it covers are unknown, whatever the device keeps
 * publishing for them. {@code 1}/{@code true} opens it; {@code 0}/{@code false},
 * an empty payload or anything unreadable closes it. Open until the flag is
 * first seen, so a device version without the flag still works.
 *
 * @param topic the flag's topic
 * @param keys the values it covers
 */
record Gate(TopicFilter topic, Set<MeasurementKey> keys) {

    Gate {
        keys = Set.copyOf(keys);
    }

    static boolean opens(String payload) {
        String s = payload.strip();
        return s.equals("1") || s.equalsIgnoreCase("true");
    }

    @Override
    public String toString() {
        return "valid while " + topic.filter() + " = 1: " + keys;
    }
}
