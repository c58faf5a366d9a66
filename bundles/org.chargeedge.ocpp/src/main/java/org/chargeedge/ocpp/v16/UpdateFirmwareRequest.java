package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** UpdateFirmware.req: the CALL payload of {@link Action#UpdateFirmware}. */
public record UpdateFirmwareRequest(
        String location,
        @Optional @Min(0) Integer retries,
        Instant retrieveDate,
        @Optional @Min(0) Integer retryInterval) implements Request<UpdateFirmwareConfirmation> {
    @Override
    public Action action() {
        return Action.UpdateFirmware;
    }
}
