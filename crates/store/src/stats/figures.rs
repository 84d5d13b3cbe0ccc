//! Reading the figures: a period's counts for every member of a dimension from the rollups,
//! completed by the cases still open past their deadlines; and the same counts recounted from
//! the histories, case by case, so that every figure can list exactly the cases it counts.

use std::collections::HashMap;

use chrono::{DateTime, Days, Utc};
use jiedao_core::case::Channel;
use jiedao_core::clock::{business_date, start_of_day};
use jiedao_core::evaluation::tally::Tally;
use jiedao_core::evaluation::{Counts, Period};
use jiedao_core::{CaseId, OrgPath, OrgUnitId};

use super::rollup::{Attribution, Dimension, day_key, fold_history, histories};
use crate::db::Conn;
use crate::db::value::ToValue;
use crate::error::StoreError;

/// The period's times, `[start, end)`, cut off at `now`: a clock that runs out later has not
/// run out yet.
fn bounds(period: &Period, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = start_of_day(period.first);
    let end = start_of_day(period.last + Days::new(1));
    (start, end.min(now))
}

fn sums() -> String {
    Counts::FIELDS
        .iter()
        .map(|f| format!("CAST(SUM({f}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn counts_from(row: &crate::db::Row<'_>, first: usize) -> Result<Counts, StoreError> {
    let mut values = Vec::with_capacity(Counts::FIELDS.len());
    for n in 0..Counts::FIELDS.len() {
        let value: Option<i64> = row.get(first + n)?;
        values.push(u64::try_from(value.unwrap_or(0)).unwrap_or(0));
    }
    Ok(Counts::from_values(&values))
}

/// Which members to read: all of a dimension, one, or an org path's subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Members {
    All,
    Exactly(String),
    Within(OrgPath),
}

/// The rollups' counts of each member of `dimension` in `street` over `period`.
pub fn rolled_up(
    conn: &mut Conn,
    dimension: Dimension,
    street: OrgUnitId,
    period: &Period,
    members: &Members,
) -> Result<HashMap<String, Counts>, StoreError> {
    let dimension = dimension.as_str();
    let (first, last) = (day_key(period.first), day_key(period.last));
    let mut params: Vec<&dyn ToValue> = vec![&dimension, &street, &first, &last];
    let range;
    let filter = match members {
        Members::All => "",
        Members::Exactly(member) => {
            params.push(member);
            " AND member = $5"
        }
        Members::Within(path) => {
            range = path.subtree_range();
            params.push(&range.0);
            params.push(&range.1);
            " AND member >= $5 AND member < $6"
        }
    };
    let rows = conn.query(
        &format!(
            "SELECT member, {} FROM stat_day
             WHERE dimension = $1 AND street_id = $2 AND day >= $3 AND day <= $4{filter}
             GROUP BY member",
            sums()
        ),
        &params,
        |row| Ok((row.get::<String>(0)?, counts_from(row, 1)?)),
    )?;
    Ok(rows.into_iter().collect())
}

/// A case counted by a figure: the change's tally, or for a case still open past its deadline,
/// the `due` (or `handling_due`) it adds on the day its clock ran out.
#[derive(Debug, Clone, PartialEq)]
pub struct CountedCase {
    pub id: CaseId,
    pub attribution: Attribution,
    pub tally: Tally,
}

impl CountedCase {
    /// Whether this counts for `member` of `dimension`.
    pub fn counts_for(&self, dimension: Dimension, member: &str) -> bool {
        self.attribution
            .members(self.tally.person)
            .iter()
            .any(|(d, m)| *d == dimension && m == member)
    }
}

/// Cases of `street` (or every street) still open whose case clock (应结案) or handling clock
/// (应处置) ran out within `period`, before `now`.
pub fn still_late(
    conn: &mut Conn,
    street: Option<OrgUnitId>,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Vec<CountedCase>, StoreError> {
    let (start, end) = bounds(period, now);
    if start >= end {
        return Ok(Vec::new());
    }
    let mut late = Vec::new();
    let queries = [
        (
            "case_deadline",
            "closed_at IS NULL AND case_deadline IS NOT NULL AND case_deadline >= $1
             AND case_deadline < $2 AND state NOT IN ('voided', 'merged')",
            Counts {
                due: 1,
                ..Counts::default()
            },
        ),
        (
            "step_deadline",
            "step_deadline IS NOT NULL AND step_deadline >= $1 AND step_deadline < $2
             AND step = 'handle'",
            Counts {
                handling_due: 1,
                ..Counts::default()
            },
        ),
    ];
    // Found by the deadline indexes alone, the street filtered here: an index led by the
    // street would read the street's whole history instead of its few late cases.
    for (deadline, condition, counts) in queries {
        let rows = conn.query(
            &format!(
                "SELECT id, street_id, org_path, department_id, category_id, channel, {deadline}
                 FROM case_file WHERE {condition}"
            ),
            &[&start, &end],
            |row| {
                let channel: String = row.get(5)?;
                let at: DateTime<Utc> = row.get(6)?;
                Ok(CountedCase {
                    id: row.get(0)?,
                    attribution: Attribution {
                        street: row.get(1)?,
                        org_path: OrgPath::parse(&row.get::<String>(2)?)
                            .map_err(|e| StoreError::Query(e.to_string()))?,
                        department: row.get(3)?,
                        category: row.get(4)?,
                        channel: Channel::parse(&channel).ok_or_else(|| {
                            StoreError::Query(format!("unknown channel {channel:?}"))
                        })?,
                    },
                    tally: Tally {
                        day: business_date(at),
                        counts,
                        person: None,
                        cohort: false,
                    },
                })
            },
        )?;
        late.extend(
            rows.into_iter()
                .filter(|case| street.is_none_or(|s| case.attribution.street == s)),
        );
    }
    Ok(late)
}

/// The figures of each member of `dimension` in `street` over `period`: the rollups plus the
/// cases still late (`late`, read once per street and period by [`still_late`]).
pub fn figures(
    conn: &mut Conn,
    dimension: Dimension,
    street: OrgUnitId,
    period: &Period,
    members: &Members,
    late: &[CountedCase],
) -> Result<HashMap<String, Counts>, StoreError> {
    let mut figures = rolled_up(conn, dimension, street, period, members)?;
    for case in late.iter().filter(|c| c.attribution.street == street) {
        for (d, member) in case.attribution.members(None) {
            if d == dimension && wanted(members, &member) {
                *figures.entry(member).or_default() += case.tally.counts;
            }
        }
    }
    Ok(figures)
}

fn wanted(members: &Members, member: &str) -> bool {
    match members {
        Members::All => true,
        Members::Exactly(one) => one == member,
        Members::Within(path) => member.starts_with(path.as_str()),
    }
}

/// Each street's own totals over `period`, in the order given (the city-wide ranking).
pub fn street_totals(
    conn: &mut Conn,
    streets: &[(OrgUnitId, OrgPath)],
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Vec<Counts>, StoreError> {
    let mut totals = Vec::with_capacity(streets.len());
    // The street's own total rows: one per day, not one per community and grid.
    let member = Members::Exactly(String::new());
    for (street, _) in streets {
        let counts = rolled_up(conn, Dimension::Street, *street, period, &member)?;
        totals.push(counts.into_values().sum::<Counts>());
    }
    for late in still_late(conn, None, period, now)? {
        if let Some(total) = streets
            .iter()
            .position(|(s, _)| *s == late.attribution.street)
            .and_then(|n| totals.get_mut(n))
        {
            *total += late.tally.counts;
        }
    }
    Ok(totals)
}

/// How many cases' histories one query reads.
const HISTORIES_PER_QUERY: usize = 400;

/// Every case `street`'s figures over `period` count, recounted from the histories: each
/// change in the period with its tally, and the cases still late.
pub fn recount(
    conn: &mut Conn,
    street: OrgUnitId,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Vec<CountedCase>, StoreError> {
    let start = start_of_day(period.first);
    let end = start_of_day(period.last + Days::new(1));
    let ids: Vec<CaseId> = conn.query(
        "SELECT DISTINCT case_id FROM case_event WHERE street_id = $1 AND at >= $2 AND at < $3",
        &[&street, &start, &end],
        |row| row.get(0),
    )?;
    let mut counted = Vec::new();
    for chunk in ids.chunks(HISTORIES_PER_QUERY) {
        let binds: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let params: Vec<&dyn ToValue> = chunk.iter().map(|id| id as &dyn ToValue).collect();
        let filter = format!("case_id IN ({})", binds.join(", "));
        for (id, events) in histories(conn, &filter, &params)? {
            fold_history(id, &events, |attribution, tally| {
                if period.contains(tally.day) {
                    counted.push(CountedCase {
                        id,
                        attribution: attribution.clone(),
                        tally: *tally,
                    });
                }
            })?;
        }
    }
    counted.extend(still_late(conn, Some(street), period, now)?);
    Ok(counted)
}

/// The recount summed by member of `dimension`: what [`figures`] must equal.
pub fn summed(counted: &[CountedCase], dimension: Dimension) -> HashMap<String, Counts> {
    let mut sums: HashMap<String, Counts> = HashMap::new();
    for case in counted {
        for (d, member) in case.attribution.members(case.tally.person) {
            if d == dimension {
                *sums.entry(member).or_default() += case.tally.counts;
            }
        }
    }
    sums
}
