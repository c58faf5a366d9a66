package org.chargeedge.ocpp.v16;

/** Status of a charge point or connector in StatusNotification.req. Constants are spelled as on the wire. */
public enum ChargePointStatus implements OcppEnum {
    Available,
    Preparing,
    Charging,
    SuspendedEVSE,
    SuspendedEV,
    Finishing,
    Reserved,
    Unavailable,
    Faulted
}
