//! Logging in and out (登录, 退出).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::RefusalKind;
use jiedao_core::clock::CHINA;
use jiedao_store::LoginOutcome;
use serde::Deserialize;

use crate::AppState;
use crate::context::{Ctx, SignedIn, local_path};
use crate::cookies::{self, SetCookie};
use crate::errors;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

fn page(ctx: &Ctx, username: String, next: String, error: Option<String>) -> LoginPage {
    LoginPage {
        chrome: Chrome::new(ctx, ctx.tr().t("login.title")),
        username,
        next,
        error,
    }
}

pub async fn form(ctx: Ctx, Query(query): Query<LoginQuery>) -> Result<Response, Failure> {
    if let Some(principal) = ctx.principal() {
        return Ok(Redirect::to(super::landing(principal.role())).into_response());
    }
    let next = query
        .next
        .as_deref()
        .and_then(local_path)
        .unwrap_or("")
        .to_owned();
    render(&page(&ctx, String::new(), next, None))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, Failure> {
    let tr = ctx.tr();
    crate::limit::public_page(&app, crate::limit::Public::Login, &ctx)?;
    let refuse = |kind: RefusalKind, message: String| -> Result<Response, Failure> {
        let mut response = render(&page(
            &ctx,
            form.username.clone(),
            form.next.clone(),
            Some(message),
        ))?;
        *response.status_mut() = errors::status(kind);
        Ok(response)
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return refuse(RefusalKind::Invalid, tr.t("login.missing").to_owned());
    }
    match app
        .store
        .login_from(
            &form.username,
            &form.password,
            ctx.ip.clone(),
            cookies::get(&headers, cookies::DEVICE),
        )
        .await?
    {
        LoginOutcome::LoggedIn(session) => {
            let target =
                local_path(&form.next).unwrap_or_else(|| super::landing(session.principal.role()));
            let mut response = Redirect::to(target).into_response();
            let cookie = SetCookie {
                max_age: Some(app.store.config().session_hours * 3600),
                ..SetCookie::new(cookies::SESSION, session.token, app.config.cookie_secure)
            };
            let device = SetCookie {
                max_age: Some(365 * 24 * 3600),
                same_site: "Strict",
                ..SetCookie::new(cookies::DEVICE, session.device, app.config.cookie_secure)
            };
            for cookie in [cookie, device] {
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, cookie.header_value());
            }
            Ok(response)
        }
        LoginOutcome::WrongCredentials => {
            refuse(RefusalKind::Unauthenticated, tr.t("login.wrong").to_owned())
        }
        LoginOutcome::Locked { until } => {
            let until = until
                .with_timezone(&CHINA)
                .format("%Y-%m-%d %H:%M")
                .to_string();
            refuse(
                RefusalKind::TooMany,
                tr.f("login.locked", &[("until", until)]),
            )
        }
    }
}

pub async fn logout(
    State(app): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    if let Some(token) = cookies::get(&headers, cookies::SESSION) {
        app.store.logout(token, signed_in.actor()).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        SetCookie::removal(cookies::SESSION, app.config.cookie_secure).header_value(),
    );
    Ok(response)
}
