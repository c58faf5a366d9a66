package org.chargeedge.ocpp.v16;

/** Message requested by TriggerMessage.req. Constants are spelled as on the wire. */
public enum MessageTrigger implements OcppEnum {
    BootNotification,
    DiagnosticsStatusNotification,
    FirmwareStatusNotification,
    Heartbeat,
    MeterValues,
    StatusNotification
}
