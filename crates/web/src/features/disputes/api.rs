//! `/api/v1/disputes`: the disputes as the pages allow and no more: the list with its filters
//! and paging, one dispute with its parties and history, registration, every action, the
//! figures with last year's, and the type tree. Events for webhooks are `dispute.<action>` and
//! `dispute.high_risk`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::RefusalKind;
use jiedao_core::dispute::Action;
use jiedao_core::dispute::figures::Counts;
use jiedao_core::ledger::RecordState;
use jiedao_store::disputes::{self, DisputeDetail, DisputeRow, NewDispute};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::body::{ActionBody, RegisterBody};
use super::list::ListQuery;
use crate::AppState;
use crate::api::{ApiError, Body, ErrorBody, Params, Staff};

fn scoped(lang: jiedao_core::Lang) -> impl Fn(jiedao_store::StoreError) -> ApiError {
    move |error| ApiError::from_store(error, lang)
}

fn id_of(text: &str, lang: jiedao_core::Lang) -> Result<Uuid, ApiError> {
    text.parse()
        .map_err(|_| ApiError::new(RefusalKind::NotFound, "not_found", lang, "api.no_record"))
}

/// A dispute as the list shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisputeView {
    pub id: String,
    /// `TJ-330106008-20261122-00003`
    pub number: String,
    /// `registered`, `mediating`, `agreed`, `closed`, `failed`, `referred` or `withdrawn`.
    pub state: String,
    /// The type's code.
    pub kind: String,
    pub source: String,
    /// `low`, `medium` or `high`.
    pub risk: String,
    /// The amount at stake (调解标的), in fen.
    pub amount_fen: i64,
    pub registered_on: NaiveDate,
    pub org_path: String,
    pub escalated: bool,
    /// The running clock's deadline: mediation, then the window to apply for confirmation.
    pub deadline: Option<DateTime<Utc>>,
    pub parties: Vec<String>,
}

impl From<DisputeRow> for DisputeView {
    fn from(d: DisputeRow) -> Self {
        DisputeView {
            id: d.id.to_string(),
            number: d.number,
            state: d.state.as_str().to_owned(),
            kind: d.kind,
            source: d.source,
            risk: d.risk,
            amount_fen: d.amount_fen,
            registered_on: d.registered_on,
            org_path: d.org_path.as_str().to_owned(),
            escalated: d.escalated,
            deadline: d.deadline,
            parties: d.parties,
        }
    }
}

/// The list's filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisputeParams {
    pub state: Option<String>,
    /// A type's code; takes the types under it.
    pub kind: Option<String>,
    pub risk: Option<String>,
    /// `yes`: settled (调处成功) only; `no`: the others.
    pub settled: Option<String>,
    /// A unit's path.
    pub under: Option<String>,
    /// Registered on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Registered on or before (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// A number or its start.
    pub number: Option<String>,
    /// `red`, `yellow` or `green`: the running clock's light now (mediation deadline, then
    /// the window to apply for court confirmation).
    pub light: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The disputes within the caller's reach, newest first.
#[utoipa::path(get, path = "/api/v1/disputes", tag = "disputes", params(DisputeParams),
    responses(
        (status = 200, description = "Disputes", body = Vec<DisputeView>),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see disputes", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    me: Staff,
    Params(params): Params<DisputeParams>,
) -> Result<Json<Vec<DisputeView>>, ApiError> {
    let query = ListQuery {
        state: params.state.unwrap_or_default(),
        kind: params.kind.unwrap_or_default(),
        risk: params.risk.unwrap_or_default(),
        settled: params.settled.unwrap_or_default(),
        under: params.under.unwrap_or_default(),
        from: params.from.unwrap_or_default(),
        to: params.to.unwrap_or_default(),
        number: params.number.unwrap_or_default(),
        light: params.light.unwrap_or_default(),
        page: 0,
    };
    let mut filter = query.filter(params.limit.unwrap_or(50).clamp(1, 500), app.store.now());
    filter.offset = params.offset.unwrap_or(0).max(0);
    let scope = me.principal.scope();
    let (rows, _) = app
        .store
        .read(move |conn| disputes::read::list(conn, &scope, &filter))
        .await
        .map_err(scoped(me.lang))?;
    Ok(Json(rows.into_iter().map(DisputeView::from).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Registered {
    pub id: String,
    pub number: String,
}

/// Registers a dispute (调解登记); parties new to the registry are added to it.
#[utoipa::path(post, path = "/api/v1/disputes", tag = "disputes", request_body = RegisterBody,
    responses(
        (status = 201, description = "Registered", body = Registered),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not register disputes, there", body = ErrorBody),
        (status = 404, description = "A party or the place is not within reach", body = ErrorBody),
        (status = 409, description = "A new party's document is already in the registry", body = ErrorBody),
        (status = 422, description = "Refused, with the reason", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn register(
    State(app): State<AppState>,
    me: Staff,
    Body(body): Body<RegisterBody>,
) -> Result<Response, ApiError> {
    let lang = me.lang;
    let new = NewDispute::try_from(body).map_err(|r| ApiError::from_store(r.into(), lang))?;
    let (id, number) = app
        .store
        .register_dispute(me.principal.clone(), None, new)
        .await
        .map_err(scoped(lang))?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            id: id.to_string(),
            number,
        }),
    )
        .into_response())
}

/// A party, from the registry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyView {
    /// `applicant`, `respondent` or `third_party`.
    pub role: String,
    /// `person` or `enterprise`.
    pub kind: String,
    pub id: String,
    pub name: String,
    /// Disputes and cases the party is in.
    pub involvement: i64,
}

