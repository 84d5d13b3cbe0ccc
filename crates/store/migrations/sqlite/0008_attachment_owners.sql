-- Attachments belong to a record of any ledger, not only to a case: the record's column is
-- named for what it is, and the ledger it belongs to is kept beside it (every attachment so
-- far is a case's). Kept in step with ../postgres/0008_attachment_owners.sql.

ALTER TABLE attachment RENAME COLUMN case_id TO record_id;
ALTER TABLE attachment ADD COLUMN ledger TEXT NOT NULL DEFAULT 'case';
DROP INDEX attachment_case;
CREATE INDEX attachment_record ON attachment (record_id);
