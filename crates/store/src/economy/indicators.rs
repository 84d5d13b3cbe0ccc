//! Indicator readings and plan targets of a street: recorded as new versions (a correction
//! never overwrites), read back as `jiedao_core::economy::Revisions`, and the figures derived
//! from the latest versions: the month, 1-N月, growth against the same period a year before,
//! plan completion, and each street's place among the district's streets.

use chrono::{DateTime, Utc};
use jiedao_core::economy::{
    Basis, Comparison, Indicator, Month, Percent, Reading, Revisions, seeded_indicators,
};
use jiedao_core::rank::rank_descending;
use jiedao_core::{Capability, OrgKind, OrgUnitId};
use serde::Serialize;

use super::EconomyRefusal;
use crate::audit;
use crate::db::Conn;
use crate::error::StoreError;
use crate::org::{self, OrgUnit};
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};

/// The configured indicators.
pub fn indicators() -> Result<Vec<Indicator>, StoreError> {
    seeded_indicators().map_err(|error| StoreError::Query(error.to_string()))
}

/// The configured indicator with this code.
pub fn indicator(code: &str) -> Result<Indicator, StoreError> {
    indicators()?
        .into_iter()
        .find(|i| i.code == code)
        .ok_or_else(|| {
            EconomyRefusal::UnknownIndicator {
                code: code.to_owned(),
            }
            .into()
        })
}

/// The street with this code, if the scope reaches it.
fn street(conn: &mut Conn, scope: &Scope, code: &str) -> Result<OrgUnit, StoreError> {
    org::street_in_scope(conn, scope, code)
}

/// Records `amount` for the street's indicator and month: its first version, or a
/// correction one past the latest. Unchanged amounts record nothing. Returns the version
/// now latest.
#[expect(clippy::too_many_arguments, reason = "one reading's facts")]
pub fn record(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    street: OrgUnitId,
    indicator: &str,
    month: Month,
    amount: i64,
    source: &str,
) -> Result<u32, StoreError> {
    scope.require(Capability::KeepEconomy)?;
    let month_text = month.to_string();
    let latest: Option<(i64, i64)> = conn.query_opt(
        "SELECT version, amount FROM economy_reading
         WHERE street_id = $1 AND indicator = $2 AND month = $3
         ORDER BY version DESC LIMIT 1",
        &[&street, &indicator, &month_text],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if let Some((version, old)) = latest
        && old == amount
    {
        return Ok(u32::try_from(version).unwrap_or(u32::MAX));
    }
    let version = latest.map_or(1, |(v, _)| v + 1);
    conn.execute(
        "INSERT INTO economy_reading (street_id, indicator, month, version, amount, recorded_at,
         recorded_by, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &street,
            &indicator,
            &month_text,
            &version,
            &amount,
            &at,
            &actor.name,
            &source,
        ],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "economy.record",
        &format!("economy:{}:{indicator}:{month_text}", street.uuid()),
        &serde_json::json!({ "version": version, "amount": amount, "was": latest.map(|l| l.1), "source": source }),
    )?;
    Ok(u32::try_from(version).unwrap_or(u32::MAX))
}

/// Sets the street's plan target for the indicator and year (a new version when changed).
#[expect(clippy::too_many_arguments, reason = "one target's facts")]
pub fn set_target(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    street_code: &str,
    indicator_code: &str,
    year: i32,
    amount: i64,
) -> Result<(), StoreError> {
    scope.require(Capability::KeepEconomy)?;
    indicator(indicator_code)?;
    let street = street(conn, scope, street_code)?;
    let latest = latest_target(conn, street.id, indicator_code, year)?;
    if latest.is_some_and(|(_, old)| old == amount) {
        return Ok(());
    }
    let version = latest.map_or(1, |(v, _)| v + 1);
    conn.execute(
        "INSERT INTO economy_target (street_id, indicator, year, version, amount, recorded_at,
         recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &street.id,
            &indicator_code,
            &year,
            &version,
            &amount,
            &at,
            &actor.name,
        ],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "economy.target",
        &format!("economy:{}:{indicator_code}:{year}", street.id.uuid()),
        &serde_json::json!({ "version": version, "amount": amount }),
    )?;
    Ok(())
}

