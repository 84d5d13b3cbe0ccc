//! A ledger record's history (`case_event` for cases): every change, append-only, each record
//! chained to the one before it ([`jiedao_core::ledger::chain`]). The record's row keeps the
//! last hash and the count, so an edited, deleted or added record shows when the chain is
//! walked. What a change holds and which states there are is the ledger's own business.

use chrono::{DateTime, Utc};
use jiedao_core::ledger::chain::{self, Walk};
use jiedao_core::ledger::{RecordChange, RecordState};
use jiedao_core::{OrgUnitId, Role, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Ledger;
use crate::db::value::to_micros;
use crate::db::{Conn, Row};
use crate::error::StoreError;

/// Who made a change, as a history records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    pub user_id: Option<UserId>,
    pub name: String,
    pub role: Option<Role>,
    pub ip: Option<String>,
}

/// One recorded change, in its ledger's states and changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRecord<S, C> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: EventActor,
    pub from_state: Option<S>,
    pub to_state: S,
    pub change: C,
}

/// What a history record's hash covers, in the order it was always fed.
struct Hashed<'a> {
    record: Uuid,
    seq: i64,
    at: DateTime<Utc>,
    actor: &'a EventActor,
    from: &'a str,
    to: &'a str,
    change: &'a str,
}

impl Hashed<'_> {
    fn fields<T>(&self, use_them: impl FnOnce(&[&[u8]]) -> T) -> T {
        let record = self.record.into_bytes();
        let seq = self.seq.to_be_bytes();
        let at = to_micros(self.at).to_be_bytes();
        // No user hashes as sixteen zero bytes, as it always has.
        let user = self
            .actor
            .user_id
            .map(|u| u.uuid().into_bytes())
            .unwrap_or_default();
        use_them(&[
            &record,
            &seq,
            &at,
            &user,
            self.actor.name.as_bytes(),
            self.actor.role.map_or("", Role::as_str).as_bytes(),
            self.actor.ip.as_deref().unwrap_or("").as_bytes(),
            self.from.as_bytes(),
            self.to.as_bytes(),
            self.change.as_bytes(),
        ])
    }
}

/// A record ready to be written: its change as text and its hash, both worked out beforehand so
/// that a new record's first entry costs the writer only its insert.
#[derive(Debug, Clone)]
pub struct Entry {
    ledger: &'static Ledger,
    record: Uuid,
    seq: i64,
    at: DateTime<Utc>,
    actor: EventActor,
    from: Option<&'static str>,
    to: &'static str,
    action: &'static str,
    text: String,
    prev_hash: Vec<u8>,
    /// The entry's hash: the record's new head.
    pub hash: Vec<u8>,
}

impl Entry {
    /// Entry `seq` of `record` in `ledger`, following the entry whose hash is `prev_hash` (the
    /// chain's genesis for the first).
    #[expect(clippy::too_many_arguments, reason = "the entry's fields")]
    pub fn new<S: RecordState, C: RecordChange>(
        ledger: &'static Ledger,
        record: Uuid,
        seq: i64,
        prev_hash: &[u8],
        at: DateTime<Utc>,
        actor: &EventActor,
        from: Option<S>,
        to: S,
        change: &C,
    ) -> Result<Entry, StoreError> {
        let text = serde_json::to_string(change).map_err(|e| StoreError::Query(e.to_string()))?;
        let (from, to) = (from.map(S::as_str), to.as_str());
        let hash = Hashed {
            record,
            seq,
            at,
            actor,
            from: from.unwrap_or(""),
            to,
            change: &text,
        }
        .fields(|fields| chain::link(prev_hash, fields));
        Ok(Entry {
            ledger,
            record,
            seq,
            at,
            actor: actor.clone(),
            from,
            to,
            action: change.action(),
            text,
            prev_hash: prev_hash.to_vec(),
            hash,
        })
    }

    /// Appends the entry to its record's history in `street`.
    pub fn insert(&self, conn: &mut Conn, street: OrgUnitId) -> Result<(), StoreError> {
        let Ledger {
            history,
            record_column,
            ..
        } = self.ledger;
        conn.execute(
            &format!(
                "INSERT INTO {history} (street_id, {record_column}, seq, at, action, actor_id, actor, actor_role, ip,
                     from_state, to_state, change, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            ),
            &[
                &street,
                &self.record,
                &self.seq,
                &self.at,
                &self.action,
                &self.actor.user_id,
                &self.actor.name,
                &self.actor.role,
                &self.actor.ip,
                &self.from,
                &self.to,
                &self.text,
                &self.prev_hash,
                &self.hash,
            ],
        )?;
        Ok(())
    }
}

