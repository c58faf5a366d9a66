package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** GetDiagnostics.req: the CALL payload of {@link Action#GetDiagnostics}. */
public record GetDiagnosticsRequest(
        String location,
        @Optional @Min(0) Integer retries,
        @Optional @Min(0) Integer retryInterval,
        @Optional Instant startTime,
        @Optional Instant stopTime) implements Request<GetDiagnosticsConfirmation> {
    @Override
    public Action action() {
        return Action.GetDiagnostics;
    }
}
