package org.chargeedge.ocpp.v16;

/** CancelReservation.req: the CALL payload of {@link Action#CancelReservation}. */
public record CancelReservationRequest(
        int reservationId) implements Request<CancelReservationConfirmation> {
    @Override
    public Action action() {
        return Action.CancelReservation;
    }
}
