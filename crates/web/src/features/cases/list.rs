//! The list of cases (案件列表) with filters that stay in the address, so a filtered list can be
//! bookmarked, shared and paged, and exported to Excel as filtered.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use jiedao_core::case::{CaseState, Channel, Light};
use jiedao_core::clock::{CHINA, start_of_day};
use jiedao_core::{DepartmentId, OrgKind};
use jiedao_reports::workbook::{self, Value};
use jiedao_store::cases::{CaseFilter, read};
use jiedao_store::{departments, org};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::present::{case_table, category_name, light};
use crate::widgets::table::{Cell, Table};

const PAGE: i64 = 50;
/// The most rows one export carries; the page says so when a list is longer.
pub const EXPORT_LIMIT: i64 = read::EXPORT_MAX;

/// The filters, as they stand in the address (`/cases?state=dispatched&within=...`).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    state: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    light: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    category: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    channel: String,
    /// A department's id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    department: String,
    /// A community's or grid's code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    within: String,
    /// Reported on or after this day (YYYY-MM-DD, Beijing time).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    from: String,
    /// Reported on or before this day.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    to: String,
    /// `open`, `overdue` or `supervised`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    only: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    q: String,
    /// Where the page starts (keyset paging: the last case of the page before, `<time>|<number>`).
    #[serde(default, skip_serializing)]
    after: String,
}

impl ListQuery {
    /// Neither a state nor a range chosen: lists show everything, the map the open cases.
    pub(crate) fn is_unscoped(&self) -> bool {
        self.state.is_empty() && self.only.is_empty()
    }

    /// The same filters within the community, grid or street at `code`.
    pub(crate) fn set_within(&mut self, code: &str) {
        code.clone_into(&mut self.within);
        self.after.clear();
    }

    /// The filters as a query string, without the page.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    pub(crate) fn href(&self, path: &str, after: Option<&str>) -> String {
        let mut text = self.query_string();
        if let Some(after) = after.filter(|a| !a.is_empty()) {
            if !text.is_empty() {
                text.push('&');
            }
            text.push_str(&serde_urlencoded::to_string([("after", after)]).unwrap_or_default());
        }
        if text.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{text}")
        }
    }
}

/// Midnight (Beijing) starting `day`, plus `days`.
fn day_start(day: &str, days: u64) -> Option<chrono::DateTime<chrono::Utc>> {
    let date = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok()?;
    Some(start_of_day(
        date.checked_add_days(chrono::Days::new(days))?,
    ))
}

/// The store's filter for the query; a community or grid code is looked up by the caller.
pub(crate) fn filter_of(query: &ListQuery, within: Option<jiedao_core::OrgPath>) -> CaseFilter {
    CaseFilter {
        states: CaseState::parse(&query.state).into_iter().collect(),
        open_only: query.only == "open",
        overdue: (query.only == "overdue").then_some(true),
        supervised: (query.only == "supervised").then_some(true),
        light: Light::parse(&query.light),
        category: Some(query.category.trim().to_owned()).filter(|c| !c.is_empty()),
        channel: Channel::parse(&query.channel),
        department: query.department.trim().parse::<DepartmentId>().ok(),
        within,
        reported_from: day_start(&query.from, 0),
        reported_to: day_start(&query.to, 1),
        keyword: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
        after: read::PageKey::parse(&query.after),
        ..CaseFilter::default()
    }
}

/// The path of the community or grid the query names, if the reader can see it.
pub(crate) async fn within_of(
    app: &AppState,
    me: &SignedIn,
    query: &ListQuery,
) -> Option<jiedao_core::OrgPath> {
    let code = query.within.trim().to_owned();
    if code.is_empty() {
        return None;
    }
    let scope = me.principal.scope();
    app.store
        .read(move |conn| org::get_by_code(conn, &scope, &code))
        .await
        .ok()
        .map(|unit| unit.path)
}

#[derive(Template)]
#[template(path = "cases/cases.html")]
struct CasesPage {
    chrome: Chrome,
    states: Vec<Choice>,
    lights: Vec<Choice>,
    channels: Vec<Choice>,
    categories: Vec<Choice>,
    departments: Vec<Choice>,
    places: Vec<Choice>,
    /// Too many communities and grids to list: a search field for one instead.
    place_search: bool,
    within: String,
    onlys: Vec<Choice>,
    from: String,
    to: String,
    q: String,
    total: String,
    export: String,
    export_capped: Option<String>,
    bulk: Option<BulkForm>,
    table: Table,
    first: Option<String>,
    next: Option<String>,
}

/// The most communities and grids offered as choices in the page itself; past this the page
/// has a search field that asks [`places`] as one types.
const PLACES_INLINE: i64 = 200;

