//! Each person's home page (首页): their place in the organisation and what their role works on.

pub mod page;

use axum::routing::get;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default().page("/home", get(page::page))
}
