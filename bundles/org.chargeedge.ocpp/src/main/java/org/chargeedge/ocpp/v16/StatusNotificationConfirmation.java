package org.chargeedge.ocpp.v16;

/** StatusNotification.conf: the CALLRESULT payload answering {@link Action#StatusNotification}. */
public record StatusNotificationConfirmation() implements Confirmation {
    @Override
    public Action action() {
        return Action.StatusNotification;
    }
}
