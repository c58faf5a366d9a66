package org.chargeedge.ocpp.v16;

/** Result of ChangeAvailability.req. Constants are spelled as on the wire. */
public enum AvailabilityStatus implements OcppEnum {
    Accepted,
    Rejected,
    Scheduled
}
