//! The registry (人房企物, DOMAIN.md section 9): persons, the places they live in and rent
//! (小区 > building > unit > room), office buildings (楼宇) with their tax, enterprises, and
//! components (部件). Every record keeps an append-only, hash-chained history through the ledger
//! kernel (one history table, `registry_event`, for all of them); reads take the reader's scope
//! (`access::restrict`); ID numbers and phones are sealed (`privacy`) with a keyed blind index
//! for exact look-up, shown masked, and revealed whole only with an audit record.

pub mod bulk;
pub mod components;
pub mod enterprises;
pub mod import;
pub mod links;
pub mod own;
pub mod persons;
pub mod places;
pub mod refusal;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::ledger::chain::GENESIS;
use jiedao_core::ledger::{RecordChange, RecordState};
use jiedao_core::{Capability, OrgPath, OrgUnitId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::Ledger;
use crate::ledger::access;
use crate::ledger::history::{self, Entry, EventActor, EventRecord};
use crate::ledger::query::Where;
use crate::refusal::Refusal;
use crate::scope::{Principal, Scope};

pub use refusal::RegistryRefusal;

const fn ledger(kind: &'static str, records: &'static str) -> Ledger {
    Ledger {
        kind,
        prefix: "",
        records,
        history: "registry_event",
        people: "registry_account",
        record_column: "record_id",
    }
}

pub const PERSONS: Ledger = ledger("person", "registry_person");
pub const PLACES: Ledger = ledger("place", "registry_place");
pub const ENTERPRISES: Ledger = ledger("enterprise", "registry_enterprise");
pub const COMPONENTS: Ledger = ledger("component", "registry_component");

/// Whether a record is current: a person still registered here, a place still standing, an
/// enterprise not moved out, a component in service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Ended,
}

impl RecordState for Status {
    const ALL: &'static [Status] = &[Status::Active, Status::Ended];
    const CLOSED: &'static [Status] = &[Status::Ended];

    fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Ended => "ended",
        }
    }
}

/// One change to a registry record, as its history keeps it. Sealed values (ID numbers,
/// phones) never appear here, only that they changed: the history is not sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// The record was entered, with what it said (masked where personal).
    Registered {
        fields: BTreeMap<String, String>,
    },
    /// Fields changed (their names; personal values masked).
    Changed {
        fields: BTreeMap<String, String>,
    },
    /// Someone began to live in, own, let or rent a place.
    Occupied {
        person: Uuid,
        place: Uuid,
        role: String,
        from: NaiveDate,
    },
    /// … and stopped.
    Left {
        person: Uuid,
        place: Uuid,
        role: String,
        to: NaiveDate,
    },
    Tagged {
        tag: String,
        source: String,
        first: NaiveDate,
        last: Option<NaiveDate>,
    },
    TagEnded {
        tag: String,
        last: NaiveDate,
    },
    /// Tax paid in a year (fen).
    Tax {
        year: i32,
        fen: i64,
    },
    /// A case names the record.
    Linked {
        case: String,
    },
    /// The person's personal data was erased at their request.
    Erased,
    Ended {
        day: NaiveDate,
    },
}

impl RecordChange for Change {
    fn action(&self) -> &'static str {
        match self {
            Change::Registered { .. } => "register",
            Change::Changed { .. } => "change",
            Change::Occupied { .. } => "occupy",
            Change::Left { .. } => "leave",
            Change::Tagged { .. } => "tag",
            Change::TagEnded { .. } => "untag",
            Change::Tax { .. } => "tax",
            Change::Linked { .. } => "link",
            Change::Erased => "erase",
            Change::Ended { .. } => "end",
        }
    }
}

/// A record's history entry as a page shows it.
pub type Event = EventRecord<Status, Change>;

/// Who changed a record, for its history.
pub fn event_actor(principal: &Principal, ip: Option<String>) -> EventActor {
    EventActor {
        user_id: principal.user_id(),
        name: principal.username().to_owned(),
        role: Some(principal.role()),
        ip,
    }
}

/// Refuses a principal whose role may not keep the registry.
pub(crate) fn may_manage(principal: &Principal) -> Result<(), Refusal> {
    principal.scope().require(Capability::ManageRegistry)
}

