//! The leaders' dashboard (领导驾驶舱): today's intake, the open backlog and what is late, and
//! over a window of recent days the daily intake and closures, the closure and satisfaction
//! rates, and the same by the units under the reader's node, all over the cases the reader may
//! see. Its rates are not computed here: the page reads them from the statistics' evaluation
//! (`stats::evaluation`), so 结案率 on the dashboard and on `/stats` are one figure.

use chrono::{DateTime, Days, NaiveDate, Utc};
use jiedao_core::case::{CaseState, Satisfaction};
use jiedao_core::clock::business_date;
use jiedao_core::{OrgKind, OrgPath};

use super::read::{open_states, visible_in_street};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::query::Where;
use crate::scope::Principal;

/// Counts for one day of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCounts {
    pub day: NaiveDate,
    pub reported: i64,
    pub closed: i64,
}

/// Counts for one unit under the reader's node (a community, or a grid for community staff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCounts {
    pub code: String,
    pub name: String,
    pub path: OrgPath,
    /// Reported in the window.
    pub reported: i64,
    /// Open now.
    pub open: i64,
    /// Open now with its step overdue.
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub today: NaiveDate,
    /// The window's first day; it ends today.
    pub since: NaiveDate,
    pub reported_today: i64,
    pub open: i64,
    pub overdue: i64,
    pub supervised: i64,
    /// Reported in the window, filed (立案), closed (结案), followed up (回访), content.
    pub reported: i64,
    pub filed: i64,
    pub closed: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub by_day: Vec<DayCounts>,
    pub by_unit: Vec<UnitCounts>,
}

/// One case as the dashboard counts it.
struct Counted {
    path: String,
    reported_at: DateTime<Utc>,
    filed: bool,
    closed_at: Option<DateTime<Utc>>,
    state: String,
    overdue: bool,
    supervised: bool,
    satisfaction: Option<String>,
}

/// The dashboard over the last `days` days (today included) for `principal`.
pub fn dashboard(
    conn: &mut Conn,
    principal: &Principal,
    now: DateTime<Utc>,
    days: u64,
) -> Result<Dashboard, StoreError> {
    let today = business_date(now);
    let since = today - Days::new(days.saturating_sub(1));
    let window_start = jiedao_core::clock::start_of_day(since);
    // Two reads, each served by an index: the window's cases by when they were reported, and
    // the older cases still open by state (a condition joining the two with OR reads the
    // whole table).
    let mut cases = Vec::new();
    for in_window in [true, false] {
        let mut w = Where::default();
        visible_in_street(conn, principal, &mut w)?;
        let start = w.bind(window_start);
        if in_window {
            w.push(format!("f.reported_at >= {start}"));
        } else {
            w.push(format!("f.reported_at < {start}"));
            open_states(&mut w);
        }
        cases.extend(conn.query(
            &format!(
                "SELECT f.org_path, f.reported_at, f.filed_at, f.closed_at, f.state, f.step_overdue,
                        f.supervised, f.satisfaction
                 FROM case_file f{}",
                w.sql()
            ),
            &w.params(),
            |row| {
                Ok(Counted {
                    path: row.get(0)?,
                    reported_at: row.get(1)?,
                    filed: row.get::<Option<DateTime<Utc>>>(2)?.is_some(),
                    closed_at: row.get(3)?,
                    state: row.get(4)?,
                    overdue: row.get(5)?,
                    supervised: row.get(6)?,
                    satisfaction: row.get(7)?,
                })
            },
        )?);
    }
    let mut board = Dashboard {
        today,
        since,
        reported_today: 0,
        open: 0,
        overdue: 0,
        supervised: 0,
        reported: 0,
        filed: 0,
        closed: 0,
        rated: 0,
        satisfied: 0,
        by_day: since
            .iter_days()
            .take_while(|d| *d <= today)
            .map(|day| DayCounts {
                day,
                reported: 0,
                closed: 0,
            })
            .collect(),
        by_unit: units_under(conn, principal)?,
    };
    for case in &cases {
        let open = CaseState::parse(&case.state).is_none_or(CaseState::is_open);
        let in_window = case.reported_at >= window_start;
        let unit = board
            .by_unit
            .iter_mut()
            .find(|u| case.path.starts_with(u.path.as_str()));
        if open {
            board.open += 1;
            board.overdue += i64::from(case.overdue);
            board.supervised += i64::from(case.supervised);
        }
        if let Some(unit) = unit {
            unit.reported += i64::from(in_window);
            unit.open += i64::from(open);
            unit.overdue += i64::from(open && case.overdue);
        }
        if let Some(closed_at) = case.closed_at
            && let Some(day) = day_index(since, business_date(closed_at))
            && let Some(slot) = board.by_day.get_mut(day)
        {
            slot.closed += 1;
        }
        if !in_window {
            continue;
        }
        let day = business_date(case.reported_at);
        board.reported_today += i64::from(day == today);
        if let Some(slot) = day_index(since, day).and_then(|i| board.by_day.get_mut(i)) {
            slot.reported += 1;
        }
        board.reported += 1;
        board.filed += i64::from(case.filed);
        board.closed += i64::from(case.filed && case.closed_at.is_some());
        if let Some(rating) = case.satisfaction.as_deref().and_then(Satisfaction::parse) {
            board.rated += 1;
            board.satisfied += i64::from(rating != Satisfaction::Unsatisfied);
        }
    }
    Ok(board)
}

fn day_index(since: NaiveDate, day: NaiveDate) -> Option<usize> {
    usize::try_from((day - since).num_days()).ok()
}

/// The units one level under the reader's node: communities for a street, grids for a
/// community. Empty for readers without a place in the tree (departments, residents).
fn units_under(conn: &mut Conn, principal: &Principal) -> Result<Vec<UnitCounts>, StoreError> {
    let scope = principal.scope();
    let Ok(units) = crate::org::list(conn, &scope, None) else {
        return Ok(Vec::new());
    };
    let Some(top_depth) = units.iter().map(|u| u.path.depth()).min() else {
        return Ok(Vec::new());
    };
    let wanted = units
        .iter()
        .filter(|u| u.path.depth() == top_depth + 1)
        .filter(|u| matches!(u.kind, OrgKind::Community | OrgKind::Grid | OrgKind::Street))
        .map(|u| UnitCounts {
            code: u.code.clone(),
            name: u.name.clone(),
            path: u.path.clone(),
            reported: 0,
            open: 0,
            overdue: 0,
        })
        .collect();
    Ok(wanted)
}
