-- Talking to other systems: what a reporter sent beyond the case's columns (answers to the
-- category's questions, a photo held elsewhere), the index Open311's updated_after/before
-- reads, and webhooks with their deliveries (an outbox written in the change's transaction).
-- Kept in step with ../postgres/0005_open311.sql.
CREATE TABLE case_submission (
    street_id   BLOB NOT NULL,
    case_id     BLOB NOT NULL,
    answers     TEXT NOT NULL,
    media_url   TEXT,
    PRIMARY KEY (case_id)
) WITHOUT ROWID;

CREATE INDEX case_file_updated ON case_file (street_id, updated_at);

CREATE TABLE webhook (
    id          BLOB PRIMARY KEY,
    street_id   BLOB NOT NULL REFERENCES org_unit (id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    active      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX webhook_street ON webhook (street_id);

CREATE TABLE webhook_delivery (
    street_id    BLOB NOT NULL,
    id           BLOB NOT NULL,
    webhook_id   BLOB NOT NULL,
    case_id      BLOB NOT NULL,
    seq          INTEGER NOT NULL,
    event        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    next_at      INTEGER,
    status       TEXT NOT NULL,
    last_status  INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER,
    PRIMARY KEY (id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX webhook_delivery_of ON webhook_delivery (webhook_id, created_at);
