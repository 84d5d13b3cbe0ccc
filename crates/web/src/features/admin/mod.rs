//! Settings (系统设置) for administrators: categories with their time limits and questions,
//! the holiday calendar, intake clients, the platform set; and the category tree for staff
//! systems through the API.

pub mod api;
pub mod pages;
pub mod platforms;

use axum::routing::get;
use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page(
            "/admin/platforms",
            get(platforms::list).post(platforms::activate),
        )
        .page("/admin/categories", get(pages::categories))
        .page(
            "/admin/categories/{code}",
            get(pages::category).post(pages::save_category),
        )
        .page(
            "/admin/calendar",
            get(pages::calendar).post(pages::import_calendar),
        )
        .page(
            "/admin/clients",
            get(pages::clients).post(pages::create_client),
        )
        .api(routes!(api::categories))
}
