//! CSRF protection for every state-changing request: the token the page was rendered with must
//! come back, in the `X-CSRF-Token` header, in an urlencoded form's `csrf_token` field, or (for
//! multipart uploads, whose bodies are not buffered here) in the `csrf_token` query parameter.
//! This holds for signed-out visitors too (their token is the anonymous cookie's): a request
//! without any cookie carries no token it could match, so a third-party page can neither sign a
//! browser into another account (login CSRF) nor file a report in its name. Other systems call
//! the machine routes, which this check does not guard.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::context::Ctx;
use crate::failure::Failure;

/// Forms larger than this are refused before parsing.
const FORM_LIMIT: usize = 1024 * 1024;

fn field(pairs: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(pairs)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub async fn verify(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe {
        return next.run(request).await;
    }
    let Some(expected) = request
        .extensions()
        .get::<Ctx>()
        .map(|ctx| ctx.csrf_token.clone())
    else {
        return Failure::Internal.into_response();
    };
    let from_header = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let from_query = request
        .uri()
        .query()
        .and_then(|q| field(q.as_bytes(), "csrf_token"));
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    // A form without files is held to FORM_LIMIT whether or not its token came in a header.
    let (request, from_form) = if is_form {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
            return Failure::Invalid("error.form_too_large").into_response();
        };
        let keepable = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map(|pairs| {
                pairs.iter().all(|(key, value)| {
                    jiedao_core::limits::storable(key) && jiedao_core::limits::storable(value)
                })
            })
            .unwrap_or(true);
        if !keepable {
            return Failure::Malformed("error.bad_form").into_response();
        }
        let token = from_header
            .is_none()
            .then(|| field(&bytes, "csrf_token"))
            .flatten();
        (Request::from_parts(parts, Body::from(bytes)), token)
    } else {
        (request, None)
    };
    let provided = from_header.or(from_form).or(from_query);
    match provided {
        Some(token) if same(&token, &expected) => next.run(request).await,
        _ => Failure::Csrf.into_response(),
    }
}
