//! The outbox (发件箱): what other systems hear of a ledger's changes. A recorded change puts a
//! delivery for every subscription of its street that wants its event into the outbox, with a
//! job to send it ([`Deliver`]), in the change's own transaction, so no event is lost or sent
//! for a change that did not happen. The job sends it with the caller's HTTP client (signed:
//! [`crate::webhooks::sign`]) and records every attempt; the job runner retries failures with
//! growing waits ([`RETRY`]). The attempts stay as the delivery log.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use jiedao_core::OrgUnitId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Ledger;
use crate::db::Conn;
use crate::error::StoreError;
use crate::jobs::{self, Context, Failed, Job, Retry};

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// How a delivery's failed attempts are tried again.
pub const RETRY: Retry = Retry {
    attempts: MAX_ATTEMPTS,
    backoff,
};

/// The job of sending one delivery.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Deliver {
    pub street: OrgUnitId,
    pub delivery: Uuid,
}

impl Job for Deliver {
    const NAME: &'static str = "outbox.deliver";
}

/// A change just recorded in a ledger, as the outbox and the other effects of a write see it.
#[derive(Debug, Clone, Copy)]
pub struct Recorded<'a> {
    pub ledger: &'static Ledger,
    pub street: OrgUnitId,
    pub record: Uuid,
    /// The change's place in the record's history.
    pub seq: i64,
    /// The event subscribers hear: the action's code.
    pub event: &'a str,
    pub at: DateTime<Utc>,
}

/// Puts a delivery into the outbox for every active subscription of the change's street that
/// wants its event: `payload` as JSON, or for a notice channel (a subscription with a
/// template, [`jiedao_core::notice`]) its template filled with `facts`. Runs inside the
/// change's transaction.
pub fn publish(
    conn: &mut Conn,
    change: &Recorded<'_>,
    payload: &impl Serialize,
    facts: &dyn Fn(&str) -> Option<String>,
) -> Result<(), StoreError> {
    let subscribed: Vec<(Uuid, String, Option<String>)> = conn.query(
        "SELECT id, events, template FROM webhook WHERE street_id = $1 AND active = $2",
        &[&change.street, &true],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let wanted: Vec<(Uuid, Option<String>)> = subscribed
        .into_iter()
        .filter(|(_, events, _)| events.split(',').any(|e| e == "*" || e == change.event))
        .map(|(id, _, template)| (id, template))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let json =
        serde_json::to_string(payload).map_err(|error| StoreError::Query(error.to_string()))?;
    for (webhook, template) in wanted {
        let payload = match template {
            // Templates were checked when they were set; one that no longer reads is sent as
            // the change's JSON rather than lost.
            Some(template) => jiedao_core::notice::fill(&template, facts).unwrap_or(json.clone()),
            None => json.clone(),
        };
        let delivery = Uuid::now_v7();
        conn.execute(
            "INSERT INTO webhook_delivery (street_id, id, webhook_id, ledger, record_id, seq, event, payload,
                 attempts, next_at, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &change.street,
                &delivery,
                &webhook,
                &change.ledger.kind,
                &change.record,
                &change.seq,
                &change.event,
                &payload,
                &0_i64,
                &change.at,
                &"pending",
                &change.at,
            ],
        )?;
        let job = Deliver {
            street: change.street,
            delivery,
        };
        jobs::enqueue(conn, &job, change.at)?;
    }
    Ok(())
}

/// The wait before attempt `attempts + 1`: 2, 4, 8 … seconds, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    Duration::seconds(
        2_i64
            .saturating_pow(u32::try_from(attempts.clamp(1, 12)).unwrap_or(12))
            .min(3600),
    )
}

/// A delivery ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: Uuid,
    pub street: OrgUnitId,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
}

/// The delivery a job sends, while it still waits (its subscription may have ended since).
fn waiting(conn: &mut Conn, job: &Deliver) -> Result<Option<Outgoing>, StoreError> {
    conn.query_opt(
        "SELECT d.id, d.street_id, w.url, w.secret, d.event, d.payload, d.attempts
         FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
         WHERE d.street_id = $1 AND d.id = $2 AND d.status = $3",
        &[&job.street, &job.delivery, &"pending"],
        |row| {
            Ok(Outgoing {
                id: row.get(0)?,
                street: row.get(1)?,
                url: row.get(2)?,
                secret: row.get(3)?,
                event: row.get(4)?,
                payload: row.get(5)?,
                attempts: row.get(6)?,
            })
        },
    )
}

/// How one attempt went: the receiver's status, or what went wrong before it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub status: Option<u16>,
    pub error: Option<String>,
}

impl Attempt {
    /// The receiver took it: it answered 2xx.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Runs a [`Deliver`] job: sends the delivery with `send` (the caller's HTTP client) and
/// records the attempt. A failed attempt fails the job, which the runner tries again by
/// [`RETRY`]; a delivery no longer waiting is done.
pub async fn deliver<S, F>(context: &Context, job: Deliver, send: S) -> Result<(), Failed>
where
    S: FnOnce(Outgoing) -> F,
    F: Future<Output = Attempt>,
{
    let store = context.store();
    let Some(delivery) = store.read(move |conn| waiting(conn, &job)).await? else {
        return Ok(());
    };
    let attempt = send(delivery.clone()).await;
    let at = store.now();
    let recorded = attempt.clone();
    store
        .write(move |conn| attempted(conn, &delivery, &recorded, at))
        .await?;
    if attempt.delivered() {
        Ok(())
    } else {
        Err(Failed(
            attempt.error.unwrap_or_else(|| "not delivered".into()),
        ))
    }
}

/// Records an attempt: delivered, or failed with the status and error, to be tried again
/// after [`backoff`] until [`MAX_ATTEMPTS`].
fn attempted(
    conn: &mut Conn,
    delivery: &Outgoing,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let attempts = delivery.attempts + 1;
    let (state, next_at, delivered_at) = if attempt.delivered() {
        ("delivered", None, Some(now))
    } else if attempts >= MAX_ATTEMPTS {
        ("failed", None, None)
    } else {
        ("pending", Some(now + backoff(attempts)), None)
    };
    conn.execute(
        "UPDATE webhook_delivery SET attempts = $1, status = $2, next_at = $3, delivered_at = $4,
             last_status = $5, last_error = $6
         WHERE street_id = $7 AND id = $8",
        &[
            &attempts,
            &state,
            &next_at,
            &delivered_at,
            &attempt.status.map(i64::from),
            &attempt
                .error
                .as_ref()
                .map(|e| e.chars().take(300).collect::<String>()),
            &delivery.street,
            &delivery.id,
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Migration 0010 writes the jobs of deliveries already waiting with SQLite's hex of the
    /// ids; they must read back as the same ids.
    #[test]
    fn jobs_the_migration_wrote_read_back() {
        let job: Deliver = serde_json::from_str(
            r#"{"street":"0190d3f600007000800000000000002a","delivery":"0190d3f6000070008000000000000007"}"#,
        )
        .expect("a delivery job");
        assert_eq!(
            job.delivery.to_string(),
            "0190d3f6-0000-7000-8000-000000000007"
        );
        assert_eq!(
            job.street.to_string(),
            "0190d3f6-0000-7000-8000-00000000002a"
        );
    }

    #[test]
    fn waits_grow_and_stop_at_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(2));
        assert_eq!(backoff(3), Duration::seconds(8));
        assert_eq!(backoff(40), Duration::seconds(3600));
    }
}
