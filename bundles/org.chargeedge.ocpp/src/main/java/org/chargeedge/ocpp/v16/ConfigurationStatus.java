package org.chargeedge.ocpp.v16;

/** Result of ChangeConfiguration.req. Constants are spelled as on the wire. */
public enum ConfigurationStatus implements OcppEnum {
    Accepted,
    Rejected,
    RebootRequired,
    NotSupported
}
