package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** A charging profile (ChargingProfile). */
public record ChargingProfile(
        int chargingProfileId,
        @Optional Integer transactionId,
        @Min(0) int stackLevel,
        ChargingProfilePurposeType chargingProfilePurpose,
        ChargingProfileKindType chargingProfileKind,
        @Optional RecurrencyKindType recurrencyKind,
        @Optional Instant validFrom,
        @Optional Instant validTo,
        ChargingSchedule chargingSchedule) {
}