/// The communities and grids matching what is typed into the place field, for its choices.
#[derive(Debug, Deserialize)]
pub struct PlacesQuery {
    #[serde(default)]
    q: String,
}

/// One place the list can be filtered by.
#[derive(Debug, Serialize)]
pub struct Place {
    code: String,
    name: String,
}

/// `/cases/places.json?q=`: up to 20 communities and grids within the reader's reach whose
/// code starts with, or name holds, the words.
pub async fn places(
    State(app): State<AppState>,
    me: SignedIn,
    Query(query): Query<PlacesQuery>,
) -> Result<axum::Json<Vec<Place>>, Failure> {
    let scope = me.principal.scope();
    let units = app
        .store
        .read(move |conn| Ok(org::places(conn, &scope, Some(&query.q), 20).unwrap_or_default()))
        .await?;
    Ok(axum::Json(
        units
            .into_iter()
            .map(|u| Place {
                code: u.code,
                name: u.name,
            })
            .collect(),
    ))
}

fn choices<T: Copy>(
    all: &[T],
    selected: &str,
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    any: &str,
) -> Vec<Choice> {
    let mut list = vec![Choice {
        value: String::new(),
        label: any.to_owned(),
        selected: selected.is_empty(),
    }];
    list.extend(all.iter().map(|item| Choice {
        value: value(*item).to_owned(),
        label: label(*item),
        selected: value(*item) == selected,
    }));
    list
}

/// The bulk dispatch form under the list, for those who dispatch.
struct BulkForm {
    csrf: String,
    back: String,
    departments: Vec<Choice>,
}

/// Options from a list of (value, label), with "any" first.
fn options(items: Vec<(String, String)>, selected: &str, any: &str) -> Vec<Choice> {
    let mut list = vec![Choice {
        value: String::new(),
        label: any.to_owned(),
        selected: selected.is_empty(),
    }];
    list.extend(items.into_iter().map(|(value, label)| Choice {
        selected: value == selected,
        value,
        label,
    }));
    list
}

pub async fn list(
    State(app): State<AppState>,
    me: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let filter = filter_of(&query, within_of(&app, &me, &query).await);
    let principal = me.principal.clone();
    let now = app.store.now();
    let found = app
        .store
        .read(move |conn| read::list(conn, &principal, &filter, now, PAGE, 0))
        .await?;
    let catalog = app.store.catalog();
    let scope = me.principal.scope();
    let (units, department_list) = app
        .store
        .read(move |conn| {
            let units = org::places(conn, &scope, None, PLACES_INLINE + 1).unwrap_or_default();
            Ok((units, departments::list(conn, &scope).unwrap_or_default()))
        })
        .await?;
    let place_search = i64::try_from(units.len()).unwrap_or(i64::MAX) > PLACES_INLINE;
    let units = if place_search { Vec::new() } else { units };
    let mut categories = vec![Choice {
        value: String::new(),
        label: tr.t("filter.any").to_owned(),
        selected: query.category.is_empty(),
    }];
    categories.extend(catalog.all().iter().filter(|e| !e.is_leaf).map(|e| Choice {
        value: e.code.clone(),
        label: format!("{} {}", e.code, e.name_in(tr.lang())),
        selected: e.code == query.category,
    }));
    let places = units
        .into_iter()
        .map(|u| {
            let indent = if u.kind == OrgKind::Grid {
                "\u{3000}"
            } else {
                ""
            };
            (u.code.clone(), format!("{indent}{}", u.name))
        })
        .collect();
    // A district's thousands of departments are not offered in the page (its weight would grow
    // with the city); a department's list is reached from the department's own pages.
    let department_list = if department_list.len() > usize::try_from(PLACES_INLINE).unwrap_or(0)
        && !super::bulk::can_dispatch(me.principal.role())
    {
        Vec::new()
    } else {
        department_list
    };
    let department_choices: Vec<(String, String)> = department_list
        .into_iter()
        .map(|d| (d.id.to_string(), d.name))
        .collect();
    let bulk = super::bulk::can_dispatch(me.principal.role()).then(|| BulkForm {
        csrf: me.ctx.csrf_token.clone(),
        back: query.href("/cases", Some(&query.after)),
        departments: department_choices
            .iter()
            .map(|(value, label)| Choice {
                value: value.clone(),
                label: label.clone(),
                selected: false,
            })
            .collect(),
    });
    let mut table = case_table(
        &found.cases,
        &catalog,
        &app.store.calendar(),
        now,
        tr,
        tr.t("cases.none"),
    );
    if bulk.is_some() {
        table.head.insert(0, tr.t("bulk.choose"));
        for (row, case) in table.rows.iter_mut().zip(&found.cases) {
            row.cells.insert(0, Cell::pick(case.id.to_string()));
        }
    }
    render(&CasesPage {
        chrome: Chrome::new(&me.ctx, tr.t("cases.title")),
        states: choices(
            &CaseState::ALL,
            &query.state,
            CaseState::as_str,
            |s| tr.t(s.label_key()).to_owned(),
            tr.t("filter.any"),
        ),
        lights: choices(
            &[Light::Green, Light::Yellow, Light::Red],
            &query.light,
            Light::as_str,
            |l| tr.t(l.label_key()).to_owned(),
            tr.t("filter.any"),
        ),
        channels: choices(
            &Channel::ALL,
            &query.channel,
            Channel::as_str,
            |c| tr.t(c.label_key()).to_owned(),
            tr.t("filter.any"),
        ),
        categories,
        departments: options(department_choices, &query.department, tr.t("filter.any")),
        places: options(places, &query.within, tr.t("filter.any")),
        place_search,
        within: query.within.clone(),
        onlys: options(
            ["open", "overdue", "supervised"]
                .iter()
                .map(|o| {
                    (
                        (*o).to_owned(),
                        tr.t(&format!("filter.only_{o}")).to_owned(),
                    )
                })
                .collect(),
            &query.only,
            tr.t("filter.any"),
        ),
        from: query.from.clone(),
        to: query.to.clone(),
        q: query.q.clone(),
        total: found.shown_total(),
        export: query.href("/cases/export.xlsx", None),
        export_capped: (found.capped || found.total > EXPORT_LIMIT).then(|| {
            tr.f(
                "cases.export_capped",
                &[("limit", EXPORT_LIMIT.to_string())],
            )
        }),
        table,
        bulk,
        first: (!query.after.is_empty()).then(|| query.href("/cases", None)),
        next: (i64::try_from(found.cases.len()).unwrap_or(0) == PAGE)
            .then(|| found.cases.last())
            .flatten()
            .map(|last| query.href("/cases", Some(&read::PageKey::of(last).to_text()))),
    })
}

