package org.chargeedge.ocpp.v16;

import java.util.List;
import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** GetConfiguration.conf: the CALLRESULT payload answering {@link Action#GetConfiguration}. */
public record GetConfigurationConfirmation(
        @Optional List<KeyValue> configurationKey,
        @Optional @CiString(50) List<String> unknownKey) implements Confirmation {
    public GetConfigurationConfirmation {
        configurationKey = Lists.copy(configurationKey);
        unknownKey = Lists.copy(unknownKey);
    }

    @Override
    public Action action() {
        return Action.GetConfiguration;
    }
}
