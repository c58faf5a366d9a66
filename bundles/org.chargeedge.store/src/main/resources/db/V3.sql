-- V3: what makes a charger's resend harmless, and refusal counts that survive a restart.

-- The digest (SHA-256 of the canonical JSON) of the last MeterValues recorded per connector. A
-- charger that got no answer sends the same MeterValues again; identical sampled values with
-- identical timestamps are the same reading, so a request equal to the last one is not recorded twice.
CREATE TABLE meter_values_last (
    charge_point_id      TEXT NOT NULL,
    connector_id         INTEGER NOT NULL,
    digest               BLOB NOT NULL,
    PRIMARY KEY (charge_point_id, connector_id)
) WITHOUT ROWID;

-- The same for the outbound queue, per charger and stream (for example MeterValues of one connector):
-- the digest of the payload last appended on it.
CREATE TABLE outbound_stream_last (
    charge_point_id      TEXT NOT NULL,
    stream               TEXT NOT NULL,
    digest               BLOB NOT NULL,
    PRIMARY KEY (charge_point_id, stream)
) WITHOUT ROWID;

-- How many times the upstream CSMS refused (CALLERROR) a queued message.
ALTER TABLE outbound_message ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;

-- How many messages each charger has queued, kept by every write that appends or removes them, so
-- the queue depth the site view shows is one row read, not a count over a backlog.
ALTER TABLE outbound_sequence ADD COLUMN queued INTEGER NOT NULL DEFAULT 0;
UPDATE outbound_sequence SET queued = (SELECT COUNT(*) FROM outbound_message m
    WHERE m.charge_point_id = outbound_sequence.charge_point_id);