/// One change in a dispute's history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub to_state: String,
    /// What the change recorded.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
}

/// A dispute with its parties and its history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisputeRecord {
    pub number: String,
    pub place: String,
    pub state: String,
    /// The dispute as it stands: registration, mediators, sessions, agreement and terms,
    /// confirmation, risk.
    #[schema(value_type = Object)]
    pub dispute: serde_json::Value,
    pub parties: Vec<PartyView>,
    pub history: Vec<EventView>,
    /// The actions the caller may take now.
    pub available: Vec<String>,
}

fn record(detail: DisputeDetail) -> DisputeRecord {
    DisputeRecord {
        number: detail.number,
        place: detail.place,
        state: detail.dispute.state.as_str().to_owned(),
        dispute: serde_json::to_value(&detail.dispute).unwrap_or_default(),
        parties: detail
            .parties
            .into_iter()
            .map(|p| PartyView {
                role: p.role.as_str().to_owned(),
                kind: p.kind.as_str().to_owned(),
                id: p.id.to_string(),
                name: p.name,
                involvement: p.involvement,
            })
            .collect(),
        history: detail
            .history
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                at: e.at,
                actor: e.actor.name,
                action: e.change.kind().as_str().to_owned(),
                to_state: e.to_state.as_str().to_owned(),
                change: serde_json::to_value(&e.change).unwrap_or_default(),
            })
            .collect(),
        available: detail
            .available
            .into_iter()
            .map(|k| k.as_str().to_owned())
            .collect(),
    }
}

async fn read_record(app: &AppState, me: &Staff, id: Uuid) -> Result<DisputeRecord, ApiError> {
    let scope = me.principal.scope();
    let detail = app
        .store
        .read(move |conn| disputes::read::get(conn, &scope, id))
        .await
        .map_err(scoped(me.lang))?;
    Ok(record(detail))
}

