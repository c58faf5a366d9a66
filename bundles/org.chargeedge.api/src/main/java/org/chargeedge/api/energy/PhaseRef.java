package org.chargeedge.api.energy;

/** The phase a measurement belongs to, or the total over all phases. */
public enum PhaseRef {
    TOTAL, L1, L2, L3
}
