//! `POST /api/v1/cases`: a client system reports a case, as JSON or, with photos, as
//! `multipart/form-data` ([`WithPhotos`]). A retry with the same `Idempotency-Key` returns
//! the case the first request made (200 instead of 201).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiedao_core::RefusalKind;
use jiedao_core::category::Urgency;
use jiedao_store::cases::{Answers, EventActor, Face, NewReport, Purpose, Reporter, Sent};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::photos::WithPhotos;
use crate::api::{ApiError, Client, ErrorBody, lang};
use crate::upload;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterBody {
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// An answer as sent: one value (text or number), or several.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AnswerValue {
    Text(String),
    Number(f64),
    Several(Vec<String>),
}

impl AnswerValue {
    fn values(self) -> Vec<String> {
        match self {
            AnswerValue::Text(text) => vec![text],
            AnswerValue::Number(number) => vec![number.to_string()],
            AnswerValue::Several(values) => values,
        }
    }
}

/// A report as a client sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseBody {
    pub description: String,
    /// A leaf category code, e.g. `E0101`.
    pub category: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub address: Option<String>,
    pub urgency: Option<String>,
    /// The client's own reference (an alarm id, a work order number).
    pub external_ref: Option<String>,
    #[serde(default)]
    pub reporter: ReporterBody,
    /// Answers to the category's questions (`GET /api/v1/categories` lists them), by the
    /// question's code: one value, or a list for a multi-value question. Checked as Open311's
    /// `attribute[code]` are: a required question without an answer refuses the report.
    #[serde(default)]
    pub answers: BTreeMap<String, AnswerValue>,
    /// The same as the `Idempotency-Key` header, for clients that cannot set headers.
    pub idempotency_key: Option<String>,
}

/// An intake client reports a case; photos come as `multipart/form-data` (the part `body`
/// holds the JSON, each part `photos` one photo).
#[utoipa::path(post, path = "/api/v1/cases", tag = "intake",
    request_body(content(
        (CaseBody = "application/json"),
        (WithPhotos<CaseBody> = "multipart/form-data"))),
    security(("client_token" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key returns the first case")),
    responses(
        (status = 201, description = "Taken", body = ReceiptView),
        (status = 200, description = "A retry of a report already taken", body = ReceiptView),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid client token", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
        (status = 422, description = "Refused, with the reason", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    sent: WithPhotos<CaseBody>,
) -> Result<Response, ApiError> {
    let lang = lang(&headers);
    let uploads = sent.uploads(Purpose::Report);
    let body = sent.body;
    let category =
        match body
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(code) => Some(app.store.catalog().by_code(code).map(|e| e.id).ok_or_else(
                || {
                    ApiError::from_store(
                        jiedao_store::Refusal::UnknownCategory {
                            key: code.to_owned(),
                        }
                        .into(),
                        lang,
                    )
                },
            )?),
            None => None,
        };
    let urgency = match body.urgency.as_deref() {
        Some(text) => Some(Urgency::parse(text).ok_or_else(|| {
            ApiError::new(RefusalKind::Invalid, "bad_urgency", lang, "api.bad_urgency")
        })?),
        None => None,
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(body.idempotency_key)
        .map(|k| k.trim().chars().take(128).collect::<String>())
        .filter(|k| !k.is_empty());
    let new = NewReport {
        channel: client.channel,
        category,
        urgency,
        description: body.description,
        lon: body.lon,
        lat: body.lat,
        address: body.address,
        street: Some((client.street_id, client.street_path.clone())),
        external_ref: body.external_ref,
        reporter: Reporter {
            name: body.reporter.name,
            phone: body.reporter.phone,
            ..Reporter::default()
        },
        idempotency: key.map(|k| (client.id, k)),
        public_only: false,
        submission: Sent {
            answers: Answers::Given(
                body.answers
                    .into_iter()
                    .map(|(code, value)| (code, value.values()))
                    .collect(),
            ),
            ..Sent::default()
        },
        face: Face::Client,
    };
    let actor = EventActor {
        user_id: None,
        name: format!("client:{}", client.name),
        role: None,
        ip: None,
    };
    let attempt = async {
        let files = upload::store_files(&app, uploads).await?;
        app.store.report(new, actor, files).await
    };
    let receipt = attempt
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    let status = if receipt.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = ReceiptView {
        id: receipt.id.to_string(),
        number: receipt.number,
        created: receipt.created,
        unlocated: receipt.unlocated,
    };
    Ok((status, Json(body)).into_response())
}

/// What a client gets back for a report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReceiptView {
    pub id: String,
    /// 案卷编号, e.g. `20261122-00017`.
    pub number: String,
    /// False when this was a retry of a report already taken.
    pub created: bool,
    /// True when the case still needs an operator to place it on the map.
    pub unlocated: bool,
}
