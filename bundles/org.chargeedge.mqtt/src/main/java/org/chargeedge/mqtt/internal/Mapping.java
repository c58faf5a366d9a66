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
 */
record Mapping(TopicFilter topic, Extraction extraction, double factor, MeasurementKey key, Part part,
               Duration staleAfter, DeviceTime time) {

    /**
     * One term of {@code key = sum of coefficient * part}: import minus export,
     * or L1 + L2 + L3. The sum is known only while every term is.
     */
    record Part(int index, int count) {
        Part {
            if (index < 0 || index >= count) {
                throw new IllegalArgumentException("part " + index + " of " + count);
            }
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
        return new Mapping(TopicFilter.of(topic), Extraction.parse(extraction), factor, key, null, staleAfter, null);
    }

    static Mapping part(String topic, String extraction, double factor, MeasurementKey key, int index, int count,
                        Duration staleAfter) {
        return new Mapping(TopicFilter.of(topic), Extraction.parse(extraction), factor, key, new Part(index, count),
                staleAfter, null);
    }

    Mapping withStaleAfter(Duration d) {
        return new Mapping(topic, extraction, factor, key, part, d, time);
    }

    Mapping inverted() {
        return new Mapping(topic, extraction, -factor, key, part, staleAfter, time);
    }

    /** The same value, measured when the payload's time field says (JSON payloads only). */
    Mapping withTime(DeviceTime t) {
        return new Mapping(topic, extraction, factor, key, part, staleAfter, t);
    }

    @Override
    public String toString() {
        return key + (part == null ? "" : "[" + part.index() + "/" + part.count() + "]") + " <- " + topic.filter()
                + (extraction.json() ? " " + extraction : "") + (factor == 1 ? "" : " x" + factor)
                + (time == null ? "" : " time=" + time);
    }
}
