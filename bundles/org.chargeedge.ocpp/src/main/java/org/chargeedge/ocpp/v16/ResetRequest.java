package org.chargeedge.ocpp.v16;

/** Reset.req: the CALL payload of {@link Action#Reset}. */
public record ResetRequest(
        ResetType type) implements Request<ResetConfirmation> {
    @Override
    public Action action() {
        return Action.Reset;
    }
}
