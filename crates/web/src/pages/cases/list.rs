//! The list of cases (案件列表) with filters that stay in the address, so a filtered list can be
//! bookmarked, shared and paged.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiedao_core::case::{CaseState, Channel, Light};
use jiedao_store::cases::{CaseFilter, read};
use serde::Deserialize;

use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;
use crate::layout::{Chrome, render};
use crate::pages::users::Choice;
use crate::present::case_table;
use crate::table::Table;

const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    light: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    chrome: Chrome,
    states: Vec<Choice>,
    lights: Vec<Choice>,
    channels: Vec<Choice>,
    categories: Vec<Choice>,
    q: String,
    total: i64,
    table: Table,
    previous: Option<String>,
    next: Option<String>,
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

pub async fn list(
    State(app): State<AppState>,
    me: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let filter = CaseFilter {
        states: CaseState::parse(&query.state).into_iter().collect(),
        light: Light::parse(&query.light),
        category: Some(query.category.trim().to_owned()).filter(|c| !c.is_empty()),
        channel: Channel::parse(&query.channel),
        keyword: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
        ..CaseFilter::default()
    };
    let page = query.page.unwrap_or(1).max(1);
    let principal = me.principal.clone();
    let now = app.store.now();
    let found = app
        .store
        .read(move |conn| read::list(conn, &principal, &filter, now, PAGE, (page - 1) * PAGE))
        .await?;
    let catalog = app.store.catalog();
    let link = |page: i64| {
        let params = [
            ("state", query.state.as_str()),
            ("light", query.light.as_str()),
            ("category", query.category.as_str()),
            ("channel", query.channel.as_str()),
            ("q", query.q.as_str()),
        ];
        let mut query_string = serde_urlencoded::to_string(
            params
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        if !query_string.is_empty() {
            query_string.push('&');
        }
        format!("/cases?{query_string}page={page}")
    };
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
        q: query.q.clone(),
        total: found.total,
        table: case_table(
            &found.cases,
            &catalog,
            &app.store.calendar(),
            now,
            tr,
            tr.t("cases.none"),
        ),
        previous: (page > 1).then(|| link(page - 1)),
        next: (page * PAGE < found.total).then(|| link(page + 1)),
    })
}
