package org.chargeedge.ocpp.v16;

/** ClearChargingProfile.conf: the CALLRESULT payload answering {@link Action#ClearChargingProfile}. */
public record ClearChargingProfileConfirmation(
        ClearChargingProfileStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.ClearChargingProfile;
    }
}
