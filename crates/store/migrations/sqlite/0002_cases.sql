-- Cases: categories (versioned settings), the holiday calendar, intake clients, the case
-- projection, its append-only history, reporters, attachments and supervision rules.
-- Kept in step with ../postgres/0002_cases.sql, with one difference: there, case-side tables
-- carry street_id in every primary and unique key (the Citus tenant). SQLite has no tenants, so
-- here cases, their records, reporters and attachments are keyed by their own ids, and the
-- indexes that keys led by street_id would need are left out: each is written on every intake.

CREATE TABLE category (
    id          BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    parent_id   BLOB REFERENCES category (id),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    is_leaf     INTEGER NOT NULL,
    active      INTEGER NOT NULL,
    sort_order  INTEGER NOT NULL
);

CREATE TABLE category_setting (
    category_id BLOB NOT NULL REFERENCES category (id),
    version     INTEGER NOT NULL,
    settings    TEXT NOT NULL,
    changed_at  INTEGER NOT NULL,
    changed_by  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (category_id, version)
);

CREATE TABLE holiday_notice (
    year        INTEGER PRIMARY KEY,
    notice      TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE setting (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE intake_client (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    token_hash  BLOB NOT NULL UNIQUE,
    street_id   BLOB NOT NULL REFERENCES org_unit (id),
    channel     TEXT NOT NULL,
    active      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE case_counter (
    street_id   BLOB NOT NULL,
    day         TEXT NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (street_id, day)
);

CREATE TABLE case_file (
    street_id               BLOB NOT NULL,
    id                      BLOB NOT NULL,
    number                  TEXT NOT NULL,
    state                   TEXT NOT NULL,
    channel                 TEXT NOT NULL,
    category_id             BLOB,
    urgency                 TEXT NOT NULL,
    description             TEXT NOT NULL,
    lon                     REAL,
    lat                     REAL,
    address                 TEXT,
    grid_id                 BLOB,
    org_path                TEXT NOT NULL,
    external_ref            TEXT,
    department_id           BLOB,
    step                    TEXT,
    step_timer              TEXT,
    step_warn_at            INTEGER,
    step_deadline           INTEGER,
    step_overdue            INTEGER NOT NULL,
    case_timer              TEXT,
    case_warn_at            INTEGER,
    case_deadline           INTEGER,
    reported_at             INTEGER NOT NULL,
    filed_at                INTEGER,
    dispatched_at           INTEGER,
    accepted_at             INTEGER,
    handled_at              INTEGER,
    checked_at              INTEGER,
    closed_at               INTEGER,
    verification_requested  INTEGER NOT NULL,
    verified_found          INTEGER,
    extension_request       TEXT,
    supervised              INTEGER NOT NULL,
    supervision_count       INTEGER NOT NULL,
    return_count            INTEGER NOT NULL,
    extension_count         INTEGER NOT NULL,
    rework_count            INTEGER NOT NULL,
    reopen_count            INTEGER NOT NULL,
    merged_in_count         INTEGER NOT NULL,
    handled_on_time         INTEGER,
    closed_on_time          INTEGER,
    satisfaction            TEXT,
    merged_into             BLOB,
    event_count             INTEGER NOT NULL,
    head_hash               BLOB NOT NULL,
    updated_at              INTEGER NOT NULL,
    client_id               BLOB,
    intake_key              TEXT,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX case_file_number ON case_file (street_id, number);
CREATE UNIQUE INDEX case_file_intake_key ON case_file (street_id, client_id, intake_key)
    WHERE intake_key IS NOT NULL;
-- No index on org_path: an index led by the grid takes each new case at a different place,
-- which costs intake a page write per case. Scoped lists find a street's cases by time or by
-- deadline and filter on the path.
CREATE INDEX case_file_department ON case_file (department_id, state) WHERE department_id IS NOT NULL;
-- Only cases with a running step: the ticker's question, and it stays small as cases close.
CREATE INDEX case_file_step_deadline ON case_file (step_deadline) WHERE step_deadline IS NOT NULL;
CREATE INDEX case_file_reported ON case_file (street_id, reported_at);
CREATE INDEX case_file_category ON case_file (category_id, reported_at) WHERE category_id IS NOT NULL;

CREATE TABLE case_event (
    street_id   BLOB NOT NULL,
    case_id     BLOB NOT NULL,
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
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE case_reporter (
    street_id           BLOB NOT NULL,
    id                  BLOB NOT NULL,
    case_id             BLOB NOT NULL,
    original_case_id    BLOB NOT NULL,
    user_id             BLOB,
    name                TEXT,
    phone               TEXT,
    anonymous           INTEGER NOT NULL,
    channel             TEXT NOT NULL,
    follow_token_hash   BLOB,
    reported_at         INTEGER NOT NULL,
    PRIMARY KEY (case_id, id)
) WITHOUT ROWID;
CREATE INDEX case_reporter_user ON case_reporter (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX case_reporter_token ON case_reporter (follow_token_hash) WHERE follow_token_hash IS NOT NULL;

CREATE TABLE attachment (
    street_id       BLOB NOT NULL,
    id              BLOB NOT NULL,
    case_id         BLOB NOT NULL,
    event_seq       INTEGER NOT NULL,
    purpose         TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          BLOB NOT NULL,
    width           INTEGER,
    height          INTEGER,
    had_location    INTEGER NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX attachment_case ON attachment (case_id);

CREATE TABLE supervision_rule (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    red_minutes INTEGER NOT NULL,
    active      INTEGER NOT NULL
);
