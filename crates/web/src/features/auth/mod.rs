//! Signing in and out: the login page, logout, the language switch, the site's root (which
//! sends people to their to-do list, or offers reporting a problem and signing in), and
//! `POST /api/v1/login` for staff systems.

pub mod api;
pub mod lang;
pub mod login;

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use utoipa_axum::routes;

use askama::Template;
use jiedao_core::{Capability, Role};

use super::Routes;
use crate::context::Ctx;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};

/// Where a person lands after signing in, or at the site's root: their to-do list (待办), not
/// the organisation's figures. Residents' to-do list is their own reports (我的上报);
/// administrators, who have no cases, land on the people they look after.
pub fn landing(role: Role) -> &'static str {
    if role.can(Capability::ViewInbox) {
        "/inbox"
    } else {
        "/users"
    }
}

#[derive(Template)]
#[template(path = "auth/welcome.html")]
struct WelcomePage {
    chrome: Chrome,
}

/// The site's root: a signed-in person goes to their landing page; anyone else is offered
/// reporting a problem first (most visitors are residents) and signing in second.
async fn root(ctx: Ctx) -> Result<Response, Failure> {
    if let Some(principal) = ctx.principal() {
        return Ok(Redirect::to(landing(principal.role())).into_response());
    }
    render(&WelcomePage {
        chrome: Chrome::new(&ctx, ctx.tr().t("welcome.title")),
    })
}

pub fn routes() -> Routes {
    Routes::default()
        .page("/", get(root))
        .page("/login", get(login::form).post(login::submit))
        .page("/logout", post(login::logout))
        .page("/lang/{tag}", get(lang::switch))
        .api(routes!(api::login))
}
