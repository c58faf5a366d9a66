package org.chargeedge.ocpp.v16;

/** Result of RemoteStartTransaction.req and RemoteStopTransaction.req. Constants are spelled as on the wire. */
public enum RemoteStartStopStatus implements OcppEnum {
    Accepted,
    Rejected
}
