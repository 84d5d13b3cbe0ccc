//! Webhook subscriptions for administrators' systems (API only): subscribe a street's case
//! events, list and end subscriptions, read each one's delivery log.

pub mod api;

use utoipa_axum::routes;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .api(routes!(api::list, api::create))
        .api(routes!(api::remove))
        .api(routes!(api::deliveries))
}
