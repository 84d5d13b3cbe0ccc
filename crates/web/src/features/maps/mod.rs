//! Maps' own routes: the base layers (底图) an administrator uploads, lists and deletes; each
//! layer's GeoJSON for any map to draw; and the map search over registry addresses. The maps
//! themselves are drawn on the pages that show them (/map, the report forms, the follow page)
//! from `widgets::webmap`.

pub mod layers;
pub mod search;

use axum::routing::{get, post};

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/map/layers", get(layers::page).post(layers::upload))
        .page("/map/layers/{id}/delete", post(layers::remove))
        .page("/map/base/{id}", get(layers::geojson))
        .page("/map/search.json", get(search::places))
}
