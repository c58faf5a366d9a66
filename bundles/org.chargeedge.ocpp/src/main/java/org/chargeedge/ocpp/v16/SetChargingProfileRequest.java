package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Min;

/** SetChargingProfile.req: the CALL payload of {@link Action#SetChargingProfile}. */
public record SetChargingProfileRequest(
        @Min(0) int connectorId,
        ChargingProfile csChargingProfiles) implements Request<SetChargingProfileConfirmation> {
    @Override
    public Action action() {
        return Action.SetChargingProfile;
    }
}
