package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** GetCompositeSchedule.req: the CALL payload of {@link Action#GetCompositeSchedule}. */
public record GetCompositeScheduleRequest(
        @Min(0) int connectorId,
        @Min(0) int duration,
        @Optional ChargingRateUnitType chargingRateUnit) implements Request<GetCompositeScheduleConfirmation> {
    @Override
    public Action action() {
        return Action.GetCompositeSchedule;
    }
}
