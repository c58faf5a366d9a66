package org.chargeedge.ocpp.v16;

/** TriggerMessage.conf: the CALLRESULT payload answering {@link Action#TriggerMessage}. */
public record TriggerMessageConfirmation(
        TriggerMessageStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.TriggerMessage;
    }
}
