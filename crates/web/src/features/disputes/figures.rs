//! The disputes' figures page: 受理数, 调处成功数, 成功率 (= 调处成功数 / 受理数), 标的总额,
//! 履行率, 民转刑数 and high-risk disputes for a period within reach (or under one unit),
//! against the same period a year before, by type and by community; every count links to
//! the list of exactly the disputes it counts.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use jiedao_core::Capability;
use jiedao_core::dispute::figures::Counts;
use jiedao_core::evaluation::period::Period;
use jiedao_core::money::Money;
use jiedao_store::Refusal;
use jiedao_store::disputes::figures::{self as store_figures, Figures, Line};
use serde::Deserialize;

use super::list::{kind_name, kinds, tabs};
use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Row, Table};

#[derive(Template)]
#[template(path = "disputes/figures.html")]
struct FiguresPage {
    chrome: Chrome,
    tabs: Vec<(&'static str, &'static str, bool)>,
    period: String,
    under: String,
    formula: &'static str,
    sections: Vec<(&'static str, Table)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct FiguresQuery {
    /// `2026`, `2026-Q3`, `2026-11`, `2026-11-01..2026-11-15`.
    #[serde(default)]
    pub period: String,
    /// A unit's path.
    #[serde(default)]
    pub under: String,
}

/// The period asked for, this year by default.
pub(super) fn period_of(text: &str, today: chrono::NaiveDate) -> Result<Period, Failure> {
    if text.trim().is_empty() {
        return Period::year(today.year()).ok_or(Failure::Internal);
    }
    Period::parse(text).ok_or_else(|| {
        Failure::Refused(Refusal::BadPeriod {
            text: text.chars().take(40).collect(),
        })
    })
}

pub(super) async fn figures_of(
    app: &AppState,
    me: &SignedIn,
    period: Period,
    under: Option<String>,
) -> Result<Figures, Failure> {
    me.require(Capability::ViewDisputes)?;
    let scope = me.scope();
    Ok(app
        .store
        .read(move |conn| store_figures::figures(conn, &scope, under.as_deref(), &period))
        .await?)
}

/// The list of the disputes a figure counts.
fn list_href(period: &Period, under: &str, kind: &str, settled: bool) -> String {
    let p = crate::download::percent;
    format!(
        "/disputes?from={}&to={}&under={}&kind={}{}",
        period.first,
        period.last,
        p(under),
        p(kind),
        if settled { "&settled=yes" } else { "" }
    )
}

fn count_cell(n: i64, href: Option<String>) -> Cell {
    let cell = Cell::count(u64::try_from(n).unwrap_or(0));
    match href {
        Some(href) => cell.link(href),
        None => cell,
    }
}

fn summary(tr: Tr, f: &Figures, under: &str) -> Table {
    let (now, before) = (&f.total, &f.last_year);
    let last = f.period.a_year_before();
    let row = |label: &'static str, this: Cell, that: Cell| {
        Row::new(vec![Cell::ui(tr.t(label)), this, that])
    };
    let money = |c: &Counts| Cell::ui(Money::from_fen(c.amount_fen).text(tr.lang()));
    let rows = vec![
        row(
            "dispute.taken",
            count_cell(now.taken, Some(list_href(&f.period, under, "", false))),
            count_cell(before.taken, Some(list_href(&last, under, "", false))),
        ),
        row(
            "dispute.settled_count",
            count_cell(now.settled, Some(list_href(&f.period, under, "", true))),
            count_cell(before.settled, Some(list_href(&last, under, "", true))),
        ),
        row(
            "dispute.success_rate",
            Cell::rate(now.success_rate()),
            Cell::rate(before.success_rate()),
        ),
        row("dispute.amount_total", money(now), money(before)),
        row(
            "dispute.performance_rate",
            Cell::rate(now.performance_rate()),
            Cell::rate(before.performance_rate()),
        ),
        row(
            "dispute.criminal_count",
            count_cell(now.criminal, None),
            count_cell(before.criminal, None),
        ),
        row(
            "dispute.high_risk_count",
            count_cell(now.high_risk, None),
            count_cell(before.high_risk, None),
        ),
    ];
    Table::new(
        vec![
            tr.t("dispute.figure"),
            tr.t("dispute.this_period"),
            tr.t("dispute.last_year"),
        ],
        rows,
        tr.t("dispute.none"),
    )
}

fn lines(
    tr: Tr,
    lines: &[Line],
    name: impl Fn(&str) -> String,
    link: impl Fn(&str, bool) -> String,
    head: &'static str,
) -> Table {
    let rows = lines
        .iter()
        .map(|l| {
            let c = &l.counts;
            Row::new(vec![
                Cell::user(name(&l.key)),
                count_cell(c.taken, Some(link(&l.key, false))),
                count_cell(c.settled, Some(link(&l.key, true))),
                Cell::rate(c.success_rate()),
                Cell::ui(Money::from_fen(c.amount_fen).text(tr.lang())),
                Cell::rate(c.performance_rate()),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t(head),
            tr.t("dispute.taken"),
            tr.t("dispute.settled_count"),
            tr.t("dispute.success_rate"),
            tr.t("dispute.amount_total"),
            tr.t("dispute.performance_rate"),
        ],
        rows,
        tr.t("dispute.none"),
    )
}

/// The disputes' section of a unit's bulletin (通报) for `period`: the summary against last
/// year, for those who see disputes; nothing for the others.
pub(crate) async fn bulletin_section(
    app: &AppState,
    me: &SignedIn,
    period: Period,
    under: &str,
) -> Result<Option<crate::features::stats::page::Section>, Failure> {
    if !me.principal.role().can(Capability::ViewDisputes) {
        return Ok(None);
    }
    let tr = me.ctx.tr();
    let figures = figures_of(app, me, period, Some(under.to_owned())).await?;
    Ok(Some(crate::features::stats::page::Section {
        heading: tr.t("dispute.title").to_owned(),
        note: Some(tr.t("dispute.formula").to_owned()),
        chart: None,
        table: summary(tr, &figures, under),
    }))
}

pub async fn page(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(query): Query<FiguresQuery>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewDisputes)?;
    let tr = me.ctx.tr();
    let today = jiedao_core::clock::business_date(app.store.now());
    let period = period_of(&query.period, today)?;
    let under = Some(query.under.trim().to_owned()).filter(|u| !u.is_empty());
    let figures = figures_of(&app, &me, period, under.clone()).await?;
    let kinds = kinds(&app).await?;
    let paths: Vec<String> = figures.by_place.iter().map(|l| l.key.clone()).collect();
    let names = app
        .store
        .read(move |conn| store_figures::place_names(conn, &paths))
        .await?;
    let under = under.unwrap_or_default();
    let by_kind = lines(
        tr,
        &figures.by_kind,
        |code| kind_name(&kinds, code, tr.lang()),
        |code, settled| list_href(&period, &under, code, settled),
        "dispute.kind",
    );
    let by_place = lines(
        tr,
        &figures.by_place,
        |path| names.get(path).cloned().unwrap_or_else(|| path.to_owned()),
        |path, settled| list_href(&period, path, "", settled),
        "dispute.place",
    );
    render(&FiguresPage {
        chrome: Chrome::new(&me.ctx, tr.t("dispute.figures")),
        tabs: tabs(tr, "/disputes/figures"),
        period: query.period.clone(),
        under: query.under.clone(),
        formula: tr.t("dispute.formula"),
        sections: vec![
            (tr.t("dispute.summary"), summary(tr, &figures, &under)),
            (tr.t("dispute.by_kind"), by_kind),
            (tr.t("dispute.by_place"), by_place),
        ],
    })
}
