package org.chargeedge.ocpp.v16;

/** SetChargingProfile.conf: the CALLRESULT payload answering {@link Action#SetChargingProfile}. */
public record SetChargingProfileConfirmation(
        ChargingProfileStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.SetChargingProfile;
    }
}
