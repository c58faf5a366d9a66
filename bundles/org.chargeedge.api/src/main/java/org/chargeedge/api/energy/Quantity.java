package org.chargeedge.api.energy;

/** What is measured, and its unit in the model. */
public enum Quantity {
    /** Active power, W. */
    POWER("W"),
    /** Current, A. */
    CURRENT("A"),
    /** Voltage, V. */
    VOLTAGE("V"),
    /** Energy register, Wh. */
    ENERGY("Wh"),
    /** State of charge, %. */
    STATE_OF_CHARGE("%");

    private final String unit;

    Quantity(String unit) {
        this.unit = unit;
    }

    public String unit() {
        return unit;
    }
}
