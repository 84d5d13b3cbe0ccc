//! One case's page (案件详情): what and where, both clocks with their lights, reporters,
//! photos, the timeline of every recorded change, likely duplicates, and the forms of the
//! actions the reader may take now.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Duration;
use jiedao_core::CaseId;
use jiedao_core::case::{ActionKind, Case, Change, available, can_file_and_dispatch};
use jiedao_store::cases::action::relate;
use jiedao_store::cases::read::ReporterView;
use jiedao_store::cases::{CaseDetail, EventRecord, Who, read};
use jiedao_store::categories::Catalog;
use jiedao_store::departments;

use super::act::{ActionForm, file_and_dispatch_form, form};
use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;
use crate::layout::{Chrome, render_form};
use crate::present::{category_name, time, time_opt};
use crate::tr::Tr;

/// A message at the top of a page.
pub struct Notice {
    pub text: String,
    pub error: bool,
}

impl Notice {
    pub fn error(text: String) -> Notice {
        Notice { text, error: true }
    }
}

/// One line of the timeline.
pub struct Entry {
    pub at: String,
    pub action: &'static str,
    pub actor: String,
    pub state: &'static str,
    pub detail: String,
}

pub struct Photo {
    pub id: String,
    pub purpose: &'static str,
    pub name: String,
    pub image: bool,
}

pub struct Clock {
    pub label: &'static str,
    pub light: Option<&'static str>,
    pub light_label: &'static str,
    pub started: String,
    pub deadline: String,
    pub limit: String,
    pub paused: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    notice: Option<Notice>,
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
    photos: Vec<Photo>,
    timeline: Vec<Entry>,
    forms: Vec<ActionForm>,
    duplicates: Vec<(String, String, String)>,
    history_intact: bool,
    csrf: String,
}

/// What a recorded change says beyond its name.
pub fn describe(change: &Change, tr: Tr) -> String {
    let with = |label: &str, text: &str| {
        if text.is_empty() {
            String::new()
        } else {
            format!("{}：{text}", tr.t(label))
        }
    };
    match change {
        Change::Report { report, .. } => report.description.clone(),
        Change::RequestVerification { note }
        | Change::Resume { note, .. }
        | Change::Close { note, .. } => with("form.note", note),
        Change::Verify { found, note } => format!(
            "{} {}",
            tr.t(if *found {
                "form.found_yes"
            } else {
                "form.found_no"
            }),
            with("form.note", note)
        ),
        Change::Locate { location, .. } => location
            .grid
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        Change::File { category, note, .. } => format!(
            "{} {}",
            category
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            with("form.note", note)
        ),
        Change::Void { reason }
        | Change::Return { reason, .. }
        | Change::Park { reason, .. }
        | Change::Reopen { reason, .. } => with("form.reason", reason),
        Change::Dispatch {
            department, note, ..
        } => format!("→ {} {}", department.name, with("form.note", note)),
        Change::Redispatch {
            department, reason, ..
        } => format!("→ {} {}", department.name, with("form.reason", reason)),
        Change::Accept { .. } | Change::DeadlinesSet { .. } => String::new(),
        Change::RequestExtension { request } => format!(
            "+{} {}",
            request.extra.describe(tr.lang()),
            with("form.reason", &request.reason)
        ),
        Change::DecideExtension { approved, note, .. } => format!(
            "{} {}",
            tr.t(if *approved {
                "form.approve"
            } else {
                "form.refuse"
            }),
            with("form.note", note)
        ),
        Change::ReportDone { note, .. } => with("form.note", note),
        Change::Check { passed, note, .. } => format!(
            "{} {}",
            tr.t(if *passed {
                "form.passed"
            } else {
                "form.failed"
            }),
            with("form.note", note)
        ),
        Change::FollowUp {
            satisfaction, note, ..
        } => {
            format!(
                "{} {}",
                tr.t(satisfaction.label_key()),
                with("form.note", note)
            )
        }
        Change::Supervise { reason, automatic } => format!(
            "{}{}",
            if *automatic {
                tr.t("case.automatic")
            } else {
                ""
            },
            with("form.reason", reason)
        ),
        Change::Merge { into_number, .. } => format!("→ {into_number}"),
        Change::MergedIn { from_number, .. } => format!("← {from_number}"),
        Change::StepOverdue { step } => tr.t(step.label_key()).to_owned(),
    }
}

