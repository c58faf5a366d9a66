package org.chargeedge.ocpp.v16;

/** RemoteStopTransaction.req: the CALL payload of {@link Action#RemoteStopTransaction}. */
public record RemoteStopTransactionRequest(
        int transactionId) implements Request<RemoteStopTransactionConfirmation> {
    @Override
    public Action action() {
        return Action.RemoteStopTransaction;
    }
}
