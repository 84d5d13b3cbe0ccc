//! The map (地图): the reader's communities and grids drawn from their boundaries, the cases
//! the list's filters select as pins coloured by their light (open cases when no state is
//! chosen). A grid links to its cases, a pin to its case.
//!
//! A reader over more than one street (a district) first sees the city by aggregation: each
//! street with how many of the selected cases it holds, linking to its own map, where the pins
//! are drawn. Neither the pins nor the grids of a whole city are loaded.

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
use crate::widgets::webmap::{self, Embedded, Mode};

/// The most pins drawn; the page says when there are more.
const PINS: i64 = 500;

#[derive(Template)]
#[template(path = "cases/map.html")]
struct MapPage {
    chrome: Chrome,
    webmap: Option<Embedded>,
    shown: String,
    list: String,
    /// At city level: each street with its count, the most first.
    streets: Vec<StreetCount>,
}

/// One street on the city's map.
struct StreetCount {
    name: String,
    count: i64,
    /// Its own map (pins), and its list.
    map: String,
    list: String,
}

/// The streets of the reader's reach with how many of `filter`'s cases each holds, when the
/// reach holds more than one street and no place is chosen; `None` otherwise.
async fn city(
    app: &AppState,
    me: &Staff,
    query: &ListQuery,
    filter: &jiedao_store::cases::CaseFilter,
) -> Result<Option<Vec<StreetCount>>, Failure> {
    if filter.within.is_some() {
        return Ok(None);
    }
    let (principal, scope, now) = (
        me.0.principal.clone(),
        me.0.principal.scope(),
        app.store.now(),
    );
    let filter = filter.clone();
    let counted = app
        .store
        .read(move |conn| {
            let streets = jiedao_store::org::list(conn, &scope, Some(jiedao_core::OrgKind::Street))
                .unwrap_or_default();
            if streets.len() < 2 {
                return Ok(None);
            }
            let counts = read::count_by_street(conn, &principal, &filter, now)?;
            Ok(Some((streets, counts)))
        })
        .await?;
    let Some((streets, counts)) = counted else {
        return Ok(None);
    };
    let counts: std::collections::HashMap<_, _> = counts.into_iter().collect();
    let mut list: Vec<StreetCount> = streets
        .into_iter()
        .map(|street| {
            let mut here = query.clone();
            here.set_within(&street.code);
            StreetCount {
                count: counts.get(&street.id).copied().unwrap_or(0),
                map: here.href("/map", None),
                list: here.href("/cases", None),
                name: street.name,
            }
        })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    Ok(Some(list))
}

pub async fn show(
    State(app): State<AppState>,
    me: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let tr = me.0.ctx.tr();
    let mut filter = filter_of(&query, within_of(&app, &me.0, &query).await);
    filter.open_only |= query.is_unscoped();
    if let Some(streets) = city(&app, &me, &query, &filter).await? {
        let total: i64 = streets.iter().map(|s| s.count).sum();
        return render(&MapPage {
            chrome: Chrome::new(&me.0.ctx, tr.t("map.title")),
            webmap: None,
            shown: tr.f(
                "map.by_street",
                &[
                    ("streets", streets.len().to_string()),
                    ("total", total.to_string()),
                ],
            ),
            list: query.href("/cases", None),
            streets,
        });
    }
    let (webmap, shown) = pins_map(&app, &me.0.principal, filter, tr).await?;
    render(&MapPage {
        chrome: Chrome::new(&me.0.ctx, tr.t("map.title")),
        webmap,
        shown,
        list: query.href("/cases", None),
        streets: Vec::new(),
    })
}

/// The live map of `filter`'s cases as `principal` may see them (at most [`PINS`] pins, a heat
/// layer for leaders, the search box for those who may see the registry), with how many it
/// shows in words: the map page's and the wall's.
pub(crate) async fn pins_map(
    app: &AppState,
    principal: &jiedao_store::Principal,
    filter: jiedao_store::cases::CaseFilter,
    tr: crate::tr::Tr,
) -> Result<(Option<Embedded>, String), Failure> {
    let (reader, scope, now) = (principal.clone(), principal.scope(), app.store.now());
    let found = app
        .store
        .read(move |conn| read::list(conn, &reader, &filter, now, PINS, 0))
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
            ("total", found.shown_total()),
        ],
    );
    let role = principal.role();
    let mode = Mode::Cases {
        pins: pins.clone(),
        heat: role == jiedao_core::Role::Leader,
        search: role
            .can(jiedao_core::Capability::ViewRegistry)
            .then(|| "/map/search.json".to_owned()),
    };
    let drawing = |areas: &[map::Area]| map::draw(areas, &pins, tr.t("map.title"));
    // Readers who may not see the tree get the pins without the grids.
    let webmap = webmap::embed(app, Viewer::Scope(scope), mode, drawing, tr).await?;
    Ok((webmap, shown))
}
