//! Visits (走访记录): a grid worker records calling on a household or a place in their grid, on
//! the phone, and sees their recent visits; community staff and leaders see those within reach.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::Capability;
use jiedao_store::StoreError;
use jiedao_store::visits::{self, NewVisit, VisitKind};
use serde::Deserialize;

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::present::time;
use crate::widgets::table::{Cell, Row, Table};

#[derive(Template)]
#[template(path = "visits/visits.html")]
struct VisitsPage {
    chrome: Chrome,
    /// The form, for grid workers.
    kinds: Option<Vec<Choice>>,
    error: Option<Refused>,
    table: Table,
}

#[derive(Debug, Default, Deserialize)]
pub struct VisitForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    found_problem: Option<String>,
    /// The key the page's script gave the form (`static/offline.js`), so a send repeated from
    /// the phone's queue records the visit once.
    #[serde(default)]
    intake_key: String,
}

async fn page(app: &AppState, me: &SignedIn, error: Option<Refused>) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let principal = me.principal.clone();
    let recent = app
        .store
        .read(move |conn| visits::recent(conn, &principal, 100))
        .await?;
    let rows = recent
        .into_iter()
        .map(|visit| {
            let kind = VisitKind::parse(&visit.kind).map_or("", |k| tr.t(k.label_key()));
            Row::new(vec![
                Cell::ui(time(visit.visited_at)),
                Cell::ui(kind),
                Cell::user(visit.place),
                Cell::user(visit.grid_name),
                Cell::user(visit.visitor),
                if visit.found_problem {
                    Cell::ui(tr.t("visit.found_problem")).class("tag bad")
                } else {
                    Cell::ui("")
                },
                Cell::user(visit.note),
            ])
        })
        .collect();
    let kinds = me.principal.role().can(Capability::RecordVisits).then(|| {
        VisitKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: tr.t(k.label_key()).into(),
                selected: *k == VisitKind::Household,
            })
            .collect()
    });
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &VisitsPage {
            chrome: Chrome::new(&me.ctx, tr.t("visit.title")),
            kinds,
            error,
            table: Table::new(
                vec![
                    tr.t("visit.at"),
                    tr.t("visit.kind"),
                    tr.t("visit.place"),
                    tr.t("visit.grid"),
                    tr.t("visit.visitor"),
                    tr.t("visit.problem"),
                    tr.t("form.note"),
                ],
                rows,
                tr.t("visit.none"),
            ),
        },
        refused,
    )
}

pub async fn list(State(app): State<AppState>, Staff(me): Staff) -> Result<Response, Failure> {
    page(&app, &me, None).await
}

pub async fn record(
    State(app): State<AppState>,
    Staff(me): Staff,
    Form(form): Form<VisitForm>,
) -> Result<Response, Failure> {
    let new = NewVisit {
        kind: VisitKind::parse(&form.kind).unwrap_or(VisitKind::Household),
        place: form.place,
        note: form.note,
        found_problem: form.found_problem.is_some(),
        intake_key: Some(form.intake_key.trim().to_owned()).filter(|k| !k.is_empty()),
    };
    let (principal, at) = (me.principal.clone(), app.store.now());
    match app
        .store
        .write(move |conn| visits::record(conn, &principal, at, &new))
        .await
    {
        // A problem found goes straight on to the report form.
        Ok(()) if form.found_problem.is_some() => Ok(Redirect::to("/report/grid").into_response()),
        Ok(()) => Ok(Redirect::to("/visits").into_response()),
        Err(StoreError::Refused(refusal)) => {
            page(&app, &me, Some(Refused::of(&refusal, me.ctx.lang))).await
        }
        Err(fault) => Err(fault.into()),
    }
}
