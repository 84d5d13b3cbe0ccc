//! CSRF protection for every state-changing request: the token the page was rendered with must
//! come back, in the `X-CSRF-Token` header, in an urlencoded form's `csrf_token` field, or in a
//! multipart form's first part, named `csrf_token` (read from the head of the stream, which is
//! then handed on whole: uploads are not buffered here). Never in the address: a token there
//! stays in the history, the receipt's address bar and every `Referer`.
//! This holds for signed-out visitors too (their token is the anonymous cookie's): a request
//! without any cookie carries no token it could match, so a third-party page can neither sign a
//! browser into another account (login CSRF) nor file a report in its name. Other systems call
//! the machine routes, which this check does not guard.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

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
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let boundary = multipart_boundary(&content_type);
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
    } else if let (Some(boundary), None) = (boundary, &from_header) {
        let (parts, body) = request.into_parts();
        let (body, token) = first_part_token(body, &boundary).await;
        (Request::from_parts(parts, body), token)
    } else {
        (request, None)
    };
    let provided = from_header.or(from_form);
    match provided {
        Some(token) if same(&token, &expected) => next.run(request).await,
        _ => Failure::Csrf.into_response(),
    }
}

/// The boundary of a `multipart/form-data` body, from its content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    if !params
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return None;
    }
    params.find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// How much of a multipart body is read looking for the token: its first part is small.
const HEAD_LIMIT: usize = 8 * 1024;

/// Reads the head of a multipart body until its first part is whole and returns that part's
/// value when it is named `csrf_token`, with a body that yields every byte read and the rest.
async fn first_part_token(body: Body, boundary: &str) -> (Body, Option<String>) {
    let mut stream = body.into_data_stream();
    let mut head = BytesMut::new();
    let mut failed = None;
    let token = loop {
        if let Some(found) = parse_first_part(&head, boundary) {
            break found;
        }
        if head.len() > HEAD_LIMIT {
            break None;
        }
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(error)) => {
                failed = Some(error);
                break None;
            }
            None => break None,
        }
    };
    let first: Result<Bytes, axum::Error> = match failed {
        Some(error) => Err(error),
        None => Ok(head.freeze()),
    };
    let body = Body::from_stream(futures_util::stream::once(async { first }).chain(stream));
    (body, token)
}

/// `Some(token)` once the first part is whole and is the token, `Some(None)` once it is whole
/// and is not, `None` while more bytes are needed.
#[expect(
    clippy::option_option,
    reason = "whole-and-absent differs from not-yet-whole"
)]
fn parse_first_part(head: &[u8], boundary: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    let closing = format!("\r\n--{boundary}");
    let rest = head.strip_prefix(opening.as_bytes())?;
    let headers_end = find(rest, b"\r\n\r\n")?;
    let (headers, value) = (rest.get(..headers_end)?, rest.get(headers_end + 4..)?);
    let end = find(value, closing.as_bytes())?;
    let headers = String::from_utf8_lossy(headers).to_ascii_lowercase();
    let named = headers.lines().any(|line| {
        line.starts_with("content-disposition:") && line.contains("name=\"csrf_token\"")
    });
    Some(
        named
            .then(|| String::from_utf8(value.get(..end)?.to_vec()).ok())
            .flatten(),
    )
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_the_first_part_only() {
        let body =
            b"--XY\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n--XY\r\n";
        assert_eq!(parse_first_part(body, "XY"), Some(Some("abc".to_owned())));
        let other = b"--XY\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nabc\r\n--XY--";
        assert_eq!(parse_first_part(other, "XY"), Some(None));
        assert_eq!(parse_first_part(&body[..30], "XY"), None);
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=\"a b\""),
            Some("a b".to_owned())
        );
        assert_eq!(multipart_boundary("text/plain; boundary=x"), None);
    }
}
