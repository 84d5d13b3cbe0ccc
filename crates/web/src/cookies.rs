//! Reading and setting cookies. Every cookie jiedao sets is HttpOnly, SameSite, Path=/, and
//! Secure unless the deployment is configured for plain HTTP.

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION: &str = "jiedao_session";
pub const ANONYMOUS_CSRF: &str = "jiedao_csrf";
pub const LANGUAGE: &str = "jiedao_lang";
/// The mark of a browser someone signed in from (a year; lets the right password through a
/// back-off after others' wrong guesses).
pub const DEVICE: &str = "jiedao_device";

/// The value of a cookie sent with the request.
pub fn get<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` header.
#[derive(Debug, Clone)]
pub struct SetCookie {
    pub name: &'static str,
    pub value: String,
    /// Seconds; `None` for a cookie that ends with the browser session.
    pub max_age: Option<i64>,
    pub secure: bool,
    /// `Strict` or `Lax`.
    pub same_site: &'static str,
}

impl SetCookie {
    pub fn new(name: &'static str, value: String, secure: bool) -> SetCookie {
        SetCookie {
            name,
            value,
            max_age: None,
            secure,
            same_site: "Lax",
        }
    }

    /// A cookie that removes `name` from the browser.
    pub fn removal(name: &'static str, secure: bool) -> SetCookie {
        SetCookie {
            max_age: Some(0),
            ..SetCookie::new(name, String::new(), secure)
        }
    }

    pub fn header_value(&self) -> HeaderValue {
        let mut text = format!(
            "{}={}; Path=/; HttpOnly; SameSite={}",
            self.name, self.value, self.same_site
        );
        if let Some(seconds) = self.max_age {
            text.push_str(&format!("; Max-Age={seconds}"));
        }
        if self.secure {
            text.push_str("; Secure");
        }
        // Names are ours and values are base64url or language tags: always valid header text.
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several_headers() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; jiedao_lang=en"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("jiedao_session=abc"),
        );
        assert_eq!(get(&headers, LANGUAGE), Some("en"));
        assert_eq!(get(&headers, SESSION), Some("abc"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn set_cookie_carries_every_flag() {
        let cookie = SetCookie {
            max_age: Some(60),
            ..SetCookie::new(SESSION, "tok".into(), true)
        };
        assert_eq!(
            cookie.header_value(),
            "jiedao_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
    }
}
