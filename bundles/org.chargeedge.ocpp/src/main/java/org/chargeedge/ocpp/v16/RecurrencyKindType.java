package org.chargeedge.ocpp.v16;

/** Recurrence of a recurring charging profile. Constants are spelled as on the wire. */
public enum RecurrencyKindType implements OcppEnum {
    Daily,
    Weekly
}
