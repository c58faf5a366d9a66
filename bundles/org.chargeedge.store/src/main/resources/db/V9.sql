-- V9: the balancer keeps whether a charger switches between 3 phases and 1
-- (its ConnectorSwitch3to1PhaseSupported) and how long it was seen to take to follow
-- a lower limit (ms, NULL: not measured), with the rest it learnt of the charger.
ALTER TABLE balancer_capabilities ADD COLUMN switches_phases INTEGER NOT NULL DEFAULT 0;
ALTER TABLE balancer_capabilities ADD COLUMN reaction_ms INTEGER;
