-- Background jobs: one queue for the ticker, webhook deliveries and imports (see
-- crates/store/src/jobs). A job is put into the queue in the transaction of the change that
-- asks for it; the runner claims it when its time comes. Jobs belong to no street: like the
-- audit log, the queue is the deployment's own. Deliveries still waiting move into the queue
-- (the job's id is the delivery's); the outbox's own index of due deliveries goes.
-- Kept in step with ../sqlite/0010_jobs.sql.

CREATE TABLE job (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    BIGINT NOT NULL,
    run_at      TIMESTAMPTZ NOT NULL,
    owner_id    UUID,
    done        BIGINT NOT NULL,
    total       BIGINT NOT NULL,
    result      TEXT,
    last_error  TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX job_queue ON job (status, run_at);

INSERT INTO job (id, name, payload, status, attempts, run_at, done, total, created_at)
    SELECT id, 'outbox.deliver',
           '{"street":"' || street_id::text || '","delivery":"' || id::text || '"}',
           'queued', attempts, next_at, 0, 0, created_at
    FROM webhook_delivery WHERE next_at IS NOT NULL AND status = 'pending';
DROP INDEX webhook_delivery_due;
