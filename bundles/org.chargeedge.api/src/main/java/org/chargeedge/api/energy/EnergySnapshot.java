package org.chargeedge.api.energy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The model frozen at one instant: only fresh measurements are in
 * {@link #measurements()}, so a decision made on a snapshot never sees
 * half-updated, stale or unconfirmed data.
 *
 * @param takenAt when the snapshot was taken
 * @param measurements the fresh measurements by key
 * @param withheld values the model holds but that must not be used now, with
 *        the reason in {@link #freshness(MeasurementKey)}: their age is unknown
 *        (retained, unconfirmed) or they are stale. For display and diagnosis
 *        only (since 1.2)
 */
public record EnergySnapshot(Instant takenAt, Map<MeasurementKey, Measurement> measurements,
                             Map<MeasurementKey, Measurement> withheld) {

    public EnergySnapshot {
        measurements = Map.copyOf(measurements);
        withheld = Map.copyOf(withheld);
    }

    /** A snapshot without withheld values (1.1 behaviour). */
    public EnergySnapshot(Instant takenAt, Map<MeasurementKey, Measurement> measurements) {
        this(takenAt, measurements, Map.of());
    }

    /** The value, or empty when it is unknown (never measured, stale, or of unknown age). */
    public OptionalDouble value(MeasurementKey key) {
        Measurement m = measurements.get(key);
        return m == null ? OptionalDouble.empty() : OptionalDouble.of(m.value());
    }

    public OptionalDouble value(Meter meter, Quantity quantity, PhaseRef phase) {
        return value(new MeasurementKey(meter, quantity, phase));
    }

    public OptionalDouble value(Meter meter, Quantity quantity) {
        return value(MeasurementKey.of(meter, quantity));
    }

    /** The fresh measurement, or empty. */
    public Optional<Measurement> measurement(MeasurementKey key) {
        return Optional.ofNullable(measurements.get(key));
    }

    /**
     * Why a value is or is not usable: {@link Freshness#FRESH} only when it is
     * in {@link #measurements()}.
     *
     * @since 1.2
     */
    public Freshness freshness(MeasurementKey key) {
        if (measurements.containsKey(key)) {
            return Freshness.FRESH;
        }
        Measurement w = withheld.get(key);
        if (w == null) {
            return Freshness.MISSING;
        }
        return w.ageKnown() ? Freshness.STALE : Freshness.AGE_UNKNOWN;
    }
}
