//! Importing 12345 work orders from a spreadsheet (12345工单导入): choose the file, say which
//! column holds what, choose all-or-nothing or skip bad rows, and follow the import's progress.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::{Capability, JobId, Localized, RefusalKind};
use jiedao_reports::Sheet;
use jiedao_store::cases::Who;
use jiedao_store::cases::hotline::{Import, Mapping, Mode, Outcome, Target};
use jiedao_store::org;

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::jobs::Job;
use crate::upload;
use crate::widgets::layout::{Chrome, Refused, render, render_form};
use crate::widgets::table::{Cell, Row, Table};

#[derive(Template)]
#[template(path = "hotline/hotline.html")]
struct ImportPage {
    chrome: Chrome,
    error: Option<Refused>,
    mapping: Vec<(&'static str, &'static str, String)>,
    action: String,
}

fn mapping_fields(mapping: &Mapping) -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "work_order",
            "hotline.column_work_order",
            mapping.work_order.clone(),
        ),
        (
            "description",
            "hotline.column_description",
            mapping.description.clone(),
        ),
        (
            "address",
            "hotline.column_address",
            mapping.address.clone().unwrap_or_default(),
        ),
        (
            "category",
            "hotline.column_category",
            mapping.category.clone().unwrap_or_default(),
        ),
        (
            "caller",
            "hotline.column_caller",
            mapping.caller.clone().unwrap_or_default(),
        ),
        (
            "phone",
            "hotline.column_phone",
            mapping.phone.clone().unwrap_or_default(),
        ),
        (
            "received_at",
            "hotline.column_received_at",
            mapping.received_at.clone().unwrap_or_default(),
        ),
    ]
}

fn page(me: &SignedIn, mapping: &Mapping, error: Option<Refused>) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &ImportPage {
            chrome: Chrome::new(&me.ctx, tr.t("hotline.title")),
            error,
            mapping: mapping_fields(mapping)
                .into_iter()
                .map(|(name, key, value)| (name, tr.t(key), value))
                .collect(),
            action: "/import/hotline".to_owned(),
        },
        refused,
    )
}

pub async fn form(Staff(me): Staff) -> Result<Response, Failure> {
    me.require(Capability::ImportWorkOrders)?;
    page(&me, &Mapping::default(), None)
}

pub async fn submit(
    State(app): State<AppState>,
    Staff(me): Staff,
    multipart: Multipart,
) -> Result<Response, Failure> {
    me.require(Capability::ImportWorkOrders)?;
    let form = upload::read(multipart).await?;
    let optional = |name: &str| form.optional(name);
    let mapping = Mapping {
        work_order: form.text("work_order"),
        description: form.text("description"),
        address: optional("address"),
        category: optional("category"),
        caller: optional("caller"),
        phone: optional("phone"),
        received_at: optional("received_at"),
    };
    let mode = if form.text("mode") == "skip" {
        Mode::SkipBadRows
    } else {
        Mode::AllOrNothing
    };
    let Some(bytes) = form.file("file") else {
        return page(
            &me,
            &mapping,
            Some(Refused::new(
                RefusalKind::Invalid,
                me.ctx.tr().t("hotline.no_file"),
            )),
        );
    };
    // Reading a large workbook takes seconds of CPU: not on an async thread.
    let bytes = bytes.to_vec();
    let read = tokio::task::spawn_blocking(move || Sheet::read(&bytes)).await;
    let sheet = match read.map_err(|_| Failure::Internal)? {
        Ok(sheet) => sheet,
        Err(error) => {
            let refused = Refused::new(RefusalKind::Invalid, error.localize(me.ctx.lang));
            return page(&me, &mapping, Some(refused));
        }
    };
    let path = me.principal.org_path().cloned().ok_or(Failure::Internal)?;
    let street = app
        .store
        .read(move |conn| org::street_of(conn, &path))
        .await?
        .ok_or(Failure::Refused(jiedao_store::Refusal::NotAllowed))?;
    let target = Target {
        street: street.id,
        street_path: street.path,
        actor: Who::User(me.principal.clone()).event_actor(me.ctx.ip.clone()),
    };
    let owner = me.principal.user_id().ok_or(Failure::Internal)?;
    let import = Import {
        headers: sheet.headers,
        rows: sheet.rows,
        mapping,
        mode,
        target,
    };
    let job = app.store.enqueue_for(import, owner).await?;
    Ok(Redirect::to(&format!("/import/jobs/{job}")).into_response())
}

#[derive(Template)]
#[template(path = "hotline/import_job.html")]
struct JobPage {
    chrome: Chrome,
    job: Job,
    failed: Option<String>,
    summary: Option<String>,
    imported: Table,
    problems: Table,
}

fn tables(outcome: &Outcome, me: &SignedIn) -> (Table, Table) {
    let tr = me.ctx.tr();
    let imported = Table::new(
        vec![tr.t("hotline.row"), tr.t("case.number")],
        outcome
            .imported
            .iter()
            .map(|(row, number)| {
                Row::new(vec![
                    Cell::ui(row.to_string()),
                    Cell::ui(number.clone()).link(format!("/cases?q={number}")),
                ])
            })
            .collect(),
        tr.t("hotline.none_imported"),
    );
    let problems = Table::new(
        vec![
            tr.t("hotline.row"),
            tr.t("hotline.column"),
            tr.t("hotline.problem"),
        ],
        outcome
            .problems
            .iter()
            .map(|p| {
                Row::new(vec![
                    Cell::ui(p.row.to_string()),
                    Cell::user(p.column.clone()),
                    Cell::user(p.message(me.ctx.lang)),
                ])
            })
            .collect(),
        tr.t("hotline.no_problems"),
    );
    (imported, problems)
}

pub async fn job(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<JobId>,
) -> Result<Response, Failure> {
    let owner = me.principal.user_id().ok_or(Failure::NotFound)?;
    let job = Job::followed(&app.store, id, owner, me.ctx.lang)
        .await?
        .ok_or(Failure::NotFound)?;
    let tr = me.ctx.tr();
    let empty = Outcome::default();
    let outcome = match &job.result {
        Some(Ok(outcome)) => outcome,
        _ => &empty,
    };
    let (imported, problems) = tables(outcome, &me);
    let summary = match &job.result {
        Some(Ok(outcome)) => Some(tr.f(
            if outcome.written {
                "hotline.summary_written"
            } else {
                "hotline.summary_nothing"
            },
            &[
                ("rows", outcome.rows.to_string()),
                ("imported", outcome.imported.len().to_string()),
                ("already", outcome.already.len().to_string()),
                ("problems", outcome.problems.len().to_string()),
            ],
        )),
        _ => None,
    };
    render(&JobPage {
        chrome: Chrome::new(&me.ctx, tr.t("hotline.job_title")),
        failed: match &job.result {
            Some(Err(reason)) => Some(reason.clone()),
            _ => None,
        },
        summary,
        imported,
        problems,
        job,
    })
}
