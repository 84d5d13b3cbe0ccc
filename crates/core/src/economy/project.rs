//! Key projects (重点项目, 民生实事): milestones with deadlines (限期) on the ledger's timers,
//! supervision when one runs late (限期督办), progress rolled up from sub-projects by weight,
//! and the rule for striking a project off when done (完成销号). The practice is 古荡 2015's
//! "重点项目推进班子领衔、责任主办、限期督办、进度通报和完成销号".

use chrono::{DateTime, Utc};
use serde::Serialize;
use thiserror::Error;

use crate::ledger::Timer;

use super::percent::Percent;

/// All done: 100%.
pub const DONE: Percent = Percent::from_hundredths(10_000);

/// A project's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectState {
    /// 推进中.
    Under,
    /// 督办: a milestone ran past its deadline undone.
    Supervised,
    /// 销号: every milestone done and progress at 100%.
    StruckOff,
}

impl ProjectState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectState::Under => "under",
            ProjectState::Supervised => "supervised",
            ProjectState::StruckOff => "struck_off",
        }
    }

    pub fn parse(text: &str) -> Option<ProjectState> {
        [
            ProjectState::Under,
            ProjectState::Supervised,
            ProjectState::StruckOff,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ProjectState::Under => "economy.project_under",
            ProjectState::Supervised => "economy.project_supervised",
            ProjectState::StruckOff => "economy.project_struck_off",
        }
    }
}

/// A milestone (节点) and its clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub timer: Timer,
    pub done_at: Option<DateTime<Utc>>,
}

impl Milestone {
    /// Late at `now`: undone past its deadline, or done after it. `None` while the calendar
    /// cannot say where the deadline is.
    pub fn is_late(&self, now: DateTime<Utc>) -> Option<bool> {
        let deadline = self.timer.deadline?;
        Some(self.done_at.unwrap_or(now) > deadline)
    }

    /// Undone and past its deadline at `now`: what puts a project under supervision.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.done_at.is_none() && self.is_late(now) == Some(true)
    }
}

/// Why a project may not be struck off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum StrikeOffRefusal {
    #[error("a milestone is not done")]
    MilestoneOpen,
    #[error("progress is below 100%")]
    Unfinished,
    #[error("already struck off")]
    AlreadyStruckOff,
}

impl StrikeOffRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            StrikeOffRefusal::MilestoneOpen => "economy.refused_milestone_open",
            StrikeOffRefusal::Unfinished => "economy.refused_unfinished",
            StrikeOffRefusal::AlreadyStruckOff => "economy.refused_struck_off",
        }
    }
}

/// The state a project not yet struck off is in at `now`: supervised while any milestone is
/// overdue.
pub fn state_at(milestones: &[Milestone], now: DateTime<Utc>) -> ProjectState {
    if milestones.iter().any(|m| m.is_overdue(now)) {
        ProjectState::Supervised
    } else {
        ProjectState::Under
    }
}

/// Whether a project in `state` with these milestones and `progress` may be struck off.
pub fn may_strike_off(
    state: ProjectState,
    milestones: &[Milestone],
    progress: Percent,
) -> Result<(), StrikeOffRefusal> {
    if state == ProjectState::StruckOff {
        return Err(StrikeOffRefusal::AlreadyStruckOff);
    }
    if milestones.iter().any(|m| m.done_at.is_none()) {
        return Err(StrikeOffRefusal::MilestoneOpen);
    }
    if progress < DONE {
        return Err(StrikeOffRefusal::Unfinished);
    }
    Ok(())
}

