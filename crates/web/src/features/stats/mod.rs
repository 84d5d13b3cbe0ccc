//! Statistics and evaluation (统计考核): a unit's figures over any period against the same period
//! a year before, each with its formula and links to the cases counted; rankings with scores,
//! grades and the red and black lists; and the monthly bulletin (通报) as a page, an Excel
//! workbook and a Word document, all three drawn from the same tables; the same figures for
//! staff systems through the API.

pub mod api;
pub mod bulletin;
pub mod cases;
pub mod figures;
pub mod page;

use axum::routing::get;
use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/stats", get(page::show))
        .page("/stats/cases", get(cases::show))
        .page("/stats/bulletin", get(bulletin::show))
        .page("/stats/bulletin.xlsx", get(bulletin::xlsx))
        .page("/stats/bulletin.docx", get(bulletin::word))
        .api(routes!(api::show))
}
