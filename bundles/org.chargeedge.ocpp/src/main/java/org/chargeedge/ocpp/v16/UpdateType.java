package org.chargeedge.ocpp.v16;

/** Type of update in SendLocalList.req. Constants are spelled as on the wire. */
public enum UpdateType implements OcppEnum {
    Differential,
    Full
}
