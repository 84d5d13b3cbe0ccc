//! Open311 GeoReport v2 under `/open311/v2/`: discovery, services and their definitions,
//! requests (create, list, read one), tokens, and the common extensions (paging,
//! updated_after/before, `extensions=true` with the case's history, servicerequestupdates).
//! Every answer comes in JSON and XML, chosen by the path's suffix; errors are the spec's
//! lists of code and description with the same HTTP status. Reading is public and shows no
//! reporter's details; creating needs an intake client's `api_key`.

pub mod reply;
pub mod requests;
pub mod services;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use jiedao_core::clock::CHINA;
use jiedao_core::{CategoryId, Lang, OrgKind, OrgUnitId, RefusalKind};
use jiedao_store::clients::IntakeClient;
use jiedao_store::{StoreError, org};

use crate::AppState;
use crate::features::Routes;
use reply::{Format, Open311Error};

/// Where the interface is served, for the links discovery gives.
pub const BASE: &str = "/open311/v2";

/// What every Open311 handler needs to know about its request.
#[derive(Debug, Clone)]
pub struct Call {
    pub lang: Lang,
    /// The client address, the rate-limit key of callers without an api_key.
    pub ip: String,
    /// `scheme://host` as the caller reached us, for absolute links.
    pub origin: String,
}

impl FromRequestParts<AppState> for Call {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        Ok(Call {
            lang: crate::api::lang(&parts.headers),
            ip,
            origin: format!(
                "{}://{host}",
                if app.config.cookie_secure {
                    "https"
                } else {
                    "http"
                }
            ),
        })
    }
}

impl Call {
    /// A refusal of `kind`, told by the message at `key`.
    pub fn error(&self, kind: RefusalKind, format: Format, key: &str) -> Open311Error {
        Open311Error::new(kind, format, jiedao_core::i18n::text(self.lang, key))
    }

    /// A store error: a refusal with the status of its kind; anything else as a 500 whose
    /// cause stays in the log.
    pub fn fault(&self, format: Format, error: StoreError) -> Open311Error {
        match error {
            StoreError::Refused(refusal) => {
                use jiedao_core::Localized;
                Open311Error::new(refusal.kind(), format, refusal.localize(self.lang))
            }
            fault => {
                tracing::error!(error = %fault, "open311 fault");
                Open311Error {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    format,
                    description: jiedao_core::i18n::text(self.lang, "error.internal").to_owned(),
                    retry_after: None,
                }
            }
        }
    }

    /// Takes one request from the caller's allowance (its key, else its address).
    pub fn limit(
        &self,
        app: &AppState,
        format: Format,
        key: Option<&str>,
    ) -> Result<(), Open311Error> {
        let caller = key.map_or_else(|| format!("ip:{}", self.ip), |k| format!("key:{k}"));
        app.limiter.check(&caller).map_err(|wait| Open311Error {
            retry_after: Some(wait),
            ..self.error(RefusalKind::TooMany, format, "open311.too_many")
        })
    }

    /// The intake client behind an `api_key`, or 403: GeoReport v2 answers a missing or unknown
    /// key so, for posting is what the key permits (the error policy's one Open311 rule).
    pub async fn client(
        &self,
        app: &AppState,
        format: Format,
        api_key: Option<&str>,
    ) -> Result<IntakeClient, Open311Error> {
        let found = match api_key {
            Some(key) => app
                .store
                .client(key)
                .await
                .map_err(|error| self.fault(format, error))?,
            None => None,
        };
        found.ok_or_else(|| self.error(RefusalKind::NotPermitted, format, "open311.bad_key"))
    }
}

/// An Open311 time: ISO 8601 with the zone (China's), to the second.
pub fn datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&CHINA)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Reads a `start_date`-style parameter: a W3C date and time with its zone.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// The street a `jurisdiction_id` names (its 12-digit code); `None` when not given.
pub async fn jurisdiction(
    app: &AppState,
    call: &Call,
    format: Format,
    id: Option<&str>,
) -> Result<Option<(OrgUnitId, String)>, Open311Error> {
    let Some(code) = id.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let lookup = code.to_owned();
    let unit = app
        .store
        .read(move |conn| org::current_by_code(conn, &lookup))
        .await
        .map_err(|e| call.fault(format, e))?;
    match unit.filter(|u| u.kind == OrgKind::Street) {
        Some(street) => Ok(Some((street.id, street.code))),
        None => Err(call.error(RefusalKind::NotFound, format, "open311.no_jurisdiction")),
    }
}

/// Every public leaf category's id: the cases Open311 may show.
pub fn public_categories(app: &AppState) -> Vec<CategoryId> {
    app.store
        .catalog()
        .leaves(true)
        .filter(|e| e.active)
        .map(|e| e.id)
        .collect()
}

/// Open311's routes, beside the API's (no session or CSRF; not in the OpenAPI document).
/// Paths end in `.json` or `.xml`; the segment is split by each handler.
pub fn routes() -> Routes {
    Routes::default()
        .machine(
            "/open311/v2/{file}",
            get(services::top).post(requests::create),
        )
        .machine("/open311/v2/services/{file}", get(services::definition))
        .machine("/open311/v2/requests/{file}", get(requests::one))
        .machine("/open311/v2/tokens/{file}", get(requests::token))
        .machine("/open311/v2/media/{id}", get(requests::media))
}
