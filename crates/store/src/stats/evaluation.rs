//! A unit's evaluation (考核) over a period, as leaders read it: the unit's own figures and the
//! same period a year before, its child areas, and for a street its departments, grid workers,
//! channels and category branches; or for a node above the streets, the ranking of its streets.
//! Names are resolved here; scoring and ranking are `jiedao_core::evaluation`'s.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::clock::business_date;
use jiedao_core::evaluation::{Counts, Period, Rules};
use jiedao_core::{CategoryId, OrgKind, Role};
use serde::Serialize;

use super::figures::{Members, figures, still_late, street_totals};
use super::rollup::Dimension;
use crate::categories::Catalog;
use crate::db::Conn;
use crate::error::StoreError;
use crate::org::{self, OrgUnit};
use crate::refusal::Refusal;
use crate::scope::Principal;

/// One evaluated object: the rollup member it is, how it is called, its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    pub dimension: &'static str,
    pub member: String,
    /// The org code, for an area.
    pub code: Option<String>,
    pub name: String,
    pub counts: Counts,
}

/// What a leader reads for one unit and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub unit: OrgUnit,
    /// The street the unit lies in (itself for a street); none above the streets.
    pub street: Option<OrgUnit>,
    pub period: Period,
    pub total: Counts,
    /// The days `last_year` covers: the same period a year before, or for a period still
    /// running, its first day to today's date a year before (like with like).
    pub last_year_period: Period,
    /// The same period a year before (同比).
    pub last_year: Counts,
    /// Today, when the period is still running (its figures are to date).
    pub running_on: Option<NaiveDate>,
    /// The units just below (communities of a street, grids of a community; streets of a
    /// district, which are ranked city-wide).
    pub areas: Vec<Named>,
    /// A street's departments, grid workers, channels and category branches.
    pub departments: Vec<Named>,
    pub people: Vec<Named>,
    pub channels: Vec<Named>,
    pub categories: Vec<Named>,
}

