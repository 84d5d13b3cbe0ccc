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

pub use crate::ledger::attachments::{Attachment, FileStore, Purpose, StoredFile, Upload, Variant};
pub use crate::ledger::clocks::TickReport;
pub use action::{Command, Who};
pub use history::{EventActor, EventRecord};
pub use intake::{NewReport, Receipt, Reporter, Submission};
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
