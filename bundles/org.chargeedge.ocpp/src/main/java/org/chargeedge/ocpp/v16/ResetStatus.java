package org.chargeedge.ocpp.v16;

/** Result of Reset.req. Constants are spelled as on the wire. */
public enum ResetStatus implements OcppEnum {
    Accepted,
    Rejected
}
