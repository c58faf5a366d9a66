package org.chargeedge.ocpp.v16;

/** CancelReservation.conf: the CALLRESULT payload answering {@link Action#CancelReservation}. */
public record CancelReservationConfirmation(
        CancelReservationStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.CancelReservation;
    }
}
