package org.chargeedge.ocpp.v16;

/** Result of SendLocalList.req. Constants are spelled as on the wire. */
public enum UpdateStatus implements OcppEnum {
    Accepted,
    Failed,
    NotSupported,
    VersionMismatch
}
