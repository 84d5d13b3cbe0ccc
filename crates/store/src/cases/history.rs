//! A case's history: the ledger's history ([`crate::ledger::history`]) in cases' states and
//! changes.

use jiedao_core::CaseId;
use jiedao_core::case::{CaseState, Change};

use super::LEDGER;
use crate::db::Conn;
use crate::error::StoreError;

pub use crate::ledger::history::{Entry, EventActor};
pub(crate) use jiedao_core::ledger::chain::GENESIS;

/// One recorded change of a case.
pub type EventRecord = crate::ledger::history::EventRecord<CaseState, Change>;

/// A case's history, oldest first.
pub fn load(conn: &mut Conn, case: CaseId) -> Result<Vec<EventRecord>, StoreError> {
    crate::ledger::history::load(conn, &LEDGER, case.uuid())
}

/// Whether the case's history is whole and ends at `head` after `count` records.
pub fn verify(conn: &mut Conn, case: CaseId, head: &[u8], count: u32) -> Result<bool, StoreError> {
    crate::ledger::history::verify(conn, &LEDGER, case.uuid(), head, count)
}
