//! Files handed to the reader to save (Excel workbooks, Word documents), named in their language.

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// `bytes` as a download called `name` (`fallback` for clients that cannot read UTF-8 names).
pub fn attachment(bytes: Vec<u8>, content_type: &str, fallback: &str, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        percent(name)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// RFC 5987 percent-encoding of a file name.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
