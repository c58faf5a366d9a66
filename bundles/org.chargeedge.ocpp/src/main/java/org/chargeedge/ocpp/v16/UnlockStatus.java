package org.chargeedge.ocpp.v16;

/** Result of UnlockConnector.req. Constants are spelled as on the wire. */
public enum UnlockStatus implements OcppEnum {
    Unlocked,
    UnlockFailed,
    NotSupported
}
