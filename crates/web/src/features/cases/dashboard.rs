//! The dashboard (领导驾驶舱): the day's figures, thirty days of intake and closures, and the
//! same by community, drawn as SVG on the server; every figure and bar links to its cases.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use jiedao_core::Capability;
use jiedao_core::evaluation::{Indicator, Period, Rate};
use jiedao_store::StoreError;
use jiedao_store::cases::dashboard::{self, Dashboard};
use jiedao_store::stats::evaluation;

use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::chart::{self, Group};
use crate::widgets::layout::{Chrome, render};

/// How many days the charts cover.
const DAYS: u64 = 30;

/// A headline figure: its value as shown, what it counts, where the cases are.
pub struct Headline {
    pub value: String,
    pub label: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "cases/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    period: String,
    headlines: Vec<Headline>,
    by_day: String,
    by_unit: Option<String>,
    legend: [&'static str; 2],
    unit_legend: [&'static str; 2],
}

fn day_range(from: NaiveDate, to: NaiveDate) -> String {
    format!("/cases?from={from}&to={to}")
}

/// The window's rates as the statistics compute them (one figure, one name): 结案率 =
/// 结案数 / 应结案数 and 满意率 = (满意数 + 基本满意数) / 回访数 over the same days, read from
/// the same evaluation as `/stats`, linked to it.
pub struct Rates {
    pub closure: Rate,
    pub satisfaction: Rate,
    pub href: String,
}

pub fn headlines(board: &Dashboard, rates: Option<&Rates>, tr: Tr) -> Vec<Headline> {
    let window = day_range(board.since, board.today);
    let mut headlines = vec![
        Headline {
            value: board.reported_today.to_string(),
            label: tr.t("dashboard.reported_today"),
            href: day_range(board.today, board.today),
        },
        Headline {
            value: board.open.to_string(),
            label: tr.t("dashboard.open"),
            href: "/cases?only=open".into(),
        },
        Headline {
            value: board.overdue.to_string(),
            label: tr.t("dashboard.overdue"),
            href: "/cases?only=overdue".into(),
        },
        Headline {
            value: board.supervised.to_string(),
            label: tr.t("dashboard.supervised"),
            href: "/cases?only=supervised".into(),
        },
        Headline {
            value: board.reported.to_string(),
            label: tr.t("dashboard.reported"),
            href: window,
        },
    ];
    if let Some(rates) = rates {
        headlines.push(Headline {
            value: rates.closure.text(),
            label: tr.t("dashboard.closure_rate"),
            href: rates.href.clone(),
        });
        headlines.push(Headline {
            value: rates.satisfaction.text(),
            label: tr.t("dashboard.satisfaction_rate"),
            href: rates.href.clone(),
        });
    }
    headlines
}

pub fn day_groups(board: &Dashboard, tr: Tr) -> Vec<Group> {
    board
        .by_day
        .iter()
        .map(|day| {
            let date = day.day.format("%m-%d").to_string();
            let count =
                |n: i64, key: &str| tr.f(key, &[("day", date.clone()), ("count", n.to_string())]);
            Group::counts(
                date.clone(),
                &[day.reported, day.closed],
                vec![day_range(day.day, day.day); 2],
                vec![
                    count(day.reported, "dashboard.day_reported"),
                    count(day.closed, "dashboard.day_closed"),
                ],
            )
        })
        .collect()
}

pub fn unit_groups(board: &Dashboard, tr: Tr) -> Vec<Group> {
    board
        .by_unit
        .iter()
        .map(|unit| {
            let count = |n: i64, key: &str| {
                tr.f(
                    key,
                    &[("unit", unit.name.clone()), ("count", n.to_string())],
                )
            };
            Group::counts(
                unit.name.clone(),
                &[unit.open, unit.overdue],
                vec![
                    format!("/cases?within={}&only=open", unit.code),
                    format!("/cases?within={}&only=overdue", unit.code),
                ],
                vec![
                    count(unit.open, "dashboard.unit_open"),
                    count(unit.overdue, "dashboard.unit_overdue"),
                ],
            )
        })
        .collect()
}

pub async fn show(State(app): State<AppState>, me: Staff) -> Result<Response, Failure> {
    let tr = me.0.ctx.tr();
    let principal = me.0.principal.clone();
    let now = app.store.now();
    let catalog = app.store.catalog();
    let (board, rates) = app
        .store
        .read(move |conn| {
            let board = dashboard::dashboard(conn, &principal, now, DAYS)?;
            let period = Period::days(board.since, board.today)
                .ok_or_else(|| StoreError::Query("an empty window".into()))?;
            // The rates are the statistics' own, for those who may read the statistics and
            // have a unit to read them for.
            let rates = if principal.role().can(Capability::ViewStats)
                && principal.org_path().is_some()
            {
                let rules = evaluation::rules(conn)?;
                let found = evaluation::evaluate(conn, &principal, &catalog, None, &period, now)?;
                Some(Rates {
                    closure: Indicator::Closure.rate(&found.total, &rules),
                    satisfaction: Indicator::Satisfaction.rate(&found.total, &rules),
                    href: format!("/stats?unit={}&period={period}", found.unit.code),
                })
            } else {
                None
            };
            Ok((board, rates))
        })
        .await?;
    render(&DashboardPage {
        chrome: Chrome::new(&me.0.ctx, tr.t("dashboard.title")),
        period: tr.f(
            "dashboard.period",
            &[(
                "period",
                Period::days(board.since, board.today)
                    .map(|p| p.words(tr.lang()))
                    .unwrap_or_default(),
            )],
        ),
        headlines: headlines(&board, rates.as_ref(), tr),
        by_day: chart::lines(&day_groups(&board, tr), 7, tr.t("dashboard.by_day")),
        by_unit: (!board.by_unit.is_empty())
            .then(|| chart::bars(&unit_groups(&board, tr), tr.t("dashboard.by_unit"))),
        legend: [tr.t("dashboard.series_reported"), tr.t("dashboard.closed")],
        unit_legend: [tr.t("dashboard.open"), tr.t("dashboard.overdue")],
    })
}
