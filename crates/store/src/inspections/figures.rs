//! The inspections' rollup (`inspection_stat`): per day, place (org path), campaign and kind of
//! place, the inspections and turn-outs, hazards found (and major), rectified (a passed
//! recheck) and struck off, written in each change's own transaction; rounds are counted from
//! their own table. [`tally`] reads it for a scope and period into the core's [`Tally`]
//! (overdue counted live from the clocks); [`rebuild`] recounts it from the inspections and
//! the hazards' histories, so a test can compare.

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::clock::business_date;
use jiedao_core::inspection::figures::Tally;
use jiedao_core::inspection::{ActionKind, Change, PlaceKind, Severity};
use jiedao_core::{Capability, OrgPath, OrgUnitId};
use uuid::Uuid;

use super::Stored;
use crate::db::Conn;
use crate::error::StoreError;
use crate::scope::Scope;

/// A row of the rollup and what to add to it.
struct Bump<'a> {
    street: OrgUnitId,
    day: NaiveDate,
    org_path: &'a OrgPath,
    campaign: Uuid,
    kind: &'a str,
    column: &'static str,
    by: i64,
}

fn bump(conn: &mut Conn, b: &Bump<'_>) -> Result<(), StoreError> {
    // The column is one of this module's own names, never input.
    let column = b.column;
    conn.execute(
        &format!(
            "INSERT INTO inspection_stat (street_id, day, org_path, campaign_id, place_kind,
                 {column})
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (street_id, day, org_path, campaign_id, place_kind)
             DO UPDATE SET {column} = inspection_stat.{column} + $6"
        ),
        &[&b.street, &b.day, b.org_path, &b.campaign, &b.kind, &b.by],
    )?;
    Ok(())
}

/// Counts an inspection and its turn-outs.
pub(crate) fn count_inspection(
    conn: &mut Conn,
    street: OrgUnitId,
    day: NaiveDate,
    org_path: &OrgPath,
    campaign: Uuid,
    kind: PlaceKind,
    turnouts: i64,
) -> Result<(), StoreError> {
    let base = Bump {
        street,
        day,
        org_path,
        campaign,
        kind: kind.as_str(),
        column: "inspections",
        by: 1,
    };
    bump(conn, &base)?;
    bump(
        conn,
        &Bump {
            column: "turnouts",
            by: turnouts,
            ..base
        },
    )
}

/// The rollup's columns a hazard's change moves.
fn columns(stored: &Stored, kind: ActionKind) -> Vec<&'static str> {
    let hazard = &stored.hazard;
    match kind {
        ActionKind::Raise if hazard.raised.severity == Severity::Major => {
            vec!["found", "found_major"]
        }
        ActionKind::Raise => vec!["found"],
        ActionKind::Recheck if hazard.rectified_at.is_some() => vec!["rectified"],
        ActionKind::StrikeOff => vec!["struck_off"],
        _ => vec![],
    }
}

/// Follows a hazard's change into the rollup, on the change's day.
pub(crate) fn follow(
    conn: &mut Conn,
    stored: &Stored,
    kind: ActionKind,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Hazards raised outside a campaign (from a case) count under the nil campaign.
    let campaign = stored.campaign.unwrap_or(Uuid::nil());
    for column in columns(stored, kind) {
        bump(
            conn,
            &Bump {
                street: stored.street,
                day: business_date(at),
                org_path: &stored.org_path,
                campaign,
                kind: &stored.place_kind,
                column,
                by: 1,
            },
        )?;
    }
    Ok(())
}

