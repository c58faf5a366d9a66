package org.chargeedge.api.energy;

import java.util.Objects;

/** Which value: meter, quantity and phase, e.g. grid / CURRENT / L2. */
public record MeasurementKey(Meter meter, Quantity quantity, PhaseRef phase) {

    public MeasurementKey {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(phase, "phase");
    }

    public static MeasurementKey of(Meter meter, Quantity quantity) {
        return new MeasurementKey(meter, quantity, PhaseRef.TOTAL);
    }

    @Override
    public String toString() {
        return meter + "/" + quantity + (phase == PhaseRef.TOTAL ? "" : "/" + phase);
    }
}
