//! The statistics page (`/stats`): a unit's figures over a period.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiedao_core::case::Channel;
use jiedao_core::evaluation::Rules;
use jiedao_store::stats::{Evaluation, evaluation};
use jiedao_store::{Principal, StoreError};

use super::figures::{
    Links, StatsQuery, counts_table, indicators_table, own, people_table, ranking_table, summary,
};
use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Table};

/// A headed table of the page.
pub struct Section {
    pub heading: String,
    pub table: Table,
}

#[derive(Template)]
#[template(path = "stats/stats.html")]
struct StatsPage {
    chrome: Chrome,
    unit: String,
    period: String,
    summary: String,
    rules: String,
    sections: Vec<Section>,
    bulletin: String,
}

/// Reads the unit's evaluation and the rules in force, as `principal` may see them.
pub async fn read(
    app: &AppState,
    principal: &Principal,
    query: &StatsQuery,
) -> Result<(Evaluation, Rules), StoreError> {
    let now = app.store.now();
    let period = query.period(now)?;
    let principal = principal.clone();
    let catalog = app.store.catalog();
    let unit = query.unit().map(str::to_owned);
    app.store
        .read(move |conn| {
            let rules = evaluation::rules(conn)?;
            let found =
                evaluation::evaluate(conn, &principal, &catalog, unit.as_deref(), &period, now)?;
            Ok((found, rules))
        })
        .await
}

/// The rankings of a unit's areas and, for a street, departments, channels and categories.
pub fn rankings(tr: Tr, evaluation: &Evaluation, rules: &Rules, period: &str) -> Vec<Section> {
    let mut sections = vec![Section {
        heading: tr.t("stats.areas").to_owned(),
        table: ranking_table(tr, rules, &evaluation.areas, |area| {
            let code = area
                .member
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            Cell::user(area.name.clone()).link(format!("/stats?unit={code}&period={period}"))
        }),
    }];
    if evaluation
        .street
        .as_ref()
        .is_some_and(|s| s.id == evaluation.unit.id)
    {
        sections.push(Section {
            heading: tr.t("stats.departments").to_owned(),
            table: ranking_table(tr, rules, &evaluation.departments, |d| {
                Cell::user(d.name.clone())
            }),
        });
        sections.push(Section {
            heading: tr.t("stats.people").to_owned(),
            table: people_table(tr, rules, &evaluation.people),
        });
        sections.push(Section {
            heading: tr.t("stats.channels").to_owned(),
            table: ranking_table(tr, rules, &evaluation.channels, |c| {
                Cell::ui(Channel::parse(&c.member).map_or("", |c| tr.t(c.label_key())))
            }),
        });
        sections.push(Section {
            heading: tr.t("stats.categories").to_owned(),
            table: ranking_table(tr, rules, &evaluation.categories, |c| {
                Cell::user(c.name.clone())
            }),
        });
    }
    sections
}

/// The rules in words.
pub fn rules_text(tr: Tr, rules: &Rules) -> String {
    let [w1, w2, w3, w4] = rules.weights;
    let [a, b, c, d] = rules.bands;
    tr.f(
        "stats.rules_text",
        &[
            ("w1", w1.to_string()),
            ("w2", w2.to_string()),
            ("w3", w3.to_string()),
            ("w4", w4.to_string()),
            ("a", a.to_string()),
            ("b", b.to_string()),
            ("c", c.to_string()),
            ("d", d.to_string()),
        ],
    )
}

pub async fn show(
    State(app): State<AppState>,
    me: Staff,
    Query(query): Query<StatsQuery>,
) -> Result<Response, Failure> {
    let tr = me.0.ctx.tr();
    let (evaluation, rules) = read(&app, &me.0.principal, &query).await?;
    let period = evaluation.period.to_string();
    let code = evaluation.unit.code.clone();
    let own = own(&evaluation);
    let links = Links {
        unit: &code,
        period: &evaluation.period,
    };
    let drillable = evaluation.street.is_some().then_some(&links);
    let mut sections = vec![
        Section {
            heading: tr.t("stats.indicators").to_owned(),
            table: indicators_table(tr, &evaluation, &rules, &own, drillable),
        },
        Section {
            heading: tr.t("stats.counts").to_owned(),
            table: counts_table(tr, &evaluation, &own, drillable),
        },
    ];
    sections.extend(rankings(tr, &evaluation, &rules, &period));
    render(&StatsPage {
        chrome: Chrome::new(&me.0.ctx, tr.t("stats.title")),
        unit: evaluation.unit.name.clone(),
        summary: summary(tr, &evaluation, &rules),
        rules: rules_text(tr, &rules),
        bulletin: format!("/stats/bulletin?unit={code}&period={period}"),
        period,
        sections,
    })
}
