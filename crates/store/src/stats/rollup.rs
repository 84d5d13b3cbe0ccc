//! The rollup table (`stat_day`): each recorded change adds its tally to one row per member it
//! counts for, in the change's own transaction; [`rebuild`] writes every row again by folding
//! every case's history through the same tally.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use jiedao_core::case::{Case, Change, Channel, apply, open};
use jiedao_core::evaluation::Counts;
use jiedao_core::evaluation::tally::{Involved, Tally, tally};
use jiedao_core::{CaseId, CategoryId, DepartmentId, OrgPath, OrgUnitId, UserId};

use crate::db::Conn;
use crate::error::StoreError;

/// What a rollup row's member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// An org path: the street, its communities, their grids (and the nodes above).
    Area,
    Department,
    Category,
    Channel,
    /// A grid worker (有效上报, 核实, 核查).
    Person,
    /// The street's own total (member: empty), the same figures as its area row: one row per
    /// street and day, what the ranking of the streets reads.
    Street,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Area,
        Dimension::Department,
        Dimension::Category,
        Dimension::Channel,
        Dimension::Person,
        Dimension::Street,
    ];

    pub fn parse(text: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Area => "area",
            Dimension::Department => "department",
            Dimension::Category => "category",
            Dimension::Channel => "channel",
            Dimension::Person => "person",
            Dimension::Street => "street",
        }
    }
}

/// A business day as the rollup stores it: `yyyymmdd`.
pub(crate) fn day_key(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day())
}

/// What a change is counted under: the case's street, area, department, category and channel
/// as they stood after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub street: OrgUnitId,
    pub org_path: OrgPath,
    pub department: Option<DepartmentId>,
    pub category: Option<CategoryId>,
    pub channel: Channel,
}

impl From<&Case> for Attribution {
    fn from(case: &Case) -> Attribution {
        Attribution {
            street: case.street,
            org_path: case.org_path.clone(),
            department: case.department.as_ref().map(|d| d.id),
            category: case.category.as_ref().map(|c| c.id),
            channel: case.channel,
        }
    }
}

impl Attribution {
    /// Every row a tally under this attribution counts for: the areas, department, category
    /// and channel, and the person some of it is counted to.
    pub fn members(&self, person: Option<UserId>) -> Vec<(Dimension, String)> {
        let mut members: Vec<(Dimension, String)> = self
            .org_path
            .ancestors_and_self()
            .into_iter()
            .map(|path| (Dimension::Area, path.as_str().to_owned()))
            .collect();
        if let Some(department) = self.department {
            members.push((Dimension::Department, department.to_string()));
        }
        if let Some(category) = self.category {
            members.push((Dimension::Category, category.to_string()));
        }
        members.push((Dimension::Channel, self.channel.as_str().to_owned()));
        if let Some(person) = person {
            members.push((Dimension::Person, person.to_string()));
        }
        members.push((Dimension::Street, String::new()));
        members
    }
}

/// Rows keyed as the table is.
pub(crate) type RowKey = (Dimension, OrgUnitId, i64, String);

/// The upsert that adds one row's counts, built once from [`Counts::FIELDS`].
fn upsert_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let fields = Counts::FIELDS;
        let mut sql = format!(
            "INSERT INTO stat_day (dimension, street_id, day, member, {}) VALUES ($1, $2, $3, $4",
            fields.join(", ")
        );
        for n in 0..fields.len() {
            let _ = write!(sql, ", ${}", n + 5);
        }
        sql.push_str(") ON CONFLICT (dimension, street_id, day, member) DO UPDATE SET ");
        let sets: Vec<String> = fields
            .iter()
            .map(|f| format!("{f} = stat_day.{f} + excluded.{f}"))
            .collect();
        sql.push_str(&sets.join(", "));
        sql
    })
}

/// Rollup rows summed in memory, then added to the table with one upsert per row: how a
/// rebuild and a generated load write many changes at once.
#[derive(Debug, Clone, Default)]
pub struct Sums(HashMap<RowKey, Counts>);

impl Sums {
    /// Counts `tally` under `attribution`, on every row it counts for.
    pub fn add(&mut self, attribution: &Attribution, tally: &Tally) {
        let day = day_key(tally.day);
        for (dimension, member) in attribution.members(tally.person) {
            *self
                .0
                .entry((dimension, attribution.street, day, member))
                .or_default() += tally.counts;
        }
    }

    /// Adds every row to the table.
    pub(crate) fn write(&self, conn: &mut Conn) -> Result<(), StoreError> {
        for (key, counts) in &self.0 {
            add_row(conn, key, counts)?;
        }
        Ok(())
    }
}

/// Adds `counts` to the row at `key`.
fn add_row(conn: &mut Conn, key: &RowKey, counts: &Counts) -> Result<(), StoreError> {
    let (dimension, street, day, member) = key;
    let values: Vec<i64> = counts
        .values()
        .into_iter()
        .map(|v| i64::try_from(v).unwrap_or(i64::MAX))
        .collect();
    let dimension = dimension.as_str();
    let mut params: Vec<&dyn crate::db::value::ToValue> = vec![&dimension, street, day, member];
    params.extend(values.iter().map(|v| v as &dyn crate::db::value::ToValue));
    conn.execute(upsert_sql(), &params)?;
    Ok(())
}

