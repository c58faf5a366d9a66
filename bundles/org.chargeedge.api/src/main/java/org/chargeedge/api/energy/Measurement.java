package org.chargeedge.api.energy;

import java.time.Duration;
import java.time.Instant;

/**
 * One value in the model's unit (see {@link Quantity#unit()}).
 *
 * @param key which value
 * @param value the value, finite
 * @param measuredAt when it was measured (or received, if the source gives no time)
 * @param staleAfter how long it stays valid; after that it is unknown
 * @param source where it came from, for people reading why a value is what it is (e.g. an MQTT topic)
 */
public record Measurement(MeasurementKey key, double value, Instant measuredAt, Duration staleAfter, String source) {

    public Measurement {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(key + ": value " + value + " is not finite");
        }
    }

    public boolean freshAt(Instant now) {
        return !now.isAfter(measuredAt.plus(staleAfter));
    }
}
