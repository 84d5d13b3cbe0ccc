//! The inbox (待办): what is waiting for me, what is about to be late, what was supervised.
//! For staff it follows the cases live (`/inbox/events`, [`crate::widgets::live`]): the page's
//! sections are swapped in after every change, the count of the first (the work waiting for
//! its reader) shows in the title, and intake operators may turn on a sound for new work.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jiedao_core::dispute::Risk;
use jiedao_core::{Capability, Role};
use jiedao_store::Principal;
use jiedao_store::cases::read;
use jiedao_store::disputes::{self, read::DisputeFilter};

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::features::public::progress::reports_table;
use crate::tr::Tr;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::live;
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
    tr: Tr,
    /// The page's first action for the role (a report, a visit), as (address, label).
    primary: Vec<(&'static str, &'static str)>,
    /// Staff follow their inbox live; residents' pages are left as they are.
    live: bool,
    /// Intake operators are offered a sound for new work.
    sound: bool,
    sections: Vec<Section>,
    waiting: Waiting,
}

/// The live part alone, as each event carries it.
#[derive(Template)]
#[template(path = "cases/inbox_live.html")]
struct InboxLive {
    tr: Tr,
    sections: Vec<Section>,
    waiting: Waiting,
}

/// The work waiting for the reader: the first section's count (the page's badge).
pub struct Waiting {
    pub count: i64,
    pub text: String,
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

/// Reads the inbox of `principal` as its page shows it: residents see their reports in their
/// own words, staff the cases with their clocks.
async fn read(
    app: &AppState,
    principal: &Principal,
    tr: Tr,
) -> Result<(Vec<Section>, Waiting), Failure> {
    let who = principal.clone();
    let now = app.store.now();
    let sections = app
        .store
        .read(move |conn| read::inbox(conn, &who, now, 20))
        .await?;
    let count = sections.first().map_or(0, |s| s.page.total);
    let (catalog, calendar) = (app.store.catalog(), app.store.calendar());
    let resident = principal.role() == Role::Resident;
    let mut sections: Vec<Section> = sections
        .into_iter()
        .map(|section| Section {
            title: tr.t(section.title),
            total: section.page.shown_total(),
            table: if resident {
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
        .collect();
    if principal.role() == Role::Leader {
        sections.push(high_risk_disputes(app, principal, tr).await?);
    }
    let waiting = Waiting {
        count,
        text: tr.f("inbox.waiting", &[("count", count.to_string())]),
    };
    Ok((sections, waiting))
}

/// The high-risk disputes still in mediation within the leader's reach: a leader learns of one
/// here as soon as it is registered or raised (not only through a webhook).
async fn high_risk_disputes(
    app: &AppState,
    principal: &Principal,
    tr: Tr,
) -> Result<Section, Failure> {
    let scope = principal.scope();
    let filter = DisputeFilter {
        risk: Some(Risk::High),
        pending: true,
        limit: 20,
        ..DisputeFilter::default()
    };
    let (found, more) = app
        .store
        .read(move |conn| disputes::read::list(conn, &scope, &filter))
        .await?;
    let total = if more {
        format!("{}+", found.len())
    } else {
        found.len().to_string()
    };
    let kinds = crate::features::disputes::list::kinds(app).await?;
    Ok(Section {
        title: tr.t("inbox.high_risk_disputes"),
        total,
        table: crate::features::disputes::list::table(tr, &kinds, &found),
    })
}

pub async fn page(State(app): State<AppState>, me: SignedIn) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let (sections, waiting) = read(&app, &me.principal, tr).await?;
    let role = me.principal.role();
    let title = if role == Role::Resident {
        "nav.my_reports"
    } else {
        "inbox.title"
    };
    render(&InboxPage {
        chrome: Chrome::new(&me.ctx, tr.t(title)),
        tr,
        primary: primary(role)
            .into_iter()
            .map(|(href, key)| (href, tr.t(key)))
            .collect(),
        live: role.is_staff(),
        sound: role.can(Capability::TakeReports),
        sections,
        waiting,
    })
}

/// `GET /inbox/events`: the inbox again after every change, for staff.
pub async fn events(State(app): State<AppState>, Staff(me): Staff) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    live::page_events(&app, &me, move |app, principal| async move {
        let (sections, waiting) = read(&app, &principal, tr).await?;
        Ok(InboxLive {
            tr,
            sections,
            waiting,
        }
        .render()?)
    })
}
