//! Webhook subscriptions for administrators' systems: subscribe a street's case events, list
//! and end subscriptions, and read each one's delivery log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use jiedao_core::RefusalKind;
use jiedao_store::webhooks::{self, Delivery, Webhook};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{ApiError, Body, ErrorBody, Staff};

/// A subscription as listed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub id: String,
    /// The street's 12-digit code.
    pub street: String,
    pub url: String,
    /// Action codes (`dispatch`, `close`…) or `*` for every change.
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// A notice channel's template (none for a plain subscription).
    pub template: Option<String>,
}

impl From<Webhook> for WebhookView {
    fn from(webhook: Webhook) -> Self {
        WebhookView {
            id: webhook.id.to_string(),
            street: webhook.street_code,
            url: webhook.url,
            events: webhook.events,
            active: webhook.active,
            created_at: webhook.created_at,
            template: webhook.template,
        }
    }
}

/// A new subscription with its signing secret, shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedWebhook {
    pub webhook: WebhookView,
    /// Deliveries carry `X-Jiedao-Signature: sha256=HMAC-SHA256(secret, body)` in hex.
    pub secret: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    /// The street's 12-digit code.
    pub street: String,
    /// An `http://` address that takes a POST of JSON.
    pub url: String,
    /// Action codes, or `*`; every change when empty.
    #[serde(default)]
    pub events: Vec<String>,
    /// Makes the subscription a notice channel (an SMS gateway, a 浙政钉 work notice): the
    /// JSON body it is sent, with `{{number}}`, `{{event}}`, `{{action}}`, `{{state}}`,
    /// `{{category}}`, `{{department}}`, `{{address}}`, `{{deadline}}` or `{{at}}` where the
    /// case's fact goes (escaped for a JSON string), instead of the change's JSON.
    #[serde(default)]
    pub template: Option<String>,
}

/// One delivery and its attempts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: String,
    pub event: String,
    /// The JSON body sent.
    pub payload: String,
    pub attempts: i64,
    /// pending, delivered or failed (given up)
    pub status: String,
    /// The receiver's last HTTP status.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            id: d.id.to_string(),
            event: d.event,
            payload: d.payload,
            attempts: d.attempts,
            status: d.status,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            next_attempt_at: d.next_at,
            delivered_at: d.delivered_at,
        }
    }
}

fn webhook_id(text: &str, lang: jiedao_core::Lang) -> Result<uuid::Uuid, ApiError> {
    text.parse()
        .map_err(|_| ApiError::new(RefusalKind::NotFound, "not_found", lang, "api.no_webhook"))
}

/// The subscriptions of the streets within the caller's reach.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses(
        (status = 200, description = "The subscriptions", body = Vec<WebhookView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only administrators manage subscriptions", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    me: Staff,
) -> Result<Json<Vec<WebhookView>>, ApiError> {
    let (lang, scope) = (me.lang, me.principal.scope());
    let found = app
        .store
        .read(move |conn| webhooks::list(conn, &scope))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(found.into_iter().map(WebhookView::from).collect()))
}

/// Subscribes an address to a street's case events.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookBody,
    responses(
        (status = 201, description = "Subscribed; keep the secret", body = CreatedWebhook),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only administrators manage subscriptions, within their reach", body = ErrorBody),
        (status = 422, description = "Refused, with the reason", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    me: Staff,
    Body(body): Body<WebhookBody>,
) -> Result<Response, ApiError> {
    let (lang, scope, actor, at) = (
        me.lang,
        me.principal.scope(),
        me.principal.actor(None),
        app.store.now(),
    );
    let reach = app.store.config().webhook_reach;
    let (webhook, secret) = app
        .store
        .write(move |conn| {
            webhooks::create(
                conn,
                &scope,
                &actor,
                at,
                &body.street,
                &body.url,
                &body.events,
                body.template.as_deref(),
                reach,
            )
        })
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    let created = CreatedWebhook {
        webhook: webhook.into(),
        secret,
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Ends a subscription; deliveries still waiting are given up.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only administrators manage subscriptions", body = ErrorBody),
        (status = 404, description = "No such subscription within reach", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn remove(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let lang = me.lang;
    let id = webhook_id(&id, lang)?;
    let (scope, actor, at) = (
        me.principal.scope(),
        me.principal.actor(None),
        app.store.now(),
    );
    app.store
        .write(move |conn| webhooks::remove(conn, &scope, &actor, at, id))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A subscription's latest deliveries, newest first: the delivery log.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "The latest 100 deliveries", body = Vec<DeliveryView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only administrators manage subscriptions", body = ErrorBody),
        (status = 404, description = "No such subscription within reach", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn deliveries(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    let lang = me.lang;
    let id = webhook_id(&id, lang)?;
    let scope = me.principal.scope();
    let found = app
        .store
        .read(move |conn| webhooks::deliveries(conn, &scope, id, 100))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(found.into_iter().map(DeliveryView::from).collect()))
}
