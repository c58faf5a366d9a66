package org.chargeedge.ocpp.v16;

/** Result of CancelReservation.req. Constants are spelled as on the wire. */
public enum CancelReservationStatus implements OcppEnum {
    Accepted,
    Rejected
}
