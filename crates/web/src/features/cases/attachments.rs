//! Photos and files for people who may see their case: staff get the original, everyone else
//! the public copy (re-encoded, without location data).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiedao_core::{AttachmentId, CaseId};
use jiedao_store::cases::{Variant, projection, read};
use jiedao_store::ledger::attachments;

use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;

/// `GET /attachments/{id}/{original|public|thumb}`
pub async fn serve(
    State(app): State<AppState>,
    me: SignedIn,
    Path((id, variant)): Path<(AttachmentId, String)>,
) -> Result<Response, Failure> {
    let principal = me.principal.clone();
    let attachment = app
        .store
        .read(move |conn| {
            let Some(attachment) = attachments::get(conn, id)? else {
                return Ok(None);
            };
            let Some((case, _)) = projection::load(conn, CaseId::from_uuid(attachment.record_id))?
            else {
                return Ok(None);
            };
            Ok(read::can_see(conn, &principal, &case)?.then_some(attachment))
        })
        .await?
        .ok_or(Failure::NotFound)?;
    let staff = me.principal.role().is_staff();
    let (variant, content_type) = match (variant.as_str(), attachment.is_image()) {
        ("thumb", true) => (Variant::Thumbnail, "image/jpeg".to_owned()),
        ("original", _) if staff => (Variant::Original, attachment.content_type.clone()),
        (_, true) => (Variant::Public, "image/jpeg".to_owned()),
        (_, false) if staff => (Variant::Original, attachment.content_type.clone()),
        _ => return Err(Failure::NotFound),
    };
    serve_file(&app, attachment.id, variant, &content_type).await
}

/// Sends one stored copy of a file.
pub async fn serve_file(
    app: &AppState,
    id: AttachmentId,
    variant: Variant,
    content_type: &str,
) -> Result<Response, Failure> {
    let path = app.store.files().path(id, variant);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| Failure::NotFound)?;
    let content_type =
        header::HeaderValue::from_str(content_type).map_err(|_| Failure::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("private, max-age=3600"),
            ),
            (
                header::CONTENT_DISPOSITION,
                header::HeaderValue::from_static("inline"),
            ),
        ],
        bytes,
    )
        .into_response())
}
