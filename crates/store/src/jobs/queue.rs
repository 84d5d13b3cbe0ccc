//! The `job` table: what is queued, running, done (kept while its owner may read it) or failed.

use chrono::{DateTime, Utc};
use jiedao_core::{JobId, UserId};

use crate::db::Conn;
use crate::error::StoreError;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Queued,
    Running,
    Done,
    /// Given up: its attempts ran out, or it cannot be run.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Status> {
        [
            Status::Queued,
            Status::Running,
            Status::Done,
            Status::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

pub(super) fn insert(
    conn: &mut Conn,
    name: &str,
    payload: &str,
    at: DateTime<Utc>,
    owner: Option<UserId>,
) -> Result<JobId, StoreError> {
    let id = JobId::new();
    conn.execute(
        "INSERT INTO job (id, name, payload, status, attempts, run_at, owner_id, done, total, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &id.uuid(),
            &name,
            &payload,
            &Status::Queued.as_str(),
            &0_i64,
            &at,
            &owner,
            &0_i64,
            &0_i64,
            &at,
        ],
    )?;
    Ok(id)
}

/// A job as its owner follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    pub id: JobId,
    pub name: String,
    pub status: Status,
    pub done: i64,
    pub total: i64,
    /// What the handler returned (JSON), once it is done.
    pub result: Option<String>,
}

/// The job `id`, if `owner` started it.
pub fn followed(conn: &mut Conn, id: JobId, owner: UserId) -> Result<Option<Followed>, StoreError> {
    let row: Option<(String, String, i64, i64, Option<String>)> = conn.query_opt(
        "SELECT name, status, done, total, result FROM job WHERE id = $1 AND owner_id = $2",
        &[&id.uuid(), &owner],
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        },
    )?;
    row.map(|(name, status, done, total, result)| {
        Ok(Followed {
            id,
            name,
            status: Status::parse(&status)
                .ok_or_else(|| StoreError::Query(format!("job status {status:?}")))?,
            done,
            total,
            result,
        })
    })
    .transpose()
}

/// A job the runner took.
#[derive(Debug, Clone)]
pub(super) struct Claimed {
    pub id: JobId,
    pub name: String,
    pub payload: String,
    pub attempts: i64,
}

/// Up to `limit` queued jobs with one of `names` whose time has come, oldest first.
pub(super) fn due(
    conn: &mut Conn,
    names: &[&'static str],
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Claimed>, StoreError> {
    let mut w = crate::ledger::query::Where::default();
    let (status, now) = (w.bind(Status::Queued.as_str()), w.bind(now));
    w.push(format!("status = {status} AND run_at <= {now}"));
    w.is_in("name", names.iter().copied());
    let limit = w.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    conn.query(
        &format!(
            "SELECT id, name, payload, attempts FROM job{} ORDER BY run_at LIMIT {limit}",
            w.sql()
        ),
        &w.params(),
        |row| {
            Ok(Claimed {
                id: JobId::from_uuid(row.get(0)?),
                name: row.get(1)?,
                payload: row.get(2)?,
                attempts: row.get(3)?,
            })
        },
    )
}

/// Marks `job` running; false when it no longer waits.
pub(super) fn claim(conn: &mut Conn, job: JobId) -> Result<bool, StoreError> {
    let changed = conn.execute(
        "UPDATE job SET status = $1 WHERE id = $2 AND status = $3",
        &[
            &Status::Running.as_str(),
            &job.uuid(),
            &Status::Queued.as_str(),
        ],
    )?;
    Ok(changed > 0)
}

/// Jobs a stopped process left running wait again.
pub(super) fn recover(conn: &mut Conn) -> Result<u64, StoreError> {
    conn.execute(
        "UPDATE job SET status = $1 WHERE status = $2",
        &[&Status::Queued.as_str(), &Status::Running.as_str()],
    )
}

/// Whether a job of this name waits or runs.
pub(super) fn pending(conn: &mut Conn, name: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = conn.query_opt(
        "SELECT 1 FROM job WHERE name = $1 AND status IN ($2, $3) LIMIT 1",
        &[&name, &Status::Queued.as_str(), &Status::Running.as_str()],
        |row| row.get(0),
    )?;
    Ok(found.is_some())
}

pub(super) fn progress(
    conn: &mut Conn,
    job: JobId,
    done: i64,
    total: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE job SET done = $1, total = $2 WHERE id = $3 AND status = $4",
        &[&done, &total, &job.uuid(), &Status::Running.as_str()],
    )?;
    Ok(())
}

/// A job that did its work (all `total` of it): gone, unless someone follows it; then kept
/// with its result.
pub(super) fn succeeded(
    conn: &mut Conn,
    job: JobId,
    result: &str,
    total: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM job WHERE id = $1 AND owner_id IS NULL",
        &[&job.uuid()],
    )?;
    conn.execute(
        "UPDATE job SET status = $1, result = $2, done = $3, total = $3, finished_at = $4 WHERE id = $5",
        &[&Status::Done.as_str(), &result, &total, &at, &job.uuid()],
    )?;
    Ok(())
}

/// A job that failed: queued again at `retry_at`, or given up.
pub(super) fn failed(
    conn: &mut Conn,
    job: JobId,
    attempts: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let error: String = error.chars().take(500).collect();
    match retry_at {
        Some(retry_at) => conn.execute(
            "UPDATE job SET status = $1, attempts = $2, last_error = $3, run_at = $4 WHERE id = $5",
            &[
                &Status::Queued.as_str(),
                &attempts,
                &error,
                &retry_at,
                &job.uuid(),
            ],
        )?,
        None => conn.execute(
            "UPDATE job SET status = $1, attempts = $2, last_error = $3, finished_at = $4 WHERE id = $5",
            &[&Status::Failed.as_str(), &attempts, &error, &at, &job.uuid()],
        )?,
    };
    Ok(())
}

/// Forgets finished jobs older than `before` (their owners have long read them).
pub(super) fn prune(conn: &mut Conn, before: DateTime<Utc>) -> Result<u64, StoreError> {
    conn.execute(
        "DELETE FROM job WHERE status IN ($1, $2) AND finished_at < $3",
        &[&Status::Done.as_str(), &Status::Failed.as_str(), &before],
    )
}
