package org.chargeedge.ocpp.v16;

/** Result of SetChargingProfile.req. Constants are spelled as on the wire. */
public enum ChargingProfileStatus implements OcppEnum {
    Accepted,
    Rejected,
    NotSupported
}
