-- Record numbers unique across a deployment. Every ledger counts its records per street and
-- business day in one counter table; a number carries its street's code in front
-- (330106008-20261122-00017), so two streets never issue the same one, and the unique index
-- on a ledger's numbers no longer needs the street. Existing case numbers get their street's
-- code (the first nine digits of a street's region code: its path segment) in front.
-- Kept in step with ../postgres/0007_ledger_numbers.sql.

CREATE TABLE ledger_counter (
    street_id   BLOB NOT NULL,
    ledger      TEXT NOT NULL,
    day         TEXT NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (street_id, ledger, day)
);
INSERT INTO ledger_counter (street_id, ledger, day, last)
    SELECT street_id, 'case', day, last FROM case_counter;
DROP TABLE case_counter;

DROP INDEX case_file_number;
UPDATE case_file SET number =
    (SELECT substr(o.code, 1, 9) FROM org_unit o WHERE o.id = case_file.street_id) || '-' || number;
CREATE UNIQUE INDEX case_file_number ON case_file (number);
