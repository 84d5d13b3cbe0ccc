//! Cases for staff systems: the list a person may see (with the pages' filters), one case with
//! its history, and acting on it with the same commands, rules and records as the case page.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use jiedao_core::RefusalKind;
use jiedao_core::case::{ActionKind, Case, CaseState};
use jiedao_core::i18n;
use jiedao_core::{CaseId, Lang};
use jiedao_store::cases::read::{self, CaseDetail, CaseFilter, ReporterView};
use jiedao_store::cases::{Command, Who};
use serde::{Deserialize, Serialize};

use super::act::purpose_of;
use super::action::{ActionBody, ActionRequest};
use crate::AppState;
use crate::api::photos::WithPhotos;
use crate::api::{ApiError, ErrorBody, Params, Staff};
use crate::upload;

/// The most cases one page holds.
const MAX_PAGE_SIZE: i64 = 500;

/// A case as lists show it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub id: String,
    /// 案卷编号, e.g. `20261122-00017`.
    pub number: String,
    /// The state's code, e.g. `dispatched`.
    pub state: String,
    /// The state's name in the caller's language.
    pub state_label: String,
    pub open: bool,
    pub channel: String,
    /// The category's code, e.g. `E0101`.
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub urgency: String,
    pub description: String,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// The grid's code.
    pub grid: Option<String>,
    pub department: Option<String>,
    pub reported_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the current step's time runs out.
    pub step_deadline: Option<DateTime<Utc>>,
    /// When the whole case's time runs out.
    pub case_deadline: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub supervised: bool,
}

impl CaseSummary {
    pub fn of(case: &Case, lang: Lang) -> CaseSummary {
        CaseSummary {
            id: case.id.to_string(),
            number: case.number.clone(),
            state: case.state.as_str().to_owned(),
            state_label: i18n::text(lang, case.state.label_key()).to_owned(),
            open: case.state.is_open(),
            channel: case.channel.as_str().to_owned(),
            category: case.category.as_ref().map(|k| k.code.clone()),
            category_name: case.category.as_ref().map(|k| k.name.clone()),
            urgency: case.urgency.as_str().to_owned(),
            description: case.description.clone(),
            address: case.location.address.clone(),
            lon: case.location.lon,
            lat: case.location.lat,
            grid: case.location.grid.as_ref().map(|g| g.code.clone()),
            department: case.department.as_ref().map(|d| d.name.clone()),
            reported_at: case.reported_at,
            updated_at: case.updated_at,
            step_deadline: case.step_timer.as_ref().and_then(|t| t.deadline),
            case_deadline: case.case_timer.as_ref().and_then(|t| t.deadline),
            overdue: case.step_overdue,
            supervised: case.supervised,
        }
    }
}

/// One page of cases.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseList {
    /// How many cases match in all.
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub cases: Vec<CaseSummary>,
}

/// What to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// A state's code, e.g. `dispatched`.
    pub state: Option<String>,
    /// Open cases only.
    pub open_only: Option<bool>,
    /// A category code or the code of a class above it (`E01`).
    pub category: Option<String>,
    /// A case number, or words of the description or address.
    pub keyword: Option<String>,
    pub overdue: Option<bool>,
    pub supervised: Option<bool>,
    /// Reported at or after.
    pub reported_from: Option<DateTime<Utc>>,
    /// Reported before.
    pub reported_to: Option<DateTime<Utc>>,
    /// From 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<i64>,
}

/// One recorded change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// The action's code, e.g. `dispatch`.
    pub action: String,
    pub action_label: String,
    pub actor: String,
    pub from_state: Option<String>,
    pub to_state: String,
}

/// A reporter: masked on the case, whole from the reveal call (for roles that call back).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReporterEntry {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub anonymous: bool,
    pub channel: String,
    pub reported_at: DateTime<Utc>,
}

impl ReporterEntry {
    fn of(reporter: &ReporterView) -> ReporterEntry {
        ReporterEntry {
            name: reporter.name.clone(),
            phone: reporter.phone.clone(),
            anonymous: reporter.anonymous,
            channel: reporter.channel.clone(),
            reported_at: reporter.reported_at,
        }
    }
}

/// A case with its history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub case: CaseSummary,
    pub history: Vec<HistoryEntry>,
    pub reporters: Vec<ReporterEntry>,
    pub attachments: i64,
    /// The history's hash chain is whole and ends at the case row.
    pub history_intact: bool,
}

impl CaseView {
    fn of(detail: &CaseDetail, lang: Lang) -> CaseView {
        CaseView {
            case: CaseSummary::of(&detail.case, lang),
            history: detail
                .history
                .iter()
                .map(|r| HistoryEntry {
                    seq: r.seq,
                    at: r.at,
                    action: r.change.kind().as_str().to_owned(),
                    action_label: i18n::text(lang, r.change.kind().label_key()).to_owned(),
                    actor: r.actor.name.clone(),
                    from_state: r.from_state.map(|s| s.as_str().to_owned()),
                    to_state: r.to_state.as_str().to_owned(),
                })
                .collect(),
            reporters: detail.reporters.iter().map(ReporterEntry::of).collect(),
            attachments: i64::try_from(detail.attachments.len()).unwrap_or(i64::MAX),
            history_intact: detail.history_intact,
        }
    }
}

