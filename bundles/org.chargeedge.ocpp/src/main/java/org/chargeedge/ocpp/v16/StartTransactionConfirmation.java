package org.chargeedge.ocpp.v16;

/** StartTransaction.conf: the CALLRESULT payload answering {@link Action#StartTransaction}. */
public record StartTransactionConfirmation(
        IdTagInfo idTagInfo,
        int transactionId) implements Confirmation {
    @Override
    public Action action() {
        return Action.StartTransaction;
    }
}
