//! Cases in the database: intake, acting on cases, the projection row and its append-only
//! history, attachments, reading and inboxes, and the ticker.

pub mod action;
pub mod dashboard;
mod effects;
pub mod history;
pub mod hotline;
pub mod intake;
pub mod projection;
pub mod public;
pub mod read;
pub mod ticker;
pub mod wall;

pub use crate::ledger::attachments::{Attachment, FileStore, Purpose, StoredFile, Upload, Variant};
pub use crate::ledger::clocks::TickReport;
pub use action::{Command, DepartmentKey, Who};
pub use history::{EventActor, EventRecord};
pub use intake::{Answers, Face, NewReport, Receipt, Reporter, Sent, Submission};
pub use read::{CaseDetail, CaseFilter, CasePage, InboxSection};

use jiedao_core::{CaseId, OrgUnitId};

use crate::ledger::Ledger;
use crate::ledger::access::Facts;
use crate::ledger::attachments::Owner;

/// Cases as a ledger of the kernel.
pub const LEDGER: Ledger = Ledger {
    kind: "case",
    prefix: "",
    records: "case_file",
    history: "case_event",
    people: "case_reporter",
    record_column: "case_id",
};

/// Refuses, naming `key` and how many, when open cases match `filter`: what may not be
/// removed while cases still depend on it (a department, a unit of the tree).
pub(crate) fn none_open(
    conn: &mut crate::Conn,
    mut filter: crate::ledger::query::Where,
    key: &str,
) -> Result<(), crate::StoreError> {
    filter.open_only::<jiedao_core::case::CaseState>("state");
    let open: i64 = conn.scalar(
        &format!("SELECT COUNT(*) FROM case_file{}", filter.sql()),
        &filter.params(),
    )?;
    if open > 0 {
        return Err(crate::Refusal::StillInUse {
            key: key.to_owned(),
            uses: "in_use.open_cases",
            count: open,
        }
        .into());
    }
    Ok(())
}

/// A case as the rule of who sees it reads it.
fn facts(case: &jiedao_core::case::Case) -> Facts<'_> {
    Facts {
        id: case.id.uuid(),
        org_path: &case.org_path,
        department: case.department.as_ref().map(|d| d.id),
    }
}

/// A case as the owner of its attachments.
fn owner(street: OrgUnitId, case: CaseId) -> Owner {
    Owner {
        ledger: &LEDGER,
        street,
        record: case.uuid(),
    }
}
