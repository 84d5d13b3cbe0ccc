//! What every request carries: the reader's language, the session behind the cookie (if any),
//! the client address, and the CSRF token its forms must send back. Worked out once, by the
//! outermost middleware, and handed to handlers through extractors.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiedao_core::{Capability, Lang};
use jiedao_store::{Principal, Scope, SessionInfo};

use crate::AppState;
use crate::cookies::{self, SetCookie};
use crate::failure::Failure;
use crate::tr::Tr;

/// The request's context.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub session: Option<SessionInfo>,
    pub ip: Option<String>,
    /// The token forms must carry: the session's, or an anonymous visitor's cookie token.
    pub csrf_token: String,
    /// The path and query asked for, to come back to after logging in.
    pub path: String,
}

impl Ctx {
    pub fn tr(&self) -> Tr {
        Tr(self.lang)
    }

    pub fn principal(&self) -> Option<&Principal> {
        self.session.as_ref().map(|s| &s.principal)
    }
}

fn language(headers: &HeaderMap) -> Lang {
    cookies::get(headers, cookies::LANGUAGE)
        .and_then(Lang::parse)
        .unwrap_or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
                .unwrap_or_default()
        })
}

/// The client's address: the peer's, or the first `X-Forwarded-For` entry behind a trusted proxy.
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_proxy: bool,
) -> Option<String> {
    let forwarded = trust_proxy
        .then(|| headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|list| list.split(',').next())
        .map(|ip| ip.trim().to_owned());
    forwarded.or_else(|| peer.map(|p| p.ip().to_string()))
}

/// Builds the [`Ctx`] and gives an anonymous visitor a CSRF cookie if they lack one.
pub async fn load(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let headers = request.headers();
    let lang = language(headers);
    let ip = client_ip(headers, peer, app.config.trust_proxy);
    let path = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let session = match cookies::get(headers, cookies::SESSION) {
        Some(token) => match app.store.session(token).await {
            Ok(session) => session,
            Err(error) => {
                tracing::error!(%error, "session lookup failed");
                return Failure::Internal.into_response();
            }
        },
        None => None,
    };
    let mut new_anonymous_token = None;
    let csrf_token = match (&session, cookies::get(headers, cookies::ANONYMOUS_CSRF)) {
        (Some(session), _) => session.csrf_token.clone(),
        (None, Some(token)) if !token.is_empty() => token.to_owned(),
        (None, _) => {
            let token = jiedao_store::auth::random_token().unwrap_or_default();
            new_anonymous_token = Some(token.clone());
            token
        }
    };
    request.extensions_mut().insert(Ctx {
        lang,
        session,
        ip,
        csrf_token,
        path,
    });
    let mut response = next.run(request).await;
    if let Some(token) = new_anonymous_token {
        let cookie = SetCookie {
            same_site: "Strict",
            ..SetCookie::new(cookies::ANONYMOUS_CSRF, token, app.config.cookie_secure)
        };
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.header_value());
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or(Failure::Internal)
    }
}

/// A request from a logged-in user; anyone else is sent to the login page.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub ctx: Ctx,
    pub principal: Principal,
}

impl SignedIn {
    pub fn scope(&self) -> Scope {
        self.principal.scope()
    }

    pub fn actor(&self) -> jiedao_store::Actor {
        self.principal.actor(self.ctx.ip.clone())
    }

    /// Refuses unless the role may do `capability` (`Role::can`, the one table).
    pub fn require(&self, capability: Capability) -> Result<(), Failure> {
        self.scope().require(capability).map_err(Failure::Refused)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let principal = ctx.principal().cloned().ok_or(Failure::LoginRequired)?;
        Ok(SignedIn { ctx, principal })
    }
}

/// A logged-in member of staff; residents are refused.
#[derive(Debug, Clone)]
pub struct Staff(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        if !signed_in.principal.role().is_staff() {
            return Err(Failure::Refused(jiedao_store::Refusal::NotAllowed));
        }
        Ok(Staff(signed_in))
    }
}

/// A path to send someone back to: only paths on this site, never `//host`, `/\\host` or a full
/// URL. Browsers drop tabs and line breaks from a URL and read `\\` as `/`, so the path may hold
/// only printable ASCII without `\\` (a real path and query come percent-encoded), and once its
/// percent escapes are decoded it must still start with one `/` and hold no control character
/// or `\\` (`/%2F/host`, `/%09/host`): what is sent back can neither leave the site nor fail to
/// be a header value.
pub fn local_path(candidate: &str) -> Option<&str> {
    let starts_local =
        |text: &[u8]| text.first() == Some(&b'/') && !matches!(text.get(1), Some(b'/' | b'\\'));
    let raw = candidate.as_bytes();
    let decoded = percent_decoded(candidate);
    let ok = starts_local(raw)
        && raw.iter().all(|b| b.is_ascii_graphic() && *b != b'\\')
        && starts_local(&decoded)
        && decoded.iter().all(|b| !b.is_ascii_control() && *b != b'\\');
    ok.then_some(candidate)
}

/// `text` with every `%XX` escape replaced by its byte (others left as they are).
fn percent_decoded(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let escaped = (byte == b'%')
            .then(|| bytes.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                at += 3;
            }
            None => {
                out.push(byte);
                at += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/users?page=2"), Some("/users?page=2"));
        assert_eq!(local_path("//evil.example/"), None);
        assert_eq!(local_path("https://evil.example/"), None);
        assert_eq!(local_path("/\\evil.example"), None);
        assert_eq!(local_path(""), None);
        for sneaky in [
            "/\t/evil.example",
            "/\u{b}/x",
            "/ /evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "/a\\b",
            "/案件",
        ] {
            assert_eq!(local_path(sneaky), None, "{sneaky:?}");
        }
        assert_eq!(local_path("/cases?q=%E6%A1%88"), Some("/cases?q=%E6%A1%88"));
    }
}
