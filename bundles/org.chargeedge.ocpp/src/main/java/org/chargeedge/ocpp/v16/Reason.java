package org.chargeedge.ocpp.v16;

/** Reason for stopping a transaction in StopTransaction.req. Constants are spelled as on the wire. */
public enum Reason implements OcppEnum {
    DeAuthorized,
    EmergencyStop,
    EVDisconnected,
    HardReset,
    Local,
    Other,
    PowerLoss,
    Reboot,
    Remote,
    SoftReset,
    UnlockCommand
}
