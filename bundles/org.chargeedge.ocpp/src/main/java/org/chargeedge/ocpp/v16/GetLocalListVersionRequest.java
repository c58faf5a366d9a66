package org.chargeedge.ocpp.v16;

/** GetLocalListVersion.req: the CALL payload of {@link Action#GetLocalListVersion}. */
public record GetLocalListVersionRequest() implements Request<GetLocalListVersionConfirmation> {
    @Override
    public Action action() {
        return Action.GetLocalListVersion;
    }
}
