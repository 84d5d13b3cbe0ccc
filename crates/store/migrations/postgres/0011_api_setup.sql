-- Departments get an optional short code, unique within their street, so other systems and
-- the command line can name one without its id (issue 15).
ALTER TABLE department ADD COLUMN code TEXT;
CREATE UNIQUE INDEX department_street_code ON department (street_id, code) WHERE code IS NOT NULL;

-- A phone number an Open311 client sent that could not be read as one, kept beside the case
-- with its digits masked instead of refusing the whole report.
ALTER TABLE case_submission ADD COLUMN phone_as_sent TEXT;
