package org.chargeedge.ocpp.v16;

import java.time.Instant;
import java.util.List;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.NonEmpty;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** A charging schedule (ChargingSchedule); {@code duration} in seconds. */
public record ChargingSchedule(
        @Optional @Min(0) Integer duration,
        @Optional Instant startSchedule,
        ChargingRateUnitType chargingRateUnit,
        @NonEmpty List<ChargingSchedulePeriod> chargingSchedulePeriod,
        @Optional @Min(0) Double minChargingRate) {
    public ChargingSchedule {
        chargingSchedulePeriod = Lists.copy(chargingSchedulePeriod);
    }
}
