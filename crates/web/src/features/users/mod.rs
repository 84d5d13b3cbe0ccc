//! Users (用户管理) and one's own account (`/me`): the list within one's scope, one user's
//! details, creating users, an administrator's steps on one user, and a resident's own data
//! and its erasure.

pub mod manage;
pub mod pages;

use axum::routing::{get, post};

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/me", get(pages::me))
        .page("/me/data.json", get(pages::my_data))
        .page("/me/erase", post(pages::erase_me))
        .page("/users", get(pages::list).post(pages::create))
        .page("/users/{username}", get(pages::show))
        .page("/users/{username}/{step}", post(manage::act))
}
