//! A JSON body that may come with photos: as `application/json`, or as `multipart/form-data`
//! whose part `body` holds the same JSON and whose parts `photos` hold the files. Read here
//! once, so every operation that takes photos (an intake, 处置反馈, 核查…) takes them the same
//! way, and the OpenAPI document describes both forms of its body.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use jiedao_core::RefusalKind;
use jiedao_store::cases::{Purpose, Upload};
use serde::de::DeserializeOwned;

use super::{ApiError, Body, lang};
use crate::failure::Failure;

/// A body and the photos sent with it.
#[derive(Debug, utoipa::ToSchema)]
pub struct WithPhotos<T> {
    /// The same JSON as the operation's `application/json` body.
    pub body: T,
    /// Photos or files (JPEG, PNG, WebP or PDF), one part each, up to six.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub photos: Vec<Photo>,
}

/// One file as sent.
#[derive(Debug, Clone)]
pub struct Photo {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl<T> WithPhotos<T> {
    /// The photos, for the store to keep as `purpose`.
    pub fn uploads(&self, purpose: Purpose) -> Vec<Upload> {
        self.photos
            .iter()
            .map(|photo| Upload {
                file_name: photo.file_name.clone(),
                bytes: photo.bytes.clone(),
                purpose,
            })
            .collect()
    }
}

/// The parts a multipart body may have.
const PARTS: [&str; 2] = ["body", "photos"];

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WithPhotos<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = lang(request.headers());
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let Body(body) = Body::from_request(request, state).await?;
            return Ok(WithPhotos {
                body,
                photos: Vec::new(),
            });
        }
        let unreadable = |failure: Failure| {
            let (kind, key) = match failure {
                Failure::Invalid(key) => (RefusalKind::Invalid, key),
                _ => (RefusalKind::Malformed, "error.bad_form"),
            };
            ApiError::new(kind, "bad_form", lang, key)
        };
        let parts = Multipart::from_request(request, state)
            .await
            .map_err(|_| unreadable(Failure::Malformed("error.bad_form")))?;
        let form = crate::upload::read(parts).await.map_err(unreadable)?;
        let names = form
            .pairs
            .iter()
            .map(|(name, _)| name)
            .chain(form.files.iter().map(|(name, ..)| name));
        for name in names {
            if !PARTS.contains(&name.as_str()) {
                return Err(ApiError::bad_request(lang, name));
            }
        }
        let text = match form.fields.get("body") {
            Some(text) => text.as_bytes().to_vec(),
            None => form
                .files
                .iter()
                .find(|(name, ..)| name == "body")
                .map(|(.., bytes)| bytes.clone())
                .unwrap_or_else(|| b"{}".to_vec()),
        };
        let body = serde_json::from_slice(&text)
            .map_err(|error| ApiError::bad_json(lang, &error.to_string()))?;
        let photos = form
            .files
            .into_iter()
            .filter(|(name, _, bytes)| name == "photos" && !bytes.is_empty())
            .map(|(_, file_name, bytes)| Photo { file_name, bytes })
            .collect();
        Ok(WithPhotos { body, photos })
    }
}
