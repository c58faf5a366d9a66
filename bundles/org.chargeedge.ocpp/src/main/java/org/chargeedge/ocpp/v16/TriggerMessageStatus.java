package org.chargeedge.ocpp.v16;

/** Result of TriggerMessage.req. Constants are spelled as on the wire. */
public enum TriggerMessageStatus implements OcppEnum {
    Accepted,
    Rejected,
    NotImplemented
}
