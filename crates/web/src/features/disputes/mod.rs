//! Disputes (矛盾纠纷调解): the ledger within reach with its filters and .xlsx export, the
//! registration form and the import of a committee's Excel ledger, a dispute's page with a form for each action, the 调解协议书 as Word,
//! the figures page, and `/api/v1/disputes` for other systems.

pub mod api;
pub mod body;
pub mod document;
pub mod figures;
pub mod import;
pub mod list;
pub mod record;

use axum::routing::{get, post};
use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/disputes", get(list::page).post(list::register))
        .page("/disputes/export.xlsx", get(list::export))
        .page("/disputes/figures", get(figures::page))
        .page("/disputes/import", get(import::form).post(import::submit))
        .page("/disputes/{id}", get(record::page))
        .page("/disputes/{id}/act", post(record::act))
        .page("/disputes/{id}/agreement.docx", get(document::agreement))
        .api(routes!(api::list, api::register))
        .api(routes!(api::figures))
        .api(routes!(api::kinds))
        .api(routes!(api::one))
        .api(routes!(api::act))
}
