//! What the statistics pages, the bulletin and the API share: the unit-and-period query and
//! the tables of indicators, counts and rankings.

use chrono::{DateTime, Datelike, Utc};
use jiedao_core::clock::business_date;
use jiedao_core::evaluation::{Counts, Indicator, Period, Rules, lists_take, red_and_black};
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

    /// The period asked for, `None` when none was (the reader opens on a period with data).
    pub fn asked_period(&self) -> Result<Option<Period>, Refusal> {
        let text = self
            .period
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        match text {
            None => Ok(None),
            Some(text) => Period::parse(text)
                .map(Some)
                .ok_or_else(|| Refusal::BadPeriod {
                    text: text.to_owned(),
                }),
        }
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

/// An indicator's formula as a report prints it: "满意率 = (满意数 + 基本满意数) / 回访数", the
/// sum bracketed so it reads as it is computed.
pub fn formula(tr: Tr, indicator: Indicator, rules: &Rules) -> String {
    let (above, below) = indicator.terms(rules);
    let names: Vec<&str> = above.iter().map(|f| count_label(tr, f)).collect();
    let numerator = match names.as_slice() {
        [one] => (*one).to_owned(),
        many => format!("({})", many.join(" + ")),
    };
    format!(
        "{} = {numerator} / {}",
        tr.t(indicator.label_key()),
        count_label(tr, below)
    )
}

/// The change from last year's rate to this one, in percentage points.
fn change(now: Option<f64>, before: Option<f64>) -> Cell {
    match (now, before) {
        (Some(now), Some(before)) => Cell {
            figure: Some(jiedao_reports::workbook::Value::Decimal(now - before)),
            ..Cell::ui(format!("{:+.2}", now - before))
        },
        _ => Cell::ui("—"),
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
            let formula = formula(tr, *indicator, rules);
            let linked = |value: u64, field: &str| {
                let cell = Cell::count(value);
                match links {
                    Some(links) if value > 0 => {
                        cell.link(links.cases(own.dimension, &own.member, field))
                    }
                    _ => cell,
                }
            };
            let numerator = match above {
                [only] => linked(rate.numerator, only),
                _ => Cell::count(rate.numerator),
            };
            Row::new(vec![
                Cell::ui(tr.t(indicator.label_key())),
                Cell::ui(formula),
                numerator,
                linked(rate.denominator, below),
                Cell::rate(rate),
                Cell::rate(before),
                change(rate.percent(), before.percent()),
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
            let mut cell = Cell::count(value);
            if let (Some(links), true) = (links, value > 0) {
                cell = cell.link(links.cases(own.dimension, &own.member, field));
            }
            Row::new(vec![
                Cell::ui(count_label(tr, field)),
                cell,
                Cell::count(evaluation.last_year.get(field)),
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

/// What a ranking counts beside its rates, linked to the cases: 受理数 for areas, channels and
/// categories; 派遣数 for departments (a report is taken before any department has it, so a
/// department's 受理数 is what was dispatched to it).
#[derive(Debug, Clone, Copy)]
pub enum Volume {
    Accepted,
    Dispatched,
}

impl Volume {
    fn field(self) -> &'static str {
        match self {
            Volume::Accepted => "accepted",
            Volume::Dispatched => "dispatched",
        }
    }
}

/// A ranking (排名) of `objects`: place, name (as `name` draws it), score, grade, volume (linked
/// to its cases through `links`) and the main rates, and the red or black list an object is on.
pub fn ranking_table(
    tr: Tr,
    rules: &Rules,
    objects: &[Named],
    volume: Volume,
    links: Option<&Links<'_>>,
    name: impl Fn(&Named) -> Cell,
) -> Table {
    let ranked = rules.rank(objects.iter().map(|o| (o, o.counts)).collect());
    let (red, black) = red_and_black(&ranked, LISTED);
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
            let field = volume.field();
            let amount = object.counts.get(field);
            let mut counted = Cell::count(amount);
            if let (Some(links), true) = (links, amount > 0) {
                counted =
                    counted.link(links.cases(object.key.dimension, &object.key.member, field));
            }
            let mut cells = vec![
                object.rank.map_or_else(
                    || Cell::ui("—"),
                    |r| Cell::count(u64::try_from(r).unwrap_or(u64::MAX)),
                ),
                name(object.key),
                Cell::decimal(object.score),
                Cell::ui(
                    object
                        .grade
                        .map_or_else(|| "—".to_owned(), |g| format!("{g:?}")),
                ),
                counted,
            ];
            cells.extend(
                RANKED_INDICATORS
                    .iter()
                    .map(|i| Cell::rate(i.rate(&object.counts, rules))),
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
        tr.t(match volume {
            Volume::Accepted => "count.accepted",
            Volume::Dispatched => "count.dispatched",
        }),
    ];
    head.extend(RANKED_INDICATORS.iter().map(|i| tr.t(i.label_key())));
    head.push(tr.t("stats.list"));
    Table::new(head, rows, tr.t("stats.none"))
}

/// How many places each of the red and black lists takes at most (各取前三名).
pub const LISTED: usize = 3;

/// The red and black lists' rule as it applies to `objects`: three each when six or more are
/// ranked, half each otherwise, ties sharing a list or staying off both.
pub fn lists_rule(tr: Tr, rules: &Rules, objects: &[Named]) -> String {
    let scored = rules
        .rank(objects.iter().map(|o| (o, o.counts)).collect())
        .iter()
        .filter(|r| r.score.is_some())
        .count();
    let each = lists_take(LISTED, scored);
    if each == 0 {
        return tr.f("stats.lists_none", &[("scored", scored.to_string())]);
    }
    tr.f(
        "stats.lists_rule",
        &[("scored", scored.to_string()), ("each", each.to_string())],
    )
}

/// 网格员考核: each grid worker's reports and checks with their rates.
pub fn people_table(tr: Tr, rules: &Rules, people: &[Named], links: Option<&Links<'_>>) -> Table {
    let rows = people
        .iter()
        .map(|person| {
            let c = &person.counts;
            let mut reported = Cell::count(c.reported);
            if let (Some(links), true) = (links, c.reported > 0) {
                reported = reported.link(links.cases(person.dimension, &person.member, "reported"));
            }
            Row::new(vec![
                Cell::user(person.name.clone()),
                reported,
                Cell::rate(Indicator::ValidReports.rate(c, rules)),
                Cell::count(c.verified),
                Cell::rate(Indicator::OnTimeVerification.rate(c, rules)),
                Cell::count(c.checked),
                Cell::rate(Indicator::OnTimeCheck.rate(c, rules)),
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
            ("period", evaluation.period.words(tr.lang())),
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
