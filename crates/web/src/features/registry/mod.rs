//! The registry (人房企物): persons, places, office buildings, enterprises and components within
//! reach; a person's file across domains (一人一档), a place's history; the audited reveal of a
//! whole ID number and phone; imports of the communities' Excel ledgers and exports to .xlsx;
//! and `/api/v1/registry/...` for other systems.

pub mod api;
pub mod import;
pub mod lists;
pub mod person;
pub mod place;

use axum::routing::{get, post};
use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/registry", get(lists::persons).post(lists::add_person))
        .page("/registry/export.xlsx", get(lists::export))
        .page("/registry/places", get(lists::places))
        .page("/registry/buildings", get(lists::buildings))
        .page("/registry/enterprises", get(lists::enterprises))
        .page("/registry/components", get(lists::components))
        .page("/registry/persons/{id}", get(person::page))
        .page("/registry/persons/{id}/reveal", post(person::reveal))
        .page("/registry/link/{kind}/{id}", post(person::link))
        .page("/registry/places/{id}", get(place::page))
        .page("/registry/import", get(import::form).post(import::submit))
        .api(routes!(api::persons, api::add_person))
        .api(routes!(api::person))
        .api(routes!(api::reveal))
        .api(routes!(api::places))
        .api(routes!(api::buildings))
        .api(routes!(api::enterprises))
        .api(routes!(api::link))
}
