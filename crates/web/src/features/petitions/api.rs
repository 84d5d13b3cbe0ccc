//! `/api/v1/petitions`: petitions as the pages allow and no more: the list with filters and
//! paging, one petition with its history (the author of an accusation sealed as on the page),
//! registration, each action, and the figures against the same period last year.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Utc};
use jiedao_core::petition::{Action, Channel, Class};
use jiedao_core::{Capability, RefusalKind};
use jiedao_store::petitions::figures::{self, Figures, Period};
use jiedao_store::petitions::{NewPetition, PetitionFilter, PetitionRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::body::{ActionBody, RegisterBody};
use crate::AppState;
use crate::api::{ApiError, Body, ErrorBody, Params, Staff};

/// A petition as a list shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PetitionView {
    pub id: String,
    pub number: String,
    pub state: String,
    pub channel: String,
    pub class: String,
    pub matter: String,
    /// The petitioner's registry id; absent when sealed (an accusation, read by anyone but
    /// the petition staff).
    pub petitioner: Option<String>,
    pub petitioner_name: Option<String>,
    pub received_at: DateTime<Utc>,
    pub step: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
    /// `green`, `yellow`, `red`, `unknown`.
    pub light: Option<String>,
    pub backlog: bool,
    pub backlog_cleared: bool,
    pub flags: Vec<String>,
    pub repeat: bool,
}

impl From<PetitionRow> for PetitionView {
    fn from(p: PetitionRow) -> Self {
        PetitionView {
            id: p.id.to_string(),
            number: p.number,
            state: jiedao_core::ledger::RecordState::as_str(p.state).to_owned(),
            channel: p.channel.as_str().to_owned(),
            class: p.class.as_str().to_owned(),
            matter: p.matter,
            petitioner: p.petitioner.as_ref().map(|w| w.id.to_string()),
            petitioner_name: p.petitioner.map(|w| w.name),
            received_at: p.received_at,
            step: p.step.map(|s| s.as_str().to_owned()),
            deadline: p.deadline,
            light: p.light.map(|l| l.as_str().to_owned()),
            backlog: p.backlog,
            backlog_cleared: p.backlog_cleared,
            flags: p.flags.iter().map(|f| f.as_str().to_owned()).collect(),
            repeat: p.repeat,
        }
    }
}

/// Which petitions to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `true`: still open; `false`: finished.
    pub open: Option<bool>,
    /// A channel code.
    pub channel: Option<String>,
    /// A class code.
    pub class: Option<String>,
    /// Only 积案 not yet cleared.
    pub backlog: Option<bool>,
    /// Only those whose running step is past its period.
    pub overdue: Option<bool>,
    /// Only those about to be late (light yellow or red).
    pub due_soon: Option<bool>,
    /// A petitioner's registry id.
    pub petitioner: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

fn store_error(lang: jiedao_core::Lang) -> impl Fn(jiedao_store::StoreError) -> ApiError {
    move |error| ApiError::from_store(error, lang)
}

fn refused(lang: jiedao_core::Lang) -> impl Fn(jiedao_store::Refusal) -> ApiError {
    move |refusal| ApiError::from_store(refusal.into(), lang)
}

fn id_of(text: &str, lang: jiedao_core::Lang) -> Result<Uuid, ApiError> {
    text.parse()
        .map_err(|_| ApiError::new(RefusalKind::NotFound, "not_found", lang, "api.no_record"))
}

/// The petitions within the caller's reach, newest first.
#[utoipa::path(get, path = "/api/v1/petitions", tag = "petitions", params(ListQuery),
    responses(
        (status = 200, description = "Petitions", body = Vec<PetitionView>),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see petitions", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    me: Staff,
    Params(query): Params<ListQuery>,
) -> Result<Json<Vec<PetitionView>>, ApiError> {
    let lang = me.lang;
    // As the list page allows and no more: those without the capability are refused, not
    // answered with an empty list.
    me.principal
        .scope()
        .require(Capability::ViewPetitions)
        .map_err(|refusal| store_error(lang)(refusal.into()))?;
    let channel = query
        .channel
        .map(|c| Channel::parse(c.trim()).ok_or_else(|| ApiError::bad_request(lang, "channel")))
        .transpose()?;
    let class = query
        .class
        .map(|c| Class::parse(c.trim()).ok_or_else(|| ApiError::bad_request(lang, "class")))
        .transpose()?;
    let petitioner = query
        .petitioner
        .map(|p| {
            p.parse()
                .map_err(|_| ApiError::bad_request(lang, "petitioner"))
        })
        .transpose()?;
    let filter = PetitionFilter {
        open: query.open,
        channel,
        class,
        backlog: query.backlog.unwrap_or(false),
        overdue: query.overdue.unwrap_or(false),
        due_soon: query.due_soon.unwrap_or(false),
        petitioner,
        ..PetitionFilter::default()
    };
    let (rows, _) = app
        .store
        .petitions(
            &me.principal.scope(),
            filter,
            query.limit.unwrap_or(50),
            query.offset.unwrap_or(0),
        )
        .await
        .map_err(store_error(lang))?;
    Ok(Json(rows.into_iter().map(PetitionView::from).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Registered {
    pub id: String,
    pub number: String,
    /// Earlier petitions of the same petitioner on the same matter (重复访), to be confirmed
    /// with the `confirm_repeat` action.
    pub suggested_repeats: Vec<String>,
}

/// Registers a petition (登记).
#[utoipa::path(post, path = "/api/v1/petitions", tag = "petitions", request_body = RegisterBody,
    responses(
        (status = 201, description = "Registered", body = Registered),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not register petitions, or not for this petitioner", body = ErrorBody),
        (status = 404, description = "The petitioner or an accused user is unknown", body = ErrorBody),
        (status = 422, description = "Refused, with the reason (too many representatives…)", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn register(
    State(app): State<AppState>,
    me: Staff,
    Body(body): Body<RegisterBody>,
) -> Result<Response, ApiError> {
    let lang = me.lang;
    let new = NewPetition::try_from(body).map_err(refused(lang))?;
    let registered = app
        .store
        .register_petition(&me.principal, None, new)
        .await
        .map_err(store_error(lang))?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            id: registered.id.to_string(),
            number: registered.number,
            suggested_repeats: registered
                .suggested_repeats
                .iter()
                .map(Uuid::to_string)
                .collect(),
        }),
    )
        .into_response())
}

/// One change in a petition's history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The action's code.
    pub action: String,
    pub to_state: String,
    /// What the change holds (the rules' record of it), sealed as the petition is.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
}

