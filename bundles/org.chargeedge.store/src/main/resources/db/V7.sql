-- V7: the meter value history of one charger over a time range (the dashboard's chart, the HTTP API),
-- newest first: read along this index backwards from the end of the range, stopping at the count asked
-- for, whatever the size of the table. Costs one more index entry per sampled value written.
CREATE INDEX meter_value_by_charger_time ON meter_value (charge_point_id, sampled_at);
