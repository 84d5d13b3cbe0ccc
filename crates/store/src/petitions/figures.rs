//! The petitions' figures (信访统计) for any period of the reader's part of the tree, against the
//! same period last year: read from the rollups each change writes (`petition_stat`), and
//! recounted from the histories through the same tally (`jiedao_core::petition::tally`), so a
//! figure, its rebuild and its drill-down list agree by construction and by test.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use jiedao_core::clock::CHINA;
use jiedao_core::petition::tally::{self, Measure};
use jiedao_core::petition::{Channel, Class, Flag, Level, blank};
use jiedao_core::{Capability, OrgPath, OrgUnitId};
use serde::Serialize;
use uuid::Uuid;

use super::{Event, LEDGER};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::history;
use crate::scope::Scope;

/// A stretch of days, `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The same days a year earlier (29 February becomes the 28th).
    pub fn year_before(self) -> Period {
        let back = |day: NaiveDate| {
            day.with_year(day.year() - 1)
                .or_else(|| day.pred_opt().and_then(|d| d.with_year(d.year() - 1)))
                .unwrap_or(day)
        };
        Period {
            from: back(self.from),
            to: back(self.to),
        }
    }

    /// A year up to `today`: the whole year when it is over, else its days so far (so that the
    /// same period last year is as long).
    pub fn year_until(year: i32, today: NaiveDate) -> Option<Period> {
        let whole = Period::year(year)?;
        Some(Period {
            from: whole.from,
            to: whole.to.min(today.succ_opt()?),
        })
    }

    /// A whole calendar year.
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
        })
    }
}

/// Counts by measure code.
pub type Totals = BTreeMap<String, i64>;

/// One figure: this period, the same period last year, and the change (hundredths of a %).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub measure: String,
    pub this: i64,
    pub last: i64,
    pub year_on_year: Option<i64>,
}

/// The figures of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub period: Period,
    /// 件数, by channel, by class, 重信重访, flags, 办结, 按期办结, 积案 marked and cleared by
    /// level: every measure the rules count, in a fixed order.
    pub figures: Vec<Figure>,
    /// 重信重访率 (hundredths of a %).
    pub repeat_rate: Option<i64>,
    /// 按期办结率 (hundredths of a %).
    pub on_time_rate: Option<i64>,
}

/// Every measure, in the order the figures show them.
pub fn measures() -> Vec<Measure> {
    let levels = || std::iter::once(None).chain(Level::ALL.iter().copied().map(Some));
    let mut all = vec![Measure::Volume];
    all.extend(Channel::ALL.iter().map(|c| Measure::ByChannel(*c)));
    all.extend(Class::ALL.iter().map(|c| Measure::ByClass(*c)));
    all.push(Measure::Repeat);
    all.extend(Flag::ALL.iter().map(|f| Measure::Flagged(*f)));
    all.push(Measure::Concluded);
    all.push(Measure::ConcludedOnTime);
    all.extend(levels().map(Measure::BacklogMarked));
    all.extend(levels().map(Measure::BacklogCleared));
    all
}

