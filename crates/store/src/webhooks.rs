//! Webhooks: other systems subscribe to a street's case events. Each recorded change puts a
//! delivery for every matching subscription into an outbox, in the change's own transaction,
//! so no event is lost or sent for a change that did not happen. A deliverer (in the web
//! crate) sends them signed with HMAC-SHA256, retries failures with growing waits, and every
//! attempt's outcome stays in the outbox as the delivery log.

use chrono::{DateTime, Duration, Utc};
use jiedao_core::case::{ActionKind, Case};
use jiedao_core::{Capability, OrgKind, OrgUnitId};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::random_token;
use crate::db::Conn;
use crate::error::StoreError;
use crate::org;
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// The longest address kept.
const MAX_URL: usize = 500;

/// A subscription.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    pub id: uuid::Uuid,
    pub street_code: String,
    pub url: String,
    /// Action codes, or `*` for every change.
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// One delivery and how its attempts went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub id: uuid::Uuid,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
    /// pending, delivered or failed (given up).
    pub status: String,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: uuid::Uuid,
    pub street: OrgUnitId,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
}

/// HMAC-SHA256 (RFC 2104) of `body` under `secret`, as lowercase hex: the
/// `X-Jiedao-Signature: sha256=…` a receiver recomputes to trust a delivery.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut key = [0_u8; BLOCK];
    if secret.len() > BLOCK {
        key[..32].copy_from_slice(&Sha256::digest(secret));
    } else {
        key[..secret.len()].copy_from_slice(secret);
    }
    let pad = |byte: u8| key.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(body)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// The wait before attempt `attempts + 1`: 2, 4, 8 … seconds, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    Duration::seconds(
        2_i64
            .saturating_pow(u32::try_from(attempts.clamp(1, 12)).unwrap_or(12))
            .min(3600),
    )
}

fn check_url(url: &str) -> Result<String, Refusal> {
    let url = url.trim();
    let fits = url.len() <= MAX_URL
        && url.len() > "http://".len()
        && url.starts_with("http://")
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    fits.then(|| url.to_owned()).ok_or(Refusal::BadWebhookUrl)
}

fn check_events(events: &[String]) -> Result<Vec<String>, Refusal> {
    let events: Vec<String> = events.iter().map(|e| e.trim().to_owned()).collect();
    if events.is_empty() {
        return Ok(vec!["*".to_owned()]);
    }
    for event in &events {
        if event != "*" && ActionKind::parse(event).is_none() {
            return Err(Refusal::UnknownEvent {
                name: event.chars().take(40).collect(),
            });
        }
    }
    Ok(events)
}

/// Subscribes `url` to a street's events; returns the subscription and its signing secret
/// (shown this once to the caller; kept to sign deliveries).
pub fn create(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    street_code: &str,
    url: &str,
    events: &[String],
) -> Result<(Webhook, String), StoreError> {
    scope.require(Capability::ManageSettings)?;
    let url = check_url(url)?;
    let events = check_events(events)?;
    let street = org::current_by_code(conn, street_code)?
        .filter(|u| u.kind == OrgKind::Street)
        .ok_or_else(|| Refusal::UnknownOrgUnit {
            code: street_code.chars().take(40).collect(),
        })?;
    if !scope.covers(&street.path) {
        return Err(Refusal::OutOfScope.into());
    }
    let secret = random_token()?;
    let webhook = Webhook {
        id: uuid::Uuid::now_v7(),
        street_code: street.code,
        url,
        events,
        active: true,
        created_at: at,
    };
    conn.execute(
        "INSERT INTO webhook (id, street_id, url, secret, events, active, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &webhook.id,
            &street.id,
            &webhook.url,
            &secret,
            &webhook.events.join(","),
            &true,
            &at,
            &actor.name,
        ],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "webhook.create",
        &format!("webhook:{}", webhook.id),
        &(&webhook.url, &webhook.events),
    )?;
    Ok((webhook, secret))
}

const SELECT_WEBHOOK: &str = "SELECT w.id, o.code, w.url, w.events, w.active, w.created_at
    FROM webhook w JOIN org_unit o ON o.id = w.street_id";

fn read_webhook(row: &crate::db::Row<'_>) -> Result<Webhook, StoreError> {
    let events: String = row.get(3)?;
    Ok(Webhook {
        id: row.get(0)?,
        street_code: row.get(1)?,
        url: row.get(2)?,
        events: events.split(',').map(str::to_owned).collect(),
        active: row.get(4)?,
        created_at: row.get(5)?,
    })
}

/// The subscriptions of the streets within the scope, newest first.
pub fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<Webhook>, StoreError> {
    scope.require(Capability::ManageSettings)?;
    let (low, high) = scope.path_range();
    conn.query(
        &format!("{SELECT_WEBHOOK} WHERE o.path >= $1 AND o.path < $2 ORDER BY w.created_at DESC"),
        &[&low, &high],
        read_webhook,
    )
}

