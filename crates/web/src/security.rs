//! Security headers on every response: a content security policy with no inline scripts or
//! styles, no framing, no MIME sniffing, and a same-origin referrer. And the one refusal made
//! before any route: a path or query holding an encoded NUL (`%00`), which no text may keep
//! ([`jiedao_core::limits::storable`]).

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy, with images also allowed from the deployment's tile server (maps' base).
pub fn policy(tiles: Option<&crate::widgets::webmap::TileConfig>) -> HeaderValue {
    let origins: String = tiles
        .map(|t| t.origins())
        .unwrap_or_default()
        .iter()
        .map(|origin| format!(" {origin}"))
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{origins}; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| policy_without_tiles())
}

fn policy_without_tiles() -> HeaderValue {
    HeaderValue::from_static(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
    )
}

/// Answers 400 to a request whose path or query holds `%00`: the API in its JSON error shape
/// (its document promises JSON for every answer), everything else with the bare status.
pub async fn refuse_nul(request: Request, next: Next) -> Response {
    let nul = request
        .uri()
        .path_and_query()
        .is_some_and(|p| p.as_str().to_ascii_lowercase().contains("%00"));
    if !nul {
        return next.run(request).await;
    }
    if request.uri().path().starts_with("/api/") {
        let lang = crate::api::lang(request.headers());
        return IntoResponse::into_response(crate::api::ApiError::bad_request(lang, "%00"));
    }
    IntoResponse::into_response(StatusCode::BAD_REQUEST)
}

pub async fn headers(
    axum::extract::State(app): axum::extract::State<crate::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("content-security-policy", app.policy.clone());
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        (
            "permissions-policy",
            "camera=(self), geolocation=(self), microphone=()",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
