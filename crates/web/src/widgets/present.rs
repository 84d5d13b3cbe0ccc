//! How cases look on pages: their light, their times in China Standard Time, category and
//! department names in the reader's language, and rows for case tables.

use chrono::{DateTime, Utc};
use jiedao_core::calendar::WorkCalendar;
use jiedao_core::case::{Case, Light};
use jiedao_core::clock::CHINA;
use jiedao_store::categories::Catalog;

use crate::tr::Tr;
use crate::widgets::table::{Cell, Row, Table};

/// "2026-11-22 09:30" in China Standard Time.
pub fn time(at: DateTime<Utc>) -> String {
    at.with_timezone(&CHINA)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn time_opt(at: Option<DateTime<Utc>>) -> String {
    at.map(time).unwrap_or_default()
}

/// The light of the case's running step, if a step is running.
pub fn light(case: &Case, calendar: &WorkCalendar, now: DateTime<Utc>) -> Option<Light> {
    case.step_timer
        .as_ref()
        .map(|timer| timer.light(calendar, now))
}

/// The category's name in the reader's language (its Chinese name is user data otherwise).
pub fn category_name(case: &Case, catalog: &Catalog, tr: Tr) -> String {
    case.category
        .as_ref()
        .map(|c| {
            catalog
                .get(c.id)
                .map_or(c.name.clone(), |e| e.name_in(tr.lang()).to_owned())
        })
        .unwrap_or_else(|| tr.t("case.no_category").to_owned())
}

/// A light as a short labelled badge for tables.
pub fn light_cell(light: Option<Light>, tr: Tr) -> Cell {
    match light {
        Some(light) => {
            Cell::ui(tr.t(light.label_key())).class(&format!("light light-{}", light.as_str()))
        }
        None => Cell::ui(""),
    }
}

/// The table of a list of cases.
pub fn case_table(
    cases: &[Case],
    catalog: &Catalog,
    calendar: &WorkCalendar,
    now: DateTime<Utc>,
    tr: Tr,
    empty: &'static str,
) -> Table {
    let rows = cases
        .iter()
        .map(|case| {
            let place = case
                .location
                .grid
                .as_ref()
                .map(|g| g.name.clone())
                .or_else(|| case.location.address.clone())
                .unwrap_or_default();
            Row::new(vec![
                Cell::ui(case.number.clone())
                    .link(format!("/cases/{}", case.id))
                    .class("number"),
                light_cell(light(case, calendar, now), tr),
                Cell::ui(tr.t(case.state.label_key())),
                Cell::user(category_name(case, catalog, tr)),
                Cell::user(case.description.chars().take(40).collect::<String>()),
                Cell::user(place),
                Cell::user(
                    case.department
                        .as_ref()
                        .map(|d| d.name.clone())
                        .unwrap_or_default(),
                ),
                Cell::ui(time(case.reported_at)),
                Cell::ui(time_opt(case.step_timer.as_ref().and_then(|t| t.deadline))),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("case.number"),
            tr.t("case.light"),
            tr.t("case.state"),
            tr.t("case.category"),
            tr.t("case.description"),
            tr.t("case.place"),
            tr.t("case.department"),
            tr.t("case.reported_at"),
            tr.t("case.step_deadline"),
        ],
        rows,
        empty,
    )
}

/// Square kilometres with two decimals, as the reports write areas.
pub fn area_text(tr: Tr, area_m2: Option<f64>) -> Option<String> {
    area_m2.map(|m2| {
        tr.f(
            "unit.area_km2",
            &[("value", format!("{:.2}", m2 / 1_000_000.0))],
        )
    })
}
