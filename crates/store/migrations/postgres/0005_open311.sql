-- Talking to other systems: what a reporter sent beyond the case's columns (answers to the
-- category's questions, a photo held elsewhere), the index Open311's updated_after/before
-- reads, and webhooks with their deliveries (an outbox written in the change's transaction).
-- Kept in step with ../sqlite/0005_open311.sql.
CREATE TABLE case_submission (
    street_id   UUID NOT NULL,
    case_id     UUID NOT NULL,
    answers     TEXT NOT NULL,
    media_url   TEXT,
    PRIMARY KEY (street_id, case_id)
);
CREATE INDEX case_submission_case ON case_submission (case_id);

CREATE INDEX case_file_updated ON case_file (street_id, updated_at);

CREATE TABLE webhook (
    id          UUID PRIMARY KEY,
    street_id   UUID NOT NULL REFERENCES org_unit (id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX webhook_street ON webhook (street_id);

CREATE TABLE webhook_delivery (
    street_id    UUID NOT NULL,
    id           UUID NOT NULL,
    webhook_id   UUID NOT NULL,
    case_id      UUID NOT NULL,
    seq          BIGINT NOT NULL,
    event        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    attempts     BIGINT NOT NULL,
    next_at      TIMESTAMPTZ,
    status       TEXT NOT NULL,
    last_status  BIGINT,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX webhook_delivery_of ON webhook_delivery (webhook_id, created_at);
