package org.chargeedge.ocpp.v16;

/** FirmwareStatusNotification.req: the CALL payload of {@link Action#FirmwareStatusNotification}. */
public record FirmwareStatusNotificationRequest(
        FirmwareStatus status) implements Request<FirmwareStatusNotificationConfirmation> {
    @Override
    public Action action() {
        return Action.FirmwareStatusNotification;
    }
}
