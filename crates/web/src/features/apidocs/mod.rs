//! The API's description: the OpenAPI document at `/api/openapi.json` and the same document
//! as pages people read at `/api/docs`. The document is what the features' `routes!` declared,
//! handed to both handlers by the router as an extension.

pub mod page;

use axum::routing::get;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/api/docs", get(page::show))
        .machine("/api/openapi.json", get(page::openapi))
}
