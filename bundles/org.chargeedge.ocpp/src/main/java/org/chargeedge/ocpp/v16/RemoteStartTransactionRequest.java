package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** RemoteStartTransaction.req: the CALL payload of {@link Action#RemoteStartTransaction}. */
public record RemoteStartTransactionRequest(
        @Optional @Min(1) Integer connectorId,
        @CiString(20) String idTag,
        @Optional ChargingProfile chargingProfile) implements Request<RemoteStartTransactionConfirmation> {
    @Override
    public Action action() {
        return Action.RemoteStartTransaction;
    }
}
