package org.chargeedge.ocpp.v16;

/** DiagnosticsStatusNotification.conf: the CALLRESULT payload answering {@link Action#DiagnosticsStatusNotification}. */
public record DiagnosticsStatusNotificationConfirmation() implements Confirmation {
    @Override
    public Action action() {
        return Action.DiagnosticsStatusNotification;
    }
}
