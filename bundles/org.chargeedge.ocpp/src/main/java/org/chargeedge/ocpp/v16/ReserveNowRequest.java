package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** ReserveNow.req: the CALL payload of {@link Action#ReserveNow}. */
public record ReserveNowRequest(
        @Min(0) int connectorId,
        Instant expiryDate,
        @CiString(20) String idTag,
        @Optional @CiString(20) String parentIdTag,
        int reservationId) implements Request<ReserveNowConfirmation> {
    @Override
    public Action action() {
        return Action.ReserveNow;
    }
}
