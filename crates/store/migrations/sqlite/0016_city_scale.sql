-- City scale (issue 17). Kept in step with ../postgres/0016_city_scale.sql.
--
-- The rollups are read a street and a run of days at a time: the table is stored in the order of its
-- key (WITHOUT ROWID), so a street's days lie together on disk.
-- A per-street total (dimension 'street', member '') is one row per street and day, so the
-- ranking of 200 streets over a month reads 200 x 31 rows instead of every community's and
-- grid's; it is written with the other dimensions from now on and filled here from the
-- street's own area rows.
CREATE TABLE stat_day_clustered (
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
    reworked_cases   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dimension, street_id, day, member)
) WITHOUT ROWID;
INSERT INTO stat_day_clustered (dimension, street_id, day, member, accepted, filed, dispatched, due, closed, closed_on_time, reworked, handling_due, handled_on_time, extended, parked, voided, supervised, overdue, rated, satisfied, fairly_satisfied, reported, valid_reported, verified, verified_on_time, checked, checked_on_time, reworked_cases)
    SELECT dimension, street_id, day, member, accepted, filed, dispatched, due, closed, closed_on_time, reworked, handling_due, handled_on_time, extended, parked, voided, supervised, overdue, rated, satisfied, fairly_satisfied, reported, valid_reported, verified, verified_on_time, checked, checked_on_time, reworked_cases FROM stat_day;
DROP TABLE stat_day;
ALTER TABLE stat_day_clustered RENAME TO stat_day;
INSERT INTO stat_day (dimension, street_id, day, member, accepted, filed, dispatched, due, closed, closed_on_time, reworked, handling_due, handled_on_time, extended, parked, voided, supervised, overdue, rated, satisfied, fairly_satisfied, reported, valid_reported, verified, verified_on_time, checked, checked_on_time, reworked_cases)
    SELECT 'street', s.street_id, s.day, '', s.accepted, s.filed, s.dispatched, s.due, s.closed, s.closed_on_time, s.reworked, s.handling_due, s.handled_on_time, s.extended, s.parked, s.voided, s.supervised, s.overdue, s.rated, s.satisfied, s.fairly_satisfied, s.reported, s.valid_reported, s.verified, s.verified_on_time, s.checked, s.checked_on_time, s.reworked_cases
    FROM stat_day s
    WHERE s.dimension = 'area'
      AND EXISTS (SELECT 1 FROM org_unit o WHERE o.id = s.street_id AND o.path = s.member);

-- Lists newest first over every street (a district's readers) walk this index and stop after a
-- page; the page's last key starts the next page (keyset paging).
CREATE INDEX case_file_newest ON case_file (reported_at, number);
-- A state (or the open states) within a street, newest first: the lists' state filters, the
-- dashboard's backlog and the map's counts per street read this index, not the table.
CREATE INDEX case_file_state ON case_file (state, street_id, reported_at);
