package org.chargeedge.api.energy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The model frozen at one instant: only fresh measurements are in it, so a
 * decision made on a snapshot never sees half-updated or stale data.
 *
 * @param takenAt when the snapshot was taken
 * @param measurements the fresh measurements by key
 */
public record EnergySnapshot(Instant takenAt, Map<MeasurementKey, Measurement> measurements) {

    public EnergySnapshot {
        measurements = Map.copyOf(measurements);
    }

    /** The value, or empty when it is unknown (never measured, or stale). */
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

    public Optional<Measurement> measurement(MeasurementKey key) {
        return Optional.ofNullable(measurements.get(key));
    }
}
