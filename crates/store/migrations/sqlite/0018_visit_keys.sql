-- A visit recorded on a phone that was offline is sent when the network returns, and may be
-- sent again when an answer was lost: the key the phone gave it makes the second send a no-op.
ALTER TABLE visit ADD COLUMN intake_key TEXT;
CREATE UNIQUE INDEX visit_intake_key ON visit (user_id, intake_key) WHERE intake_key IS NOT NULL;