pub fn timeline(history: &[EventRecord], tr: Tr, show_people: bool) -> Vec<Entry> {
    history
        .iter()
        .map(|event| Entry {
            at: time(event.at),
            action: tr.t(event.change.kind().label_key()),
            actor: if show_people {
                event.actor.name.clone()
            } else {
                event.actor.role.map_or_else(
                    || tr.t("case.system").to_owned(),
                    |r| tr.t(r.label_key()).to_owned(),
                )
            },
            state: tr.t(event.to_state.label_key()),
            detail: describe(&event.change, tr),
        })
        .collect()
}

pub fn clocks(
    case: &Case,
    calendar: &jiedao_core::calendar::WorkCalendar,
    now: chrono::DateTime<chrono::Utc>,
    tr: Tr,
) -> Vec<Clock> {
    let clock = |label: &'static str, timer: &jiedao_core::case::Timer| {
        let light = timer.light(calendar, now);
        Clock {
            label,
            light: Some(light.as_str()),
            light_label: tr.t(light.label_key()),
            started: time(timer.started_at),
            deadline: if timer.is_pending() {
                tr.t("case.deadline_pending").to_owned()
            } else {
                time_opt(timer.deadline)
            },
            limit: timer.limit.describe(tr.lang()),
            paused: timer.is_paused(),
        }
    };
    let mut out = Vec::new();
    if let (Some(step), Some(timer)) = (case.step, &case.step_timer) {
        out.push(clock(tr.t(step.label_key()), timer));
    }
    if let Some(timer) = case.case_timer.as_ref().filter(|_| case.state.is_open()) {
        out.push(clock(tr.t("case.whole_case"), timer));
    }
    out
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

/// Builds and renders the page of case `id` for `me`, with an optional notice.
pub async fn page(
    app: &AppState,
    me: &SignedIn,
    id: CaseId,
    notice: Option<Notice>,
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
    notice: Option<Notice>,
    revealed: Option<Vec<ReporterView>>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let principal = me.principal.clone();
    let radius = app.store.config().duplicate_radius_m;
    let window = Duration::hours(app.store.config().duplicate_window_hours);
    let (detail, relation, departments, duplicates) = app
        .store
        .read(move |conn| {
            let detail: CaseDetail = read::detail(conn, &principal, id)?;
            let relation = relate(conn, &Who::User(principal.clone()), &detail.case)?;
            let departments = if principal.role().is_staff() {
                departments::list(conn, &jiedao_store::Principal::system("page").scope())?
                    .into_iter()
                    .filter(|d| d.street_id == detail.case.street)
                    .collect()
            } else {
                Vec::new()
            };
            let actions = available(&detail.case, &relation);
            let duplicates = if actions.contains(&ActionKind::Merge) {
                read::likely_duplicates(conn, &detail.case, radius, window)?
            } else {
                Vec::new()
            };
            Ok((detail, relation, departments, duplicates))
        })
        .await?;
    let catalog = app.store.catalog();
    let calendar = app.store.calendar();
    let now = app.store.now();
    let case = detail.case;
    let staff = me.principal.role().is_staff();
    let combined = can_file_and_dispatch(&case, &relation)
        .then(|| file_and_dispatch_form(&case, &catalog, &departments, tr));
    let forms = combined
        .into_iter()
        .chain(
            available(&case, &relation)
                .into_iter()
                .map(|kind| form(kind, &case, &catalog, &departments, tr)),
        )
        .collect();
    let refused = notice.as_ref().is_some_and(|n| n.error);
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
            timeline: timeline(&detail.history, tr, staff),
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
            csrf: me.ctx.csrf_token.clone(),
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
