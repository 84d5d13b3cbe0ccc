//! The cases behind one figure (`/stats/cases`): exactly those its count takes in, recounted
//! from their histories.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiedao_store::Refusal;
use jiedao_store::stats::{Dimension, evaluation};
use serde::Deserialize;

use super::figures::{StatsQuery, count_label};
use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Row, Table};

#[derive(Debug, Deserialize)]
pub struct FigureQuery {
    unit: String,
    period: String,
    dimension: String,
    member: String,
    count: String,
}

#[derive(Template)]
#[template(path = "stats/cases.html")]
struct CasesPage {
    chrome: Chrome,
    heading: String,
    back: String,
    table: Table,
}

pub async fn show(
    State(app): State<AppState>,
    me: Staff,
    Query(query): Query<FigureQuery>,
) -> Result<Response, Failure> {
    let tr = me.0.ctx.tr();
    let now = app.store.now();
    let stats = StatsQuery {
        unit: Some(query.unit.clone()),
        period: Some(query.period.clone()),
    };
    let period = stats.period(now)?;
    let dimension = Dimension::parse(&query.dimension).ok_or(Refusal::OutOfScope)?;
    let principal = me.0.principal.clone();
    let catalog = app.store.catalog();
    let (unit, member, field) = (
        query.unit.clone(),
        query.member.clone(),
        query.count.clone(),
    );
    let counted = app
        .store
        .read(move |conn| {
            evaluation::counted(
                conn, &principal, &catalog, &unit, &period, dimension, &member, &field, now,
            )
        })
        .await?;
    let total: u64 = counted.iter().map(|c| c.times).sum();
    let rows = counted
        .into_iter()
        .map(|case| {
            Row::new(vec![
                Cell::ui(case.number).link(format!("/cases/{}", case.id)),
                Cell::ui(case.times.to_string()),
            ])
        })
        .collect();
    render(&CasesPage {
        chrome: Chrome::new(&me.0.ctx, tr.t("stats.cases_title")),
        heading: tr.f(
            "stats.cases_heading",
            &[
                ("figure", count_label(tr, &query.count).to_owned()),
                ("period", period.words(tr.lang())),
                ("count", total.to_string()),
            ],
        ),
        back: format!("/stats?unit={}&period={period}", query.unit),
        table: Table::new(
            vec![tr.t("case.number"), tr.t("stats.counted_times")],
            rows,
            tr.t("stats.none"),
        ),
    })
}
