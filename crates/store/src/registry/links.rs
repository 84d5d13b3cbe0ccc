//! Links from other ledgers to the registry: a case names the persons, places and components
//! it is about. A person's page lists the cases that name them (their file across domains,
//! 一人一档), a place's page the cases about it. Disputes, petitions and hazards will link the
//! same way, with their own kind.

use chrono::{DateTime, Utc};
use jiedao_core::ledger::RecordState;
use jiedao_core::{CaseId, OrgPath};
use serde::Serialize;
use uuid::Uuid;

use super::{COMPONENTS, Change, PERSONS, PLACES, RegistryRefusal, Status, append, event_actor};
use crate::cases::{projection, read};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::Ledger;
use crate::refusal::Refusal;
use crate::scope::Principal;

/// What kind of registry record a link names.
pub fn ledger_of(kind: &str) -> Result<&'static Ledger, RegistryRefusal> {
    match kind {
        "person" => Ok(&PERSONS),
        "place" => Ok(&PLACES),
        "component" => Ok(&COMPONENTS),
        "enterprise" => Ok(&super::ENTERPRISES),
        other => Err(RegistryRefusal::UnknownRecordKind {
            text: other.to_owned(),
        }),
    }
}

/// Records that case `case` names `record` (a person, place, component or enterprise); both
/// must be within the principal's sight. Naming twice is once.
pub fn link(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    case: CaseId,
    kind: &str,
    record: Uuid,
) -> Result<(), StoreError> {
    let ledger = ledger_of(kind)?;
    let scope = principal.scope();
    scope.require(jiedao_core::Capability::ViewRegistry)?;
    let (found, _) = projection::load(conn, case)?.ok_or_else(|| Refusal::NotFound {
        what: "noun.case",
        key: case.to_string(),
    })?;
    if !read::can_see(conn, principal, &found)? {
        return Err(Refusal::NotFound {
            what: "noun.case",
            key: case.to_string(),
        }
        .into());
    }
    let table = ledger.records;
    let path: OrgPath = conn
        .query_opt(
            &format!("SELECT org_path FROM {table} WHERE id = $1"),
            &[&record],
            |row| row.get(0),
        )?
        .ok_or_else(|| super::not_found(ledger, record))?;
    super::sees(&scope, ledger, record, &path)?;
    let added = conn.execute(
        "INSERT INTO registry_link (street_id, case_id, record_kind, record_id, linked_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        &[&found.street, &case, &ledger.kind, &record, &at],
    )?;
    if added == 0 {
        return Ok(());
    }
    let change = Change::Linked {
        case: found.number.clone(),
    };
    let state: String = conn.scalar(
        &format!("SELECT state FROM {table} WHERE id = $1"),
        &[&record],
    )?;
    let status = if state == Status::Ended.as_str() {
        Status::Ended
    } else {
        Status::Active
    };
    append(
        conn,
        ledger,
        record,
        at,
        &event_actor(principal, ip),
        status,
        &change,
    )
}

/// [`link`], with the case named by its number.
pub fn link_by_number(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    number: &str,
    kind: &str,
    record: Uuid,
) -> Result<(), StoreError> {
    let case: CaseId = conn
        .query_opt(
            "SELECT id FROM case_file WHERE number = $1",
            &[&number.trim()],
            |row| row.get(0),
        )?
        .ok_or_else(|| Refusal::NotFound {
            what: "noun.case",
            key: number.trim().to_owned(),
        })?;
    link(conn, principal, at, ip, case, kind, record)
}

/// A case naming a record, as the record's page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkedCase {
    pub id: CaseId,
    pub number: String,
    pub description: String,
    pub state: String,
    pub reported_at: DateTime<Utc>,
}

/// The cases naming `record` that the principal may see, newest first.
pub fn cases_naming(
    conn: &mut Conn,
    principal: &Principal,
    record: Uuid,
) -> Result<Vec<LinkedCase>, StoreError> {
    let ids: Vec<CaseId> = conn.query(
        "SELECT case_id FROM registry_link WHERE record_id = $1",
        &[&record],
        |row| row.get(0),
    )?;
    let mut found = Vec::new();
    for id in ids {
        if let Some((case, _)) = projection::load(conn, id)?
            && read::can_see(conn, principal, &case)?
        {
            found.push(LinkedCase {
                id: case.id,
                number: case.number,
                description: case.description,
                state: case.state.as_str().to_owned(),
                reported_at: case.reported_at,
            });
        }
    }
    found.sort_by_key(|case| std::cmp::Reverse(case.reported_at));
    Ok(found)
}

/// The registry records a case names: (kind, id).
pub fn named_by(conn: &mut Conn, case: CaseId) -> Result<Vec<(String, Uuid)>, StoreError> {
    conn.query(
        "SELECT record_kind, record_id FROM registry_link WHERE case_id = $1 ORDER BY linked_at",
        &[&case],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// A registry record a case names, as the case's page lists it: its kind, id and label (a
/// person's name, a place's address, an enterprise's or component's name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    pub kind: String,
    pub id: Uuid,
    pub label: String,
}

/// The registry records `case` names that `principal` may see; none for a role that does not
/// see the registry.
pub fn named_for(
    conn: &mut Conn,
    principal: &Principal,
    case: CaseId,
) -> Result<Vec<Named>, StoreError> {
    let scope = principal.scope();
    if !scope.role().can(jiedao_core::Capability::ViewRegistry) {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for (kind, id) in named_by(conn, case)? {
        let Ok(ledger) = ledger_of(&kind) else {
            continue;
        };
        let label = match kind.as_str() {
            "place" => "address",
            _ => "name",
        };
        let table = ledger.records;
        let row: Option<(OrgPath, String)> = conn.query_opt(
            &format!("SELECT org_path, {label} FROM {table} WHERE id = $1"),
            &[&id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if let Some((path, label)) = row
            && scope.covers(&path)
        {
            found.push(Named { kind, id, label });
        }
    }
    Ok(found)
}
