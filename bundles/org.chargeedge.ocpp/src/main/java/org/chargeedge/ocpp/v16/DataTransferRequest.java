package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** DataTransfer.req: the CALL payload of {@link Action#DataTransfer}. */
public record DataTransferRequest(
        @CiString(255) String vendorId,
        @Optional @CiString(50) String messageId,
        @Optional String data) implements Request<DataTransferConfirmation> {
    @Override
    public Action action() {
        return Action.DataTransfer;
    }
}
