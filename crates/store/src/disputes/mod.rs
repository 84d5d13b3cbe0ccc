//! Disputes (矛盾纠纷调解, DOMAIN.md section 6) in the database: registration with parties from
//! the registry, every mediation action through the rules of `jiedao_core::dispute`, the
//! hash-chained history, the figures' rollup written in each change's own transaction, and
//! reads that take the reader's scope. The dispute as it stands is kept in its row (`body`),
//! the fold of its history, so a page reads one row and a rebuild can check it.

pub mod figures;
pub mod import;
pub mod read;
pub mod write;

use jiedao_core::dispute::{Dispute, DisputeState};
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

pub use read::{DisputeDetail, DisputeFilter, DisputeRow, PartyLine};
pub use write::{NewDispute, NewParty};

/// Disputes as a ledger of the kernel; numbers read `TJ-330106008-20261122-00003` (调解).
pub const LEDGER: Ledger = Ledger {
    kind: "dispute",
    prefix: "TJ",
    records: "dispute",
    history: "dispute_event",
    people: "dispute_person",
    record_column: "dispute_id",
};

/// A dispute's history entry as a page shows it.
pub type Event = EventRecord<DisputeState, jiedao_core::dispute::Change>;

/// A dispute's row: where it is, what it is, and its chain's head.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub street: OrgUnitId,
    pub number: String,
    pub org_path: OrgPath,
    pub dispute: Dispute,
    pub count: i64,
    pub head: Vec<u8>,
}

fn not_found(key: String) -> StoreError {
    Refusal::NotFound {
        what: "noun.dispute",
        key,
    }
    .into()
}

/// The dispute `id`, if `scope` sees it, with how the person stands to it; a dispute out of
/// sight is refused as if it were not there.
pub(crate) fn load_seen(
    conn: &mut Conn,
    scope: &Scope,
    id: Uuid,
) -> Result<(Stored, Standing), StoreError> {
    let stored = conn
        .query_opt(
            "SELECT street_id, number, org_path, body, event_count, head_hash FROM dispute
              WHERE id = $1",
            &[&id],
            |row| {
                let body: String = row.get(3)?;
                Ok(Stored {
                    street: row.get(0)?,
                    number: row.get(1)?,
                    org_path: row.get(2)?,
                    dispute: serde_json::from_str(&body)
                        .map_err(|e| StoreError::Query(format!("stored dispute: {e}")))?,
                    count: row.get(4)?,
                    head: row.get(5)?,
                })
            },
        )?
        .ok_or_else(|| not_found(id.to_string()))?;
    scope.require(Capability::ViewDisputes)?;
    let facts = Facts {
        id,
        org_path: &stored.org_path,
        department: None,
    };
    if !access::sees(conn, &LEDGER, scope, Capability::ViewDisputes, &facts)? {
        return Err(not_found(id.to_string()));
    }
    let standing = access::standing(conn, &LEDGER, scope, &facts)?;
    Ok((stored, standing))
}

/// A dispute's history, oldest first.
pub fn history_of(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<Vec<Event>, StoreError> {
    load_seen(conn, scope, id)?;
    history::load(conn, &LEDGER, id)
}

/// Whether a dispute's history is whole and folds to the dispute its row holds.
pub fn verify(conn: &mut Conn, id: Uuid) -> Result<bool, StoreError> {
    let Some((count, head, body)) = conn.query_opt(
        "SELECT event_count, head_hash, body FROM dispute WHERE id = $1",
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
    let folded = figures::fold(&history::load(conn, &LEDGER, id)?, id);
    let stored: Option<Dispute> = serde_json::from_str(&body).ok();
    Ok(whole && folded.is_some() && folded == stored)
}
