//! Visits (走访): grid workers record calling on households, shops and people who need care in
//! their grid; the grid worker sees their own, community staff and leaders those within reach.
//! A visit that finds a problem is reported as a case from the grid worker's report page.

use chrono::{DateTime, Utc};
use jiedao_core::{Capability, OrgKind, OrgPath};
use serde::Serialize;

use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::org;
use crate::refusal::Refusal;
use crate::scope::Principal;

/// What kind of call it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum VisitKind {
    /// 入户走访
    Household,
    /// 商铺企业走访
    Business,
    /// 重点人群关爱 (elderly living alone, people in difficulty)
    Care,
    /// 日常巡查
    Patrol,
}

impl VisitKind {
    pub const ALL: [VisitKind; 4] = [
        VisitKind::Household,
        VisitKind::Business,
        VisitKind::Care,
        VisitKind::Patrol,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VisitKind::Household => "household",
            VisitKind::Business => "business",
            VisitKind::Care => "care",
            VisitKind::Patrol => "patrol",
        }
    }

    pub fn parse(text: &str) -> Option<VisitKind> {
        VisitKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            VisitKind::Household => "visit.kind_household",
            VisitKind::Business => "visit.kind_business",
            VisitKind::Care => "visit.kind_care",
            VisitKind::Patrol => "visit.kind_patrol",
        }
    }
}

/// A visit as entered.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub kind: VisitKind,
    /// The household or place (门牌, 店名).
    pub place: String,
    pub note: String,
    pub found_problem: bool,
    /// The key the phone gave the visit: a visit sent again under the same key by the same
    /// person (a queued form sent twice) is recorded once.
    pub intake_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub kind: String,
    pub place: String,
    pub note: String,
    pub found_problem: bool,
    pub visitor: String,
    pub grid_name: String,
    pub visited_at: DateTime<Utc>,
}

/// Records a visit by a grid worker, in their grid, at `at`.
pub fn record(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    new: &NewVisit,
) -> Result<(), StoreError> {
    if !principal.role().can(Capability::RecordVisits) {
        return Err(Refusal::NotAllowed.into());
    }
    let place = new.place.trim();
    if place.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.place",
        }
        .into());
    }
    Refusal::check_length(place, jiedao_core::limits::VISIT_PLACE)?;
    Refusal::check_length(&new.note, jiedao_core::limits::VISIT_NOTE)?;
    let path = principal.org_path().cloned().ok_or(Refusal::NotAllowed)?;
    let grid = conn
        .query_opt(
            "SELECT id, kind FROM org_unit WHERE path = $1 AND valid_to IS NULL",
            &[&path],
            |row| {
                Ok((
                    row.get::<jiedao_core::OrgUnitId>(0)?,
                    row.get::<OrgKind>(1)?,
                ))
            },
        )?
        .filter(|(_, kind)| *kind == OrgKind::Grid)
        .ok_or(Refusal::NotAllowed)?;
    let street = org::street_of(conn, &path)?.ok_or(Refusal::NotAllowed)?;
    let user = principal.user_id().ok_or(Refusal::NotAllowed)?;
    if let Some(key) = &new.intake_key {
        Refusal::check_length(key, jiedao_core::limits::INTAKE_KEY)?;
        let seen: Option<i64> = conn.query_opt(
            "SELECT 1 FROM visit WHERE street_id = $1 AND user_id = $2 AND intake_key = $3",
            &[&street.id, &user, key],
            |row| row.get(0),
        )?;
        if seen.is_some() {
            return Ok(());
        }
    }
    conn.execute(
        "INSERT INTO visit (street_id, id, grid_id, org_path, user_id, visitor, kind, place, note,
                            found_problem, visited_at, recorded_at, intake_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
        &[
            &street.id,
            &uuid::Uuid::now_v7(),
            &grid.0,
            &path,
            &user,
            &principal.display_name(),
            &new.kind.as_str(),
            &place,
            &new.note.trim(),
            &new.found_problem,
            &at,
            &new.intake_key,
        ],
    )?;
    Ok(())
}

fn read(row: &Row<'_>) -> Result<Visit, StoreError> {
    Ok(Visit {
        kind: row.get(0)?,
        place: row.get(1)?,
        note: row.get(2)?,
        found_problem: row.get(3)?,
        visitor: row.get(4)?,
        grid_name: row.get(5)?,
        visited_at: row.get(6)?,
    })
}

/// The newest visits the principal may see: a grid worker those in their grid, staff with a
/// place in the tree those within it.
pub fn recent(
    conn: &mut Conn,
    principal: &Principal,
    limit: i64,
) -> Result<Vec<Visit>, StoreError> {
    if !principal.role().can(Capability::ViewVisits) {
        return Err(Refusal::NotAllowed.into());
    }
    let within: OrgPath = principal.org_path().cloned().ok_or(Refusal::NotAllowed)?;
    let (low, high) = within.subtree_range();
    conn.query(
        "SELECT v.kind, v.place, v.note, v.found_problem, v.visitor, g.name, v.visited_at
         FROM visit v JOIN org_unit g ON g.id = v.grid_id
         WHERE v.org_path >= $1 AND v.org_path < $2
         ORDER BY v.visited_at DESC LIMIT $3",
        &[&low, &high, &limit.clamp(1, 500)],
        read,
    )
}
