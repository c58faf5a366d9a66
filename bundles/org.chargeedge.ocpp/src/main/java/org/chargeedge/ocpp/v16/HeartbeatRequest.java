package org.chargeedge.ocpp.v16;

/** Heartbeat.req: the CALL payload of {@link Action#Heartbeat}. */
public record HeartbeatRequest() implements Request<HeartbeatConfirmation> {
    @Override
    public Action action() {
        return Action.Heartbeat;
    }
}