/// Adds one change's tally to the rollups.
pub fn add(conn: &mut Conn, case: &Case, tally: &Tally) -> Result<(), StoreError> {
    let day = day_key(tally.day);
    let mut attribution = Attribution::from(case);
    if tally.cohort {
        attribution.org_path = reported_in(conn, case)?;
    }
    for (dimension, member) in attribution.members(tally.person) {
        add_row(conn, &(dimension, case.street, day, member), &tally.counts)?;
    }
    Ok(())
}

/// The area `case` was reported in (its report's path), where its cohort counts.
fn reported_in(conn: &mut Conn, case: &Case) -> Result<OrgPath, StoreError> {
    let text: String = conn.scalar(
        "SELECT change FROM case_event WHERE case_id = $1 AND seq = 1",
        &[&case.id],
    )?;
    match serde_json::from_str::<Change>(&text) {
        Ok(Change::Report { report, .. }) => Ok(report.org_path),
        Ok(_) => Err(StoreError::Query(format!(
            "case {}: history does not begin with a report",
            case.id
        ))),
        Err(error) => Err(StoreError::Query(format!("stored change: {error}"))),
    }
}

/// The grid worker who reported `case`, when a grid worker did: filing their report makes it
/// valid for them.
fn reporter(conn: &mut Conn, case: &Case) -> Result<Option<UserId>, StoreError> {
    if case.channel != Channel::GridWorker {
        return Ok(None);
    }
    Ok(conn
        .query_opt(
            "SELECT actor_id FROM case_event WHERE case_id = $1 AND seq = 1",
            &[&case.id],
            |row| row.get::<Option<UserId>>(0),
        )?
        .flatten())
}

