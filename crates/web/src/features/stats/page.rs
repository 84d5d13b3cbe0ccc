//! The statistics page (`/stats`): a unit's figures over a period.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiedao_core::case::Channel;
use jiedao_core::evaluation::Rules;
use jiedao_store::stats::{Evaluation, Named, evaluation};
use jiedao_store::{Principal, StoreError};

use super::figures::{
    Links, StatsQuery, Volume, counts_table, indicators_table, lists_rule, own, people_table,
    ranking_table, summary,
};
use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::chart::{Group, bars};
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Table};

/// A headed table of the page, with what it says under its heading (a ranking's list rule)
/// and, for a ranking, its scores as bars.
pub struct Section {
    pub heading: String,
    pub note: Option<String>,
    pub chart: Option<String>,
    pub table: Table,
}

#[derive(Template)]
#[template(path = "stats/stats.html")]
struct StatsPage {
    chrome: Chrome,
    /// The unit and the period as people write it.
    heading: String,
    notes: Vec<String>,
    period: String,
    summary: String,
    rules: String,
    sections: Vec<Section>,
    bulletin: String,
}

/// What the statistics read: the unit's evaluation, the rules in force, and whether the
/// period was moved back to the latest month with data because none was asked for and this
/// month has none.
pub struct Read {
    pub evaluation: Evaluation,
    pub rules: Rules,
    pub moved_back: bool,
}

/// Reads the unit's evaluation and the rules in force, as `principal` may see them. Without a
/// period asked for, this month, or the latest month that has data when this one has none.
pub async fn read(
    app: &AppState,
    principal: &Principal,
    query: &StatsQuery,
) -> Result<Read, StoreError> {
    let now = app.store.now();
    let asked = query.asked_period()?;
    let principal = principal.clone();
    let catalog = app.store.catalog();
    let unit = query.unit().map(str::to_owned);
    app.store
        .read(move |conn| {
            let rules = evaluation::rules(conn)?;
            let (period, moved_back) = match asked {
                Some(period) => (period, false),
                None => evaluation::opening_period(conn, &principal, unit.as_deref(), now)?,
            };
            let evaluation =
                evaluation::evaluate(conn, &principal, &catalog, unit.as_deref(), &period, now)?;
            Ok(Read {
                evaluation,
                rules,
                moved_back,
            })
        })
        .await
}

/// What the page says about the period beside its figures: that it opened on an earlier month
/// for want of data, that the period is still running (its figures to date, compared with the
/// same days last year), that it has no data.
pub fn period_notes(tr: Tr, read: &Read) -> Vec<String> {
    let lang = tr.lang();
    let evaluation = &read.evaluation;
    let mut notes = Vec::new();
    if read.moved_back {
        notes.push(tr.f(
            "stats.moved_back",
            &[("period", evaluation.period.words(lang))],
        ));
    }
    if let Some(today) = evaluation.running_on {
        notes.push(tr.f(
            "stats.running",
            &[
                (
                    "today",
                    jiedao_core::evaluation::Period::day(today).words(lang),
                ),
                ("last_year", evaluation.last_year_period.words(lang)),
            ],
        ));
    }
    if evaluation.total == jiedao_core::evaluation::Counts::default() {
        notes.push(tr.t("stats.empty_period").to_owned());
    }
    notes
}

/// The rankings of a unit's areas and, for a street, departments, channels and categories,
/// each count linked to its cases through `links` (none in files).
pub fn rankings(
    tr: Tr,
    evaluation: &Evaluation,
    rules: &Rules,
    period: &str,
    links: Option<&Links<'_>>,
) -> Vec<Section> {
    let ranking =
        |heading: &str, objects: &[Named], volume: Volume, name: &dyn Fn(&Named) -> Cell| Section {
            heading: tr.t(heading).to_owned(),
            note: Some(lists_rule(tr, rules, objects)),
            chart: ranking_bars(tr, rules, objects, name),
            table: ranking_table(tr, rules, objects, volume, links, name),
        };
    let area_name = |area: &Named| {
        let code = area
            .member
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        Cell::user(area.name.clone()).link(format!("/stats?unit={code}&period={period}"))
    };
    let mut sections = vec![ranking(
        "stats.areas",
        &evaluation.areas,
        Volume::Accepted,
        &area_name,
    )];
    if evaluation
        .street
        .as_ref()
        .is_some_and(|s| s.id == evaluation.unit.id)
    {
        sections.push(ranking(
            "stats.departments",
            &evaluation.departments,
            Volume::Dispatched,
            &|d| Cell::user(d.name.clone()),
        ));
        sections.push(Section {
            heading: tr.t("stats.people").to_owned(),
            note: Some(tr.t("stats.people_note").to_owned()),
            chart: None,
            table: people_table(tr, rules, &evaluation.people, links),
        });
        sections.push(ranking(
            "stats.channels",
            &evaluation.channels,
            Volume::Accepted,
            &|c| Cell::ui(Channel::parse(&c.member).map_or("", |c| tr.t(c.label_key()))),
        ));
        sections.push(ranking(
            "stats.categories",
            &evaluation.categories,
            Volume::Accepted,
            &|c| Cell::user(c.name.clone()),
        ));
    }
    sections
}

/// A ranking's scores (综合得分) as bars, best first; none when nobody was scored.
fn ranking_bars(
    tr: Tr,
    rules: &Rules,
    objects: &[Named],
    name: &dyn Fn(&Named) -> Cell,
) -> Option<String> {
    let ranked = rules.rank(objects.iter().map(|o| (o, o.counts)).collect());
    let groups: Vec<Group> = ranked
        .iter()
        .filter_map(|object| {
            let score = object.score?;
            Some(Group {
                label: name(object.key).text,
                values: vec![score],
                shown: vec![format!("{score:.2}")],
                hrefs: Vec::new(),
                titles: vec![tr.f(
                    "stats.score_of",
                    &[
                        ("name", object.key.name.clone()),
                        ("score", format!("{score:.2}")),
                    ],
                )],
            })
        })
        .collect();
    // Named by what the bars are; the section's heading names the ranking.
    (!groups.is_empty()).then(|| bars(&groups, tr.t("stats.score")))
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
    let found = read(&app, &me.0.principal, &query).await?;
    let notes = period_notes(tr, &found);
    let Read {
        evaluation, rules, ..
    } = found;
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
            note: None,
            chart: None,
            table: indicators_table(tr, &evaluation, &rules, &own, drillable),
        },
        Section {
            heading: tr.t("stats.counts").to_owned(),
            note: None,
            chart: None,
            table: counts_table(tr, &evaluation, &own, drillable),
        },
    ];
    sections.extend(rankings(tr, &evaluation, &rules, &period, drillable));
    render(&StatsPage {
        chrome: Chrome::new(&me.0.ctx, tr.t("stats.title")),
        summary: summary(tr, &evaluation, &rules),
        rules: rules_text(tr, &rules),
        bulletin: format!("/stats/bulletin?unit={code}&period={period}"),
        heading: tr.f(
            "stats.heading",
            &[
                ("unit", evaluation.unit.name.clone()),
                ("period", evaluation.period.words(tr.lang())),
            ],
        ),
        notes,
        period,
        sections,
    })
}
