package org.chargeedge.ocpp.v16;

/** FirmwareStatusNotification.conf: the CALLRESULT payload answering {@link Action#FirmwareStatusNotification}. */
public record FirmwareStatusNotificationConfirmation() implements Confirmation {
    @Override
    public Action action() {
        return Action.FirmwareStatusNotification;
    }
}
