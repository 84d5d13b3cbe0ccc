-- A case's history is read by its case id alone (its page, every action's hash check, the
-- rollups). The primary key leads with the street (for distribution, see ARCHITECTURE.md), so
-- without this index each such read scanned the whole history table: the soak harness saw
-- latency double within a minute as histories grew.
CREATE INDEX case_event_case ON case_event (case_id, seq);
