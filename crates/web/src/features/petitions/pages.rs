//! The petitions' pages: the list (with registration for the desk), a petition's page with its
//! history and the actions open to the reader, a petitioner's file (一人一档) and the figures.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use jiedao_core::Capability;
use jiedao_core::petition::tally::percent_text;
use jiedao_core::petition::{
    Action, ActionKind, Change, Channel, Class, Evaluation, Flag, LegalRoute, Level, Outcome,
    ProfileCode,
};
use jiedao_store::petitions::figures::{self, Period};
use jiedao_store::petitions::{NewPetition, PetitionFilter, PetitionRow, write};
use jiedao_store::{Refusal, StoreError};
use serde::Deserialize;
use uuid::Uuid;

use super::body::{ActionBody, ActionForm, RegisterBody, RegisterForm};
use jiedao_reports::workbook::{self, Value};

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::present::{light_cell, time, time_opt};
use crate::widgets::table::{Cell, Row, Table};

/// Rows a list page shows.
const PAGE: i64 = 50;

/// A field of an action's form.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `textarea`, `number` or `select`.
    pub kind: &'static str,
    pub options: Vec<Choice>,
}

/// One action's form on a petition's page.
pub struct ActionView {
    pub code: &'static str,
    pub label: &'static str,
    pub fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "petitions/petitions.html")]
