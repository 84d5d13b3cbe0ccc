//! The organisation (组织架构): the tree within reach, one unit with its boundary, importing
//! boundary files, locating a point, and the units and departments for staff systems' API.

pub mod api;
pub mod boundaries;
pub mod pages;

use axum::routing::get;
use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/org", get(pages::tree))
        .page(
            "/org/import",
            get(boundaries::form).post(boundaries::submit),
        )
        .page("/org/{code}", get(pages::unit))
        .page("/org/{code}/boundary.geojson", get(pages::boundary))
        .page("/api/locate", get(pages::locate))
        .api(routes!(api::org))
        .api(routes!(api::departments))
}
