//! Why a request failed, and the page (or JSON) that tells the person so.
//!
//! Handlers return [`Failure`] with `?`; it travels out as a marked response, and
//! [`render_failures`], which knows the reader's language and session, turns it into a page
//! written for people: what went wrong and what to do. Faults are logged, never shown. The
//! status of each failure is its refusal kind's, as the error policy ([`crate::errors`]) says.

use axum::Json;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiedao_core::{Localized, RefusalKind};
use jiedao_store::{Refusal, StoreError};

use crate::context::Ctx;
use crate::errors;
use crate::widgets::layout::Chrome;

#[derive(Debug, Clone)]
pub enum Failure {
    /// Nobody is logged in: go to the login page and come back.
    LoginRequired,
    /// The store refused, for a reason people can read.
    Refused(Refusal),
    NotFound,
    /// The form's CSRF token is missing or wrong (usually a page left open too long).
    Csrf,
    /// What was sent breaks a rule the page checks itself; the key names the message.
    Invalid(&'static str),
    /// The request itself does not read (a form that is not one); the key names the message.
    Malformed(&'static str),
    /// Too many requests from this address or account; try again after this many seconds.
    TooMany(u64),
    /// Something broke on our side; the cause is in the log.
    Internal,
}

impl Failure {
    /// The kind of refusal this is; none for a fault.
    pub fn kind(&self) -> Option<RefusalKind> {
        Some(match self {
            Failure::LoginRequired => RefusalKind::Unauthenticated,
            Failure::Refused(refusal) => refusal.kind(),
            Failure::NotFound => RefusalKind::NotFound,
            Failure::Csrf => RefusalKind::NotPermitted,
            Failure::Invalid(_) => RefusalKind::Invalid,
            Failure::Malformed(_) => RefusalKind::Malformed,
            Failure::TooMany(_) => RefusalKind::TooMany,
            Failure::Internal => return None,
        })
    }

    pub fn status(&self) -> StatusCode {
        self.kind()
            .map_or(StatusCode::INTERNAL_SERVER_ERROR, errors::status)
    }

    /// A short machine-readable name, for JSON answers.
    fn code(&self) -> &'static str {
        match self {
            Failure::LoginRequired => "login_required",
            Failure::Refused(refusal) => refusal.message_key(),
            Failure::NotFound => "not_found",
            Failure::Csrf => "csrf",
            Failure::Invalid(key) | Failure::Malformed(key) => key,
            Failure::TooMany(_) => "too_many_requests",
            Failure::Internal => "internal",
        }
    }

    /// The heading and the message, in the reader's language.
    fn words(&self, ctx: &Ctx) -> (&'static str, String) {
        let tr = ctx.tr();
        match self {
            Failure::Refused(refusal) if refusal.kind() == RefusalKind::NotPermitted => {
                ("error.forbidden_title", refusal.localize(ctx.lang))
            }
            Failure::Refused(refusal) => ("error.refused_title", refusal.localize(ctx.lang)),
            Failure::NotFound => ("error.not_found_title", tr.t("error.not_found").to_owned()),
            Failure::Csrf => ("error.csrf_title", tr.t("error.csrf").to_owned()),
            Failure::Invalid(key) | Failure::Malformed(key) => {
                ("error.refused_title", tr.t(key).to_owned())
            }
            Failure::LoginRequired => ("error.login_title", tr.t("error.login").to_owned()),
            Failure::TooMany(seconds) => (
                "error.too_many_title",
                tr.f("error.too_many", &[("seconds", seconds.to_string())]),
            ),
            Failure::Internal => ("error.internal_title", tr.t("error.internal").to_owned()),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(refusal) => Failure::Refused(refusal),
            StoreError::NotFound => Failure::NotFound,
            fault => {
                tracing::error!(error = %fault, "store fault");
                Failure::Internal
            }
        }
    }
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Self {
        Failure::Refused(refusal)
    }
}

impl From<askama::Error> for Failure {
    fn from(error: askama::Error) -> Self {
        tracing::error!(%error, "template failed");
        Failure::Internal
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    message: String,
}

/// Turns a marked failure into what the reader sees: a login redirect, a page, or JSON.
pub async fn render_failures(request: Request, next: Next) -> Response {
    let ctx = request.extensions().get::<Ctx>().cloned();
    let is_get = request.method() == Method::GET || request.method() == Method::HEAD;
    let response = next.run(request).await;
    let (Some(failure), Some(ctx)) = (response.extensions().get::<Failure>().cloned(), ctx) else {
        return response;
    };
    let status = failure.status();
    let (title_key, message) = failure.words(&ctx);
    let retry_after = |mut response: Response| {
        if let Failure::TooMany(seconds) = &failure {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(*seconds));
        }
        response
    };
    if ctx.path.starts_with("/api/") {
        let body = serde_json::json!({ "error": failure.code(), "message": message });
        return retry_after((status, Json(body)).into_response());
    }
    if let Failure::LoginRequired = failure {
        let back = if is_get { ctx.path.as_str() } else { "/home" };
        let query = serde_urlencoded::to_string([("next", back)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{query}")).into_response();
    }
    let page = ErrorPage {
        chrome: Chrome::new(&ctx, ctx.tr().t(title_key)),
        message,
    };
    match askama::Template::render(&page) {
        Ok(html) => {
            let mut out = (status, Html(html)).into_response();
            out.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            retry_after(out)
        }
        Err(error) => {
            tracing::error!(%error, "error page failed");
            status.into_response()
        }
    }
}
