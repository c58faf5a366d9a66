package org.chargeedge.ocpp.v16;

/** Why a value was sampled. The wire spelling is {@link #value()}. */
public enum ReadingContext implements OcppEnum {
    InterruptionBegin("Interruption.Begin"),
    InterruptionEnd("Interruption.End"),
    Other("Other"),
    SampleClock("Sample.Clock"),
    SamplePeriodic("Sample.Periodic"),
    TransactionBegin("Transaction.Begin"),
    TransactionEnd("Transaction.End"),
    Trigger("Trigger");

    private final String value;

    ReadingContext(String value) {
        this.value = value;
    }

    @Override
    public String value() {
        return value;
    }
}
