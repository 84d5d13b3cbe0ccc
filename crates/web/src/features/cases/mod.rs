//! Cases (案件), from intake to follow-up, for staff: the list, the map, the inbox and the
//! dashboard, one case and acting on it, intake by staff and grid workers, photos, and the
//! same cases and actions for staff systems and intake clients through the JSON API.

pub mod act;
pub mod action;
pub mod api;
pub mod attachments;
pub mod bulk;
pub mod dashboard;
pub mod detail;
pub mod inbox;
pub mod intake;
pub mod intake_api;
pub mod list;
pub mod map;
pub mod report_form;
pub mod sheet;
pub mod timeline;

use axum::routing::{get, post};
use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/inbox", get(inbox::page))
        .page("/inbox/events", get(inbox::events))
        .page("/dashboard", get(dashboard::show))
        .page("/map", get(map::show))
        .page("/cases", get(list::list))
        .page("/cases/export.xlsx", get(list::export))
        .page("/cases/places.json", get(list::places))
        .page("/cases/bulk/dispatch", post(bulk::dispatch))
        .page(
            "/cases/new",
            get(intake::staff_form).post(intake::staff_submit),
        )
        .page("/cases/{id}", get(detail::show))
        .page("/cases/{id}/sheet", get(sheet::show))
        .page("/cases/{id}/act/{action}", post(act::submit))
        .page("/cases/{id}/reveal", post(detail::reveal))
        .page(
            "/report/grid",
            get(intake::grid_form).post(intake::grid_submit),
        )
        .page("/attachments/{id}/{variant}", get(attachments::serve))
        .api(routes!(api::list, intake_api::create))
        .api(routes!(api::show))
        .api(routes!(api::reveal))
        .api(routes!(api::act))
}
