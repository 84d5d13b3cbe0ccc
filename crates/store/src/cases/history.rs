//! A case's history (`case_event`): every change, append-only, each record hashed with the one
//! before it. The case row keeps the last hash and the count, so an edited, deleted or added
//! record shows when the chain is walked.

use chrono::{DateTime, Utc};
use jiedao_core::case::{CaseState, Change};
use jiedao_core::{CaseId, OrgUnitId, Role, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::value::to_micros;
use crate::db::{Conn, Row};
use crate::error::StoreError;

/// Who made a change, as a case's history records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventActor {
    pub user_id: Option<UserId>,
    pub name: String,
    pub role: Option<Role>,
    pub ip: Option<String>,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: EventActor,
    pub from_state: Option<CaseState>,
    pub to_state: CaseState,
    pub change: Change,
}

pub(crate) const GENESIS: [u8; 32] = [0; 32];

fn feed(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

#[expect(
    clippy::too_many_arguments,
    reason = "every field of the record goes into its hash"
)]
fn event_hash(
    prev: &[u8],
    case: CaseId,
    seq: i64,
    at: DateTime<Utc>,
    actor: &EventActor,
    from: Option<CaseState>,
    to: CaseState,
    change: &str,
) -> Vec<u8> {
    let mut hasher = Sha256::new();
    feed(&mut hasher, prev);
    feed(&mut hasher, case.uuid().as_bytes());
    feed(&mut hasher, &seq.to_be_bytes());
    feed(&mut hasher, &to_micros(at).to_be_bytes());
    feed(
        &mut hasher,
        actor
            .user_id
            .map(|u| u.uuid().into_bytes())
            .unwrap_or_default()
            .as_slice(),
    );
    feed(&mut hasher, actor.name.as_bytes());
    feed(&mut hasher, actor.role.map_or("", Role::as_str).as_bytes());
    feed(&mut hasher, actor.ip.as_deref().unwrap_or("").as_bytes());
    feed(&mut hasher, from.map_or("", CaseState::as_str).as_bytes());
    feed(&mut hasher, to.as_str().as_bytes());
    feed(&mut hasher, change.as_bytes());
    hasher.finalize().to_vec()
}

/// A record ready to be written: its change as text and its hash, both worked out beforehand so
/// that a new case's first record costs the writer only its insert.
#[derive(Debug, Clone)]
pub struct Entry {
    case: CaseId,
    seq: i64,
    at: DateTime<Utc>,
    actor: EventActor,
    from: Option<CaseState>,
    to: CaseState,
    action: &'static str,
    text: String,
    prev_hash: Vec<u8>,
    /// The record's hash: the case's new head.
    pub hash: Vec<u8>,
}

impl Entry {
    /// Record `seq` of `case`, following the record whose hash is `prev_hash`.
    #[expect(clippy::too_many_arguments, reason = "the record's fields")]
    pub fn new(
        case: CaseId,
        seq: i64,
        prev_hash: &[u8],
        at: DateTime<Utc>,
        actor: &EventActor,
        from: Option<CaseState>,
        to: CaseState,
        change: &Change,
    ) -> Result<Entry, StoreError> {
        let text = serde_json::to_string(change).map_err(|e| StoreError::Query(e.to_string()))?;
        let hash = event_hash(prev_hash, case, seq, at, actor, from, to, &text);
        Ok(Entry {
            case,
            seq,
            at,
            actor: actor.clone(),
            from,
            to,
            action: change.kind().as_str(),
            text,
            prev_hash: prev_hash.to_vec(),
            hash,
        })
    }

    /// Appends the record to its case's history in `street`.
    pub fn insert(&self, conn: &mut Conn, street: OrgUnitId) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO case_event (street_id, case_id, seq, at, action, actor_id, actor, actor_role, ip,
                 from_state, to_state, change, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &[
                &street,
                &self.case,
                &self.seq,
                &self.at,
                &self.action,
                &self.actor.user_id,
                &self.actor.name,
                &self.actor.role,
                &self.actor.ip,
                &self.from.map(CaseState::as_str),
                &self.to.as_str(),
                &self.text,
                &self.prev_hash,
                &self.hash,
            ],
        )?;
        Ok(())
    }
}

struct Stored {
    record: EventRecord,
    text: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

fn read(row: &Row<'_>) -> Result<Stored, StoreError> {
    let state = |column: usize, text: Option<String>| -> Result<Option<CaseState>, StoreError> {
        text.map(|t| {
            CaseState::parse(&t)
                .ok_or_else(|| StoreError::Query(format!("column {column}: unknown state {t:?}")))
        })
        .transpose()
    };
    let text: String = row.get(9)?;
    let to_state: String = row.get(8)?;
    Ok(Stored {
        record: EventRecord {
            seq: row.get(0)?,
            at: row.get(1)?,
            actor: EventActor {
                user_id: row.get(2)?,
                name: row.get(3)?,
                role: row.get(4)?,
                ip: row.get(5)?,
            },
            from_state: state(7, row.get(7)?)?,
            to_state: state(8, Some(to_state))?
                .ok_or_else(|| StoreError::Query("no state".into()))?,
            change: serde_json::from_str(&text)
                .map_err(|e| StoreError::Query(format!("stored change: {e}")))?,
        },
        text,
        prev_hash: row.get(10)?,
        hash: row.get(11)?,
    })
}

fn stored(conn: &mut Conn, case: CaseId) -> Result<Vec<Stored>, StoreError> {
    conn.query(
        "SELECT seq, at, actor_id, actor, actor_role, ip, action, from_state, to_state, change, prev_hash, hash
         FROM case_event WHERE case_id = $1 ORDER BY seq",
        &[&case],
        read,
    )
}

/// A case's history, oldest first.
pub fn load(conn: &mut Conn, case: CaseId) -> Result<Vec<EventRecord>, StoreError> {
    Ok(stored(conn, case)?.into_iter().map(|s| s.record).collect())
}

/// Whether the history's chain is whole and ends at `head` after `count` records.
pub fn verify(conn: &mut Conn, case: CaseId, head: &[u8], count: u32) -> Result<bool, StoreError> {
    let mut prev = GENESIS.to_vec();
    let records = stored(conn, case)?;
    for (index, stored) in records.iter().enumerate() {
        let record = &stored.record;
        let expected = event_hash(
            &prev,
            case,
            record.seq,
            record.at,
            &record.actor,
            record.from_state,
            record.to_state,
            &stored.text,
        );
        if record.seq != index as i64 + 1 || stored.prev_hash != prev || stored.hash != expected {
            return Ok(false);
        }
        prev = expected;
    }
    Ok(records.len() == count as usize && prev == head)
}
