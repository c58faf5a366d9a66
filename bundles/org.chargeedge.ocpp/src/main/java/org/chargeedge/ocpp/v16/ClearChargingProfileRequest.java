package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** ClearChargingProfile.req: the CALL payload of {@link Action#ClearChargingProfile}. */
public record ClearChargingProfileRequest(
        @Optional Integer id,
        @Optional @Min(0) Integer connectorId,
        @Optional ChargingProfilePurposeType chargingProfilePurpose,
        @Optional @Min(0) Integer stackLevel) implements Request<ClearChargingProfileConfirmation> {
    @Override
    public Action action() {
        return Action.ClearChargingProfile;
    }
}
