//! A generated city's bulk load (`jiedao generate`): cases written straight to their rows,
//! without histories, together with the rollups they add up to, and the mark that says the
//! database holds them.
//!
//! Rows go through the case projection ([`projection::insert`]), so there is one column list
//! for a case, whoever writes it. A generated case has no history: its count is 0 and its head
//! the genesis hash, so the chain check still holds. `jiedao stats rebuild` refuses a marked
//! database, since a rebuild from histories would empty its figures.

use chrono::{DateTime, Utc};
use jiedao_core::case::Case;

use crate::cases::history::GENESIS;
use crate::cases::projection::{self, Columns};
use crate::db::Conn;
use crate::error::StoreError;
use crate::stats::rollup::Sums;

/// The `setting` that marks a database as generated.
const MARK: &str = "generated";

/// Marks the database as holding generated cases.
pub fn mark(conn: &mut Conn, at: DateTime<Utc>) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, 'true', $2)",
        &[&MARK, &at],
    )?;
    Ok(())
}

/// Whether the database holds generated cases.
pub(crate) fn is_generated(conn: &mut Conn) -> Result<bool, StoreError> {
    let value: Option<String> = conn.query_opt(
        "SELECT value FROM setting WHERE key = $1",
        &[&MARK],
        |row| row.get(0),
    )?;
    Ok(value.is_some())
}

/// Writes generated `cases` (none with a history: `event_count` 0) and the rollups `figures`
/// they add up to, in the caller's transaction.
pub fn load(conn: &mut Conn, cases: &[Case], figures: &Sums) -> Result<(), StoreError> {
    for case in cases {
        if case.event_count != 0 {
            return Err(StoreError::Query(format!(
                "generated case {} claims a history of {} records",
                case.number, case.event_count
            )));
        }
        projection::insert(conn, case, &Columns::of(case)?, &GENESIS, None, None)?;
    }
    figures.write(conn)
}