/// What `change` (already applied: `after`) adds to the figures.
pub fn tally_of(
    conn: &mut Conn,
    before: Option<&Case>,
    change: &Change,
    after: &Case,
    actor: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<Vec<Tally>, StoreError> {
    let reporter = if matches!(change, Change::File { .. }) {
        reporter(conn, after)?
    } else {
        None
    };
    Ok(tally(
        before,
        change,
        after,
        Involved { actor, reporter },
        at,
    ))
}

/// One recorded change as the figures read it.
pub type Event = (i64, DateTime<Utc>, Option<UserId>, Change);

/// Replays one case's history, handing each change's tally and what it counts under to `each`.
pub fn fold_history(
    id: CaseId,
    events: &[Event],
    mut each: impl FnMut(&Attribution, &Tally),
) -> Result<(), StoreError> {
    let mut case: Option<Case> = None;
    let mut reporter = None;
    let mut reported_in: Option<OrgPath> = None;
    for (seq, at, actor, change) in events {
        let before = case.clone();
        let after = match case.as_mut() {
            None if *seq == 1 => {
                reporter = *actor;
                if let Change::Report { report, .. } = change {
                    reported_in = Some(report.org_path.clone());
                }
                case.insert(open(id, String::new(), change, *at).ok_or_else(|| {
                    StoreError::Query(format!("case {id}: history does not begin with a report"))
                })?)
            }
            None => return Err(StoreError::Query(format!("case {id}: history has a gap"))),
            Some(current) => {
                apply(current, change, *at);
                current
            }
        };
        let involved = Involved {
            actor: *actor,
            reporter: (after.channel == Channel::GridWorker)
                .then_some(reporter)
                .flatten(),
        };
        for tally in tally(before.as_ref(), change, after, involved, *at) {
            let mut attribution = Attribution::from(&*after);
            if let (true, Some(path)) = (tally.cohort, &reported_in) {
                attribution.org_path = path.clone();
            }
            each(&attribution, &tally);
        }
    }
    Ok(())
}

/// The histories picked by `sql_filter` (over `case_event`), each as its case's id and its
/// changes in order.
pub fn histories(
    conn: &mut Conn,
    sql_filter: &str,
    params: &[&dyn crate::db::value::ToValue],
) -> Result<Vec<(CaseId, Vec<Event>)>, StoreError> {
    let rows = conn.query(
        &format!(
            "SELECT case_id, seq, at, actor_id, change FROM case_event WHERE {sql_filter}
             ORDER BY case_id, seq"
        ),
        params,
        |row| {
            let text: String = row.get(4)?;
            let change: Change = serde_json::from_str(&text)
                .map_err(|e| StoreError::Query(format!("stored change: {e}")))?;
            Ok((
                row.get::<CaseId>(0)?,
                (row.get(1)?, row.get(2)?, row.get(3)?, change),
            ))
        },
    )?;
    let mut out: Vec<(CaseId, Vec<Event>)> = Vec::new();
    for (id, event) in rows {
        match out.last_mut() {
            Some((last, events)) if *last == id => events.push(event),
            _ => out.push((id, vec![event])),
        }
    }
    Ok(out)
}

/// How many cases' histories one pass of [`rebuild`] reads.
const CASES_PER_PASS: i64 = 2_000;

/// Empties the rollups and writes them again from every case's history; returns the number of
/// cases read. Runs in the caller's transaction (the writer's: nothing else is written
/// meanwhile), reading a slice of cases at a time. Refused on a generated database.
pub fn rebuild(conn: &mut Conn) -> Result<u64, StoreError> {
    if crate::generated::is_generated(conn)? {
        return Err(crate::refusal::Refusal::GeneratedDatabase.into());
    }
    conn.execute("DELETE FROM stat_day", &[])?;
    recount(conn, |conn, rows| rows.write(conn))
}

/// Folds every case's history through the tally a slice of cases at a time, handing each
/// slice's rows to `take`; returns the number of cases read.
fn recount(
    conn: &mut Conn,
    mut take: impl FnMut(&mut Conn, &Sums) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut after: Option<CaseId> = None;
    let mut cases = 0_u64;
    loop {
        let ids: Vec<CaseId> = match after {
            None => conn.query(
                "SELECT id FROM case_file ORDER BY id LIMIT $1",
                &[&CASES_PER_PASS],
                |row| row.get(0),
            )?,
            Some(last) => conn.query(
                "SELECT id FROM case_file WHERE id > $1 ORDER BY id LIMIT $2",
                &[&last, &CASES_PER_PASS],
                |row| row.get(0),
            )?,
        };
        let (Some(first), Some(last)) = (ids.first().copied(), ids.last().copied()) else {
            break;
        };
        let mut rows = Sums::default();
        for (id, events) in histories(conn, "case_id >= $1 AND case_id <= $2", &[&first, &last])? {
            fold_history(id, &events, |attribution, tally| {
                rows.add(attribution, tally)
            })?;
        }
        take(conn, &rows)?;
        cases += ids.len() as u64;
        after = Some(last);
    }
    Ok(cases)
}

/// The counting rules (统计口径) the rollups are written under. When the tally's rules change,
/// this name changes, and a database whose rollups were written under other rules has them
/// written again once, as it is opened ([`follow_counting_rules`]).
const COUNTING: &str = "cohort-of-reports in their area, rework by case";

/// Writes the rollups again from the histories when they were written under other counting
/// rules than the tally's (a database from before filing and dispatch counted by the cohort
/// of reports); returns the number of cases read, `None` when nothing was due. A generated
/// database cannot be recounted (its histories are not kept) and keeps its rollups.
pub(crate) fn follow_counting_rules(
    conn: &mut Conn,
    at: DateTime<Utc>,
) -> Result<Option<u64>, StoreError> {
    let stored: Option<String> = conn.query_opt(
        "SELECT value FROM setting WHERE key = 'stats.counting'",
        &[],
        |row| row.get(0),
    )?;
    if stored.as_deref() == Some(COUNTING) {
        return Ok(None);
    }
    let any_case = conn
        .query_opt("SELECT id FROM case_file LIMIT 1", &[], |row| {
            row.get::<CaseId>(0)
        })?
        .is_some();
    let recounted = if any_case && !crate::generated::is_generated(conn)? {
        Some(rebuild(conn)?)
    } else {
        None
    };
    conn.execute(
        "INSERT INTO setting (key, value, updated_at) VALUES ('stats.counting', $1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        &[&COUNTING, &at],
    )?;
    Ok(recounted)
}

/// The rollup rows that differ from a fresh count of every history (none when they agree),
/// each as the row's key and (stored, counted). Reads only.
pub fn disagreements(conn: &mut Conn) -> Result<Vec<(RowKey, Counts, Counts)>, StoreError> {
    let mut counted: HashMap<RowKey, Counts> = HashMap::new();
    recount(conn, |_, rows| {
        for (key, counts) in &rows.0 {
            *counted.entry(key.clone()).or_default() += *counts;
        }
        Ok(())
    })?;
    let sql = format!(
        "SELECT dimension, street_id, day, member, {} FROM stat_day",
        Counts::FIELDS.join(", ")
    );
    let stored = conn.query(&sql, &[], |row| {
        let dimension: String = row.get(0)?;
        let values = (0..Counts::FIELDS.len())
            .map(|n| row.get::<i64>(n + 4).map(|v| u64::try_from(v).unwrap_or(0)))
            .collect::<Result<Vec<u64>, StoreError>>()?;
        Ok((
            (
                Dimension::parse(&dimension).ok_or_else(|| {
                    StoreError::Query(format!("stat_day dimension {dimension:?}"))
                })?,
                row.get::<OrgUnitId>(1)?,
                row.get::<i64>(2)?,
                row.get::<String>(3)?,
            ),
            Counts::from_values(&values),
        ))
    })?;
    let mut differ = Vec::new();
    for (key, stored) in stored {
        let counted = counted.remove(&key).unwrap_or_default();
        if stored != counted {
            differ.push((key, stored, counted));
        }
    }
    differ.extend(
        counted
            .into_iter()
            .filter(|(_, counts)| *counts != Counts::default())
            .map(|(key, counts)| (key, Counts::default(), counts)),
    );
    Ok(differ)
}
