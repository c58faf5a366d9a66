package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.Min;

/** BootNotification.conf: the CALLRESULT payload answering {@link Action#BootNotification}. */
public record BootNotificationConfirmation(
        Instant currentTime,
        @Min(0) int interval,
        RegistrationStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.BootNotification;
    }
}
