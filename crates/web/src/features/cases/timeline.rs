//! A case's story as pages tell it: the timeline of recorded changes, each described in the
//! reader's language, and the clocks (step and whole case) with their lights. Staff see who
//! did what; the reporter's follow page sees roles only.

use std::collections::HashMap;

use jiedao_core::case::{Case, Change};
use jiedao_core::{Role, UserId};
use jiedao_store::cases::EventRecord;

use crate::tr::Tr;
use crate::widgets::present::{time, time_opt};

/// One line of the timeline.
pub struct Entry {
    pub at: String,
    pub action: &'static str,
    pub actor: String,
    pub state: &'static str,
    pub detail: String,
}

/// One of a case's clocks and its light.
pub struct Clock {
    pub label: &'static str,
    pub light: Option<&'static str>,
    pub light_label: &'static str,
    pub started: String,
    pub deadline: String,
    pub limit: String,
    pub paused: bool,
    /// How far past its limit it has run, paused time left out ("已超期 1.5 工作时").
    pub overrun: Option<String>,
}

/// A clock's overrun as people read it: working hours for clocks on the schedule, hours
/// otherwise; `None` within the limit.
fn overrun(
    timer: &jiedao_core::case::Timer,
    calendar: &jiedao_core::calendar::WorkCalendar,
    now: chrono::DateTime<chrono::Utc>,
    tr: Tr,
) -> Option<String> {
    use jiedao_core::calendar::{TimeLimit, TimeUnit};
    let seconds = timer.overrun_at(calendar, now).ok().flatten()?;
    let minutes = u32::try_from(seconds / 60).ok().filter(|m| *m > 0)?;
    let unit = if timer.limit.unit.on_schedule() {
        TimeUnit::WorkHours
    } else {
        TimeUnit::UrgentHours
    };
    let amount = TimeLimit {
        unit,
        amount: minutes,
    };
    let text = if unit == TimeUnit::WorkHours {
        amount.describe(tr.lang())
    } else {
        tr.f("case.hours", &[("hours", amount.amount_text())])
    };
    Some(tr.f("case.overrun", &[("amount", text)]))
}

/// What a recorded change says beyond its name.
pub fn describe(change: &Change, tr: Tr) -> String {
    let with = |label: &str, text: &str| {
        if text.is_empty() {
            String::new()
        } else {
            format!("{}：{text}", tr.t(label))
        }
    };
    match change {
        Change::Report { report, .. } => report.description.clone(),
        Change::RequestVerification { note }
        | Change::Resume { note, .. }
        | Change::Close { note, .. } => with("form.note", note),
        Change::Verify { found, note } => format!(
            "{} {}",
            tr.t(if *found {
                "form.found_yes"
            } else {
                "form.found_no"
            }),
            with("form.note", note)
        ),
        Change::Locate { location, .. } => location
            .grid
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        Change::File { category, note, .. } => format!(
            "{} {}",
            category
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            with("form.note", note)
        ),
        Change::Void { reason }
        | Change::Return { reason, .. }
        | Change::Park { reason, .. }
        | Change::Reopen { reason, .. } => with("form.reason", reason),
        Change::Dispatch {
            department, note, ..
        } => format!("→ {} {}", department.name, with("form.note", note)),
        Change::Redispatch {
            department, reason, ..
        } => format!("→ {} {}", department.name, with("form.reason", reason)),
        Change::Accept { .. } | Change::DeadlinesSet { .. } => String::new(),
        Change::RequestExtension { request } => format!(
            "+{} {}",
            request.extra.describe(tr.lang()),
            with("form.reason", &request.reason)
        ),
        Change::DecideExtension { approved, note, .. } => format!(
            "{} {}",
            tr.t(if *approved {
                "form.approve"
            } else {
                "form.refuse"
            }),
            with("form.note", note)
        ),
        Change::ReportDone { note, .. } => with("form.note", note),
        Change::Check { passed, note, .. } => format!(
            "{} {}",
            tr.t(if *passed {
                "form.passed"
            } else {
                "form.failed"
            }),
            with("form.note", note)
        ),
        Change::FollowUp {
            satisfaction, note, ..
        } => {
            format!(
                "{} {}",
                tr.t(satisfaction.label_key()),
                with("form.note", note)
            )
        }
        Change::Supervise { reason, automatic } => format!(
            "{}{}",
            if *automatic {
                tr.t("case.automatic")
            } else {
                ""
            },
            with("form.reason", reason)
        ),
        Change::Merge { into_number, .. } => format!("→ {into_number}"),
        Change::MergedIn { from_number, .. } => format!("← {from_number}"),
        Change::StepOverdue { step } => tr.t(step.label_key()).to_owned(),
    }
}

/// The accounts that acted in `history`, whose display names a staff timeline shows.
pub fn actors(history: &[EventRecord]) -> Vec<UserId> {
    history.iter().filter_map(|e| e.actor.user_id).collect()
}

/// The timeline; `people` (the display names of the accounts that acted) names who did what
/// for staff, whose histories record usernames; without it, roles only.
pub fn timeline(
    history: &[EventRecord],
    tr: Tr,
    people: Option<&HashMap<UserId, String>>,
) -> Vec<Entry> {
    history
        .iter()
        .map(|event| Entry {
            at: time(event.at),
            action: tr.t(event.change.kind().label_key()),
            actor: if let Some(people) = people {
                match (event.actor.user_id, event.actor.role) {
                    (Some(id), _) => people
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| event.actor.name.clone()),
                    // Whoever holds the follow link has no account: their stored name is a
                    // marker, not a name to show.
                    (None, Some(Role::Resident)) => tr.t("case.reporter").to_owned(),
                    (None, _) => tr.t("case.system").to_owned(),
                }
            } else {
                event.actor.role.map_or_else(
                    || tr.t("case.system").to_owned(),
                    |r| tr.t(r.label_key()).to_owned(),
                )
            },
            state: tr.t(event.to_state.label_key()),
            detail: describe(&event.change, tr),
        })
        .collect()
}

pub fn clocks(
    case: &Case,
    calendar: &jiedao_core::calendar::WorkCalendar,
    now: chrono::DateTime<chrono::Utc>,
    tr: Tr,
) -> Vec<Clock> {
    let clock = |label: &'static str, timer: &jiedao_core::case::Timer| {
        let light = timer.light(calendar, now);
        Clock {
            label,
            light: Some(light.as_str()),
            light_label: tr.t(light.label_key()),
            started: time(timer.started_at),
            deadline: if timer.is_pending() {
                tr.t("case.deadline_pending").to_owned()
            } else {
                time_opt(timer.deadline)
            },
            limit: timer.limit.describe(tr.lang()),
            paused: timer.is_paused(),
            overrun: overrun(timer, calendar, now, tr),
        }
    };
    let mut out = Vec::new();
    if let (Some(step), Some(timer)) = (case.step, &case.step_timer) {
        out.push(clock(tr.t(step.label_key()), timer));
    }
    if let Some(timer) = case.case_timer.as_ref().filter(|_| case.state.is_open()) {
        out.push(clock(tr.t("case.whole_case"), timer));
    }
    out
}
