//! Petitions (信访): the list with its filters (what is about to be late, 积案), registration from
//! every channel, a petition's page with its history and a form for each action open to the
//! reader, one file per petitioner (一人一档, every view audited), the figures against the same
//! period last year with links to the petitions counted, and `/api/v1/petitions` for other
//! systems.

pub mod api;
pub mod body;
pub mod documents;
pub mod pages;

use axum::routing::{get, post};
use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/petitions", get(pages::list).post(pages::register))
        .page("/petitions/export.xlsx", get(pages::export))
        .page("/petitions/figures", get(pages::figures))
        .page("/petitions/people/{id}", get(pages::file))
        .page("/petitions/people/{id}/plan", post(pages::set_plan))
        .page("/petitions/{id}", get(pages::record))
        .page("/petitions/{id}/act", post(pages::act))
        .page("/petitions/{id}/documents/{kind}", get(documents::download))
        .api(routes!(api::list, api::register))
        .api(routes!(api::figures))
        .api(routes!(api::one))
        .api(routes!(api::act))
}
