package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Min;

/** ChangeAvailability.req: the CALL payload of {@link Action#ChangeAvailability}. */
public record ChangeAvailabilityRequest(
        @Min(0) int connectorId,
        AvailabilityType type) implements Request<ChangeAvailabilityConfirmation> {
    @Override
    public Action action() {
        return Action.ChangeAvailability;
    }
}
