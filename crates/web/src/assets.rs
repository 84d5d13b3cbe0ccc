//! Static files (CSS, scripts, icons), embedded in the binary, the web app manifest (which
//! makes the site installable on a phone's home screen, named in the reader's language), the
//! favicon, and the health check. Ours are in `static/`; the front-end packages from npm
//! (Leaflet and its plugins) are under `/static/vendor/`, embedded by `build.rs` from
//! `frontend/node_modules`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use crate::context::Ctx;
use crate::features::Routes;

/// The npm packages' files, listed by `build.rs`.
mod vendor {
    include!(concat!(env!("OUT_DIR"), "/vendor.rs"));
}

#[derive(RustEmbed)]
#[folder = "static"]
struct Assets;

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// An embedded file's bytes: ours, or an npm package's under `vendor/`.
fn file(path: &str) -> Option<std::borrow::Cow<'static, [u8]>> {
    match path.strip_prefix("vendor/") {
        Some(name) => vendor::FILES
            .iter()
            .find(|(served, _)| *served == name)
            .map(|(_, bytes)| std::borrow::Cow::Borrowed(*bytes)),
        None => Assets::get(path).map(|file| file.data),
    }
}

pub async fn serve(Path(path): Path<String>) -> Response {
    match file(&path) {
        Some(data) => {
            let mut response = data.into_owned().into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&path)),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/manifest.webmanifest`: what a phone needs to install the site as an app. It opens on
/// the site's root, which sends each person to their to-do list.
pub async fn manifest(ctx: Ctx) -> Response {
    let tr = ctx.tr();
    let body = serde_json::json!({
        "name": tr.t("app.name"),
        "short_name": tr.t("mobile.app_name"),
        "description": tr.t("mobile.app_description"),
        "lang": tr.tag(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#b3261e",
        "icons": [
            {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
            {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    });
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/manifest+json"),
        )],
        body.to_string(),
    )
        .into_response()
}

/// `/static/…`, `/favicon.ico`, the manifest and `/healthz`, served like pages.
pub fn routes() -> Routes {
    Routes::default()
        .page("/healthz", get(|| async { "ok" }))
        .page("/static/{*path}", get(serve))
        .page(
            "/favicon.ico",
            get(|| serve(Path("favicon.ico".to_owned()))),
        )
        .page("/manifest.webmanifest", get(manifest))
}
