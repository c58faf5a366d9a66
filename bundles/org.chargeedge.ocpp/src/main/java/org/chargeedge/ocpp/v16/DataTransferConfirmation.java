package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Optional;

/** DataTransfer.conf: the CALLRESULT payload answering {@link Action#DataTransfer}. */
public record DataTransferConfirmation(
        DataTransferStatus status,
        @Optional String data) implements Confirmation {
    @Override
    public Action action() {
        return Action.DataTransfer;
    }
}
