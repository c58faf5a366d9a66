package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Min;

/** UnlockConnector.req: the CALL payload of {@link Action#UnlockConnector}. */
public record UnlockConnectorRequest(
        @Min(1) int connectorId) implements Request<UnlockConnectorConfirmation> {
    @Override
    public Action action() {
        return Action.UnlockConnector;
    }
}
