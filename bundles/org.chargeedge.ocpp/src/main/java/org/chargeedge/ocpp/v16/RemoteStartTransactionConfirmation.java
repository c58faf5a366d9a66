package org.chargeedge.ocpp.v16;

/** RemoteStartTransaction.conf: the CALLRESULT payload answering {@link Action#RemoteStartTransaction}. */
public record RemoteStartTransactionConfirmation(
        RemoteStartStopStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.RemoteStartTransaction;
    }
}
