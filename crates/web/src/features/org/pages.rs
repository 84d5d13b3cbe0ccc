//! The organisation tree and grids within one's scope (组织与网格), each unit's page, its
//! boundary as GeoJSON, and locating a point to its grid.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiedao_core::{Capability, OrgCode, OrgKind};
use jiedao_store::org::{self, OrgUnit};
use jiedao_store::{Refusal, users};
use serde::Deserialize;

use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::present::area_text;
use crate::widgets::table::{Cell, Row, Table};

#[derive(Template)]
#[template(path = "org/org.html")]
struct OrgPage {
    chrome: Chrome,
    kinds: Vec<(String, &'static str, bool)>,
    table: Table,
}

#[derive(Debug, Deserialize)]
pub struct OrgQuery {
    kind: Option<String>,
}

fn unit_row(tr: Tr, unit: &OrgUnit, depth: usize) -> Row {
    Row {
        cells: vec![
            Cell::user(unit.name.clone()).link(format!("/org/{}", unit.code)),
            Cell::ui(tr.t(unit.kind.label_key())),
            Cell::ui(unit.code.clone()),
            Cell::ui(area_text(tr, unit.area_m2).unwrap_or_default()),
        ],
        depth,
    }
}

fn unit_head(tr: Tr) -> Vec<&'static str> {
    vec![
        tr.t("unit.name"),
        tr.t("unit.kind"),
        tr.t("unit.code"),
        tr.t("unit.area"),
    ]
}

pub async fn tree(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(query): Query<OrgQuery>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let kind = query.kind.as_deref().and_then(OrgKind::parse);
    let scope = me.scope();
    let units = app
        .store
        .read(move |conn| org::list(conn, &scope, kind))
        .await?;
    let top = units.iter().map(|u| u.path.depth()).min().unwrap_or(1);
    let rows = units
        .iter()
        .map(|unit| {
            unit_row(
                tr,
                unit,
                if kind.is_some() {
                    0
                } else {
                    unit.path.depth() - top
                },
            )
        })
        .collect();
    let mut kinds = vec![("/org".to_owned(), tr.t("org.all"), kind.is_none())];
    kinds.extend(
        [OrgKind::Street, OrgKind::Community, OrgKind::Grid]
            .into_iter()
            .map(|k| {
                (
                    format!("/org?kind={}", k.as_str()),
                    tr.t(k.label_key()),
                    kind == Some(k),
                )
            }),
    );
    render(&OrgPage {
        chrome: Chrome::new(&me.ctx, tr.t("org.title")),
        kinds,
        table: Table::new(unit_head(tr), rows, tr.t("org.none")),
    })
}

#[derive(Template)]
#[template(path = "org/unit.html")]
struct UnitPage {
    chrome: Chrome,
    unit: OrgUnit,
    kind: &'static str,
    area: Option<String>,
    children: Table,
    people: Option<Table>,
}

/// A code from the address bar, refused with the digit rule it breaks.
fn checked_code(app: &AppState, code: &str) -> Result<String, Failure> {
    OrgCode::parse(code, &app.store.config().grid_format)
        .map(|parsed| parsed.to_string())
        .map_err(|error| {
            Failure::Refused(Refusal::BadCode {
                code: code.to_owned(),
                error,
            })
        })
}

pub async fn unit(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(code): Path<String>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let code = checked_code(&app, &code)?;
    let scope = me.scope();
    let see_people = me.principal.role().can(Capability::ViewUsers);
    let (unit, children, people) = app
        .store
        .read(move |conn| {
            let unit = org::get_by_code(conn, &scope, &code)?;
            let children = org::children(conn, &scope, &unit)?;
            let people = if see_people {
                let here = unit.id;
                users::list(conn, &scope)?
                    .into_iter()
                    .filter(|u| u.org_unit_id == here)
                    .collect()
            } else {
                Vec::new()
            };
            Ok((unit, children, people))
        })
        .await?;
    let people = see_people.then(|| {
        Table::new(
            vec![tr.t("field.display_name_label"), tr.t("users.role")],
            people
                .iter()
                .map(|p| {
                    Row::new(vec![
                        Cell::user(p.display_name.clone()).link(format!("/users/{}", p.username)),
                        Cell::ui(tr.t(p.role.label_key())),
                    ])
                })
                .collect(),
            tr.t("users.none"),
        )
    });
    render(&UnitPage {
        chrome: Chrome::for_record(&me.ctx, unit.name.clone()),
        kind: tr.t(unit.kind.label_key()),
        area: area_text(tr, unit.area_m2),
        children: Table::new(
            unit_head(tr),
            children.iter().map(|c| unit_row(tr, c, 0)).collect(),
            tr.t("org.no_children"),
        ),
        people,
        unit,
    })
}

/// The unit's boundary as a GeoJSON Feature.
pub async fn boundary(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(code): Path<String>,
) -> Result<Response, Failure> {
    let code = checked_code(&app, &code)?;
    let scope = me.scope();
    let (unit, shape) = app
        .store
        .read(move |conn| {
            let unit = org::get_by_code(conn, &scope, &code)?;
            let shape = org::boundary(conn, &scope, &unit)?;
            Ok((unit, shape))
        })
        .await?;
    let shape = shape.ok_or(Failure::NotFound)?;
    let geometry: serde_json::Value =
        serde_json::from_str(&shape).map_err(|_| Failure::Internal)?;
    let feature = serde_json::json!({
        "type": "Feature",
        "properties": { "code": unit.code, "name": unit.name, "kind": unit.kind.as_str() },
        "geometry": geometry,
    });
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        feature.to_string(),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct LocateQuery {
    lon: Option<f64>,
    lat: Option<f64>,
}

/// `GET /api/locate?lon=..&lat=..`: the grid holding a point, or `null` with a message.
pub async fn locate(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(query): Query<LocateQuery>,
) -> Result<Response, Failure> {
    let (Some(lon), Some(lat)) = (query.lon, query.lat) else {
        return Err(Failure::Invalid("locate.need_point"));
    };
    if !jiedao_geo::on_earth(lon, lat) {
        return Err(Failure::Invalid("locate.out_of_range"));
    }
    let grid = app.store.locate(lon, lat).await?;
    let body = match grid {
        Some(grid) => serde_json::json!({ "grid": { "code": grid.code, "name": grid.name } }),
        None => serde_json::json!({ "grid": null, "message": me.ctx.tr().t("locate.no_grid") }),
    };
    Ok(Json(body).into_response())
}
