-- Keys as in 0002: SQLite keys by the row's own id; PostgreSQL puts street_id first.
-- Petitions (信访, DOMAIN.md section 7): the record row (its fields as columns for lists,
-- filters, clocks and figures, and the whole record as the fold of its history in `body`),
-- its hash-chained history, the resident accounts that are its petitioner's, the staff an
-- accusation names (never shown who wrote it), the figures' rollups, and the plan per key
-- petitioner (一人一方案). Kept in step with
-- ../postgres/0021_petitions.sql.

CREATE TABLE petition (
    street_id       BLOB NOT NULL,
    id              BLOB NOT NULL,
    number          TEXT NOT NULL,
    state           TEXT NOT NULL,
    org_path        TEXT NOT NULL,
    department_id   BLOB,
    profile         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    class           TEXT NOT NULL,
    petitioner_id   BLOB NOT NULL,
    matter          TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    repeat_of       BLOB,
    from_level      TEXT,
    -- Flag codes, comma-separated (beijing, province, group, irregular).
    flags           TEXT NOT NULL,
    backlog         INTEGER NOT NULL,
    backlog_cleared INTEGER NOT NULL,
    backlog_leader  BLOB,
    step            TEXT,
    step_timer      TEXT,
    step_warn_at    INTEGER,
    step_deadline   INTEGER,
    step_overdue    INTEGER NOT NULL,
    step_held       TEXT,
    window_until    INTEGER,
    concluded_at    INTEGER,
    on_time         INTEGER NOT NULL,
    -- The petition as its history leaves it (jiedao_core::petition::Petition), JSON.
    body            TEXT NOT NULL,
    event_count     INTEGER NOT NULL,
    head_hash       BLOB NOT NULL,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX petition_number ON petition (number);
CREATE INDEX petition_path ON petition (street_id, org_path, received_at);
CREATE INDEX petition_petitioner ON petition (street_id, petitioner_id, received_at);
CREATE INDEX petition_department ON petition (street_id, department_id);
CREATE INDEX petition_deadline ON petition (step_deadline) WHERE step_deadline IS NOT NULL;

CREATE TABLE petition_event (
    street_id   BLOB NOT NULL,
    petition_id BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    action      TEXT NOT NULL,
    actor_id    BLOB,
    actor       TEXT NOT NULL,
    actor_role  TEXT,
    ip          TEXT,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    change      TEXT NOT NULL,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL,
    PRIMARY KEY (petition_id, seq)
);

CREATE TABLE petition_account (
    street_id   BLOB NOT NULL,
    petition_id BLOB NOT NULL,
    user_id     BLOB NOT NULL,
    PRIMARY KEY (petition_id, user_id)
);
CREATE INDEX petition_account_user ON petition_account (user_id);

CREATE TABLE petition_accused (
    street_id   BLOB NOT NULL,
    petition_id BLOB NOT NULL,
    user_id     BLOB NOT NULL,
    PRIMARY KEY (petition_id, user_id)
);
CREATE INDEX petition_accused_user ON petition_accused (user_id);

CREATE TABLE petition_stat (
    street_id   BLOB NOT NULL,
    day         TEXT NOT NULL,
    org_path    TEXT NOT NULL,
    measure     TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (street_id, day, org_path, measure)
);

CREATE TABLE petition_plan (
    street_id   BLOB NOT NULL,
    person_id   BLOB NOT NULL,
    leader_id   BLOB NOT NULL,
    plan        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (street_id, person_id)
);
