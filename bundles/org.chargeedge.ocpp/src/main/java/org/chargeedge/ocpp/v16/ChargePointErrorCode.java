package org.chargeedge.ocpp.v16;

/** Error code reported in StatusNotification.req. Constants are spelled as on the wire. */
public enum ChargePointErrorCode implements OcppEnum {
    ConnectorLockFailure,
    EVCommunicationError,
    GroundFailure,
    HighTemperature,
    InternalError,
    LocalListConflict,
    NoError,
    OtherError,
    OverCurrentFailure,
    PowerMeterFailure,
    PowerSwitchFailure,
    ReaderFailure,
    ResetFailure,
    UnderVoltage,
    OverVoltage,
    WeakSignal
}
