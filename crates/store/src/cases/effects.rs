//! What every recorded change of a case sets off besides its own rows, written once for intake
//! and for every action: what it adds to the figures, and what subscribers hear of it.

use chrono::{DateTime, Utc};
use jiedao_core::Lang;
use jiedao_core::case::{ActionKind, Case};
use jiedao_core::clock::CHINA;
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
    outbox::publish(conn, &recorded, &payload, &|name| {
        fact(case, event, at, name)
    })
}

/// A fact of the case as a notice's template names it ([`jiedao_core::notice::FACTS`]), in
/// Chinese: notices go to people's phones in the street office.
fn fact(case: &Case, event: &str, at: DateTime<Utc>, name: &str) -> Option<String> {
    let zh = |key: &str| jiedao_core::i18n::text(Lang::ZhCn, key).to_owned();
    let beijing = |at: DateTime<Utc>| {
        at.with_timezone(&CHINA)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    match name {
        "number" => Some(case.number.clone()),
        "event" => Some(event.to_owned()),
        "action" => ActionKind::parse(event).map(|kind| zh(kind.label_key())),
        "state" => Some(zh(case.state.label_key())),
        "category" => case.category.as_ref().map(|k| k.name.clone()),
        "department" => case.department.as_ref().map(|d| d.name.clone()),
        "address" => case
            .location
            .address
            .clone()
            .or_else(|| case.location.grid.as_ref().map(|g| g.name.clone())),
        "deadline" => case
            .step_timer
            .as_ref()
            .and_then(|timer| timer.deadline)
            .map(beijing),
        "at" => Some(beijing(at)),
        _ => None,
    }
}
