//! The case sheet (案件处理单): one case on one A4 page to print and sign, the paper a 指挥中心
//! files or hands a department. What it shows is the case page's (the same read, the same
//! timeline); the page's stylesheet for print (`static/print.css`) drops the navigation, and
//! the sheet adds lines for signatures. Reporters stay masked: a sheet leaves the screen.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use jiedao_core::CaseId;
use jiedao_core::case::Case;
use jiedao_core::clock::CHINA;
use jiedao_store::cases::read;

use super::detail::category_path;
use super::timeline::{Clock, Entry, actors, clocks, timeline};
use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::present::{category_name, time};

#[derive(Template)]
#[template(path = "cases/sheet.html")]
struct SheetPage {
    chrome: Chrome,
    case: Case,
    state: &'static str,
    channel: &'static str,
    urgency: &'static str,
    category: String,
    reported_at: String,
    clocks: Vec<Clock>,
    reporters: Vec<String>,
    timeline: Vec<Entry>,
    /// When it was printed, in words.
    printed: String,
}

/// `GET /cases/{id}/sheet`: the case sheet, for staff who may see the case.
pub async fn show(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<CaseId>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let principal = me.principal.clone();
    let (detail, people) = app
        .store
        .read(move |conn| {
            let detail = read::detail(conn, &principal, id)?;
            let people = jiedao_store::users::display_names(conn, &actors(&detail.history))?;
            Ok((detail, people))
        })
        .await?;
    let (catalog, calendar, now) = (app.store.catalog(), app.store.calendar(), app.store.now());
    let case = detail.case;
    let path = category_path(&case, &catalog, tr);
    render(&SheetPage {
        chrome: Chrome::for_record(
            &me.ctx,
            tr.f("case_sheet.title", &[("number", case.number.clone())]),
        ),
        state: tr.t(case.state.label_key()),
        channel: tr.t(case.channel.label_key()),
        urgency: tr.t(case.urgency.label_key()),
        category: if path.is_empty() {
            category_name(&case, &catalog, tr)
        } else {
            path
        },
        reported_at: time(case.reported_at),
        clocks: clocks(&case, &calendar, now, tr),
        reporters: detail
            .reporters
            .iter()
            .map(|r| {
                if r.anonymous {
                    tr.t("case.anonymous").to_owned()
                } else {
                    format!(
                        "{} {}",
                        r.name.clone().unwrap_or_default(),
                        r.phone.clone().unwrap_or_default()
                    )
                }
            })
            .collect(),
        timeline: timeline(&detail.history, tr, Some(&people)),
        printed: tr.f(
            "case_sheet.printed",
            &[(
                "at",
                now.with_timezone(&CHINA)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            )],
        ),
        case,
    })
}
