//! The audit log (操作日志): an append-only record of every write: who, when, what, from where.
//!
//! Records are numbered without gaps and each carries the SHA-256 of its own fields and of the
//! record before it, so an edited or deleted record breaks the chain and [`verify`] names it.
//! Records are written in the same transaction as the change they describe.

use chrono::{DateTime, Utc};
use jiedao_core::UserId;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::Conn;
use crate::db::value::to_micros;
use crate::error::StoreError;
use crate::scope::{Actor, Scope};

/// The hash standing before the first record.
const GENESIS: [u8; 32] = [0; 32];

/// Feeds one field into the hash, length first, so fields cannot run into each other.
fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

struct Fields<'a> {
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<UserId>,
    actor: &'a str,
    ip: Option<&'a str>,
    action: &'a str,
    target: &'a str,
    detail: &'a str,
}

fn chain_hash(prev: &[u8], record: &Fields<'_>) -> Vec<u8> {
    let mut hasher = Sha256::new();
    field(&mut hasher, prev);
    field(&mut hasher, &record.seq.to_be_bytes());
    field(&mut hasher, &to_micros(record.at).to_be_bytes());
    field(
        &mut hasher,
        record
            .actor_id
            .map(|id| id.uuid().into_bytes())
            .unwrap_or_default()
            .as_slice(),
    );
    field(&mut hasher, record.actor.as_bytes());
    field(&mut hasher, record.ip.unwrap_or("").as_bytes());
    field(&mut hasher, record.action.as_bytes());
    field(&mut hasher, record.target.as_bytes());
    field(&mut hasher, record.detail.as_bytes());
    hasher.finalize().to_vec()
}

/// Appends a record of `action` on `target` (e.g. `user:lisi`), with `detail` as JSON.
pub fn record(
    conn: &mut Conn,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    target: &str,
    detail: &impl Serialize,
) -> Result<i64, StoreError> {
    let detail = serde_json::to_string(detail).map_err(|e| StoreError::Query(e.to_string()))?;
    let last: Option<(i64, Vec<u8>)> = conn.query_opt(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_vec()),
    };
    let fields = Fields {
        seq,
        at,
        actor_id: actor.user_id,
        actor: &actor.name,
        ip: actor.ip.as_deref(),
        action,
        target,
        detail: &detail,
    };
    let hash = chain_hash(&prev, &fields);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor_id, actor, ip, action, target, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &seq,
            &at,
            &actor.user_id,
            &actor.name,
            &actor.ip,
            &action,
            &target,
            &detail,
            &prev,
            &hash,
        ],
    )?;
    Ok(seq)
}

/// One record as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

const SELECT_RECORD: &str =
    "SELECT seq, at, actor_id, actor, ip, action, target, detail, prev_hash, hash FROM audit_log";

fn read_record(row: &crate::db::Row<'_>) -> Result<(AuditRecord, Vec<u8>, Vec<u8>), StoreError> {
    Ok((
        AuditRecord {
            seq: row.get(0)?,
            at: row.get(1)?,
            actor_id: row.get(2)?,
            actor: row.get(3)?,
            ip: row.get(4)?,
            action: row.get(5)?,
            target: row.get(6)?,
            detail: row.get(7)?,
        },
        row.get(8)?,
        row.get(9)?,
    ))
}

/// The latest records, newest first, optionally only those about `target`. Administrators only.
pub fn recent(
    conn: &mut Conn,
    scope: &Scope,
    target: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    scope.require(jiedao_core::Capability::ViewAudit)?;
    let rows = match target {
        Some(target) => conn.query(
            &format!("{SELECT_RECORD} WHERE target = $1 ORDER BY seq DESC LIMIT $2"),
            &[&target, &limit],
            read_record,
        )?,
        None => conn.query(
            &format!("{SELECT_RECORD} ORDER BY seq DESC LIMIT $1"),
            &[&limit],
            read_record,
        )?,
    };
    Ok(rows.into_iter().map(|(record, _, _)| record).collect())
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every record is in place: this many were checked.
    Intact { records: i64 },
    /// The chain breaks at this record number, for this reason.
    Broken { seq: i64, reason: BreakReason },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakReason {
    /// A record number is missing: a record was deleted.
    Missing,
    /// The record's contents do not match its hash: it was edited.
    Edited,
    /// The record does not point at the one before it.
    Unlinked,
}

/// Walks the whole chain from the first record and reports the first break.
pub fn verify(conn: &mut Conn) -> Result<Verdict, StoreError> {
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_vec();
    let mut after = 0_i64;
    loop {
        let page = conn.query(
            &format!("{SELECT_RECORD} WHERE seq > $1 ORDER BY seq LIMIT 10000"),
            &[&after],
            read_record,
        )?;
        if page.is_empty() {
            return Ok(Verdict::Intact {
                records: expected_seq - 1,
            });
        }
        for (record, prev_hash, hash) in page {
            if record.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: BreakReason::Missing,
                });
            }
            if prev_hash != prev {
                return Ok(Verdict::Broken {
                    seq: record.seq,
                    reason: BreakReason::Unlinked,
                });
            }
            let fields = Fields {
                seq: record.seq,
                at: record.at,
                actor_id: record.actor_id,
                actor: &record.actor,
                ip: record.ip.as_deref(),
                action: &record.action,
                target: &record.target,
                detail: &record.detail,
            };
            if chain_hash(&prev, &fields) != hash {
                return Ok(Verdict::Broken {
                    seq: record.seq,
                    reason: BreakReason::Edited,
                });
            }
            prev = hash;
            after = record.seq;
            expected_seq += 1;
        }
    }
}