/// The evaluation rules in force: stored as a setting, DOMAIN.md's defaults otherwise.
pub fn rules(conn: &mut Conn) -> Result<Rules, StoreError> {
    let stored: Option<String> = conn.query_opt(
        "SELECT value FROM setting WHERE key = 'evaluation.rules'",
        &[],
        |row| row.get(0),
    )?;
    Ok(stored
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

/// Sets the evaluation rules (administrators), audited.
pub fn set_rules(
    conn: &mut Conn,
    principal: &Principal,
    rules: &Rules,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if principal.role() != Role::Administrator {
        return Err(Refusal::NotAllowed.into());
    }
    let bands_fall = rules
        .bands
        .windows(2)
        .all(|w| matches!(w, [higher, lower] if higher >= lower));
    let in_range = rules
        .weights
        .iter()
        .chain(&rules.bands)
        .all(|v| (0.0..=100.0).contains(v));
    let weights_total: f64 = rules.weights.iter().sum();
    if !bands_fall || !in_range || (weights_total - 100.0).abs() > 1e-6 {
        return Err(Refusal::BadRules.into());
    }
    let text = serde_json::to_string(rules).map_err(|e| StoreError::Query(e.to_string()))?;
    conn.execute(
        "INSERT INTO setting (key, value, updated_at) VALUES ('evaluation.rules', $1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        &[&text, &at],
    )?;
    crate::audit::record(
        conn,
        &principal.actor(None),
        at,
        "evaluation.rules",
        "evaluation",
        rules,
    )?;
    Ok(())
}

fn named(
    dimension: Dimension,
    figures: HashMap<String, Counts>,
    name: impl Fn(&str) -> String,
) -> Vec<Named> {
    let mut named: Vec<Named> = figures
        .into_iter()
        .map(|(member, counts)| Named {
            dimension: dimension.as_str(),
            name: name(&member),
            member,
            code: None,
            counts,
        })
        .collect();
    named.sort_by(|a, b| a.member.cmp(&b.member));
    named
}

/// The unit at `code`, or the reader's own node when none, as `principal` may see it.
fn unit_of(
    conn: &mut Conn,
    principal: &Principal,
    code: Option<&str>,
) -> Result<OrgUnit, StoreError> {
    let scope = principal.scope();
    scope.require(jiedao_core::role::Capability::ViewStats)?;
    let code = match code {
        Some(code) => code.to_owned(),
        None => {
            let own = principal.org_path().ok_or(Refusal::NotAllowed)?;
            org::unit_at(conn, own)?.ok_or(Refusal::NotAllowed)?.code
        }
    };
    org::get_by_code(conn, &scope, &code)
}

/// Where the statistics open when no period is asked for: this month when the unit has taken
/// a report in it, otherwise the latest month in which it took one (`true`: moved back); this
/// month when it never took one.
pub fn opening_period(
    conn: &mut Conn,
    principal: &Principal,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Period, bool), StoreError> {
    use chrono::Datelike as _;
    let unit = unit_of(conn, principal, code)?;
    let today = business_date(now);
    let this_month = Period::month(today.year(), today.month())
        .ok_or_else(|| StoreError::Query(format!("no month for {today}")))?;
    let (member, until) = (unit.path.as_str(), super::rollup::day_key(today));
    // Within a street the key's street narrows the search to the street's own rows.
    let latest: Option<i64> = match org::street_of(conn, &unit.path)? {
        Some(street) => conn.scalar(
            "SELECT MAX(day) FROM stat_day
             WHERE dimension = 'area' AND street_id = $1 AND member = $2 AND day <= $3
               AND accepted > 0",
            &[&street.id, &member, &until],
        )?,
        None => conn.scalar(
            "SELECT MAX(day) FROM stat_day
             WHERE dimension = 'area' AND member = $1 AND day <= $2 AND accepted > 0",
            &[&member, &until],
        )?,
    };
    let Some(latest) = latest else {
        return Ok((this_month, false));
    };
    let (year, month) = (
        i32::try_from(latest / 10_000).unwrap_or(0),
        u32::try_from(latest / 100 % 100).unwrap_or(0),
    );
    match Period::month(year, month) {
        Some(month) if month != this_month => Ok((month, true)),
        _ => Ok((this_month, false)),
    }
}

/// The unit at `code` (the reader's own node when none), evaluated over `period`.
pub fn evaluate(
    conn: &mut Conn,
    principal: &Principal,
    catalog: &Catalog,
    code: Option<&str>,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Evaluation, StoreError> {
    let scope = principal.scope();
    let unit = unit_of(conn, principal, code)?;
    let street = org::street_of(conn, &unit.path)?;
    let today = business_date(now);
    let last_year = period.a_year_before_on(today);
    let running_on = period.is_running(today).then_some(today);
    let Some(street) = street else {
        return evaluate_streets(conn, principal, unit, period, &last_year, now).map(
            |evaluation| Evaluation {
                running_on,
                ..evaluation
            },
        );
    };
    let within = Members::Within(unit.path.clone());
    let own = Members::Exactly(unit.path.as_str().to_owned());
    let late = still_late(conn, Some(street.id), period, now)?;
    let late_before = still_late(conn, Some(street.id), &last_year, now)?;
    let read = |conn: &mut Conn, dimension, members: &Members| {
        figures(conn, dimension, street.id, period, members, &late)
    };
    let sum = |map: HashMap<String, Counts>| map.into_values().sum::<Counts>();
    let total = sum(read(conn, Dimension::Area, &own)?);
    let before = sum(figures(
        conn,
        Dimension::Area,
        street.id,
        &last_year,
        &own,
        &late_before,
    )?);
    let children = org::children(conn, &scope, &unit)?;
    let areas_figures = read(conn, Dimension::Area, &within)?;
    let areas = children
        .iter()
        .map(|child| Named {
            dimension: Dimension::Area.as_str(),
            member: child.path.as_str().to_owned(),
            code: Some(child.code.clone()),
            name: child.name.clone(),
            counts: areas_figures
                .get(child.path.as_str())
                .copied()
                .unwrap_or_default(),
        })
        .collect();
    let mut evaluation = Evaluation {
        unit: unit.clone(),
        street: Some(street.clone()),
        period: *period,
        total,
        last_year_period: last_year,
        last_year: before,
        running_on,
        areas,
        departments: Vec::new(),
        people: Vec::new(),
        channels: Vec::new(),
        categories: Vec::new(),
    };
    if unit.kind != OrgKind::Street {
        return Ok(evaluation);
    }
    let departments: HashMap<String, String> = crate::departments::list(conn, &scope)?
        .into_iter()
        .filter(|d| d.street_id == street.id)
        .map(|d| (d.id.to_string(), d.name))
        .collect();
    let by_department = read(conn, Dimension::Department, &Members::All)?;
    evaluation.departments = named(Dimension::Department, by_department, |m| {
        departments.get(m).cloned().unwrap_or_else(|| m.to_owned())
    });
    let by_person = read(conn, Dimension::Person, &Members::All)?;
    let names = person_names(conn, by_person.keys())?;
    evaluation.people = named(Dimension::Person, by_person, |m| {
        names.get(m).cloned().unwrap_or_else(|| m.to_owned())
    });
    // A channel is named by its code; pages translate it.
    let by_channel = read(conn, Dimension::Channel, &Members::All)?;
    evaluation.channels = named(Dimension::Channel, by_channel, str::to_owned);
    let by_category = read(conn, Dimension::Category, &Members::All)?;
    evaluation.categories = branches(catalog, by_category);
    Ok(evaluation)
}

/// Display names of the users whose ids are `members`.
fn person_names<'a>(
    conn: &mut Conn,
    members: impl Iterator<Item = &'a String>,
) -> Result<HashMap<String, String>, StoreError> {
    let mut names = HashMap::new();
    for member in members {
        let Ok(id) = member.parse::<jiedao_core::UserId>() else {
            continue;
        };
        if let Some(name) = conn.query_opt(
            "SELECT display_name FROM app_user WHERE id = $1",
            &[&id],
            |row| row.get::<String>(0),
        )? {
            names.insert(member.clone(), name);
        }
    }
    Ok(names)
}

/// Leaf categories' figures summed into their top branches (大类).
fn branches(catalog: &Catalog, by_leaf: HashMap<String, Counts>) -> Vec<Named> {
    let entries: HashMap<CategoryId, _> = catalog.all().iter().map(|e| (e.id, e)).collect();
    let mut sums: HashMap<String, (String, Counts)> = HashMap::new();
    for (member, counts) in by_leaf {
        let Ok(mut id) = member.parse::<CategoryId>() else {
            continue;
        };
        while let Some(parent) = entries.get(&id).and_then(|e| e.parent) {
            id = parent;
        }
        let name = entries
            .get(&id)
            .map_or_else(|| member.clone(), |e| e.name.clone());
        let entry = sums
            .entry(id.to_string())
            .or_insert((name, Counts::default()));
        entry.1 += counts;
    }
    let mut named: Vec<Named> = sums
        .into_iter()
        .map(|(member, (name, counts))| Named {
            dimension: Dimension::Category.as_str(),
            member,
            code: None,
            name,
            counts,
        })
        .collect();
    named.sort_by(|a, b| a.name.cmp(&b.name));
    named
}

/// Whether `category` is the category `branch` (an id) or lies below it.
fn in_branch(catalog: &Catalog, category: CategoryId, branch: &str) -> bool {
    let entries: HashMap<CategoryId, Option<CategoryId>> =
        catalog.all().iter().map(|e| (e.id, e.parent)).collect();
    let mut at = Some(category);
    // The catalogue is a tree; the walk stops at its depth.
    for _ in 0..=entries.len() {
        match at {
            Some(id) if id.to_string() == branch => return true,
            Some(id) => at = entries.get(&id).copied().flatten(),
            None => return false,
        }
    }
    false
}

/// Above the streets: the streets within the unit, each with its own totals (the ranking).
fn evaluate_streets(
    conn: &mut Conn,
    principal: &Principal,
    unit: OrgUnit,
    period: &Period,
    last_year: &Period,
    now: DateTime<Utc>,
) -> Result<Evaluation, StoreError> {
    let scope = principal.scope();
    let streets: Vec<OrgUnit> = org::list(conn, &scope, Some(OrgKind::Street))?
        .into_iter()
        .filter(|s| s.path.is_within(&unit.path))
        .collect();
    let keys: Vec<_> = streets.iter().map(|s| (s.id, s.path.clone())).collect();
    let totals = street_totals(conn, &keys, period, now)?;
    let before = street_totals(conn, &keys, last_year, now)?;
    let areas: Vec<Named> = streets
        .iter()
        .zip(&totals)
        .map(|(street, counts)| Named {
            dimension: Dimension::Area.as_str(),
            member: street.path.as_str().to_owned(),
            code: Some(street.code.clone()),
            name: street.name.clone(),
            counts: *counts,
        })
        .collect();
    Ok(Evaluation {
        unit,
        street: None,
        period: *period,
        total: totals.iter().copied().sum(),
        last_year_period: *last_year,
        last_year: before.iter().copied().sum(),
        running_on: None,
        areas,
        departments: Vec::new(),
        people: Vec::new(),
        channels: Vec::new(),
        categories: Vec::new(),
    })
}

/// A case a figure counts, with how often (a case closed, reopened and closed again counts
/// twice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub id: jiedao_core::CaseId,
    pub number: String,
    pub times: u64,
}

/// Exactly the cases behind one figure: the count `field` of `member` (of `dimension`) in
/// the street of the unit at `code` over `period`, recounted from the histories. A category
/// member is a branch (大类, as the figures sum them): it takes in the cases of every category
/// below it.
#[expect(clippy::too_many_arguments, reason = "the figure's coordinates")]
pub fn counted(
    conn: &mut Conn,
    principal: &Principal,
    catalog: &Catalog,
    code: &str,
    period: &Period,
    dimension: Dimension,
    member: &str,
    field: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Counted>, StoreError> {
    let scope = principal.scope();
    scope.require(jiedao_core::role::Capability::ViewStats)?;
    let unit = org::get_by_code(conn, &scope, code)?;
    let street = org::street_of(conn, &unit.path)?.ok_or(Refusal::OutOfScope)?;
    let reachable = match dimension {
        Dimension::Area => member.starts_with(unit.path.as_str()),
        _ => unit.kind == OrgKind::Street,
    };
    if !reachable || !Counts::FIELDS.contains(&field) {
        return Err(Refusal::OutOfScope.into());
    }
    let mut times: HashMap<jiedao_core::CaseId, u64> = HashMap::new();
    for case in super::figures::recount(conn, street.id, period, now)? {
        let n = case.tally.counts.get(field);
        let counts = match (dimension, case.attribution.category) {
            (Dimension::Category, Some(category)) => in_branch(catalog, category, member),
            _ => case.counts_for(dimension, member),
        };
        if n > 0 && counts {
            *times.entry(case.id).or_default() += n;
        }
    }
    let mut counted = Vec::with_capacity(times.len());
    for (id, n) in times {
        let number: String = conn.scalar("SELECT number FROM case_file WHERE id = $1", &[&id])?;
        counted.push(Counted {
            id,
            number,
            times: n,
        });
    }
    counted.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(counted)
}
