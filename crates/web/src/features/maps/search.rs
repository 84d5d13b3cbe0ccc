//! The map's search over addresses (`/map/search.json?q=`): registry places (人房企物) the
//! reader may see whose address holds the words and which have a point, at most ten. The map
//! searches grids and the base layers' names itself; this adds what only the registry knows.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use jiedao_core::Capability;
use jiedao_store::registry::places::{self, PlaceQuery};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;

/// The most places one search answers.
const FOUND: i64 = 10;

#[derive(Debug, Deserialize)]
pub struct Words {
    #[serde(default)]
    q: String,
}

/// A place found, where the map can show it.
#[derive(Debug, Serialize)]
struct Found {
    name: String,
    lon: f64,
    lat: f64,
}

pub async fn places(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(words): Query<Words>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let words = words.q.trim().to_owned();
    if words.is_empty() {
        return Ok(Json(Vec::<Found>::new()).into_response());
    }
    let scope = me.scope();
    let query = PlaceQuery {
        address: Some(words),
        limit: FOUND * 3,
        ..PlaceQuery::default()
    };
    let found = app
        .store
        .read(move |conn| places::search(conn, &scope, &query))
        .await?;
    let found: Vec<Found> = found
        .into_iter()
        .filter_map(|place| {
            Some(Found {
                lon: place.lon?,
                lat: place.lat?,
                name: place.address,
            })
        })
        .take(usize::try_from(FOUND).unwrap_or(10))
        .collect();
    Ok(Json(found).into_response())
}
