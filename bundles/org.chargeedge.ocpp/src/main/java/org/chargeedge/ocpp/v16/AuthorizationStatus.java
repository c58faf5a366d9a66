package org.chargeedge.ocpp.v16;

/** Whether an identifier is allowed to charge. Constants are spelled as on the wire. */
public enum AuthorizationStatus implements OcppEnum {
    Accepted,
    Blocked,
    Expired,
    Invalid,
    ConcurrentTx
}
