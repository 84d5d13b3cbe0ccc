//! The JSON API for other systems (`/api/v1/...`): intake clients (sensor platforms, the
//! 12345 hotline's system) with their client token, and staff systems with a token from
//! `POST /api/v1/login`, which carries the same person, scope and role rules as the pages.
//! There are no cookies, so no CSRF. Errors are JSON, written in the language of
//! `Accept-Language`; every operation is described in the OpenAPI document ([`doc`]).
//!
//! This module holds what every API operation shares (errors, extractors, the allowance);
//! the operations themselves belong to their features (`features/*/api.rs`).

pub mod doc;
pub mod photos;

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiedao_core::{Lang, Localized, RefusalKind};
use jiedao_store::clients::IntakeClient;
use jiedao_store::{Principal, StoreError};
use serde::Serialize;

use crate::AppState;
use crate::errors;

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
    /// Seconds to wait, for 429.
    pub retry_after: Option<u64>,
}

/// What a failed call answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code, e.g. `unauthorized`, `refusal.out_of_scope`.
    pub error: String,
    /// What went wrong, in the caller's language.
    pub message: String,
}

impl ApiError {
    /// A refusal of `kind` (which sets the status, [`crate::errors`]), named by `code` and
    /// told by the message at `key`.
    pub fn new(kind: RefusalKind, code: &'static str, lang: Lang, key: &str) -> ApiError {
        ApiError {
            status: errors::status(kind),
            code,
            message: jiedao_core::i18n::text(lang, key).to_owned(),
            retry_after: None,
        }
    }

    /// A request that does not read: its query, path or body, with what the parser said.
    pub fn bad_request(lang: Lang, detail: &str) -> ApiError {
        ApiError {
            message: format!(
                "{}: {detail}",
                jiedao_core::i18n::text(lang, "api.bad_request")
            ),
            ..ApiError::new(
                RefusalKind::Malformed,
                "bad_request",
                lang,
                "api.bad_request",
            )
        }
    }

    /// A body that does not read as the JSON the operation takes, with what the parser said.
    pub fn bad_json(lang: Lang, detail: &str) -> ApiError {
        ApiError {
            message: format!(
                "{}: {detail}",
                jiedao_core::i18n::text(lang, "api.bad_json")
            ),
            ..ApiError::new(RefusalKind::Malformed, "bad_json", lang, "api.bad_json")
        }
    }

    /// A store error: a refusal with the status of its kind and its message; anything else
    /// as a 500 whose cause stays in the log.
    pub fn from_store(error: StoreError, lang: Lang) -> ApiError {
        match error {
            StoreError::Refused(refusal) => ApiError {
                status: errors::status(refusal.kind()),
                code: refusal.message_key(),
                message: refusal.localize(lang),
                retry_after: None,
            },
            fault => {
                tracing::error!(error = %fault, "api fault");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "internal",
                    message: jiedao_core::i18n::text(lang, "error.internal").to_owned(),
                    retry_after: None,
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl ApiError {
    /// 429: wait `seconds`.
    pub fn too_many(seconds: u64, lang: Lang) -> ApiError {
        ApiError {
            retry_after: Some(seconds),
            ..ApiError::new(
                RefusalKind::TooMany,
                "too_many_requests",
                lang,
                "open311.too_many",
            )
        }
    }
}

/// Takes one request from a caller's allowance, or answers 429.
pub fn limit(app: &AppState, caller: &str, lang: Lang) -> Result<(), ApiError> {
    app.limiter
        .check(caller)
        .map_err(|wait| ApiError::too_many(wait, lang))
}

/// The caller's address (the peer's, or `X-Forwarded-For`'s behind a trusted proxy).
#[derive(Debug, Clone)]
pub struct Address(pub Option<String>);

impl FromRequestParts<AppState> for Address {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Address(address(parts, app)))
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A person signed in through `POST /api/v1/login`, calling with their token.
#[derive(Debug, Clone)]
pub struct Staff {
    pub principal: Principal,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang(&parts.headers);
        let unauthorized = || {
            ApiError::new(
                RefusalKind::Unauthenticated,
                "unauthorized",
                lang,
                "api.unauthorized",
            )
        };
        // The allowance is the account's once the token proves one (however many sessions
        // it has), else the address's: a random token per request is no way around it.
        let session = match bearer(parts) {
            Some(token) => app
                .store
                .session(token)
                .await
                .map_err(|error| ApiError::from_store(error, lang))?,
            None => None,
        };
        let Some(session) = session else {
            anonymous_limit(parts, app, lang)?;
            return Err(unauthorized());
        };
        let account = session
            .principal
            .user_id()
            .map_or_else(String::new, |id| id.to_string());
        limit(app, &format!("account:{account}"), lang)?;
        Ok(Staff {
            principal: session.principal,
            lang,
        })
    }
}

/// Takes one request from the allowance of a caller without valid credentials: its address.
fn anonymous_limit(parts: &Parts, app: &AppState, lang: Lang) -> Result<(), ApiError> {
    let address = address(parts, app).unwrap_or_else(|| "unknown".to_owned());
    limit(app, &format!("address:{address}"), lang)
}

fn address(parts: &Parts, app: &AppState) -> Option<String> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0);
    crate::context::client_ip(&parts.headers, peer, app.config.trust_proxy)
}

/// A query string read into `T`; one that does not read is a JSON 400.
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or_default())
            .map(Params)
            .map_err(|error| ApiError::bad_request(lang(&parts.headers), &error.to_string()))
    }
}

/// The largest JSON body (axum's default for `Json`).
const JSON_LIMIT: usize = 2 * 1024 * 1024;

/// A JSON body read into `T`; one that does not read is a JSON 400.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = lang(request.headers());
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, JSON_LIMIT)
            .await
            .map_err(|error| ApiError::bad_json(lang, &error.to_string()))?;
        // A NUL (`\u0000`) is kept by no text ([`jiedao_core::limits::storable`]).
        if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
            return Err(ApiError::bad_json(lang, "\\u0000"));
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(ApiError::bad_json(lang, &rejection.body_text())),
        }
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
        let lang = lang(&parts.headers);
        let found = match bearer(parts) {
            Some(token) => app
                .store
                .client(token)
                .await
                .map_err(|error| ApiError::from_store(error, lang))?,
            None => None,
        };
        match found {
            Some(client) => {
                limit(app, &format!("client:{}", client.id), lang)?;
                Ok(Client(client))
            }
            None => {
                anonymous_limit(parts, app, lang)?;
                Err(ApiError::new(
                    RefusalKind::Unauthenticated,
                    "unauthorized",
                    lang,
                    "api.unauthorized",
                ))
            }
        }
    }
}
