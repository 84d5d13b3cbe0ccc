//! Switching the interface language; the choice is kept in a cookie for a year.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::Lang;

use crate::AppState;
use crate::context::local_path;
use crate::cookies::{self, SetCookie};

/// The path of a same-site referring page, to return to after switching.
fn back(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let after_scheme = referer.split_once("://")?.1;
    let (referer_host, path) = after_scheme.split_at(after_scheme.find('/')?);
    (referer_host == host)
        .then(|| local_path(path).map(str::to_owned))
        .flatten()
}

pub async fn switch(
    State(app): State<AppState>,
    Path(tag): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::parse(&tag).unwrap_or_default();
    let target = back(&headers).unwrap_or_else(|| "/home".to_owned());
    let mut response = Redirect::to(&target).into_response();
    let cookie = SetCookie {
        max_age: Some(365 * 24 * 3600),
        ..SetCookie::new(
            cookies::LANGUAGE,
            lang.tag().to_owned(),
            app.config.cookie_secure,
        )
    };
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie.header_value());
    response
}
