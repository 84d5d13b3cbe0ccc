//! Figures for staff systems: a unit's counts and indicators for a period, with last year's,
//! and the units below it — the same evaluation the statistics page reads.

use axum::Json;
use axum::extract::State;
use jiedao_core::evaluation::{Counts, Indicator, Rules};
use jiedao_core::i18n;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::AppState;
use crate::api::{ApiError, ErrorBody, Params, Staff};
use crate::features::stats::figures::StatsQuery;
use crate::features::stats::page::{Read, read};
use jiedao_core::case::Channel;
use jiedao_store::stats::Named;

/// One indicator: its rate as its two counts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorView {
    /// The indicator's code, e.g. `closure`.
    pub indicator: String,
    pub label: String,
    pub numerator: u64,
    pub denominator: u64,
    /// Per cent; null when the denominator is empty (not applicable).
    pub percent: Option<f64>,
    pub last_year_percent: Option<f64>,
}

/// A unit below, with its counts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AreaView {
    pub code: Option<String>,
    pub name: String,
    pub counts: BTreeMap<String, u64>,
}

/// One member of a street's breakdown (a department, grid worker, channel or category branch)
/// with its counts and the indicators whose two counts it gathers alike: every one for a
/// channel; for a department or category branch those of the work on its cases (not 立案率 or
/// 派遣率: a report counts to no department and to the category it came in with); for a grid
/// worker 有效上报率, 按时核实率 and 按时核查率.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BreakdownView {
    /// The member as the figures key it: a department's or person's id, a channel's code
    /// (`grid_worker`), a category branch's id; `/stats/cases` lists its cases by it.
    pub member: String,
    pub name: String,
    pub counts: BTreeMap<String, u64>,
    pub indicators: Vec<IndicatorView>,
}

/// A unit's figures for a period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatsView {
    pub unit: String,
    pub unit_name: String,
    /// The period as written, e.g. `2026-11`.
    pub period: String,
    /// The period as people write it, e.g. `2026年11月`.
    pub period_name: String,
    /// The days last year's figures cover: the same period, or for a period still running,
    /// its first day to today's date a year before.
    pub last_year_period: String,
    /// Today, when the period is still running (its figures are to date).
    pub running_on: Option<String>,
    pub counts: BTreeMap<String, u64>,
    pub last_year: BTreeMap<String, u64>,
    pub indicators: Vec<IndicatorView>,
    pub areas: Vec<AreaView>,
    /// A street's departments (empty for other units).
    pub departments: Vec<BreakdownView>,
    /// A street's grid workers (reports, verifications, checks counted to them).
    pub people: Vec<BreakdownView>,
    /// A street's channels.
    pub channels: Vec<BreakdownView>,
    /// A street's category branches (大类).
    pub categories: Vec<BreakdownView>,
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// An org code; the caller's own unit when absent.
    pub unit: Option<String>,
    /// `2026-11-22`, `2026-11`, `2026-Q3`, `2026` or `2026-11-01..2026-11-15`; when absent,
    /// this month, or the latest month with data when this month has none.
    pub period: Option<String>,
}

fn named(counts: &Counts) -> BTreeMap<String, u64> {
    Counts::FIELDS
        .iter()
        .map(|field| ((*field).to_owned(), counts.get(field)))
        .collect()
}

/// The indicators a breakdown's member carries: those whose two counts it gathers under the
/// same attribution. A department or category branch is not given 立案率 or 派遣率 (a report
/// counts to the category it came in with and to no department, its filing to the category it
/// was filed under); a person only the grid worker's own three.
fn of_member(dimension: &str) -> &'static [Indicator] {
    const CASE_WORK: [Indicator; 7] = [
        Indicator::Closure,
        Indicator::OnTimeClosure,
        Indicator::Rework,
        Indicator::OnTimeHandling,
        Indicator::Extension,
        Indicator::Satisfaction,
        Indicator::OnTimeCheck,
    ];
    const GRID_WORKER: [Indicator; 3] = [
        Indicator::ValidReports,
        Indicator::OnTimeVerification,
        Indicator::OnTimeCheck,
    ];
    match dimension {
        "person" => &GRID_WORKER,
        "department" | "category" => &CASE_WORK,
        _ => &Indicator::ALL,
    }
}

fn indicators(
    total: &Counts,
    last_year: &Counts,
    rules: &Rules,
    lang: jiedao_core::Lang,
) -> Vec<IndicatorView> {
    indicators_of(&Indicator::ALL, total, last_year, rules, lang)
}

fn indicators_of(
    which: &[Indicator],
    total: &Counts,
    last_year: &Counts,
    rules: &Rules,
    lang: jiedao_core::Lang,
) -> Vec<IndicatorView> {
    which
        .iter()
        .map(|indicator| {
            let rate = indicator.rate(total, rules);
            IndicatorView {
                indicator: indicator.as_str().to_owned(),
                label: i18n::text(lang, indicator.label_key()).to_owned(),
                numerator: rate.numerator,
                denominator: rate.denominator,
                percent: rate.percent(),
                last_year_percent: indicator.rate(last_year, rules).percent(),
            }
        })
        .collect()
}

/// A unit's counts and indicators for a period.
#[utoipa::path(get, path = "/api/v1/stats", tag = "statistics", params(StatsParams),
    responses(
        (status = 200, description = "The figures", body = StatsView),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not read figures, or the unit is outside its reach", body = ErrorBody),
        (status = 404, description = "No such unit", body = ErrorBody),
        (status = 422, description = "The period does not read", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn show(
    State(app): State<AppState>,
    me: Staff,
    Params(params): Params<StatsParams>,
) -> Result<Json<StatsView>, ApiError> {
    let lang = me.lang;
    let query = StatsQuery {
        unit: params.unit,
        period: params.period,
    };
    let Read {
        evaluation, rules, ..
    } = read(&app, &me.principal, &query)
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    let breakdown = |members: &[Named], name: &dyn Fn(&Named) -> String| {
        members
            .iter()
            .map(|member| BreakdownView {
                member: member.member.clone(),
                name: name(member),
                counts: named(&member.counts),
                indicators: indicators_of(
                    of_member(member.dimension),
                    &member.counts,
                    &Counts::default(),
                    &rules,
                    lang,
                )
                .into_iter()
                .map(|view| IndicatorView {
                    last_year_percent: None,
                    ..view
                })
                .collect(),
            })
            .collect::<Vec<_>>()
    };
    let by_name = |member: &Named| member.name.clone();
    Ok(Json(StatsView {
        departments: breakdown(&evaluation.departments, &by_name),
        people: breakdown(&evaluation.people, &by_name),
        channels: breakdown(&evaluation.channels, &|member| {
            Channel::parse(&member.member).map_or_else(
                || member.member.clone(),
                |channel| i18n::text(lang, channel.label_key()).to_owned(),
            )
        }),
        categories: breakdown(&evaluation.categories, &by_name),
        unit: evaluation.unit.code.clone(),
        unit_name: evaluation.unit.name.clone(),
        period: evaluation.period.to_string(),
        period_name: evaluation.period.words(lang),
        last_year_period: evaluation.last_year_period.to_string(),
        running_on: evaluation.running_on.map(|day| day.to_string()),
        counts: named(&evaluation.total),
        last_year: named(&evaluation.last_year),
        indicators: indicators(&evaluation.total, &evaluation.last_year, &rules, lang),
        areas: evaluation
            .areas
            .iter()
            .map(|area| AreaView {
                code: area.code.clone(),
                name: area.name.clone(),
                counts: named(&area.counts),
            })
            .collect(),
    }))
}
