//! What residents do without being staff: report a problem (居民随手拍) on a public page and
//! follow it through a private link.

pub mod nearby;
pub mod pages;
pub mod progress;

use axum::routing::{get, post};

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/report", get(pages::form).post(pages::submit))
        .page("/report/nearby.json", get(nearby::nearby))
        .page("/follow/{token}", get(pages::follow))
        .page("/follow/{token}/{action}", post(pages::follow_act))
        .page("/follow/{token}/photos/{id}", get(pages::follow_photo))
}
