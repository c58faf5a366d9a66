package org.chargeedge.ocpp.v16;

/** Status in DiagnosticsStatusNotification.req. Constants are spelled as on the wire. */
public enum DiagnosticsStatus implements OcppEnum {
    Idle,
    Uploaded,
    UploadFailed,
    Uploading
}