fn case_id(text: &str, lang: Lang) -> Result<CaseId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::new(RefusalKind::NotFound, "not_found", lang, "api.no_case"))
}

/// The cases the caller may see.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseQuery),
    responses(
        (status = 200, description = "A page of cases, newest first", body = CaseList),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not list cases", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    me: Staff,
    Params(query): Params<CaseQuery>,
) -> Result<Json<CaseList>, ApiError> {
    let lang = me.lang;
    let bad = |what: &str| ApiError::bad_request(lang, what);
    let page = query.page.unwrap_or(1);
    let page_size = query.page_size.unwrap_or(50);
    if !(1..=100_000).contains(&page) {
        return Err(bad("page"));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(bad("page_size"));
    }
    let states = match query.state.as_deref() {
        Some(code) => vec![CaseState::parse(code).ok_or_else(|| bad("state"))?],
        None => Vec::new(),
    };
    let filter = CaseFilter {
        states,
        open_only: query.open_only.unwrap_or(false),
        category: query.category,
        keyword: query.keyword,
        overdue: query.overdue,
        supervised: query.supervised,
        reported_from: query.reported_from,
        reported_to: query.reported_to,
        ..CaseFilter::default()
    };
    let (principal, now) = (me.principal.clone(), app.store.now());
    let found = app
        .store
        .read(move |conn| {
            read::list(
                conn,
                &principal,
                &filter,
                now,
                page_size,
                (page - 1) * page_size,
            )
        })
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(CaseList {
        total: found.total,
        page,
        page_size,
        cases: found
            .cases
            .iter()
            .map(|c| CaseSummary::of(c, lang))
            .collect(),
    }))
}

/// One case with its history, if the caller may see it.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case", body = CaseView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Outside the caller's part of the organisation", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn show(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let id = case_id(&id, me.lang)?;
    view(&app, &me, id).await
}

/// The case's reporters whole, for intake operators and shift leads (who call reporters
/// back); every call is written to the audit log.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reporters/reveal", tag = "cases",
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The reporters, whole", body = Vec<ReporterEntry>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the caller's role, or outside their part of the organisation", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn reveal(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReporterEntry>>, ApiError> {
    let lang = me.lang;
    let id = case_id(&id, lang)?;
    let (principal, at) = (me.principal.clone(), app.store.now());
    let whole = app
        .store
        .write(move |conn| read::reveal(conn, &principal, id, at, None))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(whole.iter().map(ReporterEntry::of).collect()))
}

/// The case as `me` may see it now.
async fn view(app: &AppState, me: &Staff, id: CaseId) -> Result<Json<CaseView>, ApiError> {
    let (lang, principal) = (me.lang, me.principal.clone());
    let detail = app
        .store
        .read(move |conn| read::detail(conn, &principal, id))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(CaseView::of(&detail, lang)))
}

/// Acts on a case, as its page's form would; answers the case as it now stands. Actions that
/// take photos (report_done needs an after-photo; check and verify may have some) take them
/// as `multipart/form-data`: the part `body` holds the JSON, each part `photos` one photo.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions/{action}", tag = "cases",
    request_body(content(
        (ActionBody = "application/json"),
        (WithPhotos<ActionBody> = "multipart/form-data"))),
    params(
        ("id" = String, Path, description = "The case's id"),
        ("action" = String, Path, description = "An action's code: file, dispatch, accept, report_done, check, close, follow_up, void, return, park, resume, supervise, merge, reopen, request_verification, verify, locate, redispatch, request_extension, decide_extension")),
    responses(
        (status = 200, description = "Done; the case as it now stands", body = CaseView),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the caller's to do", body = ErrorBody),
        (status = 404, description = "No such case or action", body = ErrorBody),
        (status = 409, description = "Not possible in the case's present state; nothing changed", body = ErrorBody),
        (status = 422, description = "Refused, with the reason; nothing changed", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn act(
    State(app): State<AppState>,
    me: Staff,
    Path((id, action)): Path<(String, String)>,
    sent: WithPhotos<ActionBody>,
) -> Result<Json<CaseView>, ApiError> {
    let lang = me.lang;
    let id = case_id(&id, lang)?;
    let kind = ActionKind::parse(&action)
        .ok_or_else(|| ApiError::new(RefusalKind::NotFound, "not_found", lang, "api.no_action"))?;
    let uploads = sent.uploads(purpose_of(kind));
    let command = Command::try_from(ActionRequest {
        kind,
        body: sent.body,
    })
    .map_err(|refusal| ApiError::from_store(refusal.into(), lang))?;
    let attempt = async {
        let files = upload::store_files(&app, uploads).await?;
        app.store
            .act(Who::User(me.principal.clone()), None, id, command, files)
            .await
    };
    attempt
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    view(&app, &me, id).await
}
