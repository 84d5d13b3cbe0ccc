//! What each recorded change of a case adds to the figures (统计口径). The store keeps rollups
//! by adding each change's tally as it records the change, and rebuilds them by folding every
//! history through the same function, so the two can only agree.
//!
//! A change counts for the case as it stands after the change (its street, area, department,
//! category and channel then), except that what counts to the cohort of reports counts in the
//! area the case was reported in, where its 受理 counts (a report taken unlocated and located
//! later files in the street, not in the grid). Every rate's numerator is a subset of its denominator, so no
//! rate can pass 100% however changes fall across the ends of a period:
//!
//! - 受理 (`accepted`): the report, on the day it was taken. A grid worker's own report also
//!   counts to them (`reported`).
//! - 立案 (`filed`) and 派遣 (`dispatched`) count by the cohort of reports: on the day the case
//!   was *taken*, not the day it was filed or dispatched. A period's 立案数 is how many of the
//!   reports it took have been filed, so 立案率 ≤ 100% (a case taken on 31 December and filed on
//!   2 January counts in December's 立案数, where its 受理 is). Filing a grid worker's report
//!   makes it valid (`valid_reported`), counted to the grid worker, on the same day. Only the
//!   first dispatch of a case counts, so 派遣数 is a subset of 立案数.
//! - 结案 (`closed`, and `due`): each close, on the day of closing; `closed_on_time` when the
//!   case's clock had not run out. 应结案 is completed by the cases still open past their
//!   deadline, which the store counts from the live cases (they have no change to count on).
//!   A reopened case that is closed again counts again: it was due again.
//! - 返工 (`reworked`): a close of a case that was sent back (a failed check or a reopening)
//!   before it, counted with the close, so 返工数 ⊆ 应结案数. For the rule that takes 返工率
//!   over 立案数, 返工案件数 (`reworked_cases`) counts each case once, at its first rework, by
//!   the cohort of reports like 立案数, so 返工案件数 ⊆ 立案数.
//! - 应处置 (`handling_due`): each handling reported done (处置反馈), with `handled_on_time`, and
//!   `extended` (延期) when the case's handling had an approved extension, so 延期数 ⊆ 应处置数;
//!   completed, like 应结案, by the live cases whose handling step is overdue.
//! - 挂账 (`parked`), 作废 (`voided`), 督办 (`supervised`) and overdue steps (`overdue`): their
//!   changes, on their day (counts without a rate).
//! - 回访 (`rated`): a follow-up, with 满意 (`satisfied`) and 基本满意 (`fairly_satisfied`).
//! - 核实 and 核查 (`verified`, `checked`): counted to the person who did them, on time when
//!   done before the running step's deadline. Time parked does not run on any clock, so a
//!   parked case is neither late nor due while it stands.
//! - A merge adds nothing: the merged report was taken (受理) but is not filed; the target
//!   case carries the work.
//!
//! The cohort rule means a finished period's 立案数 and 派遣数 still grow while its last reports
//! are filed and dispatched (a few days at most).

use chrono::{DateTime, NaiveDate, Utc};

use crate::case::{Case, Change, Channel, Satisfaction};
use crate::clock::business_date;
use crate::ids::UserId;

use super::Counts;

/// One change's contribution: its counts on `day`, and the person some of them are counted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub day: NaiveDate,
    pub counts: Counts,
    pub person: Option<UserId>,
    /// Counted to the case's cohort: on the day it was taken (`day`) and in the area it was
    /// reported in, where its 受理 counts, even if it was located elsewhere since; its
    /// department, category and channel are as the change left them.
    pub cohort: bool,
}

/// Who was involved in a change, beyond the case itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Involved {
    /// Whoever made the change.
    pub actor: Option<UserId>,
    /// The grid worker who reported the case, when its channel is a grid worker's.
    pub reporter: Option<UserId>,
}

