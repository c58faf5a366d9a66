package org.chargeedge.ocpp.v16;

/** DiagnosticsStatusNotification.req: the CALL payload of {@link Action#DiagnosticsStatusNotification}. */
public record DiagnosticsStatusNotificationRequest(
        DiagnosticsStatus status) implements Request<DiagnosticsStatusNotificationConfirmation> {
    @Override
    public Action action() {
        return Action.DiagnosticsStatusNotification;
    }
}