/// The filtered list as an Excel workbook, in the reader's language, times as Excel dates.
pub async fn export(
    State(app): State<AppState>,
    me: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let filter = filter_of(&query, within_of(&app, &me, &query).await);
    let principal = me.principal.clone();
    let now = app.store.now();
    let found = app
        .store
        .read(move |conn| read::export(conn, &principal, &filter, now))
        .await?;
    let (catalog, calendar) = (app.store.catalog(), app.store.calendar());
    let local =
        |at: chrono::DateTime<chrono::Utc>| Value::Time(at.with_timezone(&CHINA).naive_local());
    let text = |t: Option<String>| {
        t.filter(|t| !t.is_empty())
            .map_or(Value::Empty, Value::Text)
    };
    let headers = [
        "case.number",
        "case.state",
        "case.light",
        "case.category",
        "case.description",
        "case.place",
        "case.address",
        "case.department",
        "case.channel",
        "case.reported_at",
        "case.step_deadline",
        "case.closed_at",
    ]
    .iter()
    .map(|key| tr.t(key).to_owned())
    .collect::<Vec<_>>();
    let rows = found
        .cases
        .iter()
        .map(|case| {
            vec![
                Value::Text(case.number.clone()),
                Value::Text(tr.t(case.state.label_key()).to_owned()),
                text(light(case, &calendar, now).map(|l| tr.t(l.label_key()).to_owned())),
                Value::Text(category_name(case, &catalog, tr)),
                Value::Text(case.description.clone()),
                text(case.location.grid.as_ref().map(|g| g.name.clone())),
                text(case.location.address.clone()),
                text(case.department.as_ref().map(|d| d.name.clone())),
                Value::Text(tr.t(case.channel.label_key()).to_owned()),
                local(case.reported_at),
                case.step_timer
                    .as_ref()
                    .and_then(|t| t.deadline)
                    .map_or(Value::Empty, local),
                case.closed_at.map_or(Value::Empty, local),
            ]
        })
        .collect::<Vec<_>>();
    let sheet = tr.t("cases.title");
    let bytes = workbook::xlsx(sheet, &headers, &rows).map_err(|error| {
        tracing::error!(%error, "writing the workbook");
        Failure::Internal
    })?;
    let name = format!("{sheet}-{}", now.with_timezone(&CHINA).format("%Y%m%d"));
    Ok(crate::download::attachment(
        bytes,
        crate::download::Kind::Xlsx,
        "cases",
        &name,
    ))
}