/// The first entry of a new record's history; its hash is the record's head.
pub(crate) fn first_entry(
    ledger: &'static Ledger,
    record: Uuid,
    at: DateTime<Utc>,
    actor: &EventActor,
    change: &Change,
) -> Result<Entry, StoreError> {
    Entry::new(
        ledger,
        record,
        1,
        &GENESIS,
        at,
        actor,
        None,
        Status::Active,
        change,
    )
}

/// Appends `change` to a record's history, moving it to `to`.
pub(crate) fn append(
    conn: &mut Conn,
    ledger: &'static Ledger,
    record: Uuid,
    at: DateTime<Utc>,
    actor: &EventActor,
    to: Status,
    change: &Change,
) -> Result<(), StoreError> {
    let table = ledger.records;
    let (street, state, count, head): (OrgUnitId, String, i64, Vec<u8>) = conn
        .query_opt(
            &format!("SELECT street_id, state, event_count, head_hash FROM {table} WHERE id = $1"),
            &[&record],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )?
        .ok_or_else(|| not_found(ledger, record))?;
    let from = Status::parse(&state);
    let entry = Entry::new(
        ledger,
        record,
        count + 1,
        &head,
        at,
        actor,
        from,
        to,
        change,
    )?;
    entry.insert(conn, street)?;
    conn.execute(
        &format!("UPDATE {table} SET state = $1, event_count = $2, head_hash = $3 WHERE id = $4"),
        &[&to.as_str(), &(count + 1), &entry.hash, &record],
    )?;
    Ok(())
}

/// A record's history, oldest first.
pub fn history_of(
    conn: &mut Conn,
    ledger: &'static Ledger,
    record: Uuid,
) -> Result<Vec<Event>, StoreError> {
    history::load(conn, ledger, record)
}

/// Whether a record's history is whole (nothing edited, removed or added).
pub fn verify(conn: &mut Conn, ledger: &'static Ledger, record: Uuid) -> Result<bool, StoreError> {
    let table = ledger.records;
    let Some((count, head)) = conn.query_opt(
        &format!("SELECT event_count, head_hash FROM {table} WHERE id = $1"),
        &[&record],
        |row| Ok((row.get::<i64>(0)?, row.get::<Vec<u8>>(1)?)),
    )?
    else {
        return Ok(false);
    };
    history::verify(
        conn,
        ledger,
        record,
        &head,
        u32::try_from(count).unwrap_or(u32::MAX),
    )
}

pub(crate) fn not_found(ledger: &Ledger, record: Uuid) -> StoreError {
    Refusal::NotFound {
        what: match ledger.kind {
            "person" => "noun.person",
            "place" => "noun.place",
            "enterprise" => "noun.enterprise",
            _ => "noun.component",
        },
        key: record.to_string(),
    }
    .into()
}

/// The registry records `scope` sees (as `f`), for a list: staff with the registry's
/// capability, within their part of the tree.
pub(crate) fn restrict(scope: &Scope, ledger: &Ledger, w: &mut Where) -> Result<(), Refusal> {
    scope.require(Capability::ViewRegistry)?;
    access::restrict(scope, ledger, Capability::ViewRegistry, w)
}

/// Refuses `scope` one record at `path` it does not see, as if it were not there.
pub(crate) fn sees(
    scope: &Scope,
    ledger: &Ledger,
    record: Uuid,
    path: &OrgPath,
) -> Result<(), StoreError> {
    scope.require(Capability::ViewRegistry)?;
    if scope.covers(path) {
        Ok(())
    } else {
        Err(not_found(ledger, record))
    }
}

/// The text a bound prefix search stops before: `prefix` with its last character bumped.
pub(crate) fn prefix_end(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    match chars.pop() {
        Some(last) => {
            let next = (u32::from(last) + 1..=0x10FFFF)
                .find_map(char::from_u32)
                .unwrap_or(char::MAX);
            chars.push(next);
            chars.into_iter().collect()
        }
        None => String::from(char::MAX),
    }
}

/// A year's date from text (YYYY-MM-DD), or the refusal naming it.
pub(crate) fn day(text: &str) -> Result<NaiveDate, RegistryRefusal> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| RegistryRefusal::BadDate {
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_ends_just_past_every_text_that_starts_with_it() {
        assert_eq!(prefix_end("王"), "玌");
        assert_eq!(prefix_end("ab"), "ac");
        let end = prefix_end("王");
        assert!("王小明" < end.as_str() && "王" < end.as_str() && "玌" >= end.as_str());
    }
}
