package org.chargeedge.ocpp.v16;

/** SendLocalList.conf: the CALLRESULT payload answering {@link Action#SendLocalList}. */
public record SendLocalListConfirmation(
        UpdateStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.SendLocalList;
    }
}
