package org.chargeedge.ocpp.v16;

/** Result of DataTransfer.req. Constants are spelled as on the wire. */
public enum DataTransferStatus implements OcppEnum {
    Accepted,
    Rejected,
    UnknownMessageId,
    UnknownVendorId
}
