package org.chargeedge.ocpp.v16;

/** Type of reset requested by Reset.req. Constants are spelled as on the wire. */
public enum ResetType implements OcppEnum {
    Hard,
    Soft
}
