//! What the statistics pages, the bulletin and the API share: the unit-and-period query and
//! the tables of indicators, counts and rankings.

use chrono::{DateTime, Datelike, Utc};
use jiedao_core::clock::business_date;
use jiedao_core::evaluation::{Counts, Indicator, Period, Rules, red_and_black};
use jiedao_store::Refusal;
use jiedao_store::stats::{Evaluation, Named};
use serde::Deserialize;

use crate::tr::Tr;
use crate::widgets::table::{Cell, Row, Table};

/// Which unit and period: `unit` is an org code (the reader's own node when absent), `period`
/// as `Period::parse` reads it (this month when absent).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub period: Option<String>,
}

impl StatsQuery {
    pub fn period(&self, now: DateTime<Utc>) -> Result<Period, Refusal> {
        let text = self
            .period
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let period = match text {
            None => {
                let today = business_date(now);
                Period::month(today.year(), today.month())
            }
            Some(text) => Period::parse(text),
        };
        period.ok_or_else(|| Refusal::BadPeriod {
            text: text.unwrap_or_default().to_owned(),
        })
    }

    pub fn unit(&self) -> Option<&str> {
        self.unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
    }
}

/// The name of a count field in the reader's language.
pub fn count_label(tr: Tr, field: &str) -> &'static str {
    Counts::FIELDS
        .iter()
        .zip(Counts::LABEL_KEYS)
        .find(|(name, _)| **name == field)
        .map_or("", |(_, key)| tr.t(key))
}

/// Where the cases behind a figure are listed.
pub struct Links<'a> {
    pub unit: &'a str,
    pub period: &'a Period,
}

impl Links<'_> {
    pub fn cases(&self, dimension: &str, member: &str, field: &str) -> String {
        format!(
            "/stats/cases?unit={}&period={}&dimension={dimension}&member={}&count={field}",
            self.unit,
            self.period,
            crate::download::percent(member)
        )
    }
}

/// The change from last year's rate to this one, in percentage points.
fn change(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(now), Some(before)) => format!("{:+.2}", now - before),
        _ => "—".to_owned(),
    }
}

