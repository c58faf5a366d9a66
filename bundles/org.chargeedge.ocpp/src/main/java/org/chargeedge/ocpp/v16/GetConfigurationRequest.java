package org.chargeedge.ocpp.v16;

import java.util.List;
import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** GetConfiguration.req: the CALL payload of {@link Action#GetConfiguration}. */
public record GetConfigurationRequest(
        @Optional @CiString(50) List<String> key) implements Request<GetConfigurationConfirmation> {
    public GetConfigurationRequest {
        key = Lists.copy(key);
    }

    @Override
    public Action action() {
        return Action.GetConfiguration;
    }
}
