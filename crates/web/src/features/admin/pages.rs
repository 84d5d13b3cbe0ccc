//! Administration (系统管理): categories and their time limits (each edit a new version), the
//! holiday calendar (import a year's State Council notice), and the systems allowed to report
//! through the API.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::calendar::TimeLimit;
use jiedao_core::case::Channel;
use jiedao_core::category::{
    CategorySettings, DefaultDepartment, Limits, Step, Urgency, limit_text, parse_limit,
};
use jiedao_core::clock::business_date;
use jiedao_core::{Capability, CategoryId, Localized, RefusalKind};
use jiedao_store::calendar::{self, CalendarWarning};
use jiedao_store::categories::{self, Catalog, SettingVersion};
use jiedao_store::{Refusal, StoreError, clients};
use serde::Deserialize;
use std::collections::HashMap;

use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render, render_form};
use crate::widgets::present::time;
use crate::widgets::table::{Cell, Row, Table};

/// Settings are for administrators.
pub fn require(me: &Staff) -> Result<(), Failure> {
    me.0.require(Capability::ManageSettings)
}

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct CategoriesPage {
    chrome: Chrome,
    table: Table,
}

fn limits_summary(settings: &CategorySettings, tr: Tr) -> String {
    [Step::Accept, Step::Handle, Step::Check]
        .iter()
        .map(|step| {
            format!(
                "{} {}",
                tr.t(step.label_key()),
                settings.limits.of(*step).describe(tr.lang())
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

pub async fn categories(State(app): State<AppState>, me: Staff) -> Result<Response, Failure> {
    require(&me)?;
    let tr = me.0.ctx.tr();
    let catalog = app.store.catalog();
    render(&CategoriesPage {
        chrome: Chrome::new(&me.0.ctx, tr.t("admin.categories_title")),
        table: categories_table(&catalog, tr, None),
    })
}

/// The category tree as a table, each row linking to its own page; under `class`, only the
/// categories below that class (大类/小类).
fn categories_table(catalog: &Catalog, tr: Tr, class: Option<CategoryId>) -> Table {
    let rows = catalog
        .all()
        .iter()
        .filter(|entry| {
            class.is_none_or(|class| {
                entry.id != class && catalog.lineage(entry.id).iter().any(|e| e.id == class)
            })
        })
        .map(|entry| {
            let depth = catalog.lineage(entry.id).len().saturating_sub(1);
            let name = Cell::ui(entry.name_in(tr.lang()))
                .link(format!("/admin/categories/{}", entry.code));
            let details = if entry.is_leaf {
                vec![
                    Cell::ui(tr.t(entry.settings.urgency.label_key())),
                    Cell::ui(limits_summary(&entry.settings, tr)),
                    Cell::user(
                        entry
                            .settings
                            .department
                            .as_text()
                            .replace("@community", tr.t("admin.department_community")),
                    ),
                ]
            } else {
                vec![Cell::ui(""), Cell::ui(""), Cell::ui("")]
            };
            let mut cells = vec![name, Cell::ui(entry.code.clone())];
            cells.extend(details);
            Row { cells, depth }
        })
        .collect();
    Table::new(
        vec![
            tr.t("admin.category"),
            tr.t("unit.code"),
            tr.t("case.urgency"),
            tr.t("admin.limits"),
            tr.t("case.department"),
        ],
        rows,
        tr.t("admin.none"),
    )
}

#[derive(Template)]
#[template(path = "admin/category.html")]
struct CategoryPage {
    chrome: Chrome,
    code: String,
    error: Option<Refused>,
    urgencies: Vec<Choice>,
    limits: Vec<(&'static str, &'static str, String)>,
    department: String,
    filing: String,
    closing: String,
    public: bool,
    history: Table,
    csrf: String,
}

fn history_table(history: &[SettingVersion], tr: Tr) -> Table {
    Table::new(
        vec![
            tr.t("admin.version"),
            tr.t("admin.changed_at"),
            tr.t("admin.changed_by"),
            tr.t("form.reason"),
            tr.t("admin.limits"),
        ],
        history
            .iter()
            .map(|v| {
                Row::new(vec![
                    Cell::ui(v.version.to_string()),
                    Cell::ui(time(v.changed_at)),
                    Cell::ui(v.changed_by.clone()),
                    Cell::user(v.reason.clone()),
                    Cell::ui(limits_summary(&v.settings, tr)),
                ])
            })
            .collect(),
        tr.t("admin.none"),
    )
}

const LIMIT_FIELDS: [(&str, &str); 6] = [
    ("file", "step.file"),
    ("dispatch", "step.dispatch"),
    ("accept", "step.accept"),
    ("handle", "step.handle"),
    ("check", "step.check"),
    ("case", "case.whole_case"),
];

async fn category_page(
    app: &AppState,
    me: &Staff,
    code: &str,
    error: Option<Refused>,
    typed: Option<&HashMap<String, String>>,
) -> Result<Response, Failure> {
    let tr = me.0.ctx.tr();
    let catalog = app.store.catalog();
    let entry = catalog
        .by_code(code)
        .filter(|e| e.is_leaf)
        .ok_or(Failure::NotFound)?
        .clone();
    let id = entry.id;
    let history = app
        .store
        .read(move |conn| categories::history(conn, id))
        .await?;
    let value =
        |name: &str, current: String| typed.and_then(|t| t.get(name).cloned()).unwrap_or(current);
    let settings = &entry.settings;
    let limits = LIMIT_FIELDS
        .iter()
        .map(|(name, key)| {
            let current = match *name {
                "case" => settings.limits.case,
                step => settings
                    .limits
                    .of(Step::parse(step).unwrap_or(Step::Handle)),
            };
            (*name, tr.t(key), value(name, limit_text(&current)))
        })
        .collect();
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &CategoryPage {
            chrome: Chrome::for_record(
                &me.0.ctx,
                format!("{} {}", entry.code, entry.name_in(tr.lang())),
            ),
            code: entry.code.clone(),
            error,
            urgencies: Urgency::ALL
                .iter()
                .map(|u| Choice {
                    value: u.as_str().into(),
                    label: tr.t(u.label_key()).into(),
                    selected: *u == settings.urgency,
                })
                .collect(),
            limits,
            department: value("department", settings.department.as_text().to_owned()),
            filing: value("filing", settings.filing_condition.clone()),
            closing: value("closing", settings.closing_condition.clone()),
            public: settings.public,
            history: history_table(&history, tr),
            csrf: me.0.ctx.csrf_token.clone(),
        },
        refused,
    )
}

pub async fn category(
    State(app): State<AppState>,
    me: Staff,
    Path(code): Path<String>,
) -> Result<Response, Failure> {
    require(&me)?;
    let catalog = app.store.catalog();
    let class = catalog.by_code(&code).filter(|e| !e.is_leaf);
    if let Some(class) = class {
        // A class (大类/小类) has no settings of its own: its page lists what lies below it.
        let tr = me.0.ctx.tr();
        return render(&CategoriesPage {
            chrome: Chrome::for_record(
                &me.0.ctx,
                format!("{} {}", class.code, class.name_in(tr.lang())),
            ),
            table: categories_table(&catalog, tr, Some(class.id)),
        });
    }
    category_page(&app, &me, &code, None, None).await
}

/// Reads the edited settings over `kept` (what the form does not edit: keywords, questions); a
/// limit that does not read is refused.
fn settings_from(
    form: &HashMap<String, String>,
    kept: &CategorySettings,
) -> Result<CategorySettings, Refusal> {
    let limit = |name: &str| -> Result<TimeLimit, Refusal> {
        form.get(name)
            .and_then(|text| parse_limit(text))
            .ok_or(Refusal::BadLimit)
    };
    let text = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    Ok(CategorySettings {
        urgency: Urgency::parse(&text("urgency")).unwrap_or(Urgency::Normal),
        limits: Limits {
            file: limit("file")?,
            dispatch: limit("dispatch")?,
            accept: limit("accept")?,
            handle: limit("handle")?,
            check: limit("check")?,
            case: limit("case")?,
        },
        department: DefaultDepartment::parse(&text("department")),
        filing_condition: text("filing"),
        closing_condition: text("closing"),
        public: form.get("public").is_some(),
        keywords: kept.keywords.clone(),
        questions: kept.questions.clone(),
    })
}

pub async fn save_category(
    State(app): State<AppState>,
    me: Staff,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Failure> {
    require(&me)?;
    let entry = app
        .store
        .catalog()
        .by_code(&code)
        .filter(|e| e.is_leaf)
        .ok_or(Failure::NotFound)?
        .clone();
    let attempt = async {
        let settings = settings_from(&form, &entry.settings)?;
        let (scope, actor, at) = (me.0.scope(), me.0.actor(), app.store.now());
        let reason = form.get("reason").cloned().unwrap_or_default();
        app.store
            .write(move |conn| {
                categories::update_settings(conn, &scope, &actor, at, entry.id, &settings, &reason)
            })
            .await
    };
    match attempt.await {
        Ok(_) => {
            app.store.reload().await?;
            Ok(Redirect::to(&format!("/admin/categories/{code}")).into_response())
        }
        Err(StoreError::Refused(refusal)) => {
            category_page(
                &app,
                &me,
                &code,
                Some(Refused::of(&refusal, me.0.ctx.lang)),
                Some(&form),
            )
            .await
        }
        Err(fault) => Err(fault.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    notice: Option<(Option<RefusalKind>, String)>,
    warning: Option<String>,
    years: Table,
    csrf: String,
}

/// The warning to show administrators, in words.
pub fn warning_text(warning: &CalendarWarning, tr: Tr) -> String {
    let mut parts = Vec::new();
    if let Some(year) = warning.missing_year {
        parts.push(tr.f("admin.calendar_missing_year", &[("year", year.to_string())]));
    }
    if warning.pending_cases > 0 {
        parts.push(tr.f(
            "admin.calendar_pending",
            &[("count", warning.pending_cases.to_string())],
        ));
    }
    parts.join(" ")
}

async fn calendar_page(
    app: &AppState,
    me: &Staff,
    notice: Option<(Option<RefusalKind>, String)>,
) -> Result<Response, Failure> {
    let tr = me.0.ctx.tr();
    let calendar_now = app.store.calendar();
    let today = business_date(app.store.now());
    let (stored, warning) = app
        .store
        .read(move |conn| {
            Ok((
                calendar::stored_notices(conn)?,
                calendar::warning(conn, &calendar_now, today)?,
            ))
        })
        .await?;
    let rows = stored
        .iter()
        .rev()
        .map(|s| {
            let breaks: Vec<String> = s
                .notice
                .holidays
                .iter()
                .map(|b| format!("{}({})", b.name, b.days.len()))
                .collect();
            let makeup: Vec<String> = s
                .notice
                .makeup_workdays
                .iter()
                .map(|d| d.format("%m-%d").to_string())
                .collect();
            Row::new(vec![
                Cell::ui(s.notice.year.to_string()),
                Cell::user(breaks.join(" ")),
                Cell::ui(makeup.join(" ")),
                Cell::ui(time(s.imported_at)),
                Cell::ui(s.imported_by.clone()),
            ])
        })
        .collect();
    let refused = notice.as_ref().and_then(|(refused, _)| *refused);
    render_form(
        &CalendarPage {
            chrome: Chrome::new(&me.0.ctx, tr.t("admin.calendar_title")),
            notice,
            warning: warning.map(|w| warning_text(&w, tr)),
            years: Table::new(
                vec![
                    tr.t("admin.year"),
                    tr.t("admin.holidays"),
                    tr.t("admin.makeup_days"),
                    tr.t("admin.changed_at"),
                    tr.t("admin.changed_by"),
                ],
                rows,
                tr.t("admin.none"),
            ),
            csrf: me.0.ctx.csrf_token.clone(),
        },
        refused,
    )
}

pub async fn calendar(State(app): State<AppState>, me: Staff) -> Result<Response, Failure> {
    require(&me)?;
    calendar_page(&app, &me, None).await
}

#[derive(Debug, Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    notice: String,
}

pub async fn import_calendar(
    State(app): State<AppState>,
    me: Staff,
    Form(form): Form<NoticeForm>,
) -> Result<Response, Failure> {
    require(&me)?;
    let (scope, actor, at) = (me.0.scope(), me.0.actor(), app.store.now());
    let text = form.notice;
    let result = app
        .store
        .write(move |conn| calendar::import(conn, &scope, &actor, at, &text))
        .await;
    let tr = me.0.ctx.tr();
    match result {
        Ok(imported) => {
            // The clocks across the changed days are worked out by the job queued with it.
            app.store.reload().await?;
            let years: Vec<String> = imported.years.iter().map(i32::to_string).collect();
            calendar_page(
                &app,
                &me,
                Some((
                    None,
                    tr.f("admin.calendar_imported", &[("years", years.join(", "))]),
                )),
            )
            .await
        }
        Err(StoreError::Refused(refusal)) => {
            let refused = Some(refusal.kind());
            calendar_page(&app, &me, Some((refused, refusal.localize(me.0.ctx.lang)))).await
        }
        Err(fault) => Err(fault.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/clients.html")]
struct ClientsPage {
    chrome: Chrome,
    notice: Option<(Option<RefusalKind>, String)>,
    token: Option<String>,
    table: Table,
    channels: Vec<Choice>,
    csrf: String,
}

async fn clients_page(
    app: &AppState,
    me: &Staff,
    notice: Option<(Option<RefusalKind>, String)>,
    token: Option<String>,
) -> Result<Response, Failure> {
    let tr = me.0.ctx.tr();
    let scope = me.0.scope();
    let list = app
        .store
        .read(move |conn| clients::list(conn, &scope))
        .await?;
    let refused = notice.as_ref().and_then(|(refused, _)| *refused);
    render_form(
        &ClientsPage {
            chrome: Chrome::new(&me.0.ctx, tr.t("admin.clients_title")),
            notice,
            token,
            table: Table::new(
                vec![
                    tr.t("unit.name"),
                    tr.t("case.channel"),
                    tr.t("org_kind.street"),
                    tr.t("users.created"),
                ],
                list.iter()
                    .map(|(client, street, created)| {
                        Row::new(vec![
                            Cell::user(client.name.clone()),
                            Cell::ui(tr.t(client.channel.label_key())),
                            Cell::user(street.clone()),
                            Cell::ui(time(*created)),
                        ])
                    })
                    .collect(),
                tr.t("admin.none"),
            ),
            channels: [
                Channel::Sensor,
                Channel::Hotline,
                Channel::Police,
                Channel::Enterprise,
                Channel::Media,
                Channel::Staff,
            ]
            .iter()
            .map(|c| Choice {
                value: c.as_str().into(),
                label: tr.t(c.label_key()).into(),
                selected: false,
            })
            .collect(),
            csrf: me.0.ctx.csrf_token.clone(),
        },
        refused,
    )
}

pub async fn clients(State(app): State<AppState>, me: Staff) -> Result<Response, Failure> {
    require(&me)?;
    clients_page(&app, &me, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct ClientForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    channel: String,
}

pub async fn create_client(
    State(app): State<AppState>,
    me: Staff,
    Form(form): Form<ClientForm>,
) -> Result<Response, Failure> {
    require(&me)?;
    let channel = Channel::parse(&form.channel).unwrap_or(Channel::Sensor);
    let result = app
        .store
        .add_client(me.0.scope(), me.0.actor(), form.name, form.street, channel)
        .await;
    match result {
        Ok((_, token)) => {
            let notice = me.0.ctx.tr().t("admin.client_created").to_owned();
            clients_page(&app, &me, Some((None, notice)), Some(token)).await
        }
        Err(StoreError::Refused(refusal)) => {
            clients_page(
                &app,
                &me,
                Some((Some(refusal.kind()), refusal.localize(me.0.ctx.lang))),
                None,
            )
            .await
        }
        Err(fault) => Err(fault.into()),
    }
}