/// The totals of the rollups over `period` within `scope`'s reach.
pub fn totals(conn: &mut Conn, scope: &Scope, period: Period) -> Result<Totals, StoreError> {
    scope.require(Capability::ViewPetitions)?;
    let (low, high) = scope.path_range();
    let rows: Vec<(String, i64)> = conn.query(
        "SELECT measure, CAST(SUM(n) AS BIGINT) FROM petition_stat
          WHERE org_path >= $1 AND org_path < $2 AND day >= $3 AND day < $4
          GROUP BY measure",
        &[&low, &high, &period.from, &period.to],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(rows.into_iter().collect())
}

/// The figures of `period` and the same period last year, from the rollups.
pub fn figures(conn: &mut Conn, scope: &Scope, period: Period) -> Result<Figures, StoreError> {
    let this = totals(conn, scope, period)?;
    let last = totals(conn, scope, period.year_before())?;
    let get = |totals: &Totals, measure: Measure| totals.get(&measure.code()).copied().unwrap_or(0);
    let figures = measures()
        .into_iter()
        .map(|measure| {
            let (now, then) = (get(&this, measure), get(&last, measure));
            Figure {
                measure: measure.code(),
                this: now,
                last: then,
                year_on_year: tally::year_on_year(now, then),
            }
        })
        .collect();
    Ok(Figures {
        period,
        figures,
        repeat_rate: tally::rate(get(&this, Measure::Repeat), get(&this, Measure::Volume)),
        on_time_rate: tally::rate(
            get(&this, Measure::ConcludedOnTime),
            get(&this, Measure::Concluded),
        ),
    })
}

/// What a petition's row says to start a replay from.
struct Head {
    id: Uuid,
    street: OrgUnitId,
    number: String,
    org_path: OrgPath,
    received_at: chrono::DateTime<chrono::Utc>,
}

fn heads(conn: &mut Conn, range: Option<(String, String)>) -> Result<Vec<Head>, StoreError> {
    let read = |row: &crate::db::Row<'_>| {
        Ok(Head {
            id: row.get(0)?,
            street: row.get(1)?,
            number: row.get(2)?,
            org_path: row.get(3)?,
            received_at: row.get(4)?,
        })
    };
    const SELECT: &str = "SELECT id, street_id, number, org_path, received_at FROM petition";
    match range {
        Some((low, high)) => conn.query(
            &format!("{SELECT} WHERE org_path >= $1 AND org_path < $2"),
            &[&low, &high],
            read,
        ),
        None => conn.query(SELECT, &[], read),
    }
}

/// Replays one petition's history through the rules: the petition as its history leaves it
/// and every change's tally, in order.
fn replay(
    conn: &mut Conn,
    head: &Head,
) -> Result<(jiedao_core::petition::Petition, Vec<tally::Tally>), StoreError> {
    let events: Vec<Event> = history::load(conn, &LEDGER, head.id)?;
    let mut petition = blank(
        head.id,
        head.street,
        head.number.clone(),
        head.org_path.clone(),
        head.received_at,
    );
    let mut counts = Vec::new();
    for event in &events {
        jiedao_core::petition::apply(&mut petition, &event.change, event.at);
        counts.extend(tally::tally(&petition, &event.change, event.at));
    }
    Ok((petition, counts))
}

fn day_of(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    at.with_timezone(&CHINA).date_naive()
}

/// The totals of `period` within `scope`'s reach, recounted from the histories.
pub fn recount(conn: &mut Conn, scope: &Scope, period: Period) -> Result<Totals, StoreError> {
    scope.require(Capability::ViewPetitions)?;
    let mut totals = Totals::new();
    for head in heads(conn, Some(scope.path_range()))? {
        for count in replay(conn, &head)?.1 {
            let day = day_of(count.at);
            if day >= period.from && day < period.to {
                *totals.entry(count.measure.code()).or_insert(0) += 1;
            }
        }
    }
    Ok(totals)
}

/// The petitions a figure counts: those whose histories, recounted, add to `measure` (its
/// code) in `period` within `scope`'s reach.
pub fn counted(
    conn: &mut Conn,
    scope: &Scope,
    measure: &str,
    period: Period,
) -> Result<Vec<Uuid>, StoreError> {
    scope.require(Capability::ViewPetitions)?;
    let mut ids = Vec::new();
    for head in heads(conn, Some(scope.path_range()))? {
        let hit = replay(conn, &head)?.1.iter().any(|count| {
            let day = day_of(count.at);
            count.measure.code() == measure && day >= period.from && day < period.to
        });
        if hit {
            ids.push(head.id);
        }
    }
    Ok(ids)
}

/// Writes the rollups again from every history (`jiedao stats rebuild` for petitions);
/// returns how many petitions were replayed.
pub fn rebuild(conn: &mut Conn) -> Result<usize, StoreError> {
    conn.execute("DELETE FROM petition_stat", &[])?;
    let heads = heads(conn, None)?;
    for head in &heads {
        let (petition, counts) = replay(conn, head)?;
        for count in &counts {
            super::write::add(conn, &petition, count, 1)?;
        }
    }
    Ok(heads.len())
}
