package org.chargeedge.ocpp.v16;

/** Result of ClearChargingProfile.req. Constants are spelled as on the wire. */
public enum ClearChargingProfileStatus implements OcppEnum {
    Accepted,
    Unknown
}
