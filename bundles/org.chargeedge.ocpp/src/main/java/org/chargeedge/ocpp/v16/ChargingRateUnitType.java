package org.chargeedge.ocpp.v16;

/** Unit of a charging schedule: watts or amperes. Constants are spelled as on the wire. */
public enum ChargingRateUnitType implements OcppEnum {
    W,
    A
}
