-- Background jobs: one queue for the ticker, webhook deliveries and imports (see
-- crates/store/src/jobs). A job is put into the queue in the transaction of the change that
-- asks for it; the runner claims it when its time comes. Jobs belong to no street: like the
-- audit log, the queue is the deployment's own. Deliveries still waiting move into the queue
-- (the job's id is the delivery's); the outbox's own index of due deliveries goes.
-- Kept in step with ../postgres/0010_jobs.sql.

CREATE TABLE job (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    run_at      INTEGER NOT NULL,
    owner_id    BLOB,
    done        INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    result      TEXT,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX job_queue ON job (status, run_at);

INSERT INTO job (id, name, payload, status, attempts, run_at, done, total, created_at)
    SELECT id, 'outbox.deliver',
           '{"street":"' || lower(hex(street_id)) || '","delivery":"' || lower(hex(id)) || '"}',
           'queued', attempts, next_at, 0, 0, created_at
    FROM webhook_delivery WHERE next_at IS NOT NULL AND status = 'pending';
DROP INDEX webhook_delivery_due;
