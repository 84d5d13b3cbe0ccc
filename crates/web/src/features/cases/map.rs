//! The map (地图): the reader's communities and grids drawn from their boundaries, the cases
//! the list's filters select as pins coloured by their light (open cases when no state is
//! chosen). A grid links to its cases, a pin to its case.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiedao_store::cases::read;

use super::list::{ListQuery, filter_of, within_of};
use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::map::{self, Pin, Viewer};
use crate::widgets::present::light;

/// The most pins drawn; the page says when there are more.
const PINS: i64 = 500;

#[derive(Template)]
#[template(path = "cases/map.html")]
struct MapPage {
    chrome: Chrome,
    svg: Option<String>,
    shown: String,
    list: String,
}

pub async fn show(
    State(app): State<AppState>,
    me: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let tr = me.0.ctx.tr();
    let mut filter = filter_of(&query, within_of(&app, &me.0, &query).await);
    filter.open_only |= query.is_unscoped();
    let (principal, scope, now) = (
        me.0.principal.clone(),
        me.0.principal.scope(),
        app.store.now(),
    );
    // Readers who may not see the tree get the pins without the grids.
    let areas = app
        .areas
        .get(&app.store, Viewer::Scope(scope))
        .await
        .unwrap_or_default();
    let found = app
        .store
        .read(move |conn| read::list(conn, &principal, &filter, now, PINS, 0))
        .await?;
    let calendar = app.store.calendar();
    let pins: Vec<Pin> = found
        .cases
        .iter()
        .filter_map(|case| {
            Some(Pin {
                lon: case.location.lon?,
                lat: case.location.lat?,
                class: format!(
                    "pin light-{}",
                    light(case, &calendar, now).map_or("none", |l| l.as_str())
                ),
                href: format!("/cases/{}", case.id),
                title: format!(
                    "{} {}",
                    case.number,
                    case.description.chars().take(30).collect::<String>()
                ),
            })
        })
        .collect();
    let shown = tr.f(
        "map.shown",
        &[
            ("shown", pins.len().to_string()),
            ("total", found.total.to_string()),
        ],
    );
    render(&MapPage {
        chrome: Chrome::new(&me.0.ctx, tr.t("map.title")),
        svg: map::draw(&areas, &pins, tr.t("map.title")),
        shown,
        list: query.href("/cases", None),
    })
}
