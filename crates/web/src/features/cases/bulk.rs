//! Bulk dispatch (批量派遣): a dispatcher ticks filed cases in the list and sends them all to one
//! department. Each case is its own change: one refused (already dispatched, out of reach)
//! does not stop the others, and the page says what happened to each.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use jiedao_core::case::{ActionKind, CaseActor};
use jiedao_core::{CaseId, DepartmentId, Localized};
use jiedao_store::StoreError;
use jiedao_store::cases::{Command, DepartmentKey, Who};

use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Row, Table};

/// Whether `role` may dispatch, so the list offers bulk dispatch.
pub fn can_dispatch(role: jiedao_core::Role) -> bool {
    let actor = CaseActor {
        role: Some(role),
        in_reach: true,
        department: None,
        is_reporter: false,
    };
    jiedao_core::case::may(ActionKind::Dispatch, &actor)
}

#[derive(Template)]
#[template(path = "cases/bulk.html")]
struct BulkPage {
    chrome: Chrome,
    summary: String,
    table: Table,
    back: String,
}

pub async fn dispatch(
    State(app): State<AppState>,
    Staff(me): Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let department = value("department")
        .parse::<DepartmentId>()
        .map(DepartmentKey::from)
        .map_err(|_| Failure::Invalid("bulk.no_department"))?;
    let ids: Vec<CaseId> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if ids.is_empty() {
        return Err(Failure::Invalid("bulk.none_chosen"));
    }
    let back = Some(value("back"))
        .filter(|b| b.starts_with("/cases"))
        .unwrap_or_else(|| "/cases".into());
    let mut rows = Vec::new();
    let mut done = 0;
    for id in &ids {
        let outcome = app
            .store
            .act(
                Who::User(me.principal.clone()),
                me.ctx.ip.clone(),
                *id,
                Command::Dispatch {
                    department: department.clone(),
                    note: value("note"),
                },
                Vec::new(),
            )
            .await;
        let (number, result) = match outcome {
            Ok(case) => {
                done += 1;
                (
                    case.number,
                    Cell::ui(tr.t("bulk.dispatched")).class("tag ok"),
                )
            }
            Err(StoreError::Refused(refusal)) => (
                id.to_string(),
                Cell::ui(refusal.localize(me.ctx.lang)).class("tag bad"),
            ),
            Err(fault) => return Err(fault.into()),
        };
        rows.push(Row::new(vec![
            Cell::ui(number).link(format!("/cases/{id}")),
            result,
        ]));
    }
    render(&BulkPage {
        chrome: Chrome::new(&me.ctx, tr.t("bulk.title")),
        summary: tr.f(
            "bulk.summary",
            &[
                ("done", done.to_string()),
                ("refused", (ids.len() - done).to_string()),
            ],
        ),
        table: Table::new(
            vec![tr.t("case.number"), tr.t("bulk.outcome")],
            rows,
            tr.t("cases.none"),
        ),
        back,
    })
}
