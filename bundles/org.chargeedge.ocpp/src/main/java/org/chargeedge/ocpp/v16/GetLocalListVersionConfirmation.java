package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Min;

/** GetLocalListVersion.conf: the CALLRESULT payload answering {@link Action#GetLocalListVersion}. */
public record GetLocalListVersionConfirmation(
        @Min(-1) int listVersion) implements Confirmation {
    @Override
    public Action action() {
        return Action.GetLocalListVersion;
    }
}
