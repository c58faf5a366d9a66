package org.chargeedge.ocpp.v16;

import java.time.Instant;
import java.util.List;
import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** StopTransaction.req: the CALL payload of {@link Action#StopTransaction}. */
public record StopTransactionRequest(
        @Optional @CiString(20) String idTag,
        int meterStop,
        Instant timestamp,
        int transactionId,
        @Optional Reason reason,
        @Optional List<MeterValue> transactionData) implements Request<StopTransactionConfirmation> {
    public StopTransactionRequest {
        transactionData = Lists.copy(transactionData);
    }

    @Override
    public Action action() {
        return Action.StopTransaction;
    }
}
