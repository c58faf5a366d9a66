-- V5: a charger touches only its own transactions. A StopTransaction or MeterValues naming a
-- transaction another charger started, or a transaction id the store has no record of, is not
-- recorded: it is kept as evidence in outbound_parked (with a reason naming both chargers) and
-- counted here, per charger that sent it.

-- How many such messages the charger sent: naming another charger's transaction, naming a
-- transaction the gateway never issued; and when the last of them was received.
ALTER TABLE charger ADD COLUMN foreign_messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE charger ADD COLUMN unknown_transaction_messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE charger ADD COLUMN last_foreign_message_at INTEGER;
