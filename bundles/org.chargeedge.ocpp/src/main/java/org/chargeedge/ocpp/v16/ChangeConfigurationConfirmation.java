package org.chargeedge.ocpp.v16;

/** ChangeConfiguration.conf: the CALLRESULT payload answering {@link Action#ChangeConfiguration}. */
public record ChangeConfigurationConfirmation(
        ConfigurationStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.ChangeConfiguration;
    }
}
