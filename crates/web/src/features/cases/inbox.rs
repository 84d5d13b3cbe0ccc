//! The inbox (待办): what is waiting for me, what is about to be late, what was supervised.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jiedao_core::{Capability, Role};
use jiedao_store::cases::read;

use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;
use crate::features::public::progress::reports_table;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::present::case_table;
use crate::widgets::table::Table;

pub struct Section {
    pub title: &'static str,
    pub total: String,
    pub table: Table,
}

#[derive(Template)]
#[template(path = "cases/inbox.html")]
struct InboxPage {
    chrome: Chrome,
    /// The page's first action for the role (a report, a visit), as (address, label).
    primary: Vec<(&'static str, &'static str)>,
    sections: Vec<Section>,
}

/// What a person starts from their to-do list: residents and grid workers report (and grid
/// workers visit) from it on the phone.
fn primary(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    for (capability, href, key) in [
        (Capability::ReportAsResident, "/report", "nav.report"),
        (
            Capability::ReportInGrid,
            "/report/grid",
            "inbox.report_in_grid",
        ),
        (Capability::RecordVisits, "/visits", "inbox.record_visit"),
    ] {
        if role.can(capability) {
            out.push((href, key));
        }
    }
    out
}

pub async fn page(State(app): State<AppState>, me: SignedIn) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let principal = me.principal.clone();
    let now = app.store.now();
    let sections = app
        .store
        .read(move |conn| read::inbox(conn, &principal, now, 20))
        .await?;
    let (catalog, calendar) = (app.store.catalog(), app.store.calendar());
    let role = me.principal.role();
    let title = if role == Role::Resident {
        "nav.my_reports"
    } else {
        "inbox.title"
    };
    render(&InboxPage {
        chrome: Chrome::new(&me.ctx, tr.t(title)),
        primary: primary(role)
            .into_iter()
            .map(|(href, key)| (href, tr.t(key)))
            .collect(),
        sections: sections
            .into_iter()
            .map(|section| Section {
                title: tr.t(section.title),
                total: section.page.shown_total(),
                table: if role == Role::Resident {
                    reports_table(&section.page.cases, &catalog, tr, tr.t("inbox.empty"))
                } else {
                    case_table(
                        &section.page.cases,
                        &catalog,
                        &calendar,
                        now,
                        tr,
                        tr.t("inbox.empty"),
                    )
                },
            })
            .collect(),
    })
}
