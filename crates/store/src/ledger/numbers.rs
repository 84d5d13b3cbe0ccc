//! Numbering a ledger's records (编号) as they are written, in the change's own transaction:
//! a counter per street, ledger and business day, and the street's code in front
//! ([`jiedao_core::ledger::number`]), so numbers are unique across a deployment and the
//! database's unique index on each ledger's numbers holds.

use chrono::NaiveDate;
use jiedao_core::ledger::number;
use jiedao_core::{OrgPath, OrgUnitId};

use super::Ledger;
use crate::db::Conn;
use crate::error::StoreError;

/// The next number of `ledger` in `street` on the business day `day`.
pub fn next(
    conn: &mut Conn,
    ledger: &Ledger,
    street: OrgUnitId,
    day: NaiveDate,
) -> Result<String, StoreError> {
    let last: i64 = conn.scalar(
        "INSERT INTO ledger_counter (street_id, ledger, day, last) VALUES ($1, $2, $3, 1)
         ON CONFLICT (street_id, ledger, day) DO UPDATE SET last = ledger_counter.last + 1
         RETURNING last",
        &[&street, &ledger.kind, &day],
    )?;
    let path: OrgPath = conn.query_one(
        "SELECT path FROM org_unit WHERE id = $1",
        &[&street],
        |row| row.get(0),
    )?;
    let n = u64::try_from(last).map_err(|_| StoreError::Query(format!("counter at {last}")))?;
    Ok(number::format(ledger.prefix, path.segment(), day, n))
}
