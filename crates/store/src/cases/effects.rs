//! What every recorded change of a case sets off besides its own rows, written once for intake
//! and for every action: what it adds to the figures, and what subscribers hear of it.

use chrono::{DateTime, Utc};
use jiedao_core::case::Case;
use jiedao_core::evaluation::tally::Tally;
use serde::Serialize;

use super::LEDGER;
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::outbox::{self, Recorded};
use crate::stats::rollup;

/// What a delivery says about a change.
#[derive(Debug, Serialize)]
struct Payload<'a> {
    event: &'a str,
    case_id: String,
    number: &'a str,
    seq: u32,
    at: DateTime<Utc>,
    state: &'a str,
    category: Option<&'a str>,
    department: Option<&'a str>,
}

/// The effects of the change `event` that left `case` as it now stands, counted by `tally`.
pub(crate) fn follow(
    conn: &mut Conn,
    case: &Case,
    event: &str,
    tally: &[Tally],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for tally in tally {
        rollup::add(conn, case, tally)?;
    }
    let recorded = Recorded {
        ledger: &LEDGER,
        street: case.street,
        record: case.id.uuid(),
        seq: i64::from(case.event_count),
        event,
        at,
    };
    let payload = Payload {
        event,
        case_id: case.id.to_string(),
        number: &case.number,
        seq: case.event_count,
        at,
        state: case.state.as_str(),
        category: case.category.as_ref().map(|k| k.code.as_str()),
        department: case.department.as_ref().map(|d| d.name.as_str()),
    };
    outbox::publish(conn, &recorded, &payload)
}
