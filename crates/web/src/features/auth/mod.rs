//! Signing in and out: the login page, logout, the language switch, the site's root (which
//! sends people home or to the login page), and `POST /api/v1/login` for staff systems.

pub mod api;
pub mod lang;
pub mod login;

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use utoipa_axum::routes;

use super::Routes;
use crate::context::Ctx;

async fn root(ctx: Ctx) -> Response {
    let target = if ctx.session.is_some() {
        "/home"
    } else {
        "/login"
    };
    Redirect::to(target).into_response()
}

pub fn routes() -> Routes {
    Routes::default()
        .page("/", get(root))
        .page("/login", get(login::form).post(login::submit))
        .page("/logout", post(login::logout))
        .page("/lang/{tag}", get(lang::switch))
        .api(routes!(api::login))
}
