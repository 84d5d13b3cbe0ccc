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
use crate::features::stats::page::read;

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

/// A unit's figures for a period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatsView {
    pub unit: String,
    pub unit_name: String,
    /// The period as written, e.g. `2026-11`.
    pub period: String,
    pub counts: BTreeMap<String, u64>,
    pub last_year: BTreeMap<String, u64>,
    pub indicators: Vec<IndicatorView>,
    pub areas: Vec<AreaView>,
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// An org code; the caller's own unit when absent.
    pub unit: Option<String>,
    /// `2026-11-22`, `2026-11`, `2026-Q3`, `2026` or `2026-11-01..2026-11-15`; this month when absent.
    pub period: Option<String>,
}

fn named(counts: &Counts) -> BTreeMap<String, u64> {
    Counts::FIELDS
        .iter()
        .map(|field| ((*field).to_owned(), counts.get(field)))
        .collect()
}

fn indicators(
    total: &Counts,
    last_year: &Counts,
    rules: &Rules,
    lang: jiedao_core::Lang,
) -> Vec<IndicatorView> {
    Indicator::ALL
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
    let (evaluation, rules) = read(&app, &me.principal, &query)
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(StatsView {
        unit: evaluation.unit.code.clone(),
        unit_name: evaluation.unit.name.clone(),
        period: evaluation.period.to_string(),
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
