-- Foundation: the organisation tree, grid boundaries, platforms and departments, users,
-- sessions and the audit log. Kept in step with ../sqlite/0001_foundation.sql.
-- Paths compare bytewise (COLLATE "C") so subtree range scans hold in every locale.

CREATE TABLE org_unit (
    id          UUID PRIMARY KEY,
    kind        TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_id   UUID REFERENCES org_unit (id),
    path        TEXT COLLATE "C" NOT NULL,
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX org_unit_current_code ON org_unit (code) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX org_unit_current_path ON org_unit (path) WHERE valid_to IS NULL;
CREATE INDEX org_unit_parent ON org_unit (parent_id);

CREATE TABLE org_boundary (
    org_unit_id UUID PRIMARY KEY REFERENCES org_unit (id),
    shape       TEXT NOT NULL,
    min_lon     DOUBLE PRECISION NOT NULL,
    min_lat     DOUBLE PRECISION NOT NULL,
    max_lon     DOUBLE PRECISION NOT NULL,
    max_lat     DOUBLE PRECISION NOT NULL,
    area_m2     DOUBLE PRECISION NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE platform_set (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    active      BOOLEAN NOT NULL
);

CREATE TABLE platform (
    id          UUID PRIMARY KEY,
    set_id      UUID NOT NULL REFERENCES platform_set (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    sort_order  BIGINT NOT NULL,
    UNIQUE (set_id, code)
);

CREATE TABLE department (
    id           UUID PRIMARY KEY,
    street_id    UUID NOT NULL REFERENCES org_unit (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    community_id UUID REFERENCES org_unit (id),
    active       BOOLEAN NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (street_id, name)
);

CREATE TABLE department_platform (
    department_id UUID NOT NULL REFERENCES department (id),
    platform_id   UUID NOT NULL REFERENCES platform (id),
    PRIMARY KEY (department_id, platform_id)
);

CREATE TABLE app_user (
    id              UUID PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    org_unit_id     UUID NOT NULL REFERENCES org_unit (id),
    department_id   UUID REFERENCES department (id),
    phone           TEXT,
    password_hash   TEXT NOT NULL,
    failed_logins   BIGINT NOT NULL,
    locked_until    TIMESTAMPTZ,
    active          BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX app_user_org_unit ON app_user (org_unit_id);

CREATE TABLE session (
    token_hash  BYTEA PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES app_user (id),
    csrf_token  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    ip          TEXT
);
CREATE INDEX session_by_user ON session (user_id);

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    UUID,
    actor       TEXT NOT NULL,
    ip          TEXT,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    -- TEXT, not JSONB: the hash chain covers the exact bytes, which JSONB would normalise.
    detail      TEXT NOT NULL,
    prev_hash   BYTEA NOT NULL,
    hash        BYTEA NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target);
