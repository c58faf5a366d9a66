-- V8: what the load balancer keeps across restarts (BalancerMemory).

-- The mode set for the session on a connector; transaction_id NULL: for the next session there.
-- departure (epoch ms) and energy_wh for Scheduled.
CREATE TABLE balancer_session_mode (
    charge_point_id TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    transaction_id INTEGER,
    mode TEXT NOT NULL,
    departure INTEGER,
    energy_wh REAL,
    PRIMARY KEY (charge_point_id, connector_id)
);

-- A charger's default mode set at run time (it replaces the configured one).
CREATE TABLE balancer_charger_mode (
    charge_point_id TEXT PRIMARY KEY,
    mode TEXT NOT NULL
);

-- What the balancer learnt of a charger's smart charging; unit NULL when not learnt.
CREATE TABLE balancer_capabilities (
    charge_point_id TEXT PRIMARY KEY,
    unit TEXT,
    tx_default_rejected INTEGER NOT NULL,
    tx_profile_rejected INTEGER NOT NULL,
    no_smart_charging INTEGER NOT NULL,
    firmware_version TEXT,
    learnt_at INTEGER NOT NULL
);
