//! Open reports near a point (附近已有的上报), shown on the report form before a resident sends
//! theirs: the same problem reported yesterday need not be reported again, and the resident
//! can follow the first. Public like the form, so it tells only what a passer-by could see:
//! the kind of problem, how far, how long ago, and that it is being dealt with; no words
//! anyone wrote, no number, no person.

use axum::Json;
use axum::extract::{Query, State};
use chrono::Duration;
use jiedao_store::cases::read;
use serde::{Deserialize, Serialize};

use super::progress::public_state;
use crate::AppState;
use crate::context::Ctx;
use crate::failure::Failure;
use crate::widgets::present::{category_name, time};

/// How far around the point, and how far back, reports count as nearby.
const RADIUS_M: f64 = 300.0;
const DAYS: i64 = 30;
const AT_MOST: usize = 10;

#[derive(Debug, Deserialize)]
pub struct NearbyQuery {
    lon: f64,
    lat: f64,
}

/// One open report near the point.
#[derive(Debug, Serialize)]
pub struct Nearby {
    category: String,
    state: &'static str,
    /// Metres, to the nearest ten.
    distance_m: u32,
    reported_at: String,
}

/// `GET /report/nearby.json?lon=&lat=`: the open reports within [`RADIUS_M`] of the point in
/// the last [`DAYS`] days, nearest first; none for a point in no grid.
pub async fn nearby(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(query): Query<NearbyQuery>,
) -> Result<Json<Vec<Nearby>>, Failure> {
    let tr = ctx.tr();
    if !jiedao_geo::on_earth(query.lon, query.lat) {
        return Ok(Json(Vec::new()));
    }
    let Some(grid) = app.store.locate(query.lon, query.lat).await? else {
        return Ok(Json(Vec::new()));
    };
    let since = app.store.now() - Duration::days(DAYS);
    let point = (query.lon, query.lat);
    let near = app
        .store
        .read(move |conn| read::open_near(conn, grid.street, point, RADIUS_M, since, AT_MOST))
        .await?;
    let catalog = app.store.catalog();
    Ok(Json(
        near.into_iter()
            .map(|(case, metres)| Nearby {
                category: category_name(&case, &catalog, tr),
                state: tr.t(public_state(case.state)),
                distance_m: rounded(metres),
                reported_at: time(case.reported_at),
            })
            .collect(),
    ))
}

/// Metres to the nearest ten.
fn rounded(metres: f64) -> u32 {
    let tens = (metres / 10.0).round().clamp(0.0, 1_000_000.0);
    // Clamped to 0..=1,000,000 and whole: the cast loses nothing.
    let tens = tens as u32;
    tens * 10
}
