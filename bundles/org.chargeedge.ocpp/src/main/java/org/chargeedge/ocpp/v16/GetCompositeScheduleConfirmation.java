package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** GetCompositeSchedule.conf: the CALLRESULT payload answering {@link Action#GetCompositeSchedule}. */
public record GetCompositeScheduleConfirmation(
        GetCompositeScheduleStatus status,
        @Optional @Min(0) Integer connectorId,
        @Optional Instant scheduleStart,
        @Optional ChargingSchedule chargingSchedule) implements Confirmation {
    @Override
    public Action action() {
        return Action.GetCompositeSchedule;
    }
}
