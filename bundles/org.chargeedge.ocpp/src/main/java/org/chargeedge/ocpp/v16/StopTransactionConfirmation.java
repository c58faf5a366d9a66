package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Optional;

/** StopTransaction.conf: the CALLRESULT payload answering {@link Action#StopTransaction}. */
public record StopTransactionConfirmation(
        @Optional IdTagInfo idTagInfo) implements Confirmation {
    @Override
    public Action action() {
        return Action.StopTransaction;
    }
}
