package org.chargeedge.ocpp.v16;

/** Status in FirmwareStatusNotification.req. Constants are spelled as on the wire. */
public enum FirmwareStatus implements OcppEnum {
    Downloaded,
    DownloadFailed,
    Downloading,
    Idle,
    InstallationFailed,
    Installing,
    Installed
}
