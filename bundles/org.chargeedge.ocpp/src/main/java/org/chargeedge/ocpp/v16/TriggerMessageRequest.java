package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** TriggerMessage.req: the CALL payload of {@link Action#TriggerMessage}. */
public record TriggerMessageRequest(
        MessageTrigger requestedMessage,
        @Optional @Min(1) Integer connectorId) implements Request<TriggerMessageConfirmation> {
    @Override
    public Action action() {
        return Action.TriggerMessage;
    }
}
