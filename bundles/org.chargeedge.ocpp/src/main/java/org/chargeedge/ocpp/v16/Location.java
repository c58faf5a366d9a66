package org.chargeedge.ocpp.v16;

/** Where a value was measured. Constants are spelled as on the wire. */
public enum Location implements OcppEnum {
    Body,
    Cable,
    EV,
    Inlet,
    Outlet
}
