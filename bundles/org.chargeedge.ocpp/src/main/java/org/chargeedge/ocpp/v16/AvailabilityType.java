package org.chargeedge.ocpp.v16;

/** Requested availability in ChangeAvailability.req. Constants are spelled as on the wire. */
public enum AvailabilityType implements OcppEnum {
    Inoperative,
    Operative
}
