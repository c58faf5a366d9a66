-- V6: the charging profiles the CSMS set. The gateway answers the CSMS's SetChargingProfile,
-- ClearChargingProfile and GetCompositeSchedule in the charger's place and keeps the profiles here,
-- so they bound the charger's limit across restarts. One row per charger and profile id (a
-- charger replaces a profile of the same id); payload is the SetChargingProfile.req as the codec
-- writes it, the TxProfile's transactionId already the gateway's.
CREATE TABLE csms_charging_profile (
    charge_point_id      TEXT NOT NULL,
    profile_id           INTEGER NOT NULL,
    connector_id         INTEGER NOT NULL,
    payload              TEXT NOT NULL,
    set_at               INTEGER NOT NULL,
    PRIMARY KEY (charge_point_id, profile_id)
);
