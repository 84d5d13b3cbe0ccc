//! The outbox (发件箱): what other systems hear of a ledger's changes. A recorded change puts a
//! delivery for every subscription of its street that wants its event into the outbox, in the
//! change's own transaction, so no event is lost or sent for a change that did not happen. A
//! deliverer sends each (signed: [`crate::webhooks::sign`]), records every attempt, and retries
//! failures with growing waits; the attempts stay as the delivery log.

use chrono::{DateTime, Duration, Utc};
use jiedao_core::OrgUnitId;
use serde::Serialize;
use uuid::Uuid;

use super::Ledger;
use crate::db::Conn;
use crate::error::StoreError;

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 8;

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

/// Puts a delivery of `payload` into the outbox for every active subscription of the change's
/// street that wants its event. Runs inside the change's transaction.
pub fn publish(
    conn: &mut Conn,
    change: &Recorded<'_>,
    payload: &impl Serialize,
) -> Result<(), StoreError> {
    let subscribed: Vec<(Uuid, String)> = conn.query(
        "SELECT id, events FROM webhook WHERE street_id = $1 AND active = $2",
        &[&change.street, &true],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let wanted: Vec<Uuid> = subscribed
        .into_iter()
        .filter(|(_, events)| events.split(',').any(|e| e == "*" || e == change.event))
        .map(|(id, _)| id)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let payload =
        serde_json::to_string(payload).map_err(|error| StoreError::Query(error.to_string()))?;
    for webhook in wanted {
        conn.execute(
            "INSERT INTO webhook_delivery (street_id, id, webhook_id, ledger, record_id, seq, event, payload,
                 attempts, next_at, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &change.street,
                &Uuid::now_v7(),
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

/// Deliveries whose time has come, oldest first.
pub fn due(conn: &mut Conn, now: DateTime<Utc>, limit: i64) -> Result<Vec<Outgoing>, StoreError> {
    conn.query(
        "SELECT d.id, d.street_id, w.url, w.secret, d.event, d.payload, d.attempts
         FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
         WHERE d.next_at IS NOT NULL AND d.next_at <= $1 ORDER BY d.next_at LIMIT $2",
        &[&now, &limit],
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

/// Records an attempt: delivered, or failed with the status and error, to be tried again
/// after [`backoff`] until [`MAX_ATTEMPTS`].
pub fn attempted(
    conn: &mut Conn,
    delivery: &Outgoing,
    status: Option<u16>,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let attempts = delivery.attempts + 1;
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let (state, next_at, delivered_at) = if delivered {
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
            &status.map(i64::from),
            &error.map(|e| e.chars().take(300).collect::<String>()),
            &delivery.street,
            &delivery.id,
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_stop_at_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(2));
        assert_eq!(backoff(3), Duration::seconds(8));
        assert_eq!(backoff(40), Duration::seconds(3600));
    }
}
