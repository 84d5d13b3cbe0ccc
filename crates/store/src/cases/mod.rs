//! Cases in the database: intake, acting on cases, the projection row and its append-only
//! history, attachments, reading and inboxes, and the ticker.

pub mod action;
pub mod dashboard;
pub mod files;
pub mod history;
pub mod hotline;
pub mod intake;
pub mod projection;
pub mod public;
pub mod read;
pub mod ticker;

pub use action::{Command, Who};
pub use files::{Attachment, FileStore, Purpose, StoredFile, Upload, Variant};
pub use history::{EventActor, EventRecord};
pub use intake::{NewReport, Receipt, Reporter, Submission};
pub use read::{CaseDetail, CaseFilter, CasePage, InboxSection};
pub use ticker::TickReport;

use crate::ledger::Ledger;

/// Cases as a ledger of the kernel.
pub const LEDGER: Ledger = Ledger {
    kind: "case",
    prefix: "",
    records: "case_file",
    history: "case_event",
    people: "case_reporter",
    record_column: "case_id",
};
