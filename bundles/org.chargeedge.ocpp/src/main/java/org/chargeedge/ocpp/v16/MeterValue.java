package org.chargeedge.ocpp.v16;

import java.time.Instant;
import java.util.List;
import org.chargeedge.ocpp.v16.Spec.NonEmpty;

/** Sampled values taken at one point in time (MeterValue). */
public record MeterValue(
        Instant timestamp,
        @NonEmpty List<SampledValue> sampledValue) {
    public MeterValue {
        sampledValue = Lists.copy(sampledValue);
    }
}
