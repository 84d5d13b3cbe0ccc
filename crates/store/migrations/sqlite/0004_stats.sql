-- Rollups of the figures (统计): for each business day, street and member of a dimension, what
-- the changes of that day added (jiedao_core::evaluation::tally). Written with every change in
-- the change's own transaction; `jiedao stats rebuild` writes them again from the histories.
-- Dimensions: area (member: an org path, one row for each level above and at the case's own),
-- department, category and person (member: the id), channel (member: the channel's code).
-- Kept in step with ../postgres/0004_stats.sql.
CREATE TABLE stat_day (
    dimension        TEXT NOT NULL,
    street_id        BLOB NOT NULL,
    day              INTEGER NOT NULL,
    member           TEXT NOT NULL,
    accepted         INTEGER NOT NULL DEFAULT 0,
    filed            INTEGER NOT NULL DEFAULT 0,
    dispatched       INTEGER NOT NULL DEFAULT 0,
    due              INTEGER NOT NULL DEFAULT 0,
    closed           INTEGER NOT NULL DEFAULT 0,
    closed_on_time   INTEGER NOT NULL DEFAULT 0,
    reworked         INTEGER NOT NULL DEFAULT 0,
    handling_due     INTEGER NOT NULL DEFAULT 0,
    handled_on_time  INTEGER NOT NULL DEFAULT 0,
    extended         INTEGER NOT NULL DEFAULT 0,
    parked           INTEGER NOT NULL DEFAULT 0,
    voided           INTEGER NOT NULL DEFAULT 0,
    supervised       INTEGER NOT NULL DEFAULT 0,
    overdue          INTEGER NOT NULL DEFAULT 0,
    rated            INTEGER NOT NULL DEFAULT 0,
    satisfied        INTEGER NOT NULL DEFAULT 0,
    fairly_satisfied INTEGER NOT NULL DEFAULT 0,
    reported         INTEGER NOT NULL DEFAULT 0,
    valid_reported   INTEGER NOT NULL DEFAULT 0,
    verified         INTEGER NOT NULL DEFAULT 0,
    verified_on_time INTEGER NOT NULL DEFAULT 0,
    checked          INTEGER NOT NULL DEFAULT 0,
    checked_on_time  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dimension, street_id, day, member)
);

-- The cases still open past their deadline complete 应结案 (and 应处置) for the days their
-- clocks ran out; they are few, and found by this index without reading closed cases.
CREATE INDEX case_file_open_deadline ON case_file (case_deadline)
    WHERE closed_at IS NULL AND case_deadline IS NOT NULL;

-- A period's changes, for recounting a figure from the histories and listing its cases.
CREATE INDEX case_event_at ON case_event (at);
