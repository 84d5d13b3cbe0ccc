//! Visits (走访记录) by grid workers, and the visits within reach for those who oversee them.

pub mod pages;

use axum::routing::get;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default().page("/visits", get(pages::list).post(pages::record))
}
