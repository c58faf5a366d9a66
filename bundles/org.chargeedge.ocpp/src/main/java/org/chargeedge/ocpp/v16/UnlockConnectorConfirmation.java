package org.chargeedge.ocpp.v16;

/** UnlockConnector.conf: the CALLRESULT payload answering {@link Action#UnlockConnector}. */
public record UnlockConnectorConfirmation(
        UnlockStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.UnlockConnector;
    }
}