/// Appends many entries of one ledger's histories at once, each with its street; entries of
/// one record must come in their order.
pub fn insert_many(conn: &mut Conn, entries: &[(Entry, OrgUnitId)]) -> Result<(), StoreError> {
    let Some((first, _)) = entries.first() else {
        return Ok(());
    };
    let Ledger {
        history,
        record_column,
        ..
    } = first.ledger;
    let mut params: Vec<&dyn crate::db::ToValue> = Vec::with_capacity(entries.len() * 14);
    for (entry, street) in entries {
        params.extend([
            street as &dyn crate::db::ToValue,
            &entry.record,
            &entry.seq,
            &entry.at,
            &entry.action,
            &entry.actor.user_id,
            &entry.actor.name,
            &entry.actor.role,
            &entry.actor.ip,
            &entry.from,
            &entry.to,
            &entry.text,
            &entry.prev_hash,
            &entry.hash,
        ]);
    }
    conn.insert_many(
        &format!(
            "INSERT INTO {history} (street_id, {record_column}, seq, at, action, actor_id, actor,
                 actor_role, ip, from_state, to_state, change, prev_hash, hash)"
        ),
        14,
        &params,
    )?;
    Ok(())
}

/// An entry as stored, with the text its hash covers.
struct Stored {
    seq: i64,
    at: DateTime<Utc>,
    actor: EventActor,
    from: Option<String>,
    to: String,
    text: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

fn read(row: &Row<'_>) -> Result<Stored, StoreError> {
    Ok(Stored {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: EventActor {
            user_id: row.get(2)?,
            name: row.get(3)?,
            role: row.get(4)?,
            ip: row.get(5)?,
        },
        from: row.get(6)?,
        to: row.get(7)?,
        text: row.get(8)?,
        prev_hash: row.get(9)?,
        hash: row.get(10)?,
    })
}

fn stored(conn: &mut Conn, ledger: &Ledger, record: Uuid) -> Result<Vec<Stored>, StoreError> {
    let Ledger {
        history,
        record_column,
        ..
    } = ledger;
    conn.query(
        &format!(
            "SELECT seq, at, actor_id, actor, actor_role, ip, from_state, to_state, change, prev_hash, hash
             FROM {history} WHERE {record_column} = $1 ORDER BY seq"
        ),
        &[&record],
        read,
    )
}

fn state<S: RecordState>(text: &str) -> Result<S, StoreError> {
    S::parse(text).ok_or_else(|| StoreError::Query(format!("unknown state {text:?}")))
}

/// A record's history, oldest first.
pub fn load<S: RecordState, C: RecordChange>(
    conn: &mut Conn,
    ledger: &Ledger,
    record: Uuid,
) -> Result<Vec<EventRecord<S, C>>, StoreError> {
    stored(conn, ledger, record)?
        .into_iter()
        .map(|stored| {
            Ok(EventRecord {
                seq: stored.seq,
                at: stored.at,
                from_state: stored.from.as_deref().map(state).transpose()?,
                to_state: state(&stored.to)?,
                change: serde_json::from_str(&stored.text)
                    .map_err(|e| StoreError::Query(format!("stored change: {e}")))?,
                actor: stored.actor,
            })
        })
        .collect()
}

/// Whether a record's history is whole and ends at `head` after `count` entries.
pub fn verify(
    conn: &mut Conn,
    ledger: &Ledger,
    record: Uuid,
    head: &[u8],
    count: u32,
) -> Result<bool, StoreError> {
    let mut walk = Walk::default();
    for entry in stored(conn, ledger, record)? {
        let hashed = Hashed {
            record,
            seq: entry.seq,
            at: entry.at,
            actor: &entry.actor,
            from: entry.from.as_deref().unwrap_or(""),
            to: &entry.to,
            change: &entry.text,
        };
        let step =
            hashed.fields(|fields| walk.step(entry.seq, &entry.prev_hash, &entry.hash, fields));
        if step.is_err() {
            return Ok(false);
        }
    }
    Ok(walk.records() == i64::from(count) && walk.head() == head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Histories written before the kernel must still verify: the hash of a known entry, worked
    /// out by hand from the format every stored entry was written in.
    #[test]
    fn entries_hash_as_they_always_did() {
        let actor = EventActor {
            user_id: None,
            name: "intake".into(),
            role: Some(Role::IntakeOperator),
            ip: Some("10.0.0.1".into()),
        };
        let hash = Hashed {
            record: Uuid::from_u128(1),
            seq: 2,
            at: Utc
                .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
                .single()
                .expect("time"),
            actor: &actor,
            from: "reported",
            to: "filed",
            change: r#"{"kind":"file"}"#,
        }
        .fields(|fields| chain::link(&chain::GENESIS, fields));
        assert_eq!(
            hex(&hash),
            "2af1108dc6f21a1f6fa57ac6cd2cadf991cd347982469640b386de7157cb8da0"
        );
    }
}