/// One dispute with its parties and history.
#[utoipa::path(get, path = "/api/v1/disputes/{id}", tag = "disputes",
    params(("id" = String, Path, description = "The dispute's id")),
    responses(
        (status = 200, description = "The dispute", body = DisputeRecord),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see disputes", body = ErrorBody),
        (status = 404, description = "No such dispute within reach", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn one(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
) -> Result<Json<DisputeRecord>, ApiError> {
    let id = id_of(&id, me.lang)?;
    Ok(Json(read_record(&app, &me, id).await?))
}

/// An action on a dispute: assign, a session's record, extend, agree, fail, refer,
/// withdraw, apply for or record court confirmation, follow a term up, set the risk, escalate.
#[utoipa::path(post, path = "/api/v1/disputes/{id}/actions", tag = "disputes",
    params(("id" = String, Path, description = "The dispute's id")), request_body = ActionBody,
    responses(
        (status = 200, description = "Done: the dispute as it now stands", body = DisputeRecord),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not do this", body = ErrorBody),
        (status = 404, description = "No such dispute within reach", body = ErrorBody),
        (status = 409, description = "Not possible in the dispute's state", body = ErrorBody),
        (status = 422, description = "Refused, with the reason", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn act(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
    Body(body): Body<ActionBody>,
) -> Result<Json<DisputeRecord>, ApiError> {
    let lang = me.lang;
    let id = id_of(&id, lang)?;
    let action = Action::try_from(body).map_err(|r| ApiError::from_store(r.into(), lang))?;
    app.store
        .act_on_dispute(me.principal.clone(), None, id, action)
        .await
        .map_err(scoped(lang))?;
    Ok(Json(read_record(&app, &me, id).await?))
}

/// Counts with their rates.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CountsView {
    /// 受理数
    pub taken: i64,
    /// 调处成功数
    pub settled: i64,
    pub failed: i64,
    /// 成功率 = settled / taken, per cent; null when nothing was taken.
    pub success_rate: Option<f64>,
    /// 标的总额, fen.
    pub amount_fen: i64,
    pub terms_followed: i64,
    pub terms_performed: i64,
    /// 履行率 = terms_performed / terms_followed, per cent.
    pub performance_rate: Option<f64>,
    /// 民转刑
    pub criminal: i64,
    pub high_risk: i64,
}

impl From<&Counts> for CountsView {
    fn from(c: &Counts) -> Self {
        CountsView {
            taken: c.taken,
            settled: c.settled,
            failed: c.failed,
            success_rate: c.success_rate().percent(),
            amount_fen: c.amount_fen,
            terms_followed: c.terms_followed,
            terms_performed: c.terms_performed,
            performance_rate: c.performance_rate().percent(),
            criminal: c.criminal,
            high_risk: c.high_risk,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LineView {
    /// A type's code, or a community's path.
    pub key: String,
    pub counts: CountsView,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FiguresView {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub total: CountsView,
    /// The same period a year before.
    pub last_year: CountsView,
    pub by_kind: Vec<LineView>,
    pub by_place: Vec<LineView>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresParams {
    /// `2026`, `2026-Q3`, `2026-11` or `2026-11-01..2026-11-15`; this year by default.
    pub period: Option<String>,
    /// A unit's path.
    pub under: Option<String>,
}

/// The disputes' figures for a period, with last year's, by type and by community.
#[utoipa::path(get, path = "/api/v1/disputes/figures", tag = "disputes", params(FiguresParams),
    responses(
        (status = 200, description = "The figures", body = FiguresView),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see disputes", body = ErrorBody),
        (status = 422, description = "The period does not read", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn figures(
    State(app): State<AppState>,
    me: Staff,
    Params(params): Params<FiguresParams>,
) -> Result<Json<FiguresView>, ApiError> {
    let lang = me.lang;
    let today = jiedao_core::clock::business_date(app.store.now());
    let text = params.period.unwrap_or_default();
    let period = if text.trim().is_empty() {
        jiedao_core::evaluation::period::Period::year(chrono::Datelike::year(&today))
    } else {
        jiedao_core::evaluation::period::Period::parse(&text)
    }
    .ok_or_else(|| {
        ApiError::from_store(
            jiedao_store::Refusal::BadPeriod {
                text: text.chars().take(40).collect(),
            }
            .into(),
            lang,
        )
    })?;
    let (scope, under) = (me.principal.scope(), params.under);
    let f = app
        .store
        .read(move |conn| disputes::figures::figures(conn, &scope, under.as_deref(), &period))
        .await
        .map_err(scoped(lang))?;
    let lines = |lines: &[disputes::figures::Line]| {
        lines
            .iter()
            .map(|l| LineView {
                key: l.key.clone(),
                counts: (&l.counts).into(),
            })
            .collect()
    };
    Ok(Json(FiguresView {
        first: f.period.first,
        last: f.period.last,
        total: (&f.total).into(),
        last_year: (&f.last_year).into(),
        by_kind: lines(&f.by_kind),
        by_place: lines(&f.by_place),
    }))
}

/// A dispute type.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KindView {
    pub code: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
}

/// The configured tree of dispute types.
#[utoipa::path(get, path = "/api/v1/disputes/kinds", tag = "disputes",
    responses(
        (status = 200, description = "The types", body = Vec<KindView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see disputes", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn kinds(
    State(app): State<AppState>,
    me: Staff,
) -> Result<Json<Vec<KindView>>, ApiError> {
    let lang = me.lang;
    me.principal
        .scope()
        .require(jiedao_core::Capability::ViewDisputes)
        .map_err(|r| ApiError::from_store(r.into(), lang))?;
    let kinds = app
        .store
        .read(disputes::read::kinds)
        .await
        .map_err(scoped(lang))?;
    Ok(Json(
        kinds
            .into_iter()
            .map(|k| KindView {
                code: k.code,
                parent: k.parent,
                name_zh: k.name_zh,
                name_en: k.name_en,
            })
            .collect(),
    ))
}
