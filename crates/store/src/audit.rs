//! The audit log (操作日志): an append-only record of every write: who, when, what, from where.
//!
//! Records are numbered without gaps and each carries the SHA-256 of its own fields and of the
//! record before it, so an edited or deleted record breaks the chain and [`verify`] names it.
//! Records are written in the same transaction as the change they describe. The chain is the
//! ledgers' own ([`jiedao_core::ledger::chain`]).

pub use jiedao_core::ledger::chain::BreakReason;

use chrono::{DateTime, Utc};
use jiedao_core::UserId;
use jiedao_core::ledger::chain::{self, Break, Walk};
use serde::Serialize;

use crate::db::Conn;
use crate::db::value::to_micros;
use crate::error::StoreError;
use crate::scope::{Actor, Scope};

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

impl Fields<'_> {
    /// The record's fields in the order its hash has always covered them.
    fn hashed<T>(&self, use_them: impl FnOnce(&[&[u8]]) -> T) -> T {
        let seq = self.seq.to_be_bytes();
        let at = to_micros(self.at).to_be_bytes();
        // No user hashes as sixteen zero bytes.
        let user = self
            .actor_id
            .map(|id| id.uuid().into_bytes())
            .unwrap_or_default();
        use_them(&[
            &seq,
            &at,
            &user,
            self.actor.as_bytes(),
            self.ip.unwrap_or("").as_bytes(),
            self.action.as_bytes(),
            self.target.as_bytes(),
            self.detail.as_bytes(),
        ])
    }
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
        None => (1, chain::GENESIS.to_vec()),
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
    let hash = fields.hashed(|fields| chain::link(&prev, fields));
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

/// Walks the whole chain from the first record and reports the first break.
pub fn verify(conn: &mut Conn) -> Result<Verdict, StoreError> {
    let mut walk = Walk::default();
    loop {
        let page = conn.query(
            &format!("{SELECT_RECORD} WHERE seq > $1 ORDER BY seq LIMIT 10000"),
            &[&walk.records()],
            read_record,
        )?;
        if page.is_empty() {
            return Ok(Verdict::Intact {
                records: walk.records(),
            });
        }
        for (record, prev_hash, hash) in page {
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
            let step = fields.hashed(|fields| walk.step(record.seq, &prev_hash, &hash, fields));
            if let Err(Break { seq, reason }) = step {
                return Ok(Verdict::Broken { seq, reason });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Audit records written before the shared chain must still verify: the hash of a known
    /// first record, worked out by hand from the format every record was written in.
    #[test]
    fn records_hash_as_they_always_did() {
        let fields = Fields {
            seq: 1,
            at: Utc
                .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
                .single()
                .expect("time"),
            actor_id: Some(UserId::from_uuid(uuid::Uuid::from_u128(7))),
            actor: "admin",
            ip: None,
            action: "user.create",
            target: "user:lisi",
            detail: r#"{"role":"leader"}"#,
        };
        let hash = fields.hashed(|fields| chain::link(&chain::GENESIS, fields));
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "79ea9bcb883a0c660877e640242c513d621bb7e32317d5a3a1becd8c30a30ff6"
        );
    }
}
