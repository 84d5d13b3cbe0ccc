//! jiedao over HTTP: server-rendered pages in Chinese first, sessions and CSRF, security
//! headers. Handlers are grouped by feature under [`pages`]; the frame around every page is
//! [`layout`]; failures become pages written for people in [`failure`].

pub mod api;
pub mod assets;
pub mod chart;
pub mod context;
pub mod cookies;
pub mod csrf;
pub mod deliver;
pub mod download;
pub mod failure;
pub mod jobs;
pub mod layout;
pub mod limit;
pub mod map;
pub mod open311;
pub mod pages;
pub mod present;
pub mod security;
pub mod table;
pub mod tr;
pub mod upload;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiedao_store::Store;
use tokio::net::TcpListener;

use crate::context::Ctx;
use crate::failure::Failure;

/// The largest request body: a form with several photos. Each file is also limited by the store.
const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// How the web side behaves in this deployment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies Secure (sent over HTTPS only). Turn off only for a plain-HTTP intranet.
    pub cookie_secure: bool,
    /// Take the client address from `X-Forwarded-For` (behind a reverse proxy you run).
    pub trust_proxy: bool,
    /// Requests a minute each caller of Open311 and the JSON API may make (a minute's worth
    /// at once); more are answered 429.
    pub api_per_minute: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            cookie_secure: true,
            trust_proxy: false,
            api_per_minute: 600,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// Parsed grid boundaries for maps and report forms.
    pub areas: Arc<map::AreaCache>,
    /// Request allowances of Open311 and API callers.
    pub limiter: Arc<limit::Limiter>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            limiter: Arc::new(limit::Limiter::new(config.api_per_minute)),
            config: Arc::new(config),
            areas: Arc::default(),
        }
    }
}

async fn root(ctx: Ctx) -> Response {
    let target = if ctx.session.is_some() {
        "/home"
    } else {
        "/login"
    };
    Redirect::to(target).into_response()
}

async fn not_found() -> Failure {
    Failure::NotFound
}

/// Every route. Middleware runs outermost first: security headers, the request context
/// (language, session, client address), failure pages, then the CSRF check.
pub fn router(state: AppState) -> Router {
    use pages::cases::{act, detail, intake, list};
    use pages::{
        admin, attachments, audit, dashboard, home, hotline, inbox, lang, login, org, public, users,
    };
    Router::new()
        .route("/", get(root))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{tag}", get(lang::switch))
        .route("/home", get(home::page))
        .route("/me", get(users::me))
        .route("/me/data.json", get(users::my_data))
        .route("/me/erase", post(users::erase_me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{username}", get(users::show))
        .route("/org", get(org::tree))
        .route(
            "/org/import",
            get(pages::boundaries::form).post(pages::boundaries::submit),
        )
        .route("/org/{code}", get(org::unit))
        .route("/org/{code}/boundary.geojson", get(org::boundary))
        .route("/audit", get(audit::recent))
        .route("/inbox", get(inbox::page))
        .route("/dashboard", get(dashboard::show))
        .route("/stats", get(pages::stats::page::show))
        .route("/stats/cases", get(pages::stats::cases::show))
        .route("/stats/bulletin", get(pages::stats::bulletin::show))
        .route("/stats/bulletin.xlsx", get(pages::stats::bulletin::xlsx))
        .route("/stats/bulletin.docx", get(pages::stats::bulletin::word))
        .route(
            "/admin/platforms",
            get(pages::platforms::list).post(pages::platforms::activate),
        )
        .route(
            "/visits",
            get(pages::visits::list).post(pages::visits::record),
        )
        .route("/map", get(pages::map::show))
        .route("/cases", get(list::list))
        .route("/cases/export.xlsx", get(list::export))
        .route("/cases/bulk/dispatch", post(pages::cases::bulk::dispatch))
        .route(
            "/cases/new",
            get(intake::staff_form).post(intake::staff_submit),
        )
        .route("/cases/{id}", get(detail::show))
        .route("/cases/{id}/act/{action}", post(act::submit))
        .route("/cases/{id}/reveal", post(detail::reveal))
        .route("/report", get(public::form).post(public::submit))
        .route(
            "/report/grid",
            get(intake::grid_form).post(intake::grid_submit),
        )
        .route("/follow/{token}", get(public::follow))
        .route("/follow/{token}/{action}", post(public::follow_act))
        .route("/follow/{token}/photos/{id}", get(public::follow_photo))
        .route("/attachments/{id}/{variant}", get(attachments::serve))
        .route("/import/hotline", get(hotline::form).post(hotline::submit))
        .route("/import/jobs/{id}", get(hotline::job))
        .route("/admin/categories", get(admin::categories))
        .route(
            "/admin/categories/{code}",
            get(admin::category).post(admin::save_category),
        )
        .route(
            "/admin/calendar",
            get(admin::calendar).post(admin::import_calendar),
        )
        .route(
            "/admin/clients",
            get(admin::clients).post(admin::create_client),
        )
        .route("/api/locate", get(org::locate))
        .route("/api/docs", get(pages::apidocs::show))
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/{*path}", get(assets::serve))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
        .layer(from_fn(csrf::verify))
        .layer(from_fn(failure::render_failures))
        .layer(from_fn_with_state(state.clone(), context::load))
        .merge(api::router())
        .merge(open311::router())
        .layer(from_fn(security::headers))
        .with_state(state)
}

/// Serves until `shutdown` completes, with `jobs` ([`jobs::registry`] and any schedules)
/// running beside.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    jobs: jiedao_store::jobs::Registry,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let runner = state.store.run_jobs(jobs);
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    runner.abort();
    served
}

#[cfg(test)]
mod tests {
    use jiedao_core::i18n::{Lang, catalog};

    /// Every dotted string literal in the sources and templates that names a message exists in
    /// both languages.
    #[test]
    fn every_key_the_pages_use_is_translated() {
        fn read_all(dir: &std::path::Path, texts: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    read_all(&path, texts);
                } else {
                    texts.push(std::fs::read_to_string(&path).expect("read"));
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        read_all(&root.join("src"), &mut texts);
        read_all(&root.join("templates"), &mut texts);
        let mut missing = Vec::new();
        for text in &texts {
            for literal in text.split('"').skip(1).step_by(2) {
                let looks_like_key = literal.contains('.')
                    && literal.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                    && literal.starts_with(|c: char| c.is_ascii_lowercase())
                    && !literal.ends_with('.')
                    && ![".html", ".css", ".js", ".json", ".geojson", ".xml"]
                        .iter()
                        .any(|ext| literal.ends_with(ext));
                if looks_like_key {
                    for lang in Lang::ALL {
                        if !catalog(lang).contains_key(literal) {
                            missing.push(format!("{}: {literal}", lang.tag()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    }
}
