package org.chargeedge.ocpp.v16;

/** Result of registration in response to BootNotification.req. Constants are spelled as on the wire. */
public enum RegistrationStatus implements OcppEnum {
    Accepted,
    Pending,
    Rejected
}
