package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Max;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** One period of a charging schedule (ChargingSchedulePeriod); {@code startPeriod} in seconds from the start of the schedule. */
public record ChargingSchedulePeriod(
        @Min(0) int startPeriod,
        @Min(0) double limit,
        @Optional @Min(1) @Max(3) Integer numberPhases) {
}
