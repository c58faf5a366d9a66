package org.chargeedge.ocpp.v16;

/** Format of a sampled value. Constants are spelled as on the wire. */
public enum ValueFormat implements OcppEnum {
    Raw,
    SignedData
}
