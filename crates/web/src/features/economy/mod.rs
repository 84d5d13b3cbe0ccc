//! The economy (经济指标): `/api/v1/economy/...` for other systems, a street's indicator
//! figures for a month (1-N月, growth, completion, and the versions each used) and the
//! district's ranking by an indicator.

pub mod api;

use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .api(routes!(api::figures))
        .api(routes!(api::ranking))
}
