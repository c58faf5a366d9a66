package org.chargeedge.ocpp.v16;

/** RemoteStopTransaction.conf: the CALLRESULT payload answering {@link Action#RemoteStopTransaction}. */
public record RemoteStopTransactionConfirmation(
        RemoteStartStopStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.RemoteStopTransaction;
    }
}