/// Progress rolled up from sub-projects `(weight, progress)`: the weighted mean, rounded half
/// away from zero to hundredths; `None` when the weights add to zero.
pub fn rolled_up(children: &[(u32, Percent)]) -> Option<Percent> {
    let weights: i64 = children.iter().map(|(w, _)| i64::from(*w)).sum();
    let weighted: i64 = children
        .iter()
        .map(|(w, p)| i64::from(*w) * p.hundredths().clamp(0, DONE.hundredths()))
        .sum();
    let hundredths = crate::decimal::div_round(i128::from(weighted), i128::from(weights))?;
    i64::try_from(hundredths).ok().map(Percent::from_hundredths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{TimeLimit, WorkCalendar};
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
            .single()
            .expect("time")
    }

    fn milestone(days: u32, done_after: Option<i64>) -> Milestone {
        let calendar = WorkCalendar::seeded().expect("calendar");
        Milestone {
            timer: Timer::start(&calendar, TimeLimit::calendar_days(days), start()),
            done_at: done_after.map(|d| start() + Duration::days(d)),
        }
    }

    #[test]
    fn a_late_milestone_puts_the_project_under_supervision_until_done() {
        let on_time = milestone(30, Some(20));
        let open = milestone(10, None);
        let now = start() + Duration::days(5);
        assert_eq!(
            state_at(&[on_time.clone(), open.clone()], now),
            ProjectState::Under
        );
        let later = start() + Duration::days(12);
        assert!(open.is_overdue(later));
        assert_eq!(
            state_at(&[on_time.clone(), open], later),
            ProjectState::Supervised
        );
        // Done late: late, but no longer overdue.
        let done_late = milestone(10, Some(15));
        assert_eq!(done_late.is_late(later + Duration::days(10)), Some(true));
        assert_eq!(
            state_at(&[on_time, done_late], later + Duration::days(10)),
            ProjectState::Under
        );
    }

    #[test]
    fn struck_off_only_when_every_milestone_is_done_at_full_progress() {
        let done = [milestone(10, Some(3)), milestone(20, Some(25))];
        let open = [milestone(10, Some(3)), milestone(20, None)];
        assert_eq!(
            may_strike_off(ProjectState::Under, &open, DONE),
            Err(StrikeOffRefusal::MilestoneOpen)
        );
        assert_eq!(
            may_strike_off(
                ProjectState::Supervised,
                &done,
                Percent::from_hundredths(9_999)
            ),
            Err(StrikeOffRefusal::Unfinished)
        );
        assert_eq!(
            may_strike_off(ProjectState::Supervised, &done, DONE),
            Ok(())
        );
        assert_eq!(
            may_strike_off(ProjectState::StruckOff, &done, DONE),
            Err(StrikeOffRefusal::AlreadyStruckOff)
        );
    }

    #[test]
    fn sub_projects_roll_up_by_weight() {
        let p = Percent::from_hundredths;
        assert_eq!(rolled_up(&[(3, p(10_000)), (1, p(0))]), Some(p(7_500)));
        assert_eq!(rolled_up(&[(1, p(3_333)), (2, p(5_000))]), Some(p(4_444)));
        assert_eq!(rolled_up(&[]), None);
        assert_eq!(rolled_up(&[(0, p(5_000))]), None);
    }

    proptest! {
        #[test]
        fn a_roll_up_lies_between_its_least_and_greatest_child(
            children in proptest::collection::vec((0_u32..1000, 0_i64..=10_000), 1..12),
        ) {
            let children: Vec<(u32, Percent)> =
                children.into_iter().map(|(w, h)| (w, Percent::from_hundredths(h))).collect();
            let weighted: Vec<Percent> =
                children.iter().filter(|(w, _)| *w > 0).map(|(_, p)| *p).collect();
            match rolled_up(&children) {
                None => prop_assert!(weighted.is_empty()),
                Some(total) => {
                    prop_assert!(weighted.iter().min().is_some_and(|least| *least <= total));
                    prop_assert!(weighted.iter().max().is_some_and(|most| total <= *most));
                }
            }
        }

        #[test]
        fn the_roll_up_of_finished_children_is_done(weights in proptest::collection::vec(1_u32..1000, 1..12)) {
            let children: Vec<(u32, Percent)> = weights.into_iter().map(|w| (w, DONE)).collect();
            prop_assert_eq!(rolled_up(&children), Some(DONE));
        }
    }
}
