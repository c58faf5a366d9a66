-- V2: the upstream link's transaction id map and its parked messages.

-- One row per transaction the gateway queued for the CSMS. start_key identifies a StartTransaction
-- by its content (connector, idTag, meterStart, timestamp), so a charger resending a start whose
-- answer it lost gets the same gateway id instead of a second transaction upstream. csms_id is set
-- once the CSMS answered the start; stop_queued once the stop is queued, so it is queued once.
CREATE TABLE transaction_id_map (
    gateway_id           INTEGER PRIMARY KEY,
    charge_point_id      TEXT NOT NULL,
    start_key            TEXT,
    csms_id              INTEGER,
    stop_queued          INTEGER NOT NULL DEFAULT 0 CHECK (stop_queued IN (0, 1))
);
CREATE UNIQUE INDEX transaction_id_map_by_start ON transaction_id_map (charge_point_id, start_key)
    WHERE start_key IS NOT NULL;
CREATE INDEX transaction_id_map_by_csms_id ON transaction_id_map (charge_point_id, csms_id)
    WHERE csms_id IS NOT NULL;

-- Queued messages the CSMS refused for good, out of the queue until the operator replays them.
CREATE TABLE outbound_parked (
    charge_point_id      TEXT NOT NULL,
    sequence             INTEGER NOT NULL,
    action               TEXT NOT NULL,
    payload              TEXT NOT NULL,
    queued_at            INTEGER NOT NULL,
    reason               TEXT NOT NULL,
    parked_at            INTEGER NOT NULL,
    PRIMARY KEY (charge_point_id, sequence)
) WITHOUT ROWID;
