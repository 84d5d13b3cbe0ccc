//! The ledger kernel (台账内核): what every case-like domain keeps the same way, written once.
//! Cases are the first ledger; disputes, petitions, hazards and key projects follow. A ledger
//! brings its own states, rules, refusals and record row; the kernel gives it numbering, the
//! hash-chained history, attachments, the rule of who sees and acts on a record, its clocks'
//! columns and lights, and the effects every recorded change has (figures, the outbox). The
//! pure halves live in `jiedao_core::ledger`.

pub mod access;
pub mod attachments;
pub mod clocks;
pub mod history;
pub mod numbers;
pub mod outbox;
pub mod query;

/// One ledger as the kernel keeps it: its name and its tables. Table and column names here are
/// fixed by the ledger's code, never taken from input.
#[derive(Debug)]
pub struct Ledger {
    /// Its name in the kernel's shared tables (counters, attachments, the outbox): `case`.
    pub kind: &'static str,
    /// What its numbers start with (see [`jiedao_core::ledger::number`]); empty for cases.
    pub prefix: &'static str,
    /// Its records, a row each, with at least `street_id`, `id`, `org_path`, `department_id`
    /// and `state`: `case_file`.
    pub records: &'static str,
    /// Its history: `case_event`.
    pub history: &'static str,
    /// The people a record belongs to, by `user_id` (a resident sees the records they are one
    /// of the people of): `case_reporter`.
    pub people: &'static str,
    /// The column naming the record in its history and people tables: `case_id`.
    pub record_column: &'static str,
}