fn latest_target(
    conn: &mut Conn,
    street: OrgUnitId,
    indicator: &str,
    year: i32,
) -> Result<Option<(i64, i64)>, StoreError> {
    conn.query_opt(
        "SELECT version, amount FROM economy_target
         WHERE street_id = $1 AND indicator = $2 AND year = $3
         ORDER BY version DESC LIMIT 1",
        &[&street, &indicator, &year],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// Every version of every reading of the street's indicator in `years`.
fn revisions(
    conn: &mut Conn,
    street: OrgUnitId,
    indicator: &Indicator,
    years: std::ops::RangeInclusive<i32>,
) -> Result<Revisions, StoreError> {
    let from = format!("{:04}-01", years.start());
    let to = format!("{:04}-12", years.end());
    let rows: Vec<(String, i64, i64)> = conn.query(
        "SELECT month, version, amount FROM economy_reading
         WHERE street_id = $1 AND indicator = $2 AND month >= $3 AND month <= $4",
        &[&street, &indicator.code, &from, &to],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let readings = rows.into_iter().filter_map(|(month, version, amount)| {
        Some(Reading {
            month: Month::parse(&month)?,
            version: u32::try_from(version).ok()?,
            amount,
        })
    });
    Revisions::from_readings(indicator.reporting, readings)
        .map_err(|error| StoreError::Query(error.to_string()))
}

/// An indicator's figures for a street and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorFigures {
    pub indicator: String,
    /// The month's own figure against the same month a year before.
    pub month: Comparison,
    /// 1-N月 against the same months a year before.
    pub year_to_date: Comparison,
    pub target: Option<i64>,
    pub completion: Option<Percent>,
}

fn figures_of(
    conn: &mut Conn,
    street: OrgUnitId,
    indicator: &Indicator,
    month: Month,
) -> Result<IndicatorFigures, StoreError> {
    let series = revisions(conn, street, indicator, month.year() - 1..=month.year())?.current();
    let target = latest_target(conn, street, &indicator.code, month.year())?.map(|t| t.1);
    Ok(IndicatorFigures {
        indicator: indicator.code.clone(),
        month: series.compare(month, Basis::Month),
        year_to_date: series.compare(month, Basis::YearToDate),
        completion: target.and_then(|t| series.completion(month, t)),
        target,
    })
}

/// Every indicator's figures for the street (by code) and month.
pub fn street_figures(
    conn: &mut Conn,
    scope: &Scope,
    street_code: &str,
    month: Month,
) -> Result<Vec<IndicatorFigures>, StoreError> {
    scope.require(Capability::ViewEconomy)?;
    let street = street(conn, scope, street_code)?;
    indicators()?
        .iter()
        .map(|indicator| figures_of(conn, street.id, indicator, month))
        .collect()
}

/// Every version of a street's indicator for a month, oldest first: (version, amount).
pub fn history(
    conn: &mut Conn,
    scope: &Scope,
    street_code: &str,
    indicator_code: &str,
    month: Month,
) -> Result<Vec<Reading>, StoreError> {
    scope.require(Capability::ViewEconomy)?;
    let indicator = indicator(indicator_code)?;
    let street = street(conn, scope, street_code)?;
    let revisions = revisions(conn, street.id, &indicator, month.year()..=month.year())?;
    Ok(revisions.history(month).to_vec())
}

/// A street's line in the district's ranking: its 1-N月 figures and its three places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    pub street_code: String,
    pub street_name: String,
    pub figures: IndicatorFigures,
    pub by_value: Option<usize>,
    pub by_growth: Option<usize>,
    pub by_completion: Option<usize>,
}

/// The streets of the district of `street_code` ranked by the indicator's 1-N月 value,
/// growth and completion, ties sharing a place. The district publishes its ranking to every
/// street, so a reader who reaches one street sees its peers' lines.
pub fn ranking(
    conn: &mut Conn,
    scope: &Scope,
    street_code: &str,
    indicator_code: &str,
    month: Month,
) -> Result<Vec<Ranked>, StoreError> {
    scope.require(Capability::ViewEconomy)?;
    let indicator = indicator(indicator_code)?;
    let street = street(conn, scope, street_code)?;
    let district = street.parent_id.ok_or(Refusal::OutOfScope)?;
    let peers: Vec<(OrgUnitId, String, String)> = conn.query(
        "SELECT id, code, name FROM org_unit
         WHERE parent_id = $1 AND kind = $2 AND valid_to IS NULL ORDER BY code",
        &[&district, &OrgKind::Street],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let mut lines = Vec::new();
    for (id, code, name) in peers {
        lines.push(Ranked {
            figures: figures_of(conn, id, &indicator, month)?,
            street_code: code,
            street_name: name,
            by_value: None,
            by_growth: None,
            by_completion: None,
        });
    }
    let places = |value: &dyn Fn(&Ranked) -> Option<i64>| {
        rank_descending(lines.iter().enumerate().map(|(i, line)| (i, value(line))))
            .into_iter()
            .map(|placed| (placed.key, placed.rank))
            .collect::<Vec<_>>()
    };
    let by_value = places(&|l| l.figures.year_to_date.current.as_ref().map(|f| f.amount));
    let by_growth = places(&|l| {
        l.figures
            .year_to_date
            .growth
            .rate()
            .map(Percent::hundredths)
    });
    let by_completion = places(&|l| l.figures.completion.map(Percent::hundredths));
    for (i, rank) in by_value {
        if let Some(line) = lines.get_mut(i) {
            line.by_value = rank;
        }
    }
    for (i, rank) in by_growth {
        if let Some(line) = lines.get_mut(i) {
            line.by_growth = rank;
        }
    }
    for (i, rank) in by_completion {
        if let Some(line) = lines.get_mut(i) {
            line.by_completion = rank;
        }
    }
    lines.sort_by_key(|l| (l.by_value.is_none(), l.by_value));
    Ok(lines)
}
