//! Reading hazards: the list a reader's scope allows, with filters; one hazard with its place;
//! and each place's colour (三色) and the 不放心单位 from the open hazards.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::clock::business_date;
use jiedao_core::inspection::colour::{ColourRules, OpenHazard, worrying};
use jiedao_core::inspection::{Colour, Hazard, HazardState, Severity};
use jiedao_core::ledger::RecordState;
use jiedao_core::{Capability, OrgPath};
use serde::Serialize;
use uuid::Uuid;

use super::{LEDGER, load_seen};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::access;
use crate::ledger::query::Where;
use crate::scope::Scope;

/// A hazard as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HazardRow {
    pub id: Uuid,
    pub number: String,
    pub state: HazardState,
    pub severity: Severity,
    pub place: Uuid,
    pub place_kind: String,
    pub org_path: OrgPath,
    pub found_on: NaiveDate,
    pub deadline: Option<DateTime<Utc>>,
}

/// What a hazard list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    pub state: Option<HazardState>,
    pub severity: Option<Severity>,
    pub place: Option<Uuid>,
    /// Only those still open.
    pub open: bool,
}

/// The hazards `scope` sees, newest first.
pub fn hazards(
    conn: &mut Conn,
    scope: &Scope,
    filter: &HazardFilter,
) -> Result<Vec<HazardRow>, StoreError> {
    let mut w = Where::default();
    access::restrict(scope, &LEDGER, Capability::ViewInspections, &mut w)?;
    if let Some(state) = filter.state {
        let p = w.bind(state.as_str());
        w.push(format!("f.state = {p}"));
    }
    if let Some(severity) = filter.severity {
        let p = w.bind(severity.as_str());
        w.push(format!("f.severity = {p}"));
    }
    if let Some(place) = filter.place {
        let p = w.bind(place);
        w.push(format!("f.place_id = {p}"));
    }
    if filter.open {
        let p = w.bind(HazardState::StruckOff.as_str());
        w.push(format!("f.state <> {p}"));
    }
    let sql = format!(
        "SELECT f.id, f.number, f.state, f.severity, f.place_id, f.place_kind, f.org_path,
                f.found_on, f.step_deadline
           FROM hazard f {} ORDER BY f.found_at DESC, f.number DESC",
        w.sql()
    );
    conn.query(&sql, &w.params(), |row| {
        let state: String = row.get(2)?;
        let severity: String = row.get(3)?;
        Ok(HazardRow {
            id: row.get(0)?,
            number: row.get(1)?,
            state: HazardState::parse(&state).unwrap_or(HazardState::Found),
            severity: Severity::parse(&severity).unwrap_or(Severity::General),
            place: row.get(4)?,
            place_kind: row.get(5)?,
            org_path: row.get(6)?,
            found_on: row.get(7)?,
            deadline: row.get(8)?,
        })
    })
}

/// One hazard `scope` sees, with its number.
pub fn hazard(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<(String, Hazard), StoreError> {
    let (stored, _) = load_seen(conn, scope, id)?;
    Ok((stored.number, stored.hazard))
}

/// A place's colour and whether it is a 不放心单位.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceColour {
    pub place: Uuid,
    pub colour: Colour,
    pub worrying: bool,
    pub open: usize,
}

/// The colour of every place with an open hazard that `scope` sees (the others are green),
/// reddest first.
pub fn colours(
    conn: &mut Conn,
    scope: &Scope,
    rules: &ColourRules,
    now: DateTime<Utc>,
) -> Result<Vec<PlaceColour>, StoreError> {
    let rows = hazards(
        conn,
        scope,
        &HazardFilter {
            open: true,
            ..HazardFilter::default()
        },
    )?;
    let mut by_place: BTreeMap<Uuid, Vec<OpenHazard>> = BTreeMap::new();
    for row in rows {
        let overdue = matches!(row.state, HazardState::Ordered | HazardState::Rectified)
            && row.deadline.is_some_and(|deadline| now > deadline);
        by_place.entry(row.place).or_default().push(OpenHazard {
            severity: row.severity,
            found_on: row.found_on,
            overdue,
        });
    }
    let today = business_date(now);
    let mut colours: Vec<PlaceColour> = by_place
        .into_iter()
        .map(|(place, open)| PlaceColour {
            place,
            colour: rules.colour(&open, today),
            worrying: worrying(&open),
            open: open.len(),
        })
        .collect();
    colours.sort_by(|a, b| b.colour.cmp(&a.colour).then(a.place.cmp(&b.place)));
    Ok(colours)
}
