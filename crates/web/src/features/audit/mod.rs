//! The audit log (操作日志) for administrators.

pub mod page;

use axum::routing::get;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default().page("/audit", get(page::recent))
}