/// One subscription within the scope.
fn within(conn: &mut Conn, scope: &Scope, id: uuid::Uuid) -> Result<Webhook, StoreError> {
    scope.require(Capability::ManageSettings)?;
    let (low, high) = scope.path_range();
    conn.query_opt(
        &format!("{SELECT_WEBHOOK} WHERE w.id = $1 AND o.path >= $2 AND o.path < $3"),
        &[&id, &low, &high],
        read_webhook,
    )?
    .ok_or_else(|| {
        Refusal::NotFound {
            what: "noun.webhook",
            key: id.to_string(),
        }
        .into()
    })
}

/// Ends a subscription; its deliveries still waiting are given up, its log is kept.
pub fn remove(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    id: uuid::Uuid,
) -> Result<(), StoreError> {
    within(conn, scope, id)?;
    conn.execute(
        "UPDATE webhook SET active = $1 WHERE id = $2",
        &[&false, &id],
    )?;
    conn.execute(
        "UPDATE webhook_delivery SET next_at = NULL, status = $1 WHERE webhook_id = $2 AND next_at IS NOT NULL",
        &[&"failed", &id],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "webhook.remove",
        &format!("webhook:{id}"),
        &(),
    )?;
    Ok(())
}

/// A subscription's latest deliveries, newest first.
pub fn deliveries(
    conn: &mut Conn,
    scope: &Scope,
    id: uuid::Uuid,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    within(conn, scope, id)?;
    conn.query(
        "SELECT id, event, payload, attempts, status, last_status, last_error, created_at, next_at, delivered_at
         FROM webhook_delivery WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        &[&id, &limit.clamp(1, 500)],
        |row| {
            Ok(Delivery {
                id: row.get(0)?,
                event: row.get(1)?,
                payload: row.get(2)?,
                attempts: row.get(3)?,
                status: row.get(4)?,
                last_status: row.get(5)?,
                last_error: row.get(6)?,
                created_at: row.get(7)?,
                next_at: row.get(8)?,
                delivered_at: row.get(9)?,
            })
        },
    )
}

/// What a delivery says about a change.
#[derive(Debug, Serialize)]
struct Payload<'a> {
    event: &'a str,
    case_id: String,
    number: &'a str,
    seq: u32,
    at: DateTime<Utc>,
    state: &'a str,
    category: Option<&'a str>,
    department: Option<&'a str>,
}

/// Puts a delivery of the change just recorded (the case as it now stands, `event` the
/// action's code) into the outbox of every active subscription of the case's street that
/// wants it. Runs inside the change's transaction.
pub fn enqueue(
    conn: &mut Conn,
    case: &Case,
    event: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let subscribed: Vec<(uuid::Uuid, String)> = conn.query(
        "SELECT id, events FROM webhook WHERE street_id = $1 AND active = $2",
        &[&case.street, &true],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let wanted: Vec<uuid::Uuid> = subscribed
        .into_iter()
        .filter(|(_, events)| events.split(',').any(|e| e == "*" || e == event))
        .map(|(id, _)| id)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let payload = serde_json::to_string(&Payload {
        event,
        case_id: case.id.to_string(),
        number: &case.number,
        seq: case.event_count,
        at,
        state: case.state.as_str(),
        category: case.category.as_ref().map(|k| k.code.as_str()),
        department: case.department.as_ref().map(|d| d.name.as_str()),
    })
    .map_err(|error| StoreError::Query(error.to_string()))?;
    for webhook in wanted {
        conn.execute(
            "INSERT INTO webhook_delivery (street_id, id, webhook_id, case_id, seq, event, payload,
                 attempts, next_at, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &case.street,
                &uuid::Uuid::now_v7(),
                &webhook,
                &case.id,
                &i64::from(case.event_count),
                &event,
                &payload,
                &0_i64,
                &at,
                &"pending",
                &at,
            ],
        )?;
    }
    Ok(())
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
    fn signatures_follow_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            sign(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn waits_grow_and_stop_at_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(2));
        assert_eq!(backoff(3), Duration::seconds(8));
        assert_eq!(backoff(40), Duration::seconds(3600));
    }

    #[test]
    fn only_plain_http_addresses_and_known_events() {
        assert!(check_url("http://10.0.0.5:8080/hook").is_ok());
        assert!(check_url("https://example.org/hook").is_err());
        assert!(check_url("http://a b").is_err());
        assert!(check_url("http://").is_err());
        assert_eq!(check_events(&[]), Ok(vec!["*".to_owned()]));
        assert!(check_events(&["close".into(), "dispatch".into()]).is_ok());
        assert!(check_events(&["explode".into()]).is_err());
    }
}
