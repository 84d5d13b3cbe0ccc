//! One case's page (案件详情): what and where, both clocks with their lights, reporters,
//! photos, the timeline of every recorded change, likely duplicates, and the forms of the
//! actions the reader may take now.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Duration;
use jiedao_core::CaseId;
use jiedao_core::case::{ActionKind, Case, available, can_file_and_dispatch};
use jiedao_store::cases::action::relate;
use jiedao_store::cases::read::ReporterView;
use jiedao_store::cases::{CaseDetail, Who, read};
use jiedao_store::categories::Catalog;
use jiedao_store::departments;

use super::act::{ActionForm, file_and_dispatch_form, form};
use super::timeline::{Clock, Entry, actors, clocks, timeline};
use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::present::{category_name, time};

pub struct Photo {
    pub id: String,
    pub purpose: &'static str,
    pub name: String,
    pub image: bool,
}

#[derive(Template)]
#[template(path = "cases/case.html")]
struct CasePage {
    chrome: Chrome,
    notice: Option<Refused>,
    case: Case,
    state: &'static str,
    channel: &'static str,
    urgency: &'static str,
    category: String,
    category_path: String,
    clocks: Vec<Clock>,
    reported_at: String,
    reporters: Vec<(String, String, String)>,
    /// The reader may see reporters whole, on asking (each time logged).
    can_reveal: bool,
    /// Reporters are shown whole on this page.
    revealed: bool,
    /// The reporter's answers to the category's questions, as lines.
    answers: Vec<String>,
    media_url: Option<String>,
    /// A phone number the reporter's system sent that did not read as one, masked.
    phone_as_sent: Option<String>,
    photos: Vec<Photo>,
    timeline: Vec<Entry>,
    forms: Vec<ActionForm>,
    duplicates: Vec<(String, String, String)>,
    /// The registry's persons, places and components the case names: (link, label).
    named: Vec<(String, String)>,
    history_intact: bool,
    csrf: String,
    /// Staff are offered the printable case sheet.
    sheet_offered: bool,
}

pub fn category_path(case: &Case, catalog: &Catalog, tr: Tr) -> String {
    case.category
        .as_ref()
        .map(|c| {
            catalog
                .lineage(c.id)
                .iter()
                .map(|e| e.name_in(tr.lang()).to_owned())
                .collect::<Vec<_>>()
                .join(" › ")
        })
        .unwrap_or_default()
}

/// Whether the action of this form kind moves the case on to its next step (the page's
/// primary action) rather than aside (extension, parking, supervision).
fn moves_on(kind: &str) -> bool {
    kind == super::act::FILE_AND_DISPATCH
        || [
            ActionKind::File,
            ActionKind::Dispatch,
            ActionKind::Accept,
            ActionKind::ReportDone,
            ActionKind::Check,
            ActionKind::Close,
            ActionKind::Verify,
            ActionKind::FollowUp,
        ]
        .iter()
        .any(|k| k.as_str() == kind)
}

/// Builds and renders the page of case `id` for `me`, with an optional notice.
pub async fn page(
    app: &AppState,
    me: &SignedIn,
    id: CaseId,
    notice: Option<Refused>,
) -> Result<Response, Failure> {
    render(app, me, id, notice, None).await
}

/// The page with reporters shown whole: the view is written to the audit log first.
pub async fn reveal(
    State(app): State<AppState>,
    me: SignedIn,
    Path(id): Path<CaseId>,
) -> Result<Response, Failure> {
    let (principal, ip, at) = (me.principal.clone(), me.ctx.ip.clone(), app.store.now());
    let whole = app
        .store
        .write(move |conn| read::reveal(conn, &principal, id, at, ip.clone()))
        .await?;
    render(&app, &me, id, None, Some(whole)).await
}