/// 考核指标: each indicator with its formula, its two counts (linked to their cases), its value,
/// last year's and the change.
pub fn indicators_table(
    tr: Tr,
    evaluation: &Evaluation,
    rules: &Rules,
    own: &Named,
    links: Option<&Links<'_>>,
) -> Table {
    let rows = Indicator::ALL
        .iter()
        .map(|indicator| {
            let (above, below) = indicator.terms(rules);
            let rate = indicator.rate(&evaluation.total, rules);
            let before = indicator.rate(&evaluation.last_year, rules);
            let formula = format!(
                "{} = {} / {}",
                tr.t(indicator.label_key()),
                above
                    .iter()
                    .map(|f| count_label(tr, f))
                    .collect::<Vec<_>>()
                    .join(" + "),
                count_label(tr, below)
            );
            let linked = |value: u64, field: &str| {
                let cell = Cell::ui(value.to_string());
                match links {
                    Some(links) if value > 0 => {
                        cell.link(links.cases(own.dimension, &own.member, field))
                    }
                    _ => cell,
                }
            };
            let numerator = match above {
                [only] => linked(rate.numerator, only),
                _ => Cell::ui(rate.numerator.to_string()),
            };
            Row::new(vec![
                Cell::ui(tr.t(indicator.label_key())),
                Cell::ui(formula),
                numerator,
                linked(rate.denominator, below),
                Cell::ui(rate.text()),
                Cell::ui(before.text()),
                Cell::ui(change(rate.percent(), before.percent())),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("stats.indicator"),
            tr.t("stats.formula"),
            tr.t("stats.numerator"),
            tr.t("stats.denominator"),
            tr.t("stats.value"),
            tr.t("stats.last_year"),
            tr.t("stats.change"),
        ],
        rows,
        tr.t("stats.none"),
    )
}

/// 案件统计: every count this period (linked to its cases) and last year.
pub fn counts_table(
    tr: Tr,
    evaluation: &Evaluation,
    own: &Named,
    links: Option<&Links<'_>>,
) -> Table {
    let rows = Counts::FIELDS
        .iter()
        .map(|field| {
            let value = evaluation.total.get(field);
            let mut cell = Cell::ui(value.to_string());
            if let (Some(links), true) = (links, value > 0) {
                cell = cell.link(links.cases(own.dimension, &own.member, field));
            }
            Row::new(vec![
                Cell::ui(count_label(tr, field)),
                cell,
                Cell::ui(evaluation.last_year.get(field).to_string()),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("stats.item"),
            tr.t("stats.value"),
            tr.t("stats.last_year"),
        ],
        rows,
        tr.t("stats.none"),
    )
}

/// The indicators a ranking shows beside the score.
const RANKED_INDICATORS: [Indicator; 5] = [
    Indicator::Closure,
    Indicator::OnTimeClosure,
    Indicator::OnTimeHandling,
    Indicator::Rework,
    Indicator::Satisfaction,
];

/// A ranking (排名) of `objects`: place, name (as `name` draws it), score, grade, intake and the
/// main rates, and the red or black list an object is on.
pub fn ranking_table(
    tr: Tr,
    rules: &Rules,
    objects: &[Named],
    name: impl Fn(&Named) -> Cell,
) -> Table {
    let ranked = rules.rank(objects.iter().map(|o| (o, o.counts)).collect());
    let (red, black) = red_and_black(&ranked, 3);
    let rows = ranked
        .iter()
        .map(|object| {
            let list = if red.iter().any(|r| std::ptr::eq(r.key, object.key)) {
                Cell::ui(tr.t("stats.red")).class("tag red")
            } else if black.iter().any(|b| std::ptr::eq(b.key, object.key)) {
                Cell::ui(tr.t("stats.black")).class("tag black")
            } else {
                Cell::ui("")
            };
            let mut cells = vec![
                Cell::ui(
                    object
                        .rank
                        .map_or_else(|| "—".to_owned(), |r| r.to_string()),
                ),
                name(object.key),
                Cell::ui(
                    object
                        .score
                        .map_or_else(|| "—".to_owned(), |s| format!("{s:.2}")),
                ),
                Cell::ui(
                    object
                        .grade
                        .map_or_else(|| "—".to_owned(), |g| format!("{g:?}")),
                ),
                Cell::ui(object.counts.accepted.to_string()),
            ];
            cells.extend(
                RANKED_INDICATORS
                    .iter()
                    .map(|i| Cell::ui(i.rate(&object.counts, rules).text())),
            );
            cells.push(list);
            Row::new(cells)
        })
        .collect();
    let mut head = vec![
        tr.t("stats.rank"),
        tr.t("stats.name"),
        tr.t("stats.score"),
        tr.t("stats.grade"),
        tr.t("count.accepted"),
    ];
    head.extend(RANKED_INDICATORS.iter().map(|i| tr.t(i.label_key())));
    head.push(tr.t("stats.list"));
    Table::new(head, rows, tr.t("stats.none"))
}

/// 网格员考核: each grid worker's reports and checks with their rates.
pub fn people_table(tr: Tr, rules: &Rules, people: &[Named]) -> Table {
    let rows = people
        .iter()
        .map(|person| {
            let c = &person.counts;
            Row::new(vec![
                Cell::user(person.name.clone()),
                Cell::ui(c.reported.to_string()),
                Cell::ui(Indicator::ValidReports.rate(c, rules).text()),
                Cell::ui(c.verified.to_string()),
                Cell::ui(Indicator::OnTimeVerification.rate(c, rules).text()),
                Cell::ui(c.checked.to_string()),
                Cell::ui(Indicator::OnTimeCheck.rate(c, rules).text()),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("stats.name"),
            tr.t("count.reported"),
            tr.t("indicator.valid_reports"),
            tr.t("count.verified"),
            tr.t("indicator.on_time_verification"),
            tr.t("count.checked"),
            tr.t("indicator.on_time_check"),
        ],
        rows,
        tr.t("stats.none"),
    )
}

/// The sentence a work report quotes: "受理案卷5735件，结案率100%，满意率96.72%".
pub fn summary(tr: Tr, evaluation: &Evaluation, rules: &Rules) -> String {
    let total = &evaluation.total;
    tr.f(
        "stats.summary",
        &[
            ("period", evaluation.period.to_string()),
            ("accepted", total.accepted.to_string()),
            ("filed", total.filed.to_string()),
            ("closed", total.closed.to_string()),
            ("closure", Indicator::Closure.rate(total, rules).text()),
            (
                "on_time",
                Indicator::OnTimeClosure.rate(total, rules).text(),
            ),
            (
                "satisfaction",
                Indicator::Satisfaction.rate(total, rules).text(),
            ),
        ],
    )
}

/// The unit itself as a rollup member.
pub fn own(evaluation: &Evaluation) -> Named {
    Named {
        dimension: "area",
        member: evaluation.unit.path.as_str().to_owned(),
        code: Some(evaluation.unit.code.clone()),
        name: evaluation.unit.name.clone(),
        counts: evaluation.total,
    }
}
