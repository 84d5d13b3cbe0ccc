//! What residents do without being staff: report a problem (居民随手拍) on a public page, with a
//! photo and their phone's position or a community and an address, and follow it through a
//! private link: see its progress, rate the result, ask to reopen it.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::case::{ActionKind, Case, CaseState, Channel};
use jiedao_core::{AttachmentId, Capability, OrgUnitId};
use jiedao_store::cases::{Command, Face, NewReport, Purpose, Reporter, Variant, Who, read};
use jiedao_store::{StoreError, org};

use super::progress::{Step, progress, public_state};
use crate::AppState;
use crate::context::Ctx;
use crate::failure::Failure;
use crate::features::cases::act::category_choices;
use crate::features::cases::action::{ActionBody, ActionRequest};
use crate::features::cases::attachments::serve_file;
use crate::features::cases::report_form::{
    FormValues, ReportPage, pick_map, question_sets, read_answers, read_common,
};
use crate::upload::{self, FormData};
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::map::Viewer;
use crate::widgets::present::{category_name, time};
use crate::widgets::qr;
use serde::Deserialize;

async fn report_page(
    app: &AppState,
    ctx: &Ctx,
    values: FormValues,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let tr = ctx.tr();
    let communities = app.store.read(org::public_communities).await?;
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &ReportPage {
            chrome: Chrome::new(ctx, tr.t("public.report_title")),
            action: "/report".to_owned(),
            error,
            categories: category_choices(&app.store.catalog(), tr, None, true),
            channels: Vec::new(),
            urgencies: Vec::new(),
            communities: communities
                .iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: format!("{} · {}", c.street_name, c.name),
                    selected: false,
                })
                .collect(),
            values,
            ask_reporter: true,
            ask_anonymity: true,
            hint: tr.t("public.report_hint"),
            // Grid maps are public information: the whole map, whoever asks.
            pick_map: pick_map(app, Viewer::Public, tr).await?,
            questions: question_sets(&app.store.catalog(), tr, true),
            queue: None,
            nearby: true,
        },
        refused,
    )
}

pub async fn form(State(app): State<AppState>, ctx: Ctx) -> Result<Response, Failure> {
    report_page(&app, &ctx, FormValues::default(), None).await
}

/// The street of the community a resident picked, for a report without a point.
async fn street_of_community(
    app: &AppState,
    form: &FormData,
) -> Result<Option<(OrgUnitId, jiedao_core::OrgPath)>, Failure> {
    let Some(id) = form
        .optional("community")
        .and_then(|c| c.parse::<OrgUnitId>().ok())
    else {
        return Ok(None);
    };
    let communities = app.store.read(org::public_communities).await?;
    Ok(communities
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| (c.street_id, c.street_path)))
}

pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, Failure> {
    // Counted before the body is read: a flood costs no more than its refusals.
    crate::limit::public_page(&app, crate::limit::Public::Form, &ctx)?;
    let form = upload::read(multipart).await?;
    let (category, description, lon, lat, address) = read_common(&form);
    let resident = ctx
        .principal()
        .filter(|p| p.role().can(Capability::ReportAsResident))
        .cloned();
    let anonymous = form.flag("anonymous");
    let new = NewReport {
        channel: Channel::Resident,
        category,
        urgency: None,
        description,
        lon,
        lat,
        address,
        street: street_of_community(&app, &form).await?,
        external_ref: None,
        reporter: Reporter {
            user_id: resident.as_ref().and_then(|p| p.user_id()),
            name: form.optional("name").filter(|_| !anonymous),
            phone: form.optional("phone"),
            anonymous,
            follow_link: true,
        },
        idempotency: None,
        public_only: true,
        submission: read_answers(&form, &app.store.catalog(), category),
        face: Face::Person,
    };
    let actor = match &resident {
        Some(principal) => Who::User(principal.clone()).event_actor(ctx.ip.clone()),
        None => Who::Reporter {
            token_hash: Vec::new(),
        }
        .event_actor(ctx.ip.clone()),
    };
    let attempt = async {
        let files = upload::store_files(&app, form.uploads("photos", Purpose::Report)).await?;
        app.store.report(new, actor, files).await
    };
    match attempt.await {
        // Redirect after POST: the receipt is the follow page, so reloading it files nothing.
        Ok(receipt) => Ok(match receipt.follow_token {
            Some(token) => Redirect::to(&format!("/follow/{token}?received=1")),
            None => Redirect::to(&format!("/cases/{}", receipt.id)),
        }
        .into_response()),
        Err(StoreError::Refused(refusal)) => {
            report_page(
                &app,
                &ctx,
                FormValues::from(&form),
                Some(Refused::of(&refusal, ctx.lang)),
            )
            .await
        }
        Err(fault) => Err(fault.into()),
    }
}