/// The figures of what `scope` reaches from `from` to `to` (inclusive), overdue as at `now`.
pub fn tally(
    conn: &mut Conn,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Tally, StoreError> {
    scope.require(Capability::ViewInspections)?;
    let (low, high) = scope.path_range();
    let rows: Vec<(String, i64, i64, i64, i64, i64, i64)> = conn.query(
        "SELECT place_kind, CAST(SUM(inspections) AS BIGINT), CAST(SUM(turnouts) AS BIGINT), CAST(SUM(found) AS BIGINT), CAST(SUM(found_major) AS BIGINT),
                CAST(SUM(rectified) AS BIGINT), CAST(SUM(struck_off) AS BIGINT)
           FROM inspection_stat
          WHERE day >= $1 AND day <= $2 AND org_path >= $3 AND org_path < $4
          GROUP BY place_kind",
        &[&from, &to, &low, &high],
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
            ))
        },
    )?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let mut tally = Tally::default();
    for (kind, inspections, turnouts, found, major, rectified, struck) in rows {
        if let Some(kind) = PlaceKind::parse(&kind)
            && inspections > 0
        {
            *tally.checked.entry(kind).or_default() += count(inspections);
        }
        tally.turnouts += count(turnouts);
        tally.found += count(found);
        tally.found_major += count(major);
        tally.rectified += count(rectified);
        tally.struck_off += count(struck);
    }
    tally.rounds = count(conn.scalar(
        "SELECT COUNT(*) FROM inspection_round
          WHERE held_on >= $1 AND held_on <= $2 AND org_path >= $3 AND org_path < $4",
        &[&from, &to, &low, &high],
    )?);
    tally.overdue = count(conn.scalar(
        "SELECT COUNT(*) FROM hazard
          WHERE found_on >= $1 AND found_on <= $2 AND org_path >= $3 AND org_path < $4
            AND step_deadline < $5 AND state IN ($6, $7)",
        &[&from, &to, &low, &high, &now, &"ordered", &"rectified"],
    )?);
    Ok(tally)
}

/// One row of the rollup as kept or as recounted.
pub type StatRow = (NaiveDate, String, Uuid, String, [i64; 6]);

/// The rollup as kept, in key order.
pub fn kept(conn: &mut Conn) -> Result<Vec<StatRow>, StoreError> {
    conn.query(
        "SELECT day, org_path, campaign_id, place_kind, inspections, turnouts, found,
                found_major, rectified, struck_off
           FROM inspection_stat ORDER BY day, org_path, campaign_id, place_kind",
        &[],
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                [
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                    row.get(8)?,
                    row.get(9)?,
                ],
            ))
        },
    )
}

/// A hazard's change with where it is: when, org path, place kind, campaign, the change.
type HistoryLine = (DateTime<Utc>, String, String, Option<Uuid>, String);

/// The rollup recounted from the inspections and the hazards' histories, in key order.
pub fn rebuild(conn: &mut Conn) -> Result<Vec<StatRow>, StoreError> {
    use std::collections::BTreeMap;
    let mut rows: BTreeMap<(NaiveDate, String, Uuid, String), [i64; 6]> = BTreeMap::new();
    let inspections: Vec<(NaiveDate, String, Uuid, String, i64)> = conn.query(
        "SELECT checked_on, org_path, campaign_id, place_kind, turnouts FROM inspection",
        &[],
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        },
    )?;
    for (day, path, campaign, kind, turnouts) in inspections {
        let row = rows.entry((day, path, campaign, kind)).or_default();
        row[0] += 1;
        row[1] += turnouts;
    }
    let events: Vec<HistoryLine> = conn.query(
        "SELECT e.at, h.org_path, h.place_kind, h.campaign_id, e.change
           FROM hazard_event e JOIN hazard h ON h.id = e.hazard_id",
        &[],
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        },
    )?;
    for (at, path, kind, campaign, change) in events {
        let change: Change = serde_json::from_str(&change)
            .map_err(|e| StoreError::Query(format!("stored change: {e}")))?;
        let key = (
            business_date(at),
            path,
            campaign.unwrap_or(Uuid::nil()),
            kind,
        );
        let moved: &[usize] = match &change {
            Change::Raised { raised } if raised.severity == Severity::Major => &[2, 3],
            Change::Raised { .. } => &[2],
            Change::Rechecked { passed: true, .. } => &[4],
            Change::StruckOff => &[5],
            _ => &[],
        };
        if moved.is_empty() {
            continue;
        }
        let row = rows.entry(key).or_default();
        for column in moved {
            if let Some(cell) = row.get_mut(*column) {
                *cell += 1;
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|((day, path, campaign, kind), counts)| (day, path, campaign, kind, counts))
        .collect())
}
