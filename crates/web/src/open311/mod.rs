//! Open311 GeoReport v2 under `/open311/v2/`: discovery, services and their definitions,
//! requests (create, list, read one), tokens, and the common extensions (paging,
//! updated_after/before, `extensions=true` with the case's history, servicerequestupdates).
//! Every answer comes in JSON and XML, chosen by the path's suffix; errors are the spec's
//! lists of code and description with the same HTTP status, for unknown paths too. Reading is
//! public (and open to browser applications on other sites: CORS) and shows no reporter's
//! details; creating needs an intake client's `api_key`.

pub mod reply;
pub mod requests;
pub mod services;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use chrono::{DateTime, SecondsFormat, Utc};
use jiedao_core::clock::CHINA;
use jiedao_core::{CategoryId, Lang, OrgKind, OrgUnitId, RefusalKind};
use jiedao_store::clients::IntakeClient;
use jiedao_store::{StoreError, org};
use utoipa_axum::router::OpenApiRouter;

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

    /// Takes one request from the caller's allowance: the intake client a checked key proved
    /// (its id), else the address.
    pub fn limit(
        &self,
        app: &AppState,
        format: Format,
        key: Option<&str>,
    ) -> Result<(), Open311Error> {
        let caller = key.map_or_else(|| format!("ip:{}", self.ip), |k| format!("client:{k}"));
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

/// Reads a `start_date`-style parameter: a W3C date and time with its zone. A client that
/// did not encode the zone's `+` sends a space in its place (`…T08:00:00 08:00`), which is
/// read as the `+` it was.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let read = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|at| at.with_timezone(&Utc))
    };
    read(text).or_else(|| {
        let (date, zone) = text.rsplit_once(' ')?;
        let looks_like_zone = zone.len() == 5 && zone.as_bytes().get(2) == Some(&b':');
        looks_like_zone.then(|| read(&format!("{date}+{zone}")))?
    })
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

/// Any other path or method under `/open311/v2/`: a 404 in the errors format, in the format
/// the path's suffix asks for, so a client's mistake reads like every other error.
async fn no_such_path(call: Call, uri: Uri) -> Open311Error {
    let format = match uri.path().rsplit('/').next().and_then(Format::split) {
        Some((_, format)) => format,
        None => Format::Json,
    };
    call.error(RefusalKind::NotFound, format, "open311.no_such_path")
}

/// CORS for reading: a browser application on another site may read what anyone may read
/// (`GET`), and its preflight is answered; posting stays with clients holding a key, which
/// are not browsers.
async fn cors(request: Request, next: Next) -> Response {
    let any_origin = HeaderValue::from_static("*");
    if request.method() == Method::OPTIONS {
        return (
            StatusCode::NO_CONTENT,
            [
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, any_origin),
                (
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, HEAD"),
                ),
                (
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("Accept, Accept-Language"),
                ),
                (
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("86400"),
                ),
            ],
        )
            .into_response();
    }
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    let mut response = next.run(request).await;
    if reading {
        response
            .headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, any_origin);
    }
    response
}

/// Open311's routes, beside the API's (no session or CSRF; not in the OpenAPI document).
/// Paths end in `.json` or `.xml`; the segment is split by each handler. `service/{code}`
/// (singular) is taken for `services/{code}`, a widespread client's spelling.
pub fn routes() -> Routes {
    let route = |handlers: MethodRouter<AppState>| handlers.fallback(no_such_path);
    let routes = OpenApiRouter::new()
        .route("/{file}", route(get(services::top).post(requests::create)))
        .route("/services/{file}", route(get(services::definition)))
        .route("/service/{file}", route(get(services::definition)))
        .route("/requests/{file}", route(get(requests::one)))
        .route("/tokens/{file}", route(get(requests::token)))
        .route("/media/{id}", route(get(requests::media)))
        .fallback(no_such_path)
        .layer(axum::middleware::from_fn(cors));
    Routes::default().machines_under(BASE, routes)
}
