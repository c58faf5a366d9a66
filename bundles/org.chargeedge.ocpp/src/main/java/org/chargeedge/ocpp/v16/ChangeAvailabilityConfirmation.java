package org.chargeedge.ocpp.v16;

/** ChangeAvailability.conf: the CALLRESULT payload answering {@link Action#ChangeAvailability}. */
public record ChangeAvailabilityConfirmation(
        AvailabilityStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.ChangeAvailability;
    }
}
