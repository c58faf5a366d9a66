-- V4: the outbound journal belongs to the store. Whether a message must go to the CSMS is decided
-- when the store records it, in the same commit, not by whichever upstream bundle runs at that
-- moment. The upstream link reads the journal and keeps its delivered position per charger.

-- A rowid table: entries are appended in commit order at the end of its b-tree, whatever the charger,
-- and their payloads (hundreds of bytes) stay out of the index on (charger, sequence). As a WITHOUT
-- ROWID table keyed by charger, every commit would rewrite pages all over the tree.
CREATE TABLE outbound_journal (
    id                   INTEGER PRIMARY KEY,
    charge_point_id      TEXT NOT NULL,
    sequence             INTEGER NOT NULL,
    action               TEXT NOT NULL,
    payload              TEXT NOT NULL,
    queued_at            INTEGER NOT NULL,
    refusals             INTEGER NOT NULL DEFAULT 0,
    transaction_id       INTEGER
);
INSERT INTO outbound_journal (charge_point_id, sequence, action, payload, queued_at, refusals)
    SELECT charge_point_id, sequence, action, payload, queued_at, refusals FROM outbound_message
    ORDER BY queued_at, charge_point_id, sequence;
DROP TABLE outbound_message;
CREATE UNIQUE INDEX outbound_journal_by_charger ON outbound_journal (charge_point_id, sequence);

-- The gateway transaction a message belongs to: the id given to a StartTransaction, the id a
-- MeterValues or StopTransaction names. Before V4 a start was found through its start key.
UPDATE outbound_journal SET transaction_id = json_extract(payload, '$.transactionId')
    WHERE action <> 'StartTransaction';
UPDATE outbound_journal SET transaction_id = (SELECT m.gateway_id FROM transaction_id_map m
    WHERE m.charge_point_id = outbound_journal.charge_point_id
      AND m.start_key = json_extract(outbound_journal.payload, '$.connectorId') || '|'
          || lower(json_extract(outbound_journal.payload, '$.idTag')) || '|'
          || json_extract(outbound_journal.payload, '$.meterStart') || '|'
          || json_extract(outbound_journal.payload, '$.timestamp'))
    WHERE action = 'StartTransaction';

ALTER TABLE outbound_parked ADD COLUMN transaction_id INTEGER;
UPDATE outbound_parked SET transaction_id = json_extract(payload, '$.transactionId')
    WHERE action <> 'StartTransaction';
UPDATE outbound_parked SET transaction_id = (SELECT m.gateway_id FROM transaction_id_map m
    WHERE m.charge_point_id = outbound_parked.charge_point_id
      AND m.start_key = json_extract(outbound_parked.payload, '$.connectorId') || '|'
          || lower(json_extract(outbound_parked.payload, '$.idTag')) || '|'
          || json_extract(outbound_parked.payload, '$.meterStart') || '|'
          || json_extract(outbound_parked.payload, '$.timestamp'))
    WHERE action = 'StartTransaction';

-- The reader's durable position per charger: everything up to it was delivered. NULL: no reader
-- has ever delivered for this charger (the gateway ran without a CSMS), and retention may prune its
-- old entries. Every queue of an earlier version was the upstream link's: it had a reader.
ALTER TABLE outbound_sequence ADD COLUMN delivered_up_to INTEGER;
UPDATE outbound_sequence SET delivered_up_to = COALESCE((SELECT MIN(j.sequence) - 1 FROM outbound_journal j
    WHERE j.charge_point_id = outbound_sequence.charge_point_id), last_sequence);

-- The store recognises a resent StartTransaction by its content, among all its transactions.
CREATE INDEX charge_transaction_by_start ON charge_transaction (charge_point_id, connector_id, started_at);

-- Repeats are recognised by the store's own digests (meter_values_last) and transaction states, in
-- the commit that journals: the upstream's stream digests and start keys are no longer needed.
DROP TABLE outbound_stream_last;
DROP INDEX transaction_id_map_by_start;
ALTER TABLE transaction_id_map DROP COLUMN start_key;
ALTER TABLE transaction_id_map DROP COLUMN stop_queued;
