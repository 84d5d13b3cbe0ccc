//! jiedao over HTTP: server-rendered pages in Chinese first, sessions and CSRF, security
//! headers, the JSON API and Open311. Each feature under [`features`] owns its routes (pages,
//! API operations, templates); this module only merges them and applies the middleware. What
//! pages are built from is in [`widgets`]; failures become pages written for people in
//! [`failure`].

pub mod api;
pub mod assets;
pub mod context;
pub mod cookies;
pub mod csrf;
pub mod deliver;
pub mod download;
pub mod errors;
pub mod failure;
pub mod features;
pub mod jobs;
pub mod limit;
pub mod open311;
pub mod security;
pub mod tr;
pub mod upload;
pub mod widgets;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::{Extension, Router};
use jiedao_store::Store;
use tokio::net::TcpListener;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

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
    /// Forms anyone may send without signing in (a resident's report, a follow-up, a login
    /// attempt) a minute from one address (a minute's worth at once); more are answered 429.
    pub public_per_minute: u32,
    /// The online base map, if the deployment has one; maps draw the uploaded base layers
    /// without it.
    pub tiles: Option<widgets::webmap::TileConfig>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            cookie_secure: true,
            trust_proxy: false,
            api_per_minute: 600,
            public_per_minute: 20,
            tiles: None,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// Parsed grid boundaries for maps and report forms.
    pub areas: Arc<widgets::map::AreaCache>,
    /// Request allowances of Open311 and API callers.
    pub limiter: Arc<limit::Limiter>,
    /// Allowances of signed-out forms, per client address.
    pub public_limiter: Arc<limit::Limiter>,
    /// The content security policy, which names the tile server's origins.
    pub policy: axum::http::HeaderValue,
    /// The live pages' event streams (the wall, the inbox), bounded.
    pub live: Arc<widgets::live::Live>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            limiter: Arc::new(limit::Limiter::new(config.api_per_minute)),
            public_limiter: Arc::new(limit::Limiter::new(config.public_per_minute)),
            policy: security::policy(config.tiles.as_ref()),
            config: Arc::new(config),
            areas: Arc::default(),
            live: Arc::default(),
        }
    }
}

async fn not_found() -> Failure {
    Failure::NotFound
}

/// Every feature's routes. Pages get, outermost first: the request context (language,
/// session, client address), failure pages, then the CSRF check; routes for other systems get
/// none of these. Security headers wrap both. The OpenAPI document the features' API
/// operations make is handed to every handler as an extension.
pub fn router(state: AppState) -> Router {
    let features = features::all();
    let (machines, document) = OpenApiRouter::with_openapi(api::doc::ApiDoc::openapi())
        .merge(features.machines)
        .split_for_parts();
    features
        .pages
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
        .layer(from_fn(csrf::verify))
        .layer(from_fn(failure::render_failures))
        .layer(from_fn_with_state(state.clone(), context::load))
        .merge(machines)
        .layer(Extension(Arc::new(document)))
        .layer(from_fn(security::refuse_nul))
        .layer(from_fn_with_state(state.clone(), security::headers))
        .with_state(state)
}

/// How often a server looks whether another process changed the reference data.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Serves until `shutdown` completes, with `jobs` ([`jobs::registry`] and any schedules)
/// running beside, and changes made by other processes (the command line) followed.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    jobs: jiedao_store::jobs::Registry,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let runner = state.store.run_jobs(jobs);
    let follower = state.store.follow_changes(FOLLOW_EVERY);
    // Live pages' streams never end by themselves: end them, or shutting down waits for them.
    let live = Arc::clone(&state.live);
    let shutdown = async move {
        shutdown.await;
        live.close();
    };
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    runner.abort();
    follower.abort();
    served
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use jiedao_core::i18n::{Lang, catalog};

    /// Every source and template of the crate, with its text.
    fn sources() -> Vec<(PathBuf, String)> {
        let mut found = Vec::new();
        let mut folders = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    let text = std::fs::read_to_string(&path).expect("read");
                    found.push((path, text));
                }
            }
        }
        found
    }

    /// Every dotted string literal in the sources and templates that names a message exists in
    /// both languages.
    #[test]
    fn every_key_the_pages_use_is_translated() {
        let mut missing = Vec::new();
        for (_, text) in &sources() {
            for literal in text.split('"').skip(1).step_by(2) {
                let looks_like_key = literal.contains('.')
                    && literal.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                    && literal.starts_with(|c: char| c.is_ascii_lowercase())
                    && !literal.ends_with('.')
                    && ![".html", ".css", ".js", ".json", ".geojson", ".xml", ".ico"]
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

    /// A scope comes from the reader's own session; no page or API call makes one up. What
    /// anyone may see has its own narrow store reader (`org::public_map`), and what a reader
    /// sees is read with their scope. (The name is split so this test does not find itself.)
    #[test]
    fn no_handler_mints_a_system_principal() {
        let minted = concat!("Principal::", "system");
        let found: Vec<String> = sources()
            .into_iter()
            .filter(|(_, text)| text.contains(minted))
            .map(|(path, _)| path.display().to_string())
            .collect();
        assert!(found.is_empty(), "{minted} in the web crate: {found:?}");
    }
}
