//! The holiday calendar in the database: the State Council notices year by year, the weekly
//! schedule, and importing a new year. The store keeps the built [`WorkCalendar`] in memory.
//!
//! Importing a notice changes what some days are; every open clock whose reckoning crosses
//! those days is worked out again ([`RecomputeClocks`], queued with the import), not only the
//! clocks that were waiting for the year.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use jiedao_core::Capability;
use jiedao_core::calendar::{WorkCalendar, WorkWeek, YearNotice};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::db::Conn;
use crate::error::StoreError;
use crate::jobs::{self, Job};
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};

const WORK_WEEK: &str = "work_week";

fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Query(e.to_string()))
}

fn upsert_notice(
    conn: &mut Conn,
    notice: &YearNotice,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO holiday_notice (year, notice, imported_at, imported_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, imported_at = excluded.imported_at,
             imported_by = excluded.imported_by",
        &[&i64::from(notice.year), &json(notice)?, &at, &actor.name],
    )?;
    Ok(())
}

/// Adds the seeded notices for the years the database does not have yet.
pub fn seed(conn: &mut Conn, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
    let notices = WorkCalendar::seeded_notices().map_err(|e| StoreError::Config(e.to_string()))?;
    let known: Vec<i64> = conn.query("SELECT year FROM holiday_notice", &[], |row| row.get(0))?;
    let missing: Vec<&YearNotice> = notices
        .iter()
        .filter(|n| !known.contains(&i64::from(n.year)))
        .collect();
    for notice in &missing {
        upsert_notice(conn, notice, actor, at)?;
    }
    if !missing.is_empty() {
        let years: Vec<i32> = missing.iter().map(|n| n.year).collect();
        audit::record(conn, actor, at, "calendar.seed", "calendar", &years)?;
    }
    Ok(())
}

/// The weekly schedule and every notice, as a calendar.
pub fn load(conn: &mut Conn) -> Result<WorkCalendar, StoreError> {
    let week: Option<String> = conn.query_opt(
        "SELECT value FROM setting WHERE key = $1",
        &[&WORK_WEEK],
        |r| r.get(0),
    )?;
    let week: WorkWeek = match week {
        Some(text) => serde_json::from_str(&text).map_err(|e| StoreError::Query(e.to_string()))?,
        None => WorkWeek::default(),
    };
    let notices = stored_notices(conn)?
        .into_iter()
        .map(|stored| stored.notice)
        .collect::<Vec<_>>();
    WorkCalendar::new(week, &notices).map_err(|e| StoreError::Config(e.to_string()))
}

/// A year's notice as stored, with who imported it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredNotice {
    pub notice: YearNotice,
    pub imported_at: DateTime<Utc>,
    pub imported_by: String,
}

pub fn stored_notices(conn: &mut Conn) -> Result<Vec<StoredNotice>, StoreError> {
    conn.query(
        "SELECT notice, imported_at, imported_by FROM holiday_notice ORDER BY year",
        &[],
        |row| {
            let text: String = row.get(0)?;
            Ok(StoredNotice {
                notice: serde_json::from_str(&text)
                    .map_err(|e| StoreError::Query(e.to_string()))?,
                imported_at: row.get(1)?,
                imported_by: row.get(2)?,
            })
        },
    )
}

/// The job that works open clocks out again across the days an import changed, from `first`
/// to `last` (both included). The store that runs it reads the calendar again first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecomputeClocks {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Job for RecomputeClocks {
    const NAME: &'static str = "calendar.recompute";
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// The years whose notices it stored.
    pub years: Vec<i32>,
    /// The first and last day whose kind it changed (a holiday, a makeup day, a day of a year
    /// the calendar did not know); `None` when the notices said what the calendar already had.
    pub changed: Option<RecomputeClocks>,
}

/// The days from `first` to `last` whose kind differs between two calendars.
fn changed_days(
    before: &WorkCalendar,
    after: &WorkCalendar,
    first: NaiveDate,
    last: NaiveDate,
) -> Option<RecomputeClocks> {
    let differs = |day: &NaiveDate| before.day_kind(*day) != after.day_kind(*day);
    let days = first.iter_days().take_while(|day| *day <= last);
    let mut changed = days.filter(differs);
    let earliest = changed.next()?;
    let latest = changed.last().unwrap_or(earliest);
    Some(RecomputeClocks {
        first: earliest,
        last: latest,
    })
}

/// Imports (or replaces) the notices in a file of the seed's format. All or nothing. When a
/// day changes, the job working the clocks across it out again is queued with the import.
pub fn import(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    text: &str,
) -> Result<Imported, StoreError> {
    scope.require(Capability::ManageSettings)?;
    let notices = YearNotice::parse_file(text).map_err(Refusal::Calendar)?;
    let (Some(first_year), Some(last_year)) = (
        notices.iter().map(|n| n.year).min(),
        notices.iter().map(|n| n.year).max(),
    ) else {
        return Err(Refusal::EmptyField {
            field: "field.holidays",
        }
        .into());
    };
    let before = load(conn)?;
    for notice in &notices {
        upsert_notice(conn, notice, actor, at)?;
    }
    let after = load(conn)?;
    // A notice's days run from late December of the year before (a break crossing New Year).
    let first = NaiveDate::from_ymd_opt(first_year - 1, 12, 1);
    let last = NaiveDate::from_ymd_opt(last_year, 12, 31);
    let changed = first
        .zip(last)
        .and_then(|(first, last)| changed_days(&before, &after, first, last));
    if let Some(job) = &changed {
        jobs::enqueue(conn, job, at)?;
    }
    let years: Vec<i32> = notices.iter().map(|n| n.year).collect();
    audit::record(conn, actor, at, "calendar.import", "calendar", &years)?;
    crate::reference::changed(conn, at)?;
    Ok(Imported { years, changed })
}

/// The instants a span of days runs over: from the first day's midnight to the midnight
/// after the last (China Standard Time).
pub(crate) fn span(days: &RecomputeClocks) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = jiedao_core::clock::start_of_day(days.first);
    let end = jiedao_core::clock::start_of_day(days.last + Duration::days(1));
    (start, end)
}

/// Replaces the weekly schedule.
pub fn set_week(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    week: &WorkWeek,
) -> Result<(), StoreError> {
    scope.require(Capability::ManageSettings)?;
    week.check().map_err(Refusal::Calendar)?;
    let text = json(week)?;
    conn.execute(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        &[&WORK_WEEK, &text, &at],
    )?;
    audit::record(conn, actor, at, "calendar.set_week", "calendar", &week)?;
    crate::reference::changed(conn, at)?;
    Ok(())
}

/// What administrators must be told about the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarWarning {
    /// The year whose notice is missing (this year, or next year from November on).
    pub missing_year: Option<i32>,
    /// Open cases whose deadlines wait for a missing year.
    pub pending_cases: i64,
}

/// Whether the calendar needs an administrator: the State Council publishes the next year's
/// notice around November; from then on its absence is a warning.
pub fn warning(
    conn: &mut Conn,
    calendar: &WorkCalendar,
    today: chrono::NaiveDate,
) -> Result<Option<CalendarWarning>, StoreError> {
    let needed = if today.month() >= 11 {
        today.year() + 1
    } else {
        today.year()
    };
    let missing_year = (!calendar.known_years().contains(&needed)).then_some(needed);
    let pending_cases = crate::cases::ticker::pending_clocks(conn)?;
    Ok(
        (missing_year.is_some() || pending_cases > 0).then_some(CalendarWarning {
            missing_year,
            pending_cases,
        }),
    )
}