#[derive(Template)]
#[template(path = "public/follow.html")]
struct FollowPage {
    chrome: Chrome,
    notice: Option<Refused>,
    case: Case,
    token: String,
    state: &'static str,
    category: String,
    reported_at: String,
    progress: Vec<Step>,
    photos: Vec<(String, &'static str)>,
    /// Just reported (the receipt): thanks, the number, the link to keep.
    received: bool,
    /// Just rated: thanks for it.
    thanked: bool,
    unlocated: bool,
    /// The follow link in full, and its QR code.
    link: String,
    qr: Option<String>,
    can_rate: bool,
    can_reopen: bool,
    satisfactions: Vec<Choice>,
    rated: Option<&'static str>,
    /// Where the case is, on the map, when the report gave a point.
    webmap: Option<crate::widgets::webmap::Embedded>,
}

fn token_hash(token: &str) -> Vec<u8> {
    jiedao_store::clients::token_hash(token)
}

/// What the follow page was opened after: a report (`received`) or a rating (`thanks`).
#[derive(Debug, Default, Deserialize)]
pub struct FollowQuery {
    #[serde(default)]
    received: Option<String>,
    #[serde(default)]
    thanks: Option<String>,
}

/// The address of this site as the visitor reached it, for links carried off the page.
fn site(app: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    let scheme = if app.config.cookie_secure {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

async fn follow_page(
    app: &AppState,
    ctx: &Ctx,
    token: String,
    notice: Option<Refused>,
    (query, site): (FollowQuery, String),
) -> Result<Response, Failure> {
    let tr = ctx.tr();
    let hash = token_hash(&token);
    let detail = app
        .store
        .read(move |conn| read::by_follow_token(conn, &hash))
        .await?
        .ok_or(Failure::NotFound)?;
    let case = detail.case;
    let refused = notice.as_ref().map(|n| n.kind);
    let webmap = match (case.location.lon, case.location.lat) {
        (Some(lon), Some(lat)) => {
            let mode = crate::widgets::webmap::Mode::Place { lon, lat };
            // Without script, the point in numbers.
            let drawing = |_: &[_]| Some(format!(r#"<p class="mono">{lon:.5}, {lat:.5}</p>"#));
            crate::widgets::webmap::embed(app, Viewer::Public, mode, drawing, tr).await?
        }
        _ => None,
    };
    let link = format!("{site}/follow/{token}");
    render_form(
        &FollowPage {
            chrome: Chrome::for_record(
                ctx,
                format!("{} · {}", case.number, tr.t(public_state(case.state))),
            ),
            notice,
            state: tr.t(public_state(case.state)),
            category: category_name(&case, &app.store.catalog(), tr),
            reported_at: time(case.reported_at),
            progress: progress(&detail.history, tr),
            received: query.received.is_some(),
            thanked: query.thanks.is_some() && case.satisfaction.is_some(),
            unlocated: case.location.grid.is_none(),
            qr: qr::svg(&link),
            link,
            photos: detail
                .attachments
                .iter()
                .filter(|a| a.is_image())
                .map(|a| (a.id.to_string(), tr.t(a.purpose.label_key())))
                .collect(),
            rated: case.satisfaction.map(|s| tr.t(s.label_key())),
            can_rate: case.state == CaseState::Closed,
            can_reopen: matches!(case.state, CaseState::Closed | CaseState::Evaluated),
            satisfactions: jiedao_core::case::Satisfaction::ALL
                .iter()
                .map(|s| Choice {
                    value: s.as_str().into(),
                    label: tr.t(s.label_key()).into(),
                    selected: false,
                })
                .collect(),
            webmap,
            token,
            case,
        },
        refused,
    )
}

pub async fn follow(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(query): Query<FollowQuery>,
) -> Result<Response, Failure> {
    let site = site(&app, &headers);
    follow_page(&app, &ctx, token, None, (query, site)).await
}

/// `POST /follow/{token}/{follow_up|reopen}`: the reporter rates the result or asks to reopen.
pub async fn follow_act(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((token, action)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, Failure> {
    let kind = match action.as_str() {
        "follow_up" => ActionKind::FollowUp,
        "reopen" => ActionKind::Reopen,
        _ => return Err(Failure::NotFound),
    };
    crate::limit::public_page(&app, crate::limit::Public::Form, &ctx)?;
    let form = upload::read(multipart).await?;
    let hash = token_hash(&token);
    let lookup = hash.clone();
    let id = app
        .store
        .read(move |conn| read::by_follow_token(conn, &lookup))
        .await?
        .ok_or(Failure::NotFound)?
        .case
        .id;
    let attempt = async {
        let command = Command::try_from(ActionRequest {
            kind,
            body: ActionBody::from(&form),
        })?;
        app.store
            .act(
                Who::Reporter { token_hash: hash },
                ctx.ip.clone(),
                id,
                command,
                Vec::new(),
            )
            .await
    };
    match attempt.await {
        Ok(_) if kind == ActionKind::FollowUp => {
            Ok(Redirect::to(&format!("/follow/{token}?thanks=1")).into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/follow/{token}")).into_response()),
        Err(StoreError::Refused(refusal)) => {
            let site = site(&app, &headers);
            let notice = Some(Refused::of(&refusal, ctx.lang));
            follow_page(&app, &ctx, token, notice, (FollowQuery::default(), site)).await
        }
        Err(fault) => Err(fault.into()),
    }
}

/// A photo of the followed case, as the public sees it (re-encoded, no location data).
pub async fn follow_photo(
    State(app): State<AppState>,
    Path((token, id)): Path<(String, AttachmentId)>,
) -> Result<Response, Failure> {
    let hash = token_hash(&token);
    let detail = app
        .store
        .read(move |conn| read::by_follow_token(conn, &hash))
        .await?
        .ok_or(Failure::NotFound)?;
    let attachment = detail
        .attachments
        .iter()
        .find(|a| a.id == id && a.is_image())
        .ok_or(Failure::NotFound)?;
    serve_file(&app, attachment.id, Variant::Public, "image/jpeg").await
}
