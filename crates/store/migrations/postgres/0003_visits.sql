-- Visits (走访): a grid worker's record of calling on a household or a place in their grid.
CREATE TABLE visit (
    street_id   UUID NOT NULL,
    id          UUID NOT NULL,
    grid_id     UUID NOT NULL REFERENCES org_unit (id),
    org_path    TEXT COLLATE "C" NOT NULL,
    user_id     UUID NOT NULL REFERENCES app_user (id),
    visitor     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    place       TEXT NOT NULL,
    note        TEXT NOT NULL,
    found_problem BOOLEAN NOT NULL,
    visited_at  TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX visit_path ON visit (org_path, visited_at);
