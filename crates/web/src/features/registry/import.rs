//! Importing the communities' Excel ledgers (persons, houses, enterprises, buildings' tax):
//! choose the ledger and the file; every problem is listed by row and column, and one bad row
//! imports nothing.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use jiedao_core::{Capability, Localized, RefusalKind};
use jiedao_reports::Sheet;
use jiedao_store::registry::import::{Ledger, Outcome};

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::upload;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::table::{Cell, Row, Table};

#[derive(Template)]
#[template(path = "registry/import.html")]
struct ImportPage {
    chrome: Chrome,
    error: Option<Refused>,
    summary: Option<String>,
    table: Table,
    ledgers: Vec<Choice>,
    columns: Vec<(&'static str, String)>,
    action: String,
}

fn page(
    me: &SignedIn,
    chosen: Ledger,
    outcome: Option<&Outcome>,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let (table, summary) = outcome_view(me, outcome, tr.t("registry.none"));
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &ImportPage {
            chrome: Chrome::new(&me.ctx, tr.t("registry.import_title")),
            error,
            summary,
            table,
            ledgers: Ledger::ALL
                .iter()
                .map(|l| Choice::new(l.as_str(), tr.t(l.label_key()), *l == chosen))
                .collect(),
            columns: Ledger::ALL
                .iter()
                .map(|l| {
                    let (required, optional) = l.headers();
                    let optional = optional
                        .iter()
                        .map(|h| format!("({h})"))
                        .collect::<Vec<_>>();
                    let all: Vec<String> = required
                        .iter()
                        .map(|h| (*h).to_owned())
                        .chain(optional)
                        .collect();
                    (tr.t(l.label_key()), all.join(" "))
                })
                .collect(),
            action: "/registry/import".to_owned(),
        },
        refused,
    )
}

pub async fn form(Staff(me): Staff) -> Result<Response, Failure> {
    me.require(Capability::ManageRegistry)?;
    page(&me, Ledger::Persons, None, None)
}

pub async fn submit(
    State(app): State<AppState>,
    Staff(me): Staff,
    multipart: Multipart,
) -> Result<Response, Failure> {
    me.require(Capability::ManageRegistry)?;
    let form = upload::read(multipart).await?;
    let ledger = Ledger::parse(&form.text("ledger")).unwrap_or(Ledger::Persons);
    let Some(bytes) = form.file("file") else {
        let refused = Refused::new(RefusalKind::Invalid, me.ctx.tr().t("hotline.no_file"));
        return page(&me, ledger, None, Some(refused));
    };
    let bytes = bytes.to_vec();
    let read = tokio::task::spawn_blocking(move || Sheet::read(&bytes)).await;
    let sheet = match read.map_err(|_| Failure::Internal)? {
        Ok(sheet) => sheet,
        Err(error) => {
            let refused = Refused::new(RefusalKind::Invalid, error.localize(me.ctx.lang));
            return page(&me, ledger, None, Some(refused));
        }
    };
    let outcome = app
        .store
        .import_registry(&sheet, ledger, &me.principal, me.ctx.ip.clone())
        .await?;
    let refused = (!outcome.written).then(|| {
        Refused::new(
            RefusalKind::Invalid,
            me.ctx.tr().t("registry.nothing_imported"),
        )
    });
    page(&me, ledger, Some(&outcome), refused)
}

/// An import's outcome as its page shows it: every problem with its row and column, and a line
/// saying what was written. The registry's and the disputes' imports share it.
pub(crate) fn outcome_view(
    me: &SignedIn,
    outcome: Option<&Outcome>,
    empty: &'static str,
) -> (Table, Option<String>) {
    let tr = me.ctx.tr();
    let rows = outcome
        .map(|o| {
            o.problems
                .iter()
                .map(|p| {
                    Row::new(vec![
                        Cell::ui(p.row.to_string()),
                        Cell::user(p.column.clone()),
                        Cell::user(p.message(me.ctx.lang)),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    let summary = outcome.map(|o| {
        if o.written {
            tr.f("registry.imported", &[("rows", o.imported.to_string())])
        } else {
            tr.f(
                "registry.not_imported",
                &[
                    ("rows", o.rows.to_string()),
                    ("problems", o.problems.len().to_string()),
                ],
            )
        }
    });
    let table = Table::new(
        vec![
            tr.t("hotline.row"),
            tr.t("hotline.column"),
            tr.t("hotline.problem"),
        ],
        rows,
        empty,
    );
    (table, summary)
}
