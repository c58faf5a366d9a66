package org.chargeedge.ocpp.v16;

/** Kind of a charging profile. Constants are spelled as on the wire. */
public enum ChargingProfileKindType implements OcppEnum {
    Absolute,
    Recurring,
    Relative
}
