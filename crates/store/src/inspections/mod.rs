//! Inspections and hazards (排查整治, DOMAIN.md section 8) in the database: campaigns and their
//! rounds, inspections of registry places against a checklist with their turn-outs, and
//! hazards as a ledger (numbers `YH-…`, a hash-chained history, the rectification deadline on
//! the step clock), every action through the rules of `jiedao_core::inspection`, the figures'
//! rollup written in each change's own transaction, and reads that take the reader's scope.

pub mod figures;
pub mod read;
pub mod removals;
pub mod write;

use jiedao_core::inspection::{Hazard, HazardState};
use jiedao_core::ledger::Standing;
use jiedao_core::{Capability, OrgPath, OrgUnitId};
use uuid::Uuid;

use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::Ledger;
use crate::ledger::access::{self, Facts};
use crate::ledger::history::{self, EventRecord};
use crate::refusal::Refusal;
use crate::scope::Scope;

pub use write::{NewCampaign, NewInspection};

/// Hazards as a ledger of the kernel; numbers read `YH-330106008-20170301-00003` (隐患).
pub const LEDGER: Ledger = Ledger {
    kind: "hazard",
    prefix: "YH",
    records: "hazard",
    history: "hazard_event",
    people: "hazard_person",
    record_column: "hazard_id",
};

/// A hazard's history entry as a page shows it.
pub type Event = EventRecord<HazardState, jiedao_core::inspection::Change>;

/// A hazard's row: where it is, what it is, and its chain's head.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub street: OrgUnitId,
    pub number: String,
    pub org_path: OrgPath,
    pub place_kind: String,
    pub campaign: Option<Uuid>,
    pub hazard: Hazard,
    pub count: i64,
    pub head: Vec<u8>,
}

pub(crate) fn not_found(what: &'static str, key: String) -> StoreError {
    Refusal::NotFound { what, key }.into()
}

fn body_of<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Query(format!("stored hazard: {e}")))
}

/// The hazard `id`, if `scope` sees it, with how the person stands to it; a hazard out of
/// sight is refused as if it were not there.
pub(crate) fn load_seen(
    conn: &mut Conn,
    scope: &Scope,
    id: Uuid,
) -> Result<(Stored, Standing), StoreError> {
    scope.require(Capability::ViewInspections)?;
    let stored = conn
        .query_opt(
            "SELECT street_id, number, org_path, place_kind, campaign_id, body, event_count,
                    head_hash
               FROM hazard WHERE id = $1",
            &[&id],
            |row| {
                let body: String = row.get(5)?;
                Ok(Stored {
                    street: row.get(0)?,
                    number: row.get(1)?,
                    org_path: row.get(2)?,
                    place_kind: row.get(3)?,
                    campaign: row.get(4)?,
                    hazard: body_of(&body)?,
                    count: row.get(6)?,
                    head: row.get(7)?,
                })
            },
        )?
        .ok_or_else(|| not_found("inspection.hazard", id.to_string()))?;
    let facts = Facts {
        id,
        org_path: &stored.org_path,
        department: None,
    };
    if !access::sees(conn, &LEDGER, scope, Capability::ViewInspections, &facts)? {
        return Err(not_found("inspection.hazard", id.to_string()));
    }
    let standing = access::standing(conn, &LEDGER, scope, &facts)?;
    Ok((stored, standing))
}

/// A hazard's history, oldest first.
pub fn history_of(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<Vec<Event>, StoreError> {
    load_seen(conn, scope, id)?;
    history::load(conn, &LEDGER, id)
}

/// Whether a hazard's history is whole and folds to the hazard its row holds.
pub fn verify(conn: &mut Conn, id: Uuid) -> Result<bool, StoreError> {
    let Some((count, head, body)) = conn.query_opt(
        "SELECT event_count, head_hash, body FROM hazard WHERE id = $1",
        &[&id],
        |row| {
            Ok((
                row.get::<i64>(0)?,
                row.get::<Vec<u8>>(1)?,
                row.get::<String>(2)?,
            ))
        },
    )?
    else {
        return Ok(false);
    };
    let whole = history::verify(
        conn,
        &LEDGER,
        id,
        &head,
        u32::try_from(count).unwrap_or(u32::MAX),
    )?;
    let events: Vec<Event> = history::load(conn, &LEDGER, id)?;
    let stored: Hazard = body_of(&body)?;
    let mut folded: Option<Hazard> = None;
    for event in &events {
        match folded.as_mut() {
            None => folded = jiedao_core::inspection::open(id, event.at, &event.change),
            Some(hazard) => jiedao_core::inspection::apply(hazard, &event.change, event.at),
        }
    }
    Ok(whole && folded.as_ref() == Some(&stored))
}
