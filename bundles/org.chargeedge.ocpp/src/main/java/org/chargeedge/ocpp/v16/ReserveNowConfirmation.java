package org.chargeedge.ocpp.v16;

/** ReserveNow.conf: the CALLRESULT payload answering {@link Action#ReserveNow}. */
public record ReserveNowConfirmation(
        ReservationStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.ReserveNow;
    }
}