/// One petition with its history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PetitionDetailView {
    /// The petition as its history leaves it.
    #[schema(value_type = Object)]
    pub petition: serde_json::Value,
    pub petitioner_name: Option<String>,
    pub sealed: bool,
    pub department: Option<String>,
    pub light: Option<String>,
    /// What the caller may do now (action codes).
    pub actions: Vec<String>,
    pub history: Vec<EventView>,
}

/// One petition with its history, as the caller may see it.
#[utoipa::path(get, path = "/api/v1/petitions/{id}", tag = "petitions",
    params(("id" = String, Path, description = "The petition's id")),
    responses(
        (status = 200, description = "The petition", body = PetitionDetailView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see petitions", body = ErrorBody),
        (status = 404, description = "No such petition within reach", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn one(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
) -> Result<Json<PetitionDetailView>, ApiError> {
    let lang = me.lang;
    let id = id_of(&id, lang)?;
    let detail = app
        .store
        .petition(&me.principal.scope(), id)
        .await
        .map_err(store_error(lang))?;
    Ok(Json(PetitionDetailView {
        petition: json(&detail.petition),
        petitioner_name: detail.petitioner.map(|p| p.name),
        sealed: detail.sealed,
        department: detail.department,
        light: detail.light.map(|l| l.as_str().to_owned()),
        actions: detail
            .actions
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect(),
        history: detail
            .history
            .iter()
            .map(|e| EventView {
                seq: e.seq,
                at: e.at,
                actor: e.actor.name.clone(),
                action: e.change.kind().as_str().to_owned(),
                to_state: jiedao_core::ledger::RecordState::as_str(e.to_state).to_owned(),
                change: json(&e.change),
            })
            .collect(),
    }))
}

/// A value as JSON (null if it cannot be written, which serde's derive never does).
fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// Takes an action on a petition.
#[utoipa::path(post, path = "/api/v1/petitions/{id}/actions", tag = "petitions",
    params(("id" = String, Path, description = "The petition's id")),
    request_body = ActionBody,
    responses(
        (status = 200, description = "Done: the petition's state", body = PetitionView),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not take this action, or not here", body = ErrorBody),
        (status = 404, description = "No such petition within reach", body = ErrorBody),
        (status = 409, description = "Not possible in the petition's state or period", body = ErrorBody),
        (status = 422, description = "Refused, with the reason", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn act(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
    Body(body): Body<ActionBody>,
) -> Result<Json<ActionDone>, ApiError> {
    let lang = me.lang;
    let id = id_of(&id, lang)?;
    let action = Action::try_from(body).map_err(refused(lang))?;
    let petition = app
        .store
        .act_on_petition(&me.principal, None, id, action)
        .await
        .map_err(store_error(lang))?;
    Ok(Json(ActionDone {
        id: id.to_string(),
        state: jiedao_core::ledger::RecordState::as_str(petition.state).to_owned(),
        seq: petition.event_count,
    }))
}

/// What an action left.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionDone {
    pub id: String,
    pub state: String,
    pub seq: u32,
}

/// Which year's figures.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// The year (default: this one; up to today while it lasts); compared with the same days
    /// of the year before.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// The petitions' figures of a year within reach, each against the year before (同比).
#[utoipa::path(get, path = "/api/v1/petitions/figures", tag = "petitions", params(FiguresQuery),
    responses(
        (status = 200, description = "The figures; rates and changes in hundredths of a per cent", body = Object),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see petitions", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn figures(
    State(app): State<AppState>,
    me: Staff,
    Params(query): Params<FiguresQuery>,
) -> Result<Json<Figures>, ApiError> {
    let lang = me.lang;
    let year = query.year.unwrap_or(app.store.now().year());
    let period = Period::year_until(year, jiedao_core::clock::business_date(app.store.now()))
        .filter(|_| (2000..=2100).contains(&year))
        .ok_or_else(|| ApiError::bad_request(lang, "year"))?;
    let scope = me.principal.scope();
    let shown = app
        .store
        .read(move |conn| figures::figures(conn, &scope, period))
        .await
        .map_err(store_error(lang))?;
    Ok(Json(shown))
}
