package org.chargeedge.ocpp.v16;

/** Phase(s) a value applies to, from the meter's point of view. The wire spelling is {@link #value()}. */
public enum Phase implements OcppEnum {
    L1("L1"),
    L2("L2"),
    L3("L3"),
    N("N"),
    L1_N("L1-N"),
    L2_N("L2-N"),
    L3_N("L3-N"),
    L1_L2("L1-L2"),
    L2_L3("L2-L3"),
    L3_L1("L3-L1");

    private final String value;

    Phase(String value) {
        this.value = value;
    }

    @Override
    public String value() {
        return value;
    }
}
