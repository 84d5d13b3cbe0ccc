-- Cases: categories (versioned settings), the holiday calendar, intake clients, the case
-- projection, its append-only history, reporters, attachments and supervision rules.
-- Case-side tables carry street_id in every primary and unique key (the Citus tenant).
-- Kept in step with ../sqlite/0002_cases.sql.

CREATE TABLE category (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    parent_id   UUID REFERENCES category (id),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    is_leaf     BOOLEAN NOT NULL,
    active      BOOLEAN NOT NULL,
    sort_order  BIGINT NOT NULL
);

CREATE TABLE category_setting (
    category_id UUID NOT NULL REFERENCES category (id),
    version     BIGINT NOT NULL,
    settings    TEXT NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL,
    changed_by  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (category_id, version)
);

CREATE TABLE holiday_notice (
    year        BIGINT PRIMARY KEY,
    notice      TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE setting (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE intake_client (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    token_hash  BYTEA NOT NULL UNIQUE,
    street_id   UUID NOT NULL REFERENCES org_unit (id),
    channel     TEXT NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE case_counter (
    street_id   UUID NOT NULL,
    day         DATE NOT NULL,
    last        BIGINT NOT NULL,
    PRIMARY KEY (street_id, day)
);

CREATE TABLE case_file (
    street_id               UUID NOT NULL,
    id                      UUID NOT NULL,
    number                  TEXT NOT NULL,
    state                   TEXT NOT NULL,
    channel                 TEXT NOT NULL,
    category_id             UUID,
    urgency                 TEXT NOT NULL,
    description             TEXT NOT NULL,
    lon                     DOUBLE PRECISION,
    lat                     DOUBLE PRECISION,
    address                 TEXT,
    grid_id                 UUID,
    org_path                TEXT COLLATE "C" NOT NULL,
    external_ref            TEXT,
    department_id           UUID,
    step                    TEXT,
    step_timer              TEXT,
    step_warn_at            TIMESTAMPTZ,
    step_deadline           TIMESTAMPTZ,
    step_overdue            BOOLEAN NOT NULL,
    case_timer              TEXT,
    case_warn_at            TIMESTAMPTZ,
    case_deadline           TIMESTAMPTZ,
    reported_at             TIMESTAMPTZ NOT NULL,
    filed_at                TIMESTAMPTZ,
    dispatched_at           TIMESTAMPTZ,
    accepted_at             TIMESTAMPTZ,
    handled_at              TIMESTAMPTZ,
    checked_at              TIMESTAMPTZ,
    closed_at               TIMESTAMPTZ,
    verification_requested  BOOLEAN NOT NULL,
    verified_found          BOOLEAN,
    extension_request       TEXT,
    supervised              BOOLEAN NOT NULL,
    supervision_count       BIGINT NOT NULL,
    return_count            BIGINT NOT NULL,
    extension_count         BIGINT NOT NULL,
    rework_count            BIGINT NOT NULL,
    reopen_count            BIGINT NOT NULL,
    merged_in_count         BIGINT NOT NULL,
    handled_on_time         BOOLEAN,
    closed_on_time          BOOLEAN,
    satisfaction            TEXT,
    merged_into             UUID,
    event_count             BIGINT NOT NULL,
    head_hash               BYTEA NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    client_id               UUID,
    intake_key              TEXT,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX case_file_by_id ON case_file (id);
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
    street_id   UUID NOT NULL,
    case_id     UUID NOT NULL,
    seq         BIGINT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    action      TEXT NOT NULL,
    actor_id    UUID,
    actor       TEXT NOT NULL,
    actor_role  TEXT,
    ip          TEXT,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    -- TEXT, not JSONB: the event hash chain covers the exact bytes.
    change      TEXT NOT NULL,
    prev_hash   BYTEA NOT NULL,
    hash        BYTEA NOT NULL,
    PRIMARY KEY (street_id, case_id, seq)
);

CREATE TABLE case_reporter (
    street_id           UUID NOT NULL,
    id                  UUID NOT NULL,
    case_id             UUID NOT NULL,
    original_case_id    UUID NOT NULL,
    user_id             UUID,
    name                TEXT,
    phone               TEXT,
    anonymous           BOOLEAN NOT NULL,
    channel             TEXT NOT NULL,
    follow_token_hash   BYTEA,
    reported_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX case_reporter_case ON case_reporter (case_id);
CREATE INDEX case_reporter_user ON case_reporter (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX case_reporter_token ON case_reporter (follow_token_hash) WHERE follow_token_hash IS NOT NULL;

CREATE TABLE attachment (
    street_id       UUID NOT NULL,
    id              UUID NOT NULL,
    case_id         UUID NOT NULL,
    event_seq       BIGINT NOT NULL,
    purpose         TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    sha256          BYTEA NOT NULL,
    width           BIGINT,
    height          BIGINT,
    had_location    BOOLEAN NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX attachment_case ON attachment (case_id);

CREATE TABLE supervision_rule (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    red_minutes BIGINT NOT NULL,
    active      BOOLEAN NOT NULL
);
