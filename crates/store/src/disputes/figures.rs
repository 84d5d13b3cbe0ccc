//! The disputes' figures (受理数, 调处成功数, 成功率, 标的总额, 履行率, 民转刑数): the rollup
//! `dispute_stat`, by registration day, place and type, that every change adds its difference
//! to in its own transaction ([`follow`]); reading it for any unit and period against the same
//! period a year before; and the rebuild from the histories that must equal it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::Capability;
use jiedao_core::clock::business_date;
use jiedao_core::dispute::figures::Counts;
use jiedao_core::dispute::{self, ActionKind, Dispute, Risk};
use jiedao_core::evaluation::period::Period;
use jiedao_core::ledger::RecordState;
use serde::Serialize;
use uuid::Uuid;

use super::{Event, LEDGER, Stored};
use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::ledger::history;
use crate::ledger::outbox::{self, Recorded};
use crate::ledger::query::Where;
use crate::scope::Scope;

/// What a delivery says about a change.
#[derive(Debug, Serialize)]
struct Payload<'a> {
    event: &'a str,
    dispute_id: Uuid,
    number: &'a str,
    seq: i64,
    at: DateTime<Utc>,
    state: &'static str,
    risk: &'static str,
}

/// The effects of a change that left a dispute as `now` is, from `before`: its difference
/// added to the rollup, and the outbox told (`dispute.<action>`, and `dispute.high_risk` the
/// moment a dispute turns high-risk, for the leader's alert).
pub(crate) fn follow(
    conn: &mut Conn,
    now: &Stored,
    before: Option<&Dispute>,
    action: ActionKind,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let delta = Counts::delta(before, &now.dispute);
    if !delta.is_zero() {
        add(conn, now, &delta)?;
    }
    let event = format!("dispute.{}", action.as_str());
    let turned_high = now.dispute.risk == Risk::High && before.is_none_or(|b| b.risk != Risk::High);
    for event in std::iter::once(event.as_str()).chain(turned_high.then_some("dispute.high_risk")) {
        let recorded = Recorded {
            ledger: &LEDGER,
            street: now.street,
            record: now.dispute.id,
            seq: now.count,
            event,
            at,
        };
        let payload = Payload {
            event,
            dispute_id: now.dispute.id,
            number: &now.number,
            seq: now.count,
            at,
            state: now.dispute.state.as_str(),
            risk: now.dispute.risk.as_str(),
        };
        // Notices fill their templates with a case's facts; a dispute offers none.
        outbox::publish(conn, &recorded, &payload, &|_| None)?;
    }
    Ok(())
}

fn add(conn: &mut Conn, at: &Stored, c: &Counts) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO dispute_stat (street_id, day, org_path, kind, taken, settled, failed,
             amount_fen, terms_followed, terms_performed, criminal, high_risk)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (street_id, day, org_path, kind) DO UPDATE SET
             taken = dispute_stat.taken + excluded.taken,
             settled = dispute_stat.settled + excluded.settled,
             failed = dispute_stat.failed + excluded.failed,
             amount_fen = dispute_stat.amount_fen + excluded.amount_fen,
             terms_followed = dispute_stat.terms_followed + excluded.terms_followed,
             terms_performed = dispute_stat.terms_performed + excluded.terms_performed,
             criminal = dispute_stat.criminal + excluded.criminal,
             high_risk = dispute_stat.high_risk + excluded.high_risk",
        &[
            &at.street,
            &business_date(at.dispute.registered_at),
            &at.org_path,
            &at.dispute.registration.kind,
            &c.taken,
            &c.settled,
            &c.failed,
            &c.amount_fen,
            &c.terms_followed,
            &c.terms_performed,
            &c.criminal,
            &c.high_risk,
        ],
    )?;
    Ok(())
}

/// A dispute folded from its history: what its row must hold.
pub fn fold(events: &[Event], id: Uuid) -> Option<Dispute> {
    let (first, rest) = events.split_first()?;
    let opened = dispute::open(id, first.at, &first.change)?;
    Some(
        rest.iter()
            .fold(opened, |d, event| dispute::apply(&d, &event.change)),
    )
}

/// One line of figures: what is counted and the counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// A type's code, a unit's path, or `""` for the whole.
    pub key: String,
    pub counts: Counts,
}

/// The figures of one period and the same period a year before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub period: Period,
    pub total: Counts,
    pub last_year: Counts,
    pub by_kind: Vec<Line>,
    pub by_place: Vec<Line>,
}

const SUMS: &str = "CAST(SUM(taken) AS BIGINT), CAST(SUM(settled) AS BIGINT),
    CAST(SUM(failed) AS BIGINT), CAST(SUM(amount_fen) AS BIGINT),
    CAST(SUM(terms_followed) AS BIGINT), CAST(SUM(terms_performed) AS BIGINT),
    CAST(SUM(criminal) AS BIGINT), CAST(SUM(high_risk) AS BIGINT)";

fn counts_at(row: &Row<'_>, from: usize) -> Result<Counts, StoreError> {
    let n = |i: usize| -> Result<i64, StoreError> {
        Ok(row.get::<Option<i64>>(from + i)?.unwrap_or(0))
    };
    Ok(Counts {
        taken: n(0)?,
        settled: n(1)?,
        failed: n(2)?,
        amount_fen: n(3)?,
        terms_followed: n(4)?,
        terms_performed: n(5)?,
        criminal: n(6)?,
        high_risk: n(7)?,
    })
}

