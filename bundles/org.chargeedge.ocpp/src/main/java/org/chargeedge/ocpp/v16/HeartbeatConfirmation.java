package org.chargeedge.ocpp.v16;

import java.time.Instant;

/** Heartbeat.conf: the CALLRESULT payload answering {@link Action#Heartbeat}. */
public record HeartbeatConfirmation(
        Instant currentTime) implements Confirmation {
    @Override
    public Action action() {
        return Action.Heartbeat;
    }
}
