package org.chargeedge.ocpp.v16;

/** Reset.conf: the CALLRESULT payload answering {@link Action#Reset}. */
public record ResetConfirmation(
        ResetStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.Reset;
    }
}
