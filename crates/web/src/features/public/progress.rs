//! A case's progress as the person who reported it reads it on the follow page: what happened
//! to their report in plain words (received, taken on, handed to a department, done with the
//! department's reply, closed, rated), never the office's internal steps (签收, 核查, 督办…),
//! its people or its notes to one another. The reply a department writes when it reports the
//! work done (处置反馈) is the one note meant for the public. A signed-in resident's own
//! reports (我的上报) are listed in the same words.

use jiedao_core::case::{Case, CaseState, Change};
use jiedao_store::cases::EventRecord;
use jiedao_store::categories::Catalog;

use crate::tr::Tr;
use crate::widgets::present::{category_name, time};
use crate::widgets::table::{Cell, Row, Table};

/// One line of the reporter's progress.
pub struct Step {
    pub at: String,
    pub text: String,
    /// The department's public reply, when the step is the work reported done.
    pub reply: Option<String>,
}

/// The steps of `history` a reporter is told about, oldest first.
pub fn progress(history: &[EventRecord], tr: Tr) -> Vec<Step> {
    history
        .iter()
        .filter_map(|event| {
            let (text, reply) = match &event.change {
                Change::Report { .. } => (tr.t("progress.received").to_owned(), None),
                Change::File { .. } => (tr.t("progress.filed").to_owned(), None),
                Change::Void { reason } => (
                    tr.t("progress.void").to_owned(),
                    Some(reason.clone()).filter(|r| !r.is_empty()),
                ),
                Change::Dispatch { department, .. } | Change::Redispatch { department, .. } => (
                    tr.f(
                        "progress.dispatched",
                        &[("department", department.name.clone())],
                    ),
                    None,
                ),
                Change::ReportDone { note, .. } => (
                    tr.t("progress.done").to_owned(),
                    Some(note.clone()).filter(|n| !n.is_empty()),
                ),
                Change::Park { .. } => (tr.t("progress.parked").to_owned(), None),
                Change::Resume { .. } => (tr.t("progress.resumed").to_owned(), None),
                Change::Close { .. } => (tr.t("progress.closed").to_owned(), None),
                Change::FollowUp { satisfaction, .. } => (
                    tr.f(
                        "progress.rated",
                        &[("satisfaction", tr.t(satisfaction.label_key()).to_owned())],
                    ),
                    None,
                ),
                Change::Reopen { .. } => (tr.t("progress.reopened").to_owned(), None),
                Change::Merge { .. } => (tr.t("progress.merged").to_owned(), None),
                _ => return None,
            };
            Some(Step {
                at: time(event.at),
                text,
                reply,
            })
        })
        .collect()
}

/// Where the case stands, in the reporter's words: received, being handled, done, rated, not
/// taken on or joined with another report.
pub fn public_state(state: CaseState) -> &'static str {
    match state {
        CaseState::Reported | CaseState::Verified => "progress.state_received",
        CaseState::Filed
        | CaseState::Dispatched
        | CaseState::Handling
        | CaseState::Parked
        | CaseState::Handled
        | CaseState::Checked => "progress.state_handling",
        CaseState::Closed => "progress.state_closed",
        CaseState::Evaluated => "progress.state_rated",
        CaseState::Voided => "progress.state_void",
        CaseState::Merged => "progress.state_merged",
    }
}

/// A resident's own reports (我的上报) as they read them: the number, what, where it stands
/// in their words, when, and what they wrote; no lights, departments or step deadlines.
pub fn reports_table(cases: &[Case], catalog: &Catalog, tr: Tr, empty: &'static str) -> Table {
    let rows = cases
        .iter()
        .map(|case| {
            Row::new(vec![
                Cell::ui(case.number.clone())
                    .link(format!("/cases/{}", case.id))
                    .class("number"),
                Cell::ui(tr.t(public_state(case.state))),
                Cell::user(category_name(case, catalog, tr)),
                Cell::ui(time(case.reported_at)),
                Cell::user(case.description.chars().take(40).collect::<String>()),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("case.number"),
            tr.t("case.state"),
            tr.t("case.category"),
            tr.t("case.reported_at"),
            tr.t("case.description"),
        ],
        rows,
        empty,
    )
}
