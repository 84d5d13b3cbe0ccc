//! `POST /api/v1/login`: a staff system signs in as a person and gets a bearer token. The token
//! is a session like the pages' (the same lifetime, lockout and audit), so every API call runs
//! with that person's scope and role.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use jiedao_core::RefusalKind;
use jiedao_store::LoginOutcome;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{Address, ApiError, Body, ErrorBody, lang};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

/// A bearer token for `Authorization: Bearer …`, shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub username: String,
    /// The role's code, e.g. `dispatcher`.
    pub role: String,
}

/// Signs in and returns a token.
#[utoipa::path(post, path = "/api/v1/login", tag = "auth", request_body = LoginBody,
    security(()),
    responses(
        (status = 200, description = "Signed in", body = TokenView),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address, or under this username: wait as Retry-After says", body = ErrorBody)))]
pub async fn login(
    State(app): State<AppState>,
    headers: HeaderMap,
    Address(address): Address,
    Body(body): Body<LoginBody>,
) -> Result<Json<TokenView>, ApiError> {
    let lang = lang(&headers);
    crate::limit::public(&app, crate::limit::Public::Login, address.as_deref())
        .map_err(|wait| ApiError::too_many(wait, lang))?;
    let outcome = app
        .store
        .login(&body.username, &body.password, address)
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    match outcome {
        LoginOutcome::LoggedIn(session) => Ok(Json(TokenView {
            token: session.token,
            expires_at: session.expires_at,
            username: session.principal.username().to_owned(),
            role: session.principal.role().as_str().to_owned(),
        })),
        LoginOutcome::WrongCredentials => Err(ApiError::new(
            RefusalKind::Unauthenticated,
            "wrong_credentials",
            lang,
            "login.wrong",
        )),
        LoginOutcome::Locked { until } => Err(ApiError {
            retry_after: u64::try_from((until - app.store.now()).num_seconds().max(1)).ok(),
            ..ApiError::new(RefusalKind::TooMany, "locked", lang, "api.locked")
        }),
    }
}
