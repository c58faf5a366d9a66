package org.chargeedge.ocpp.v16;

/** Result of GetCompositeSchedule.req. Constants are spelled as on the wire. */
public enum GetCompositeScheduleStatus implements OcppEnum {
    Accepted,
    Rejected
}
