//! Files handed to the reader to save (Excel workbooks, Word documents), named in their language.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The kinds of file handed out.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Xlsx,
    Docx,
}

impl Kind {
    fn content_type(self) -> &'static str {
        match self {
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Docx => "docx",
        }
    }
}

/// `bytes` as a download named `name` and the kind's extension (`fallback` for clients that
/// cannot read UTF-8 names).
pub fn attachment(bytes: Vec<u8>, kind: Kind, fallback: &str, name: &str) -> Response {
    let extension = kind.extension();
    let disposition = format!(
        "attachment; filename=\"{fallback}.{extension}\"; filename*=UTF-8''{}",
        percent(&format!("{name}.{extension}"))
    );
    (
        [
            (header::CONTENT_TYPE, kind.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// RFC 3986 percent-encoding (of a file name, or of a value in a link).
pub fn percent(text: &str) -> String {
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
