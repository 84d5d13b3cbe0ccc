-- Kept in step with PostgreSQL's 0006, which adds an index on case_event (case_id, seq).
-- SQLite's primary key is already (case_id, seq): nothing to add.
SELECT 1;