async fn render(
    app: &AppState,
    me: &SignedIn,
    id: CaseId,
    notice: Option<Refused>,
    revealed: Option<Vec<ReporterView>>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let principal = me.principal.clone();
    let radius = app.store.config().duplicate_radius_m;
    let window = Duration::hours(app.store.config().duplicate_window_hours);
    let (detail, relation, departments, duplicates, named, people) = app
        .store
        .read(move |conn| {
            let detail: CaseDetail = read::detail(conn, &principal, id)?;
            let relation = relate(conn, &Who::User(principal.clone()), &detail.case)?;
            let departments = if principal.role().is_staff() {
                departments::dispatchable(conn, &principal.scope(), detail.case.street)?
            } else {
                Vec::new()
            };
            let actions = available(&detail.case, &relation);
            let duplicates = if actions.contains(&ActionKind::Merge) {
                read::likely_duplicates(conn, &detail.case, radius, window)?
            } else {
                Vec::new()
            };
            let named = jiedao_store::registry::links::named_for(conn, &principal, id)?;
            let people = if principal.role().is_staff() {
                jiedao_store::users::display_names(conn, &actors(&detail.history))?
            } else {
                std::collections::HashMap::new()
            };
            Ok((detail, relation, departments, duplicates, named, people))
        })
        .await?;
    let catalog = app.store.catalog();
    let calendar = app.store.calendar();
    let now = app.store.now();
    let case = detail.case;
    let staff = me.principal.role().is_staff();
    let combined = can_file_and_dispatch(&case, &relation)
        .then(|| file_and_dispatch_form(&case, &catalog, &departments, tr));
    let mut forms: Vec<ActionForm> = combined
        .into_iter()
        .chain(
            available(&case, &relation)
                .into_iter()
                .map(|kind| form(kind, &case, &catalog, &departments, tr)),
        )
        .collect();
    // One primary action: what moves the case on comes first, what sends it back comes last.
    forms.sort_by_key(|f| (f.danger, !moves_on(f.kind)));
    let refused = notice.as_ref().map(|n| n.kind);
    render_form(
        &CasePage {
            chrome: Chrome::for_record(
                &me.ctx,
                format!("{} · {}", case.number, tr.t(case.state.label_key())),
            ),
            notice,
            state: tr.t(case.state.label_key()),
            channel: tr.t(case.channel.label_key()),
            urgency: tr.t(case.urgency.label_key()),
            category: category_name(&case, &catalog, tr),
            category_path: category_path(&case, &catalog, tr),
            clocks: clocks(&case, &calendar, now, tr),
            reported_at: time(case.reported_at),
            can_reveal: read::may_reveal(me.principal.role())
                && detail.reporters.iter().any(|r| !r.anonymous),
            revealed: revealed.is_some(),
            reporters: revealed
                .as_ref()
                .unwrap_or(&detail.reporters)
                .iter()
                .map(|r| {
                    let name = if r.anonymous {
                        tr.t("case.anonymous").to_owned()
                    } else {
                        r.name.clone().unwrap_or_default()
                    };
                    (
                        name,
                        r.phone.clone().unwrap_or_default(),
                        time(r.reported_at),
                    )
                })
                .collect(),
            photos: detail
                .attachments
                .iter()
                .map(|a| Photo {
                    id: a.id.to_string(),
                    purpose: tr.t(a.purpose.label_key()),
                    name: a.file_name.clone(),
                    image: a.is_image(),
                })
                .collect(),
            timeline: timeline(&detail.history, tr, staff.then_some(&people)),
            forms,
            duplicates: duplicates
                .iter()
                .map(|d| {
                    (
                        d.id.to_string(),
                        d.number.clone(),
                        d.description.chars().take(40).collect(),
                    )
                })
                .collect(),
            named: named
                .iter()
                .map(|n| {
                    let href = match n.kind.as_str() {
                        "person" => format!("/registry/persons/{}", n.id),
                        "place" => format!("/registry/places/{}", n.id),
                        _ => "/registry/components".to_owned(),
                    };
                    (href, n.label.clone())
                })
                .collect(),
            history_intact: detail.history_intact,
            answers: case
                .category
                .as_ref()
                .and_then(|k| catalog.get(k.id))
                .map(|entry| {
                    jiedao_core::question::describe(
                        &entry.settings.questions,
                        &detail.submission.answers,
                        me.ctx.lang,
                    )
                })
                .unwrap_or_default(),
            media_url: detail.submission.media_url.clone(),
            phone_as_sent: detail.submission.phone_as_sent.clone(),
            csrf: me.ctx.csrf_token.clone(),
            sheet_offered: staff,
            case,
        },
        refused,
    )
}

pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    Path(id): Path<CaseId>,
) -> Result<Response, Failure> {
    page(&app, &me, id, None).await
}
