package org.chargeedge.ocpp.v16;

/** Authorize.conf: the CALLRESULT payload answering {@link Action#Authorize}. */
public record AuthorizeConfirmation(
        IdTagInfo idTagInfo) implements Confirmation {
    @Override
    public Action action() {
        return Action.Authorize;
    }
}
