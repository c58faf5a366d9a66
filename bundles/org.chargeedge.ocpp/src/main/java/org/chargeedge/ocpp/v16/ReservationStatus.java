package org.chargeedge.ocpp.v16;

/** Result of ReserveNow.req. Constants are spelled as on the wire. */
public enum ReservationStatus implements OcppEnum {
    Accepted,
    Faulted,
    Occupied,
    Rejected,
    Unavailable
}
