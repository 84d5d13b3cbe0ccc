//! Importing a committee's Excel mediation ledger: the file's headers are listed on the page;
//! every problem is listed by row and column, and one bad row imports nothing.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use jiedao_core::{Capability, Localized, RefusalKind};
use jiedao_reports::Sheet;
use jiedao_store::disputes::import::{OPTIONAL, REQUIRED};
use jiedao_store::registry::import::Outcome;

use super::list::tabs;
use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::features::registry::import::outcome_view;
use crate::upload;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::table::Table;

#[derive(Template)]
#[template(path = "disputes/import.html")]
struct ImportPage {
    chrome: Chrome,
    tabs: Vec<(&'static str, &'static str, bool)>,
    error: Option<Refused>,
    summary: Option<String>,
    table: Table,
    headers: String,
    action: String,
}

fn page(
    me: &SignedIn,
    outcome: Option<&Outcome>,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let (table, summary) = outcome_view(me, outcome, tr.t("dispute.none"));
    let headers = REQUIRED
        .iter()
        .map(|h| (*h).to_owned())
        .chain(OPTIONAL.iter().map(|h| format!("({h})")))
        .collect::<Vec<_>>()
        .join(" ");
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &ImportPage {
            chrome: Chrome::new(&me.ctx, tr.t("dispute.import")),
            tabs: tabs(tr, "/disputes/import"),
            error,
            summary,
            table,
            headers,
            action: "/disputes/import".to_owned(),
        },
        refused,
    )
}

pub async fn form(Staff(me): Staff) -> Result<Response, Failure> {
    me.require(Capability::RegisterDisputes)?;
    page(&me, None, None)
}

pub async fn submit(
    State(app): State<AppState>,
    Staff(me): Staff,
    multipart: Multipart,
) -> Result<Response, Failure> {
    me.require(Capability::RegisterDisputes)?;
    let form = upload::read(multipart).await?;
    let Some(bytes) = form.file("file") else {
        let refused = Refused::new(RefusalKind::Invalid, me.ctx.tr().t("hotline.no_file"));
        return page(&me, None, Some(refused));
    };
    let bytes = bytes.to_vec();
    let read = tokio::task::spawn_blocking(move || Sheet::read(&bytes)).await;
    let sheet = match read.map_err(|_| Failure::Internal)? {
        Ok(sheet) => sheet,
        Err(error) => {
            let refused = Refused::new(RefusalKind::Invalid, error.localize(me.ctx.lang));
            return page(&me, None, Some(refused));
        }
    };
    let outcome = app
        .store
        .import_disputes(&sheet, &me.principal, me.ctx.ip.clone())
        .await?;
    let refused = (!outcome.written).then(|| {
        Refused::new(
            RefusalKind::Invalid,
            me.ctx.tr().t("registry.nothing_imported"),
        )
    });
    page(&me, Some(&outcome), refused)
}
