package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** StartTransaction.req: the CALL payload of {@link Action#StartTransaction}. */
public record StartTransactionRequest(
        @Min(1) int connectorId,
        @CiString(20) String idTag,
        int meterStart,
        @Optional Integer reservationId,
        Instant timestamp) implements Request<StartTransactionConfirmation> {
    @Override
    public Action action() {
        return Action.StartTransaction;
    }
}
