-- Foundation: the organisation tree, grid boundaries, platforms and departments, users,
-- sessions and the audit log. Ids are 16-byte UUIDs, times are microseconds since the epoch,
-- dates are 'YYYY-MM-DD' text. Kept in step with ../postgres/0001_foundation.sql.

CREATE TABLE org_unit (
    id          BLOB PRIMARY KEY,
    kind        TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_id   BLOB REFERENCES org_unit (id),
    path        TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX org_unit_current_code ON org_unit (code) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX org_unit_current_path ON org_unit (path) WHERE valid_to IS NULL;
CREATE INDEX org_unit_parent ON org_unit (parent_id);

CREATE TABLE org_boundary (
    org_unit_id BLOB PRIMARY KEY REFERENCES org_unit (id),
    shape       TEXT NOT NULL,
    min_lon     REAL NOT NULL,
    min_lat     REAL NOT NULL,
    max_lon     REAL NOT NULL,
    max_lat     REAL NOT NULL,
    area_m2     REAL NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE platform_set (
    id          BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    active      INTEGER NOT NULL
);

CREATE TABLE platform (
    id          BLOB PRIMARY KEY,
    set_id      BLOB NOT NULL REFERENCES platform_set (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    sort_order  INTEGER NOT NULL,
    UNIQUE (set_id, code)
);

CREATE TABLE department (
    id           BLOB PRIMARY KEY,
    street_id    BLOB NOT NULL REFERENCES org_unit (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    community_id BLOB REFERENCES org_unit (id),
    active       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (street_id, name)
);

CREATE TABLE department_platform (
    department_id BLOB NOT NULL REFERENCES department (id),
    platform_id   BLOB NOT NULL REFERENCES platform (id),
    PRIMARY KEY (department_id, platform_id)
);

CREATE TABLE app_user (
    id              BLOB PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    org_unit_id     BLOB NOT NULL REFERENCES org_unit (id),
    department_id   BLOB REFERENCES department (id),
    phone           TEXT,
    password_hash   TEXT NOT NULL,
    failed_logins   INTEGER NOT NULL,
    locked_until    INTEGER,
    active          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX app_user_org_unit ON app_user (org_unit_id);

CREATE TABLE session (
    token_hash  BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES app_user (id),
    csrf_token  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    ip          TEXT
);
CREATE INDEX session_by_user ON session (user_id);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    BLOB,
    actor       TEXT NOT NULL,
    ip          TEXT,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target);
