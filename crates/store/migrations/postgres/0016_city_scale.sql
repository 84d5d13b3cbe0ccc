-- City scale (issue 17). Kept in step with ../sqlite/0016_city_scale.sql.
--
-- The rollups are read a street and a run of days at a time: the table is rewritten in the order of
-- its key (CLUSTER), so a street's days lie together on disk.
-- A per-street total (dimension 'street', member '') is one row per street and day, so the
-- ranking of 200 streets over a month reads 200 x 31 rows instead of every community's and
-- grid's; it is written with the other dimensions from now on and filled here from the
-- street's own area rows.
INSERT INTO stat_day (dimension, street_id, day, member, accepted, filed, dispatched, due, closed, closed_on_time, reworked, handling_due, handled_on_time, extended, parked, voided, supervised, overdue, rated, satisfied, fairly_satisfied, reported, valid_reported, verified, verified_on_time, checked, checked_on_time, reworked_cases)
    SELECT 'street', s.street_id, s.day, '', s.accepted, s.filed, s.dispatched, s.due, s.closed, s.closed_on_time, s.reworked, s.handling_due, s.handled_on_time, s.extended, s.parked, s.voided, s.supervised, s.overdue, s.rated, s.satisfied, s.fairly_satisfied, s.reported, s.valid_reported, s.verified, s.verified_on_time, s.checked, s.checked_on_time, s.reworked_cases
    FROM stat_day s
    WHERE s.dimension = 'area'
      AND EXISTS (SELECT 1 FROM org_unit o WHERE o.id = s.street_id AND o.path = s.member);
CLUSTER stat_day USING stat_day_pkey;

-- Lists newest first over every street (a district's readers) walk this index and stop after a
-- page; the page's last key starts the next page (keyset paging).
CREATE INDEX case_file_newest ON case_file (reported_at, number);
-- A state (or the open states) within a street, newest first: the lists' state filters, the
-- dashboard's backlog and the map's counts per street read this index, not the table.
CREATE INDEX case_file_state ON case_file (state, street_id, reported_at);
