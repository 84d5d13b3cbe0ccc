//! The audit log for administrators (操作日志): the latest records, newest first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jiedao_core::clock::CHINA;
use jiedao_store::audit;

use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Row, Table};

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    chrome: Chrome,
    table: Table,
}

/// What the action was, in the reader's words; an action this version has no words for
/// shows its code.
fn action_cell(tr: crate::tr::Tr, action: &str) -> Cell {
    let key = format!("audit_action.{}", action.replace('.', "_"));
    match tr.t(&key) {
        text if text == key => Cell::user(action.to_owned()).class("mono"),
        text => Cell::ui(text.to_owned()),
    }
}

pub async fn recent(State(app): State<AppState>, Staff(me): Staff) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let scope = me.scope();
    let records = app
        .store
        .read(move |conn| audit::recent(conn, &scope, None, 200))
        .await?;
    let rows = records
        .into_iter()
        .map(|record| {
            Row::new(vec![
                Cell::ui(record.seq.to_string()),
                Cell::ui(
                    record
                        .at
                        .with_timezone(&CHINA)
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string(),
                ),
                Cell::ui(record.actor),
                Cell::ui(record.ip.unwrap_or_default()),
                action_cell(tr, &record.action),
                Cell::user(record.target),
                Cell::user(record.detail),
            ])
        })
        .collect();
    render(&AuditPage {
        chrome: Chrome::new(&me.ctx, tr.t("audit.title")),
        table: Table::new(
            vec![
                tr.t("audit.seq"),
                tr.t("audit.at"),
                tr.t("audit.actor"),
                tr.t("audit.ip"),
                tr.t("audit.action"),
                tr.t("audit.target"),
                tr.t("audit.detail"),
            ],
            rows,
            tr.t("audit.none"),
        ),
    })
}
