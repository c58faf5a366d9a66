package org.chargeedge.api.energy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One value in the model's unit (see {@link Quantity#unit()}).
 *
 * @param key which value
 * @param value the value, finite
 * @param measuredAt when it was measured (or received, see {@code timing})
 * @param staleAfter how long it stays valid; after that it is unknown
 * @param source where it came from, for people reading why a value is what it is (e.g. an MQTT topic)
 * @param timing what {@code measuredAt} is: the device's trusted time, the arrival time, or no
 *        known time at all ({@link Timing#AGE_UNKNOWN}: the value must be treated as unknown)
 * @param clockSkew how far the device's own clock is from the gateway's (device minus gateway),
 *        when the device sent a time that was not trusted; null when not known or not reported
 * @since 1.2
 */
public record Measurement(MeasurementKey key, double value, Instant measuredAt, Duration staleAfter, String source,
                          Timing timing, Duration clockSkew) {

    /** What a measurement's {@code measuredAt} stands for. */
    public enum Timing {
        /** The device's own time of the reading, trusted (it carried an offset and agreed with the gateway). */
        MEASURED,
        /** The time it arrived: the device sent no time, or one that could not be trusted. */
        RECEIVED,
        /**
         * The value's age is unknown: it was replayed (a retained MQTT message read on subscribing) and
         * nothing proves it is current; {@code measuredAt} is its arrival. Consumers must treat it as
         * unknown ({@link EnergySnapshot#freshness(MeasurementKey)} is {@link Freshness#AGE_UNKNOWN})
         * until the source confirms it.
         */
        AGE_UNKNOWN
    }

    public Measurement {
        Objects.requireNonNull(timing, "timing");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(key + ": value " + value + " is not finite");
        }
    }

    /** A measurement timed by its arrival (1.1 behaviour). */
    public Measurement(MeasurementKey key, double value, Instant measuredAt, Duration staleAfter, String source) {
        this(key, value, measuredAt, staleAfter, source, Timing.RECEIVED, null);
    }

    /** @since 1.2 */
    public boolean ageKnown() {
        return timing != Timing.AGE_UNKNOWN;
    }

    /** Fresh: its age is known and within {@code staleAfter}. A value of unknown age is never fresh. */
    public boolean freshAt(Instant now) {
        return ageKnown() && !now.isAfter(measuredAt.plus(staleAfter));
    }
}
