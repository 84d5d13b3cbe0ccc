-- The light a parked case's step clock holds (the one it showed when it was parked), so the
-- case list's light filter finds parked cases under the light their page shows (issue 15).
-- Rows parked before this column existed are filled in when the store opens.
ALTER TABLE case_file ADD COLUMN step_held TEXT;
