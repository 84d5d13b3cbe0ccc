//! Reading `multipart/form-data` (forms with photos) into text fields and files, with limits:
//! at most [`MAX_FILES`] files, and no text field longer than any field may be
//! ([`jiedao_core::limits::ANY_FIELD`]).
//! The files' bytes are only held here; the store decides what they are, and [`store_files`]
//! hands them over (pages and Open311 alike).

use std::collections::HashMap;

use axum::extract::Multipart;
use jiedao_core::limits::ANY_FIELD;
use jiedao_store::StoreError;
use jiedao_store::cases::{Purpose, StoredFile, Upload};

use crate::AppState;
use crate::failure::Failure;

/// At most this many files per form.
const MAX_FILES: usize = 6;

/// A submitted form: its text fields and its files.
#[derive(Debug, Default)]
pub struct FormData {
    pub fields: HashMap<String, String>,
    /// Every text field in order, repeats kept (for names like `attribute[x][]`).
    pub pairs: Vec<(String, String)>,
    /// (field name, file name, bytes)
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl FormData {
    pub fn text(&self, name: &str) -> String {
        self.fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }

    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        self.optional(name)
            .and_then(|v| v.parse().ok())
            .filter(|v: &f64| v.is_finite())
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.text(name).as_str(), "on" | "true" | "1" | "yes")
    }

    /// The bytes of the first non-empty file sent in `field`.
    pub fn file(&self, field: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(name, _, bytes)| name == field && !bytes.is_empty())
            .map(|(_, _, bytes)| bytes.as_slice())
    }

    /// The non-empty files of a field, as uploads for `purpose`.
    pub fn uploads(&self, field: &str, purpose: Purpose) -> Vec<Upload> {
        self.files
            .iter()
            .filter(|(name, _, bytes)| name == field && !bytes.is_empty())
            .map(|(_, file_name, bytes)| Upload {
                file_name: file_name.clone(),
                bytes: bytes.clone(),
                purpose,
            })
            .collect()
    }
}

/// Reads a whole multipart form.
pub async fn read(mut multipart: Multipart) -> Result<FormData, Failure> {
    let mut form = FormData::default();
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Failure::Invalid("error.form_too_large")
        } else {
            Failure::Malformed("error.bad_form")
        }
    };
    // After the first refusal the rest of the form is read and dropped (within the body
    // limit), so the sender hears the refusal instead of a connection closed mid-upload.
    let mut refused: Option<Failure> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(refused.unwrap_or_else(|| unreadable(error))),
        };
        if refused.is_some() {
            while let Ok(Some(_)) = field.chunk().await {}
            continue;
        }
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(_) if form.files.len() >= MAX_FILES => {
                refused = Some(Failure::Invalid("error.too_many_files"));
                while let Ok(Some(_)) = field.chunk().await {}
            }
            Some(file_name) => match field.bytes().await {
                Ok(bytes) => form.files.push((name, file_name, bytes.to_vec())),
                Err(error) => return Err(unreadable(error)),
            },
            None => match read_text(field).await {
                Ok(text) => {
                    form.pairs.push((name.clone(), text.clone()));
                    form.fields.insert(name, text);
                }
                Err(TextError::Unreadable(error)) => return Err(unreadable(error)),
                Err(TextError::TooLong) => refused = Some(Failure::Refused(too_long())),
                Err(TextError::NotStorable) => refused = Some(Failure::Malformed("error.bad_form")),
            },
        }
    }
    match refused {
        Some(failure) => Err(failure),
        None => Ok(form),
    }
}

enum TextError {
    Unreadable(axum::extract::multipart::MultipartError),
    TooLong,
    /// Holds a NUL.
    NotStorable,
}

fn too_long() -> jiedao_store::Refusal {
    jiedao_store::Refusal::TooLong {
        field: ANY_FIELD.field,
        max: ANY_FIELD.max,
    }
}

/// A text field, read a chunk at a time; past the most any field may be ([`ANY_FIELD`]) the
/// rest is read and dropped, so a huge one is never held whole and the sender still hears why.
async fn read_text(mut field: axum::extract::multipart::Field<'_>) -> Result<String, TextError> {
    // Four bytes is the longest UTF-8 character.
    let most_bytes = ANY_FIELD.max * 4;
    let mut bytes = Vec::new();
    let mut too_long = false;
    while let Some(chunk) = field.chunk().await.map_err(TextError::Unreadable)? {
        too_long = too_long || bytes.len() + chunk.len() > most_bytes;
        if !too_long {
            bytes.extend_from_slice(&chunk);
        }
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if too_long || !ANY_FIELD.fits(&text) {
        Err(TextError::TooLong)
    } else if !jiedao_core::limits::storable(&text) {
        Err(TextError::NotStorable)
    } else {
        Ok(text)
    }
}

/// Stores the photos of a form (decoding is slow: off the async threads).
pub async fn store_files(
    app: &AppState,
    uploads: Vec<Upload>,
) -> Result<Vec<StoredFile>, StoreError> {
    app.store.keep_files(uploads).await
}
