//! `/api/v1/economy/...`: a street's indicator figures for a month and the district's ranking
//! by one indicator, as `ViewEconomy` allows and no more. Amounts are integers in the
//! indicator's smallest unit (fen for yuan), percentages hundredths of a per cent.

use axum::Json;
use axum::extract::{Path, State};
use jiedao_core::economy::{Comparison, Figure, Growth, Month};
use jiedao_store::economy::indicators::{self, IndicatorFigures, Ranked};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{ApiError, ErrorBody, Params, Staff};

/// Which month.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `2017-09`.
    pub month: String,
}

/// A figure and the month versions it was computed from.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FigureView {
    pub amount: i64,
    /// `2017-01 v2`: each month at the version used.
    pub sources: Vec<String>,
}

/// A figure against the same period a year before.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComparisonView {
    pub current: Option<FigureView>,
    pub previous: Option<FigureView>,
    /// `rate`, `from_zero`, `both_zero`, `no_base` or `no_current`.
    pub growth: String,
    /// The growth in hundredths of a per cent, when there is a rate.
    pub growth_hundredths: Option<i64>,
}

/// One indicator's figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FiguresView {
    pub indicator: String,
    pub month: ComparisonView,
    pub year_to_date: ComparisonView,
    pub target: Option<i64>,
    /// Plan completion in hundredths of a per cent.
    pub completion_hundredths: Option<i64>,
}

/// A street's line in the ranking.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RankedView {
    pub street_code: String,
    pub street_name: String,
    pub figures: FiguresView,
    pub by_value: Option<usize>,
    pub by_growth: Option<usize>,
    pub by_completion: Option<usize>,
}

fn figure(figure: Option<Figure>) -> Option<FigureView> {
    figure.map(|f| FigureView {
        amount: f.amount,
        sources: f
            .sources
            .iter()
            .map(|s| format!("{} v{}", s.month, s.version))
            .collect(),
    })
}

fn comparison(c: Comparison) -> ComparisonView {
    let kind = match c.growth {
        Growth::Rate(_) => "rate",
        Growth::FromZero => "from_zero",
        Growth::BothZero => "both_zero",
        Growth::NoBase => "no_base",
        Growth::NoCurrent => "no_current",
    };
    ComparisonView {
        growth: kind.to_owned(),
        growth_hundredths: c.growth.rate().map(|r| r.hundredths()),
        current: figure(c.current),
        previous: figure(c.previous),
    }
}

impl From<IndicatorFigures> for FiguresView {
    fn from(f: IndicatorFigures) -> Self {
        FiguresView {
            indicator: f.indicator,
            month: comparison(f.month),
            year_to_date: comparison(f.year_to_date),
            target: f.target,
            completion_hundredths: f.completion.map(|p| p.hundredths()),
        }
    }
}

impl From<Ranked> for RankedView {
    fn from(r: Ranked) -> Self {
        RankedView {
            street_code: r.street_code,
            street_name: r.street_name,
            figures: r.figures.into(),
            by_value: r.by_value,
            by_growth: r.by_growth,
            by_completion: r.by_completion,
        }
    }
}

fn month_of(query: &MonthQuery, lang: jiedao_core::Lang) -> Result<Month, ApiError> {
    Month::parse(&query.month).ok_or_else(|| ApiError::bad_request(lang, "month"))
}

/// Every indicator's figures for a street within reach and a month.
#[utoipa::path(get, path = "/api/v1/economy/streets/{code}/figures", tag = "economy",
    params(("code" = String, Path, description = "The street's code"), MonthQuery),
    responses(
        (status = 200, description = "The figures", body = Vec<FiguresView>),
        (status = 400, description = "The month does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the economy, or not there", body = ErrorBody),
        (status = 422, description = "No such street", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn figures(
    State(app): State<AppState>,
    me: Staff,
    Path(code): Path<String>,
    Params(query): Params<MonthQuery>,
) -> Result<Json<Vec<FiguresView>>, ApiError> {
    let lang = me.lang;
    let month = month_of(&query, lang)?;
    let scope = me.principal.scope();
    let figures = app
        .store
        .read(move |conn| indicators::street_figures(conn, &scope, &code, month))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(figures.into_iter().map(FiguresView::from).collect()))
}

/// The district's streets ranked by an indicator's 1-N月 value, growth and completion.
#[utoipa::path(get, path = "/api/v1/economy/streets/{code}/ranking/{indicator}", tag = "economy",
    params(
        ("code" = String, Path, description = "A street of the district, within reach"),
        ("indicator" = String, Path, description = "The indicator's code"),
        MonthQuery),
    responses(
        (status = 200, description = "The ranking, ties sharing a place", body = Vec<RankedView>),
        (status = 400, description = "The month does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the economy, or not there", body = ErrorBody),
        (status = 422, description = "No such street or indicator", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn ranking(
    State(app): State<AppState>,
    me: Staff,
    Path((code, indicator)): Path<(String, String)>,
    Params(query): Params<MonthQuery>,
) -> Result<Json<Vec<RankedView>>, ApiError> {
    let lang = me.lang;
    let month = month_of(&query, lang)?;
    let scope = me.principal.scope();
    let lines = app
        .store
        .read(move |conn| indicators::ranking(conn, &scope, &code, &indicator, month))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(lines.into_iter().map(RankedView::from).collect()))
}
