-- Petitions (信访, DOMAIN.md section 7): the record row (its fields as columns for lists,
-- filters, clocks and figures, and the whole record as the fold of its history in `body`),
-- its hash-chained history, the resident accounts that are its petitioner's, the staff an
-- accusation names (never shown who wrote it), the figures' rollups, and the plan per key
-- petitioner (一人一方案). Street first in every key. Kept in step with
-- ../sqlite/0021_petitions.sql.

CREATE TABLE petition (
    street_id       UUID NOT NULL,
    id              UUID NOT NULL,
    number          TEXT NOT NULL,
    state           TEXT NOT NULL,
    org_path        TEXT COLLATE "C" NOT NULL,
    department_id   UUID,
    profile         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    class           TEXT NOT NULL,
    petitioner_id   UUID NOT NULL,
    matter          TEXT NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    repeat_of       UUID,
    from_level      TEXT,
    -- Flag codes, comma-separated (beijing, province, group, irregular).
    flags           TEXT NOT NULL,
    backlog         BOOLEAN NOT NULL,
    backlog_cleared BOOLEAN NOT NULL,
    backlog_leader  UUID,
    step            TEXT,
    step_timer      TEXT,
    step_warn_at    TIMESTAMPTZ,
    step_deadline   TIMESTAMPTZ,
    step_overdue    BOOLEAN NOT NULL,
    step_held       TEXT,
    window_until    TIMESTAMPTZ,
    concluded_at    TIMESTAMPTZ,
    on_time         BOOLEAN NOT NULL,
    -- The petition as its history leaves it (jiedao_core::petition::Petition), JSON.
    body            TEXT NOT NULL,
    event_count     BIGINT NOT NULL,
    head_hash       BYTEA NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE UNIQUE INDEX petition_number ON petition (number);
CREATE INDEX petition_path ON petition (street_id, org_path, received_at);
CREATE INDEX petition_petitioner ON petition (street_id, petitioner_id, received_at);
CREATE INDEX petition_department ON petition (street_id, department_id);
CREATE INDEX petition_deadline ON petition (step_deadline) WHERE step_deadline IS NOT NULL;

CREATE TABLE petition_event (
    street_id   UUID NOT NULL,
    petition_id UUID NOT NULL,
    seq         BIGINT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    action      TEXT NOT NULL,
    actor_id    UUID,
    actor       TEXT NOT NULL,
    actor_role  TEXT,
    ip          TEXT,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    change      TEXT NOT NULL,
    prev_hash   BYTEA NOT NULL,
    hash        BYTEA NOT NULL,
    PRIMARY KEY (street_id, petition_id, seq)
);

CREATE TABLE petition_account (
    street_id   UUID NOT NULL,
    petition_id UUID NOT NULL,
    user_id     UUID NOT NULL,
    PRIMARY KEY (street_id, petition_id, user_id)
);
CREATE INDEX petition_account_user ON petition_account (user_id);

CREATE TABLE petition_accused (
    street_id   UUID NOT NULL,
    petition_id UUID NOT NULL,
    user_id     UUID NOT NULL,
    PRIMARY KEY (street_id, petition_id, user_id)
);
CREATE INDEX petition_accused_user ON petition_accused (user_id);

CREATE TABLE petition_stat (
    street_id   UUID NOT NULL,
    day         DATE NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    measure     TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (street_id, day, org_path, measure)
);

CREATE TABLE petition_plan (
    street_id   UUID NOT NULL,
    person_id   UUID NOT NULL,
    leader_id   UUID NOT NULL,
    plan        TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (street_id, person_id)
);
