-- V10: whether a charger takes TxProfiles only as Relative (it rejected them as
-- Absolute), with the rest the balancer learnt of it.
ALTER TABLE balancer_capabilities ADD COLUMN relative_tx_profiles INTEGER NOT NULL DEFAULT 0;

-- And the charging profiles chargers accepted from the balancer and may still apply,
-- so that after a gateway restart a charger that has not reconnected is counted at what
-- it may still draw. Per connector the TxProfile of its session (valid_to, accepted_at
-- phases_since and on_off_since in epoch ms; number_phases 0 when it carried none); on connector 0
-- the share of the charger's TxDefaultProfile (transaction_id and valid_to NULL).
CREATE TABLE balancer_sent_profile (
    charge_point_id TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    transaction_id INTEGER,
    limit_a REAL NOT NULL,
    valid_to INTEGER,
    accepted_at INTEGER NOT NULL,
    number_phases INTEGER NOT NULL,
    phases_since INTEGER,
    on_off_since INTEGER,
    PRIMARY KEY (charge_point_id, connector_id)
);