/// The rollup's rows within `scope` (and under `under`, a path) in `period`, as `f`.
fn within(scope: &Scope, under: Option<&str>, period: &Period) -> Result<Where, StoreError> {
    scope.require(Capability::ViewDisputes)?;
    let mut w = Where::default();
    let (low, high) = scope.path_range();
    let (low, high) = (w.bind(low), w.bind(high));
    w.push(format!("org_path >= {low} AND org_path < {high}"));
    if let Some(path) = under {
        let (low, high) = (w.bind(path.to_owned()), w.bind(path_end(path)));
        w.push(format!("org_path >= {low} AND org_path < {high}"));
    }
    let (first, last) = (w.bind(period.first), w.bind(period.last));
    w.push(format!("day >= {first} AND day <= {last}"));
    Ok(w)
}

/// Where the paths under `path` (ending in `/`) stop.
pub(crate) fn path_end(path: &str) -> String {
    match path.strip_suffix('/') {
        Some(stem) => format!("{stem}0"),
        None => format!("{path}0"),
    }
}

fn grouped(
    conn: &mut Conn,
    scope: &Scope,
    under: Option<&str>,
    period: &Period,
    column: &str,
) -> Result<Vec<Line>, StoreError> {
    let w = within(scope, under, period)?;
    conn.query(
        &format!(
            "SELECT {column}, {SUMS} FROM dispute_stat{} GROUP BY {column} ORDER BY {column}",
            w.sql()
        ),
        &w.params(),
        |row| {
            Ok(Line {
                key: row.get(0)?,
                counts: counts_at(row, 1)?,
            })
        },
    )
}

fn total(
    conn: &mut Conn,
    scope: &Scope,
    under: Option<&str>,
    period: &Period,
) -> Result<Counts, StoreError> {
    let w = within(scope, under, period)?;
    conn.query_one(
        &format!("SELECT {SUMS} FROM dispute_stat{}", w.sql()),
        &w.params(),
        |row| counts_at(row, 0),
    )
}

/// The figures of `period` within `scope` (under the unit at `under`, when given), by type
/// and by place, with the same period a year before.
pub fn figures(
    conn: &mut Conn,
    scope: &Scope,
    under: Option<&str>,
    period: &Period,
) -> Result<Figures, StoreError> {
    let mut by_place: BTreeMap<String, Counts> = BTreeMap::new();
    for line in grouped(conn, scope, under, period, "org_path")? {
        // Grids count with their community: the path's first four segments.
        let community = community_of(&line.key);
        *by_place.entry(community).or_default() += line.counts;
    }
    Ok(Figures {
        period: *period,
        total: total(conn, scope, under, period)?,
        last_year: total(conn, scope, under, &period.a_year_before())?,
        by_kind: grouped(conn, scope, under, period, "kind")?,
        by_place: by_place
            .into_iter()
            .map(|(key, counts)| Line { key, counts })
            .collect(),
    })
}

/// The community a path lies in (district, street, community), or the path itself above it.
fn community_of(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let kept = segments.len().min(3);
    let mut out = String::from("/");
    for segment in segments.iter().take(kept) {
        out.push_str(segment);
        out.push('/');
    }
    out
}

/// The rollup's key: street, registration day, place and type.
pub type StatKey = (Uuid, NaiveDate, String, String);

/// Every rollup row as stored: (street, day, path, type) and its counts.
pub fn rollup_rows(conn: &mut Conn) -> Result<BTreeMap<StatKey, Counts>, StoreError> {
    let rows: Vec<(StatKey, Counts)> = conn.query(
        "SELECT street_id, day, org_path, kind, taken, settled, failed, amount_fen,
                terms_followed, terms_performed, criminal, high_risk FROM dispute_stat",
        &[],
        |row| {
            Ok((
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?),
                counts_at(row, 4)?,
            ))
        },
    )?;
    Ok(rows.into_iter().filter(|(_, c)| !c.is_zero()).collect())
}

/// The rollup worked out again from every dispute's history, folded through the same rules.
pub fn rebuild(conn: &mut Conn) -> Result<BTreeMap<StatKey, Counts>, StoreError> {
    let disputes: Vec<(Uuid, Uuid, String)> = conn.query(
        "SELECT id, street_id, org_path FROM dispute ORDER BY id",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let mut out: BTreeMap<_, Counts> = BTreeMap::new();
    for (id, street, path) in disputes {
        let events: Vec<Event> = history::load(conn, &LEDGER, id)?;
        let Some(folded) = fold(&events, id) else {
            continue;
        };
        let key = (
            street,
            business_date(folded.registered_at),
            path,
            folded.registration.kind.clone(),
        );
        *out.entry(key).or_default() += Counts::of(&folded);
    }
    Ok(out.into_iter().filter(|(_, c)| !c.is_zero()).collect())
}

/// The names of the units at `paths` (the places the figures are by).
pub fn place_names(
    conn: &mut Conn,
    paths: &[String],
) -> Result<BTreeMap<String, String>, StoreError> {
    let mut w = Where::default();
    w.is_in("path", paths.iter().cloned());
    let found: Vec<(String, String)> = conn.query(
        &format!("SELECT path, name FROM org_unit{}", w.sql()),
        &w.params(),
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(found.into_iter().collect())
}