/// What `change`, made at `at` to a case that stood as `before` (none for the report) and
/// stands as `after`, adds to the figures: the change's own counts, and the case's first
/// rework counted to its cohort (its report's day); empty when it adds nothing.
pub fn tally(
    before: Option<&Case>,
    change: &Change,
    after: &Case,
    involved: Involved,
    at: DateTime<Utc>,
) -> Vec<Tally> {
    let mut tallies: Vec<Tally> = own(before, change, after, involved, at)
        .into_iter()
        .collect();
    // 返工案件数: the case's first rework (a failed check or a reopening), counted to the
    // cohort like 立案数, so that under the rule 返工率 = 返工 / 立案数 the numerator is a
    // subset of the denominator.
    if before.is_some_and(|case| case.rework_count == 0) && after.rework_count > 0 {
        tallies.push(Tally {
            day: business_date(after.reported_at),
            counts: Counts {
                reworked_cases: 1,
                ..Counts::default()
            },
            person: None,
            cohort: true,
        });
    }
    tallies
}

/// The change's own counts.
fn own(
    before: Option<&Case>,
    change: &Change,
    after: &Case,
    involved: Involved,
    at: DateTime<Utc>,
) -> Option<Tally> {
    let mut counts = Counts::default();
    let mut person = None;
    let mut day = business_date(at);
    let mut cohort = false;
    let on_time_in_step = || {
        before
            .and_then(|case| case.step_timer.as_ref())
            .and_then(|timer| timer.deadline)
            .is_none_or(|deadline| at <= deadline)
    };
    match change {
        Change::Report { .. } => {
            counts.accepted = 1;
            if after.channel == Channel::GridWorker && involved.actor.is_some() {
                counts.reported = 1;
                person = involved.actor;
            }
        }
        Change::File { .. } => {
            day = business_date(after.reported_at);
            cohort = true;
            counts.filed = 1;
            if after.channel == Channel::GridWorker && involved.reporter.is_some() {
                counts.valid_reported = 1;
                person = involved.reporter;
            }
        }
        Change::Dispatch { .. } => {
            day = business_date(after.reported_at);
            cohort = true;
            counts.dispatched = u64::from(before.is_some_and(|case| case.dispatched_at.is_none()));
        }
        Change::Close { on_time, .. } => {
            counts.due = 1;
            counts.closed = 1;
            counts.closed_on_time = u64::from(*on_time == Some(true));
            counts.reworked = u64::from(after.rework_count > 0);
        }
        Change::ReportDone { on_time, .. } => {
            counts.handling_due = 1;
            counts.handled_on_time = u64::from(*on_time == Some(true));
            counts.extended = u64::from(after.extension_count > 0);
        }
        Change::Check { .. } => {
            counts.checked = 1;
            counts.checked_on_time = u64::from(on_time_in_step());
            person = involved.actor;
        }
        Change::Verify { .. } => {
            counts.verified = 1;
            counts.verified_on_time = u64::from(on_time_in_step());
            person = involved.actor;
        }
        Change::Park { .. } => counts.parked = 1,
        Change::Void { .. } => counts.voided = 1,
        Change::Supervise { .. } => counts.supervised = 1,
        Change::StepOverdue { .. } => counts.overdue = 1,
        Change::FollowUp { satisfaction, .. } => {
            counts.rated = 1;
            counts.satisfied = u64::from(*satisfaction == Satisfaction::Satisfied);
            counts.fairly_satisfied = u64::from(*satisfaction == Satisfaction::Basic);
        }
        Change::RequestVerification { .. }
        | Change::Reopen { .. }
        | Change::DecideExtension { .. }
        | Change::Locate { .. }
        | Change::Redispatch { .. }
        | Change::Accept { .. }
        | Change::Return { .. }
        | Change::RequestExtension { .. }
        | Change::Resume { .. }
        | Change::Merge { .. }
        | Change::MergedIn { .. }
        | Change::DeadlinesSet { .. } => {}
    }
    (counts != Counts::default()).then_some(Tally {
        cohort,
        day,
        counts,
        person,
    })
}
