//! The JSON API for other systems (`/api/v1/...`): sensor platforms, the 12345 hotline's
//! system. Clients authenticate with a bearer token; there are no cookies, so no CSRF. Errors
//! are JSON, written in the language of `Accept-Language`.

pub mod intake;

use axum::Json;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use jiedao_core::{Lang, Localized};
use jiedao_store::clients::IntakeClient;
use jiedao_store::{Refusal, StoreError};

use crate::AppState;

/// The reader's language for messages, from `Accept-Language`.
pub fn lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// An API failure, answered as `{"error": code, "message": text}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, lang: Lang, key: &str) -> ApiError {
        ApiError {
            status,
            code,
            message: jiedao_core::i18n::text(lang, key).to_owned(),
        }
    }

    /// A store error: refusals as 422 with their message, anything else as a hidden 500.
    pub fn from_store(error: StoreError, lang: Lang) -> ApiError {
        match error {
            StoreError::Refused(refusal) => ApiError {
                status: match refusal {
                    Refusal::NotAllowed | Refusal::OutOfScope => StatusCode::FORBIDDEN,
                    Refusal::NotFound { .. } => StatusCode::NOT_FOUND,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                },
                code: refusal.message_key(),
                message: refusal.localize(lang),
            },
            fault => {
                tracing::error!(error = %fault, "api fault");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    lang,
                    "error.internal",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

/// A request from an intake client, identified by its bearer token.
#[derive(Debug, Clone)]
pub struct Client(pub IntakeClient);

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let directory = app.store.clients();
        match token.and_then(|t| directory.authenticate(t)) {
            Some(client) => Ok(Client(client.clone())),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                lang(&parts.headers),
                "api.unauthorized",
            )),
        }
    }
}

/// The API's routes. Only security headers wrap them: no session, cookies or CSRF.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/cases", post(intake::create))
}
