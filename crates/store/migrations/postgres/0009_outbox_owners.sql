-- The outbox carries the changes of any ledger, not only of cases: a delivery names the
-- ledger and the record its change belongs to (every delivery so far is a case's).
-- Kept in step with ../sqlite/0009_outbox_owners.sql.

ALTER TABLE webhook_delivery RENAME COLUMN case_id TO record_id;
ALTER TABLE webhook_delivery ADD COLUMN ledger TEXT NOT NULL DEFAULT 'case';
