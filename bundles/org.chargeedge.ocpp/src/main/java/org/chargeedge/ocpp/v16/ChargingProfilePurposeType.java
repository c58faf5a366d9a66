package org.chargeedge.ocpp.v16;

/** Purpose of a charging profile. Constants are spelled as on the wire. */
public enum ChargingProfilePurposeType implements OcppEnum {
    ChargePointMaxProfile,
    TxDefaultProfile,
    TxProfile
}
