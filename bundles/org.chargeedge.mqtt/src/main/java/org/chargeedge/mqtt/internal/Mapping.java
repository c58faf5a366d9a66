package org.chargeedge.mqtt.internal;

import java.time.Duration;
import java.util.Objects;

import org.chargeedge.api.energy.MeasurementKey;

/**
 * One value read from one topic: where it goes in the model, how to read it,
 * the factor to the model's unit (sign inversion is a negative factor) and
 * how long it stays valid.
 *
 * @param topic the topic filter (may hold + and #)
 * @param extraction how to read the payload
 * @param factor multiplies the read value: unit conversion and sign
 * @param key the model key written; for a part, the combined key
 * @param part null for a direct value; else this value is one term of a sum
 * @param staleAfter how long a value stays valid
 * @param time where a JSON payload carries the device's measuring time; null: the arrival time counts
 * @param alive null, or the name of a group of values a device publishes on change only: any live
 *        (not retained) message of the group proves the group's unchanged values current, see
 *        {@link MappingEngine}
 */
record Mapping(TopicFilter topic, Extraction extraction, double factor, MeasurementKey key, Part part,
               Duration staleAfter, DeviceTime time, String alive) {

    /**
     * One term of {@code key = sum of coefficient * part}: import minus export,
     * or L1 + L2 + L3. The sum is known only while every term is; except that
     * the terms of one {@code nullGroup} (>= 0) count 0 while they say "no
     * value", as long as one term of that group has a value (Victron's PV per
     * phase: null on the phases without a PV inverter).
     */
    record Part(int index, int count, int nullGroup) {
        Part {
            if (index < 0 || index >= count) {
                throw new IllegalArgumentException("part " + index + " of " + count);
            }
            if (nullGroup >= 64) {
                throw new IllegalArgumentException("null group " + nullGroup + " (at most 63)");
            }
        }

        Part(int index, int count) {
            this(index, count, -1);
        }
    }

    Mapping {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(extraction, "extraction");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(staleAfter, "staleAfter");
        if (!Double.isFinite(factor) || factor == 0) {
            throw new IllegalArgumentException("factor must be finite and not 0: " + factor);
        }
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("staleAfter must be positive: " + staleAfter);
        }
    }

    static Mapping direct(String topic, String extraction, double factor, MeasurementKey key, Duration staleAfter) {
        return new Mapping(TopicFilter.of(topic), Extraction.parse(extraction), factor, key, null, staleAfter, null,
                null);
    }

    static Mapping part(String topic, String extraction, double factor, MeasurementKey key, int index, int count,
                        Duration staleAfter) {
        return new Mapping(TopicFilter.of(topic), Extraction.parse(extraction), factor, key, new Part(index, count),
                staleAfter, null, null);
    }

    /** This term of a sum counts 0 while it says "no value", as long as a term of its group has one. */
    Mapping nullAsZero(int group) {
        return new Mapping(topic, extraction, factor, key, new Part(part.index(), part.count(), group), staleAfter,
                time, alive);
    }

    /** The value belongs to a group that a device publishes on change only. */
    Mapping withAlive(String group) {
        return new Mapping(topic, extraction, factor, key, part, staleAfter, time, group);
    }

    Mapping withStaleAfter(Duration d) {
        return new Mapping(topic, extraction, factor, key, part, d, time, alive);
    }

    Mapping inverted() {
        return new Mapping(topic, extraction, -factor, key, part, staleAfter, time, alive);
    }

    /** The same value, measured when the payload's time field says (JSON payloads only). */
    Mapping withTime(DeviceTime t) {
        return new Mapping(topic, extraction, factor, key, part, staleAfter, t, alive);
    }

    @Override
    public String toString() {
        return key + (part == null ? "" : "[" + part.index() + "/" + part.count() + "]") + " <- " + topic.filter()
                + (extraction.json() ? " " + extraction : "") + (factor == 1 ? "" : " x" + factor)
                + (time == null ? "" : " time=" + time);
    }
}