struct ListPage {
    chrome: Chrome,
    error: Option<Refused>,
    tabs: Vec<(String, &'static str, bool)>,
    /// The registration form's choices, for the desk.
    register: Option<Vec<Field>>,
    /// The petitioner the form is for (on a file's page).
    petitioner: String,
    summary: Option<String>,
    sections: Vec<(&'static str, Table)>,
    more: Option<String>,
    export: Option<String>,
    /// On a petitioner's file, for leaders: the plan's form (一人一方案).
    plan: Option<Vec<Field>>,
}

#[derive(Template)]
#[template(path = "petitions/petition.html")]
struct RecordPage {
    chrome: Chrome,
    error: Option<Refused>,
    id: Uuid,
    facts: Vec<(&'static str, String, Option<String>)>,
    repeats: Vec<(String, String)>,
    /// The Word documents the petition has (for petition staff): link, name.
    documents: Vec<(String, &'static str)>,
    actions: Vec<ActionView>,
    history: Table,
}

fn choices<T: Copy>(
    tr: Tr,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice::new(code(*v), tr.t(label(*v)), false))
        .collect()
}

fn select(name: &'static str, label: &'static str, options: Vec<Choice>) -> Field {
    Field {
        name,
        label,
        kind: "select",
        options,
    }
}

fn input(name: &'static str, label: &'static str, kind: &'static str) -> Field {
    Field {
        name,
        label,
        kind,
        options: Vec::new(),
    }
}

fn with_blank(tr: Tr, mut options: Vec<Choice>) -> Vec<Choice> {
    options.insert(0, Choice::new("", tr.t("petition.none"), true));
    options
}

fn register_fields(tr: Tr) -> Vec<Field> {
    vec![
        select(
            "channel",
            tr.t("petition.channel"),
            choices(tr, Channel::ALL, Channel::as_str, Channel::label_key),
        ),
        select(
            "class",
            tr.t("petition.class"),
            choices(tr, Class::ALL, Class::as_str, Class::label_key),
        ),
        input("matter", tr.t("petition_field.matter"), "textarea"),
        input("group_size", tr.t("petition.group_size"), "number"),
        input(
            "representatives",
            tr.t("petition.representatives"),
            "number",
        ),
        select(
            "from_level",
            tr.t("petition.from_level"),
            with_blank(tr, choices(tr, Level::ALL, Level::as_str, Level::label_key)),
        ),
        select(
            "flag",
            tr.t("petition.flag"),
            with_blank(tr, choices(tr, Flag::ALL, Flag::as_str, Flag::label_key)),
        ),
        input("accused", tr.t("petition.accused"), "text"),
        select(
            "profile",
            tr.t("petition.profile"),
            choices(
                tr,
                &ProfileCode::ALL,
                ProfileCode::as_str,
                ProfileCode::label_key,
            ),
        ),
    ]
}

/// The list's query: filters, a figure's drill-down, paging.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    last_year: Option<String>,
    #[serde(default)]
    page: Option<i64>,
}

const VIEWS: [(&str, &str); 5] = [
    ("open", "petition.view_open"),
    ("due_soon", "petition.view_due_soon"),
    ("backlog", "petition.view_backlog"),
    ("closed", "petition.view_closed"),
    ("all", "petition.view_all"),
];

pub(super) fn rows(tr: Tr, petitions: Vec<PetitionRow>) -> Table {
    let rows = petitions
        .into_iter()
        .map(|p| {
            let mut state = tr.t(p.state.label_key()).to_owned();
            if p.backlog && !p.backlog_cleared {
                state = format!("{state} · {}", tr.t("petition.backlog"));
            }
            Row::new(vec![
                Cell::ui(p.number.clone()).link(format!("/petitions/{}", p.id)),
                Cell::ui(time(p.received_at)),
                Cell::ui(tr.t(p.channel.label_key())),
                Cell::ui(tr.t(p.class.label_key())),
                match &p.petitioner {
                    Some(who) => {
                        Cell::user(who.name.clone()).link(format!("/petitions/people/{}", who.id))
                    }
                    None => Cell::ui(tr.t("petition.sealed")),
                },
                Cell::user(p.matter),
                Cell::ui(state),
                Cell::ui(time_opt(p.deadline)),
                light_cell(p.light, tr),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("petition.number"),
            tr.t("petition.received_at"),
            tr.t("petition.channel"),
            tr.t("petition.class"),
            tr.t("petition.petitioner"),
            tr.t("petition_field.matter"),
            tr.t("petition.state"),
            tr.t("petition.deadline"),
            tr.t("petition.light"),
        ],
        rows,
        tr.t("petition.no_petitions"),
    )
}

/// A year up to today, compared with the same days the year before.
fn year_period(year: i32, today: chrono::NaiveDate) -> Result<Period, Failure> {
    Period::year_until(year, today).ok_or(Failure::Refused(Refusal::EmptyField {
        field: "petition.year",
    }))
}

/// What a list query asks for: the filter, the view's code, and for a figure's drill-down
/// a line saying what is counted.
async fn filter_of(
    app: &AppState,
    me: &SignedIn,
    query: &ListQuery,
) -> Result<(PetitionFilter, &'static str, Option<String>), Failure> {
    me.require(Capability::ViewPetitions)?;
    let tr = me.ctx.tr();
    let mut filter = PetitionFilter::default();
    let view = if query.measure.is_empty() {
        match query.view.as_str() {
            "" | "open" => {
                filter.open = Some(true);
                "open"
            }
            "due_soon" => {
                filter.open = Some(true);
                filter.due_soon = true;
                "due_soon"
            }
            "backlog" => {
                filter.backlog = true;
                "backlog"
            }
            "closed" => {
                filter.open = Some(false);
                "closed"
            }
            _ => "all",
        }
    } else {
        "measure"
    };
    let mut summary = None;
    if view == "measure" {
        let year = query
            .year
            .unwrap_or(jiedao_core::clock::business_date(app.store.now()).year());
        let mut period = year_period(year, jiedao_core::clock::business_date(app.store.now()))?;
        if query.last_year.is_some() {
            period = period.year_before();
        }
        let (scope, measure) = (me.scope(), query.measure.clone());
        let ids = app
            .store
            .read(move |conn| figures::counted(conn, &scope, &measure, period))
            .await?;
        summary = Some(format!(
            "{}: {} ({} – {}), {}",
            tr.t("petition.counted"),
            measure_label(tr, &query.measure),
            period.from,
            period.to.pred_opt().unwrap_or(period.to),
            ids.len()
        ));
        filter.ids = Some(ids);
    }
    Ok((filter, view, summary))
}

async fn list_page(
    app: &AppState,
    me: &SignedIn,
    query: &ListQuery,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let (filter, view, summary) = filter_of(app, me, query).await?;
    let page = query.page.unwrap_or(0).max(0);
    let (found, total) = app
        .store
        .petitions(&me.scope(), filter, PAGE, page * PAGE)
        .await?;
    let more = (total > (page + 1) * PAGE).then(|| {
        format!(
            "/petitions?view={view}&measure={}&year={}&page={}",
            query.measure,
            query.year.unwrap_or_default(),
            page + 1
        )
    });
    let tabs = VIEWS
        .iter()
        .map(|(code, label)| {
            (
                format!("/petitions?view={code}"),
                tr.t(label),
                *code == view,
            )
        })
        .chain(std::iter::once((
            "/petitions/figures".to_owned(),
            tr.t("petition.figures"),
            false,
        )))
        .collect();
    let register = me
        .principal
        .role()
        .can(Capability::HandlePetitions)
        .then(|| register_fields(tr));
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &ListPage {
            chrome: Chrome::new(&me.ctx, tr.t("petition.title")),
            error,
            tabs,
            register,
            petitioner: String::new(),
            summary: summary.or_else(|| Some(format!("{}: {total}", tr.t("petition.total")))),
            sections: vec![("", rows(tr, found))],
            more,
            plan: None,
            export: Some(format!(
                "/petitions/export.xlsx?view={view}&measure={}&year={}",
                query.measure,
                query.year.unwrap_or_default()
            )),
        },
        refused,
    )
}

/// The list as it is filtered, as an .xlsx workbook with the reader's headers (up to 5,000).
pub async fn export(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let (filter, _, _) = filter_of(&app, &me, &query).await?;
    let (found, _) = app.store.petitions(&me.scope(), filter, 5_000, 0).await?;
    let table = rows(tr, found);
    let headers: Vec<String> = table.head.iter().map(|h| (*h).to_owned()).collect();
    let cells: Vec<Vec<Value>> = table
        .rows
        .iter()
        .map(|row| row.cells.iter().map(Cell::sheet_value).collect())
        .collect();
    let sheet = tr.t("petition.title");
    let bytes = workbook::xlsx(sheet, &headers, &cells).map_err(|error| {
        tracing::error!(%error, "writing the petitions workbook");
        Failure::Internal
    })?;
    Ok(crate::download::attachment(
        bytes,
        crate::download::Kind::Xlsx,
        "petitions",
        sheet,
    ))
}

pub async fn list(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    list_page(&app, &me, &query, None).await
}

fn refused_or(error: StoreError, lang: jiedao_core::Lang) -> Result<Refused, Failure> {
    match error {
        StoreError::Refused(refusal) => Ok(Refused::of(&refusal, lang)),
        fault => Err(fault.into()),
    }
}

/// Registers a petition from the form and shows it.
pub async fn register(
    State(app): State<AppState>,
    Staff(me): Staff,
    Form(form): Form<RegisterForm>,
) -> Result<Response, Failure> {
    me.require(Capability::HandlePetitions)?;
    let lang = me.ctx.lang;
    let result = match NewPetition::try_from(RegisterBody::from(form)) {
        Ok(new) => app
            .store
            .register_petition(&me.principal, me.ctx.ip.clone(), new)
            .await
            .map_err(|e| refused_or(e, lang)),
        Err(refusal) => Err(Ok(Refused::of(&refusal, lang))),
    };
    match result {
        Ok(registered) => {
            Ok(Redirect::to(&format!("/petitions/{}", registered.id)).into_response())
        }
        Err(refused) => list_page(&app, &me, &ListQuery::default(), Some(refused?)).await,
    }
}

fn id_of(text: &str) -> Result<Uuid, Failure> {
    text.parse().map_err(|_| {
        Failure::Refused(Refusal::NotFound {
            what: "noun.petition",
            key: text.to_owned(),
        })
    })
}

/// The fields each action's form asks for.
fn fields_of(
    kind: ActionKind,
    tr: Tr,
    departments: &[(String, String)],
    leaders: &[(String, String)],
) -> Vec<Field> {
    let options = |all: &[(String, String)]| {
        all.iter()
            .map(|(value, label)| Choice::new(value.clone(), label.clone(), false))
            .collect()
    };
    let outcome = || {
        select(
            "outcome",
            tr.t("petition.outcome"),
            choices(tr, Outcome::ALL, Outcome::as_str, Outcome::label_key),
        )
    };
    let reason = || input("reason", tr.t("petition_field.reason"), "text");
    let note = || input("reason", tr.t("petition_field.note"), "text");
    let text = |label| input("text", tr.t(label), "textarea");
    match kind {
        ActionKind::Accept => vec![
            select(
                "department",
                tr.t("petition.department"),
                options(departments),
            ),
            note(),
        ],
        ActionKind::Decline | ActionKind::Object => vec![reason()],
        ActionKind::SeparateToLegalTrack => vec![
            select(
                "route",
                tr.t("petition.route"),
                choices(
                    tr,
                    LegalRoute::ALL,
                    LegalRoute::as_str,
                    LegalRoute::label_key,
                ),
            ),
            input("notice", tr.t("petition_field.notice"), "textarea"),
        ],
        ActionKind::Forward => vec![
            input("to", tr.t("petition_field.forward_to"), "text"),
            note(),
        ],
        ActionKind::Note => vec![text("petition_field.note")],
        ActionKind::Extend => vec![input("days", tr.t("petition.days"), "number"), reason()],
        ActionKind::Answer | ActionKind::AnswerReview | ActionKind::AnswerReexamination => {
            vec![outcome(), text("petition_field.answer")]
        }
        ActionKind::Evaluate => vec![select(
            "evaluation",
            tr.t("petition.evaluation"),
            choices(
                tr,
                Evaluation::ALL,
                Evaluation::as_str,
                Evaluation::label_key,
            ),
        )],
        ActionKind::MarkBacklog => vec![
            select("leader", tr.t("petition.leader"), options(leaders)),
            input("plan", tr.t("petition_field.plan"), "textarea"),
        ],
        ActionKind::ConfirmRepeat => vec![input("of", tr.t("petition.repeat_of"), "text")],
        ActionKind::RequestReview
        | ActionKind::RequestReexamination
        | ActionKind::Conclude
        | ActionKind::ClearBacklog => vec![note()],
        ActionKind::Register => Vec::new(),
    }
}

/// What a history entry says besides its action.
fn change_text(tr: Tr, change: &Change) -> String {
    match change {
        Change::Register { registration, .. } => registration.matter.clone(),
        Change::Accept { note, .. } | Change::Forward { note, .. } => note.clone(),
        Change::Decline { reason, .. }
        | Change::Object { reason }
        | Change::Extend { reason, .. } => reason.clone(),
        Change::SeparateToLegalTrack { route, notice, .. } => {
            format!("{}: {notice}", tr.t(route.label_key()))
        }
        Change::Note { text } => text.clone(),
        Change::Answer { outcome, text, .. }
        | Change::AnswerReview { outcome, text, .. }
        | Change::AnswerReexamination { outcome, text, .. } => {
            format!("{}: {text}", tr.t(outcome.label_key()))
        }
        Change::Evaluate { evaluation } => tr.t(evaluation.label_key()).to_owned(),
        Change::RequestReview { note, .. }
        | Change::RequestReexamination { note, .. }
        | Change::Conclude { note }
        | Change::ClearBacklog { note } => note.clone(),
        Change::MarkBacklog { plan, .. } => plan.clone(),
        Change::ConfirmRepeat { .. } => String::new(),
    }
}

async fn record_page(
    app: &AppState,
    me: &SignedIn,
    id: Uuid,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewPetitions)
        .or_else(|_| me.require(Capability::ViewInbox))?;
    let tr = me.ctx.tr();
    let detail = app.store.petition(&me.scope(), id).await?;
    let p = &detail.petition;
    let principal = me.principal.clone();
    let (p_clone, staff) = (
        p.clone(),
        me.principal.role().can(Capability::HandlePetitions),
    );
    let (departments, leaders, repeats) = app
        .store
        .read(move |conn| {
            let departments = jiedao_store::departments::list(conn, &principal.scope())
                .unwrap_or_default()
                .into_iter()
                .filter(|d| d.street_id == p_clone.street)
                .map(|d| (d.id.to_string(), d.name))
                .collect::<Vec<_>>();
            let leaders = write::leaders(conn, &principal)?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect::<Vec<_>>();
            let repeats = if staff && p_clone.registration.repeat_of.is_none() {
                write::suggest_repeats(conn, &p_clone)?
            } else {
                Vec::new()
            };
            Ok((departments, leaders, repeats))
        })
        .await?;
    let show = |key: &'static str, value: String| (tr.t(key), value, None);
    let mut facts = vec![
        show("petition.number", p.number.clone()),
        show("petition.state", tr.t(p.state.label_key()).to_owned()),
        show(
            "petition.channel",
            tr.t(p.registration.channel.label_key()).to_owned(),
        ),
        show(
            "petition.class",
            tr.t(p.registration.class.label_key()).to_owned(),
        ),
        match &detail.petitioner {
            Some(who) => (
                tr.t("petition.petitioner"),
                who.name.clone(),
                Some(format!("/petitions/people/{}", who.id)),
            ),
            None => show("petition.petitioner", tr.t("petition.sealed").to_owned()),
        },
        show("petition_field.matter", p.registration.matter.clone()),
        show("petition.received_at", time(p.received_at)),
        show("petition.profile", tr.t(p.profile.label_key()).to_owned()),
    ];
    if let Some(step) = p.step {
        let deadline = p.timer.as_ref().and_then(|t| t.deadline);
        let light = detail.light.map_or("", |l| tr.t(l.label_key()));
        facts.push(show(
            "petition.step",
            format!(
                "{} · {} · {light}",
                tr.t(step.label_key()),
                time_opt(deadline)
            ),
        ));
    }
    if let Some(name) = &detail.department {
        facts.push(show("petition.department", name.clone()));
    }
    if let Some(outcome) = p.outcome {
        facts.push(show(
            "petition.outcome",
            tr.t(outcome.label_key()).to_owned(),
        ));
    }
    if p.extended_days > 0 {
        facts.push(show("petition.days", p.extended_days.to_string()));
    }
    if let Some(until) = p.window_until {
        facts.push(show("petition.window_until", time(until)));
    }
    if p.registration.group_size > 1 {
        facts.push(show(
            "petition.group_size",
            format!(
                "{} / {}",
                p.registration.group_size, p.registration.representatives
            ),
        ));
    }
    let flags: Vec<&str> = p
        .registration
        .flags
        .iter()
        .map(|f| tr.t(f.label_key()))
        .collect();
    if !flags.is_empty() {
        facts.push(show("petition.flag", flags.join("、")));
    }
    if let Some(backlog) = &p.backlog {
        let state = if backlog.cleared_at.is_some() {
            tr.t("petition.cleared")
        } else {
            tr.t("petition.backlog")
        };
        facts.push(show(
            "petition.backlog",
            format!("{state} · {}", backlog.plan),
        ));
    }
    if p.registration.repeat_of.is_some() {
        facts.push(show("petition.repeat", tr.t("petition.yes").to_owned()));
    }
    facts.push(show(
        "petition.on_time",
        tr.t(if p.on_time {
            "petition.yes"
        } else {
            "petition.no"
        })
        .to_owned(),
    ));
    let actions = detail
        .actions
        .iter()
        .map(|kind| ActionView {
            code: kind.as_str(),
            label: tr.t(kind.label_key()),
            fields: fields_of(*kind, tr, &departments, &leaders),
        })
        .collect();
    let history = Table::new(
        vec![
            tr.t("petition.at"),
            tr.t("petition.by"),
            tr.t("petition.action"),
            tr.t("petition.detail"),
        ],
        detail
            .history
            .iter()
            .rev()
            .map(|e| {
                Row::new(vec![
                    Cell::ui(time(e.at)),
                    Cell::user(e.actor.name.clone()),
                    Cell::ui(tr.t(e.change.kind().label_key())),
                    Cell::user(change_text(tr, &e.change)),
                ])
            })
            .collect(),
        tr.t("petition.no_history"),
    );
    let repeats = repeats
        .into_iter()
        .map(|id| (id.to_string(), format!("/petitions/{id}")))
        .collect();
    let documents = if staff {
        super::documents::available(&detail)
            .into_iter()
            .map(|kind| {
                (
                    format!("/petitions/{id}/documents/{kind}"),
                    tr.t(match kind {
                        "accept_notice" => "petition_doc.accept_notice_file",
                        "decline_notice" => "petition_doc.decline_notice_file",
                        _ => "petition_doc.answer_file",
                    }),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &RecordPage {
            chrome: Chrome::for_record(&me.ctx, p.number.clone()),
            error,
            id,
            facts,
            repeats,
            documents,
            actions,
            history,
        },
        refused,
    )
}

pub async fn record(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    record_page(&app, &me, id_of(&id)?, None).await
}

/// Takes an action from its form and shows the petition again.
pub async fn act(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, Failure> {
    let id = id_of(&id)?;
    let lang = me.ctx.lang;
    let result = match Action::try_from(ActionBody::from(form)) {
        Ok(action) => app
            .store
            .act_on_petition(&me.principal, me.ctx.ip.clone(), id, action)
            .await
            .map_err(|e| refused_or(e, lang)),
        Err(refusal) => Err(Ok(Refused::of(&refusal, lang))),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/petitions/{id}")).into_response()),
        Err(refused) => record_page(&app, &me, id, Some(refused?)).await,
    }
}

/// 一人一档: every petition of one petitioner the reader may see, their plan, and the form to
/// register another for them; the view is audited.
pub async fn file(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewPetitions)?;
    let tr = me.ctx.tr();
    let person: Uuid = id.parse().map_err(|_| {
        Failure::Refused(Refusal::NotFound {
            what: "noun.person",
            key: id.clone(),
        })
    })?;
    let file = app
        .store
        .petitioner_file(&me.principal, me.ctx.ip.clone(), person)
        .await?;
    let plan = file.plan.as_ref().map(|plan| {
        format!(
            "{}: {} ({} {})",
            tr.t("petition.plan"),
            plan.plan,
            tr.t("petition.leader"),
            plan.leader_name
        )
    });
    let summary = format!(
        "{}: {} · {}: {}{}",
        tr.t("petition.total"),
        file.petitions.len(),
        tr.t("petition.repeat"),
        file.repeats,
        plan.map(|p| format!(" · {p}")).unwrap_or_default()
    );
    let register = me
        .principal
        .role()
        .can(Capability::HandlePetitions)
        .then(|| register_fields(tr));
    let plan_form = if me.principal.role().can(Capability::ApprovePetitions) {
        let principal = me.principal.clone();
        let leaders = app
            .store
            .read(move |conn| write::leaders(conn, &principal))
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect::<Vec<_>>();
        let mut fields = fields_of(ActionKind::MarkBacklog, tr, &[], &leaders);
        fields.retain(|f| f.name == "leader" || f.name == "plan");
        Some(fields)
    } else {
        None
    };
    render_form(
        &ListPage {
            chrome: Chrome::for_record(&me.ctx, file.petitioner.name.clone()),
            error: None,
            tabs: Vec::new(),
            register,
            petitioner: person.to_string(),
            summary: Some(summary),
            sections: vec![(tr.t("petition.file"), rows(tr, file.petitions))],
            more: None,
            export: None,
            plan: plan_form,
        },
        None,
    )
}

/// A petitioner's plan as its form sends it.
#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    leader: String,
    #[serde(default)]
    plan: String,
}

/// Sets a key petitioner's plan (一人一方案) with the leader responsible, and shows the file.
pub async fn set_plan(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
    Form(form): Form<PlanForm>,
) -> Result<Response, Failure> {
    me.require(Capability::ApprovePetitions)?;
    let refused = || {
        Failure::Refused(Refusal::EmptyField {
            field: "petition.leader",
        })
    };
    let person: Uuid = id.parse().map_err(|_| {
        Failure::Refused(Refusal::NotFound {
            what: "noun.person",
            key: id.clone(),
        })
    })?;
    let leader = form
        .leader
        .parse()
        .map(jiedao_core::UserId::from_uuid)
        .map_err(|_| refused())?;
    let (principal, at) = (me.principal.clone(), app.store.now());
    app.store
        .write(move |conn| write::set_plan(conn, &principal, person, leader, &form.plan, at))
        .await?;
    Ok(Redirect::to(&format!("/petitions/people/{person}")).into_response())
}

/// The figures' query: a year.
#[derive(Debug, Default, Deserialize)]
pub struct FiguresQuery {
    #[serde(default)]
    year: Option<i32>,
}

pub(super) fn measure_label(tr: Tr, code: &str) -> String {
    let (head, tail) = code.split_once('.').unwrap_or((code, ""));
    let key = |k: &str| tr.t(&format!("petition_measure.{k}")).to_owned();
    match head {
        "channel" => Channel::parse(tail).map_or_else(String::new, |c| tr.t(c.label_key()).into()),
        "class" => Class::parse(tail).map_or_else(String::new, |c| tr.t(c.label_key()).into()),
        "flag" => Flag::parse(tail).map_or_else(String::new, |f| tr.t(f.label_key()).into()),
        "backlog_marked" | "backlog_cleared" => {
            let level =
                Level::parse(tail).map_or(tr.t("petition_measure.street"), |l| tr.t(l.label_key()));
            format!("{} ({level})", key(head))
        }
        other => key(other),
    }
}

pub async fn figures(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(query): Query<FiguresQuery>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewPetitions)?;
    let tr = me.ctx.tr();
    let year = query
        .year
        .unwrap_or(jiedao_core::clock::business_date(app.store.now()).year());
    let period = year_period(year, jiedao_core::clock::business_date(app.store.now()))?;
    let scope = me.scope();
    let shown = app
        .store
        .read(move |conn| figures::figures(conn, &scope, period))
        .await?;
    let rows = shown
        .figures
        .iter()
        .filter(|f| f.this > 0 || f.last > 0 || f.measure == "volume")
        .map(|f| {
            Row::new(vec![
                Cell::ui(measure_label(tr, &f.measure)),
                Cell::ui(f.this.to_string())
                    .link(format!("/petitions?measure={}&year={year}", f.measure)),
                Cell::ui(f.last.to_string()).link(format!(
                    "/petitions?measure={}&year={year}&last_year=1",
                    f.measure
                )),
                Cell::ui(f.year_on_year.map(percent_text).unwrap_or_default()),
            ])
        })
        .collect();
    let summary = format!(
        "{year} · {}: {} · {}: {}",
        tr.t("petition.repeat_rate"),
        shown.repeat_rate.map(percent_text).unwrap_or_default(),
        tr.t("petition.on_time_rate"),
        shown.on_time_rate.map(percent_text).unwrap_or_default(),
    );
    let tabs = [
        (year - 1, "petition.previous_year"),
        (year, "petition.this_year"),
        (year + 1, "petition.next_year"),
    ]
    .into_iter()
    .map(|(y, label)| {
        (
            format!("/petitions/figures?year={y}"),
            tr.t(label),
            y == year,
        )
    })
    .collect();
    render_form(
        &ListPage {
            chrome: Chrome::new(&me.ctx, tr.t("petition.figures")),
            error: None,
            tabs,
            register: None,
            petitioner: String::new(),
            summary: Some(summary),
            sections: vec![(
                "",
                Table::new(
                    vec![
                        tr.t("petition.measure"),
                        tr.t("petition.this_year"),
                        tr.t("petition.last_year"),
                        tr.t("petition.year_on_year"),
                    ],
                    rows,
                    tr.t("petition.no_petitions"),
                ),
            )],
            more: None,
            export: None,
            plan: None,
        },
        None,
    )
}
