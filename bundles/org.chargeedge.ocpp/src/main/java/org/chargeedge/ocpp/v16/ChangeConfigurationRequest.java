package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.CiString;

/** ChangeConfiguration.req: the CALL payload of {@link Action#ChangeConfiguration}. */
public record ChangeConfigurationRequest(
        @CiString(50) String key,
        @CiString(500) String value) implements Request<ChangeConfigurationConfirmation> {
    @Override
    public Action action() {
        return Action.ChangeConfiguration;
    }
}
