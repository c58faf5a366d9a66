package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.CiString;

/** Authorize.req: the CALL payload of {@link Action#Authorize}. */
public record AuthorizeRequest(
        @CiString(20) String idTag) implements Request<AuthorizeConfirmation> {
    @Override
    public Action action() {
        return Action.Authorize;
    }
}
