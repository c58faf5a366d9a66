package org.chargeedge.ocpp.v16;

/** MeterValues.conf: the CALLRESULT payload answering {@link Action#MeterValues}. */
public record MeterValuesConfirmation() implements Confirmation {
    @Override
    public Action action() {
        return Action.MeterValues;
    }
}
