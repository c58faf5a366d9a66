package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** GetDiagnostics.conf: the CALLRESULT payload answering {@link Action#GetDiagnostics}. */
public record GetDiagnosticsConfirmation(
        @Optional @CiString(255) String fileName) implements Confirmation {
    @Override
    public Action action() {
        return Action.GetDiagnostics;
    }
}
