-- V1: chargers, transactions, meter values, authorization list and cache, outbound queue.
-- Times are milliseconds since the epoch (UTC). Enumerations are stored with their OCPP wire
-- spelling; an optional OCPP field the charger left out is NULL (the specification's default applies).
-- No foreign keys: meter values and stops may name transactions the store never saw start.

CREATE TABLE charger (
    charge_point_id      TEXT PRIMARY KEY,
    vendor               TEXT,
    model                TEXT,
    charge_point_serial  TEXT,
    charge_box_serial    TEXT,
    firmware_version     TEXT,
    iccid                TEXT,
    imsi                 TEXT,
    meter_type           TEXT,
    meter_serial         TEXT,
    booted_at            INTEGER,
    last_seen_at         INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE connector_status (
    charge_point_id      TEXT NOT NULL,
    connector_id         INTEGER NOT NULL,
    status               TEXT NOT NULL,
    error_code           TEXT NOT NULL,
    info                 TEXT,
    vendor_id            TEXT,
    vendor_error_code    TEXT,
    status_at            INTEGER,
    received_at          INTEGER NOT NULL,
    PRIMARY KEY (charge_point_id, connector_id)
) WITHOUT ROWID;

CREATE TABLE charge_transaction (
    transaction_id       INTEGER PRIMARY KEY,
    charge_point_id      TEXT NOT NULL,
    connector_id         INTEGER NOT NULL,
    id_tag               TEXT COLLATE NOCASE,
    meter_start          INTEGER,
    started_at           INTEGER,
    reservation_id       INTEGER,
    start_status         TEXT,
    start_parent_id_tag  TEXT,
    start_received_at    INTEGER,
    state                TEXT NOT NULL CHECK (state IN ('Started', 'Stopped')),
    meter_stop           INTEGER,
    stopped_at           INTEGER,
    stop_id_tag          TEXT,
    reason               TEXT,
    stop_received_at     INTEGER,
    start_unknown        INTEGER NOT NULL DEFAULT 0 CHECK (start_unknown IN (0, 1))
);
CREATE INDEX charge_transaction_open_by_charger ON charge_transaction (charge_point_id) WHERE state = 'Started';
CREATE INDEX charge_transaction_open_by_id_tag ON charge_transaction (id_tag) WHERE state = 'Started';

-- One row per sampled value. Rows are appended in the order they are received, so rowid order is
-- received_at order; pruning walks it from the oldest end without an index on received_at.
CREATE TABLE meter_value (
    id                   INTEGER PRIMARY KEY,
    charge_point_id      TEXT NOT NULL,
    connector_id         INTEGER NOT NULL,
    transaction_id       INTEGER,
    sampled_at           INTEGER NOT NULL,
    value                TEXT NOT NULL,
    context              TEXT,
    format               TEXT,
    measurand            TEXT,
    phase                TEXT,
    location             TEXT,
    unit                 TEXT,
    received_at          INTEGER NOT NULL,
    delivered_upstream   INTEGER NOT NULL DEFAULT 0 CHECK (delivered_upstream IN (0, 1))
);
CREATE INDEX meter_value_by_transaction ON meter_value (transaction_id) WHERE transaction_id IS NOT NULL;

-- The local authorization list: one row for the version, one per entry.
CREATE TABLE authorization_list (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    version              INTEGER NOT NULL
);
CREATE TABLE authorization_list_entry (
    id_tag               TEXT PRIMARY KEY COLLATE NOCASE,
    status               TEXT,
    expiry_date          INTEGER,
    parent_id_tag        TEXT
) WITHOUT ROWID;

CREATE TABLE authorization_cache (
    id_tag               TEXT PRIMARY KEY COLLATE NOCASE,
    status               TEXT NOT NULL,
    expiry_date          INTEGER,
    parent_id_tag        TEXT,
    cached_at            INTEGER NOT NULL
) WITHOUT ROWID;

-- Messages waiting to go upstream, per charger in sequence order. The last sequence given out is
-- kept apart so that a sequence is never reused after the queue has been emptied.
CREATE TABLE outbound_message (
    charge_point_id      TEXT NOT NULL,
    sequence             INTEGER NOT NULL,
    action               TEXT NOT NULL,
    payload              TEXT NOT NULL,
    queued_at            INTEGER NOT NULL,
    PRIMARY KEY (charge_point_id, sequence)
) WITHOUT ROWID;
CREATE TABLE outbound_sequence (
    charge_point_id      TEXT PRIMARY KEY,
    last_sequence        INTEGER NOT NULL
) WITHOUT ROWID;
