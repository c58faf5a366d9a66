package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** StatusNotification.req: the CALL payload of {@link Action#StatusNotification}. */
public record StatusNotificationRequest(
        @Min(0) int connectorId,
        ChargePointErrorCode errorCode,
        @Optional @CiString(50) String info,
        ChargePointStatus status,
        @Optional Instant timestamp,
        @Optional @CiString(255) String vendorId,
        @Optional @CiString(50) String vendorErrorCode) implements Request<StatusNotificationConfirmation> {
    @Override
    public Action action() {
        return Action.StatusNotification;
    }
}
