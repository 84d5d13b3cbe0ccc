-- Visits (走访): a grid worker's record of calling on a household or a place in their grid.
-- Keys as in 0002: SQLite keys by the row's own id; PostgreSQL puts street_id first for Citus.
CREATE TABLE visit (
    street_id   BLOB NOT NULL,
    id          BLOB NOT NULL,
    grid_id     BLOB NOT NULL REFERENCES org_unit (id),
    org_path    TEXT NOT NULL,
    user_id     BLOB NOT NULL REFERENCES app_user (id),
    visitor     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    place       TEXT NOT NULL,
    note        TEXT NOT NULL,
    found_problem INTEGER NOT NULL,
    visited_at  INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX visit_path ON visit (org_path, visited_at);
