//! A hazard's life cycle (隐患闭环): raised by a failed checklist item or a case; ordered
//! rectified by a deadline on the ledger's clock (整改通知书, 消防法 art. 54, 安全生产法 art. 65
//! (3)); rectified by its owner with photos; rechecked (复查): a failed recheck sends it back to
//! rectification on the same clock, a passed one lets it be struck off (销号). A hazard past its
//! deadline may be escalated, to supervision (督办, 安全生产法 art. 41) or into a case for
//! enforcement. [`decide`] checks and decides; [`apply`] is pure, so a hazard is the fold of its
//! history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::checklist::MAX_DAYS;
use super::{HazardState, InspectionRefusal, Severity};
use crate::calendar::{TimeLimit, WorkCalendar};
use crate::ledger::RecordChange;
use crate::ledger::Standing;
use crate::ledger::timer::{Light, Timer};
use crate::role::Capability;

/// Where a hazard came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Source {
    /// A failed item of an inspection.
    Inspection { inspection: Uuid, item: String },
    /// A case (事件) that found it; by its number.
    Case { case: String },
}

/// How far an overdue hazard was taken, in rising order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// 挂牌督办 by the street's leaders.
    Supervision,
    /// A case dispatched to enforcement (执法).
    Case,
}

/// What can be done to a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Raise,
    Order,
    Rectify,
    Recheck,
    StrikeOff,
    Escalate,
}

impl ActionKind {
    /// The actions on a raised hazard, in the order a page offers them.
    pub const ACTIONS: [ActionKind; 5] = [
        ActionKind::Order,
        ActionKind::Rectify,
        ActionKind::Recheck,
        ActionKind::StrikeOff,
        ActionKind::Escalate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Raise => "raise",
            ActionKind::Order => "order",
            ActionKind::Rectify => "rectify",
            ActionKind::Recheck => "recheck",
            ActionKind::StrikeOff => "strike_off",
            ActionKind::Escalate => "escalate",
        }
    }

    pub fn parse(text: &str) -> Option<ActionKind> {
        std::iter::once(ActionKind::Raise)
            .chain(ActionKind::ACTIONS)
            .find(|kind| kind.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ActionKind::Raise => "inspection.action_raise",
            ActionKind::Order => "inspection.action_order",
            ActionKind::Rectify => "inspection.action_rectify",
            ActionKind::Recheck => "inspection.action_recheck",
            ActionKind::StrikeOff => "inspection.action_strike_off",
            ActionKind::Escalate => "inspection.action_escalate",
        }
    }

    /// Raising is for those who inspect; the rest for those who keep the hazards.
    pub fn capability(self) -> Capability {
        match self {
            ActionKind::Raise => Capability::Inspect,
            _ => Capability::ManageHazards,
        }
    }

    fn allowed_in(self) -> &'static [HazardState] {
        use HazardState::*;
        match self {
            ActionKind::Raise => &[],
            ActionKind::Order => &[Found],
            ActionKind::Rectify => &[Ordered],
            ActionKind::Recheck => &[Rectified],
            ActionKind::StrikeOff => &[Passed],
            ActionKind::Escalate => &[Ordered, Rectified],
        }
    }
}

/// An action with what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The rectification order: measures and a deadline in calendar days; a major hazard's
    /// order stops work or calls in outside help.
    Order {
        measures: String,
        days: u32,
        #[serde(default)]
        stop_work: bool,
        #[serde(default)]
        outside_help: bool,
    },
    /// The owner's rectification, with its photos.
    Rectify {
        note: String,
        photos: u32,
    },
    Recheck {
        passed: bool,
        note: String,
        #[serde(default)]
        photos: u32,
    },
    StrikeOff,
    /// `case` is the number of the case made for enforcement, for [`Escalation::Case`].
    Escalate {
        to: Escalation,
        #[serde(default)]
        case: Option<String>,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Order { .. } => ActionKind::Order,
            Action::Rectify { .. } => ActionKind::Rectify,
            Action::Recheck { .. } => ActionKind::Recheck,
            Action::StrikeOff => ActionKind::StrikeOff,
            Action::Escalate { .. } => ActionKind::Escalate,
        }
    }
}

/// A hazard as raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raised {
    /// The registry place (house, building or enterprise) it is at.
    pub place: Uuid,
    pub severity: Severity,
    pub description: String,
    #[serde(flatten)]
    pub source: Source,
    #[serde(default)]
    pub photos: u32,
}

/// One recorded change of a hazard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    Raised {
        #[serde(flatten)]
        raised: Raised,
    },
    Ordered {
        measures: String,
        stop_work: bool,
        outside_help: bool,
        deadline: Timer,
    },
    Rectified {
        note: String,
        photos: u32,
    },
    Rechecked {
        passed: bool,
        note: String,
        photos: u32,
    },
    StruckOff,
    Escalated {
        to: Escalation,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case: Option<String>,
    },
}

impl RecordChange for Change {
    fn action(&self) -> &'static str {
        self.kind().as_str()
    }
}

impl Change {
    pub fn kind(&self) -> ActionKind {
        match self {
            Change::Raised { .. } => ActionKind::Raise,
            Change::Ordered { .. } => ActionKind::Order,
            Change::Rectified { .. } => ActionKind::Rectify,
            Change::Rechecked { .. } => ActionKind::Recheck,
            Change::StruckOff => ActionKind::StrikeOff,
            Change::Escalated { .. } => ActionKind::Escalate,
        }
    }
}

/// A hazard as it stands: the fold of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    pub id: Uuid,
    pub state: HazardState,
    pub raised_at: DateTime<Utc>,
    pub raised: Raised,
    /// The rectification deadline, once ordered; it keeps running through failed rechecks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Timer>,
    #[serde(default)]
    pub stop_work: bool,
    #[serde(default)]
    pub rechecks: u32,
    #[serde(default)]
    pub failed_rechecks: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// When it was put right (the passed recheck) and struck off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectified_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub struck_off_at: Option<DateTime<Utc>>,
}

impl Hazard {
    /// Past its rectification deadline at `now` and not yet put right.
    pub fn overdue(&self, calendar: &WorkCalendar, now: DateTime<Utc>) -> bool {
        matches!(self.state, HazardState::Ordered | HazardState::Rectified)
            && self
                .deadline
                .as_ref()
                .is_some_and(|deadline| deadline.light(calendar, now) == Light::Red)
    }
}

/// Whether the actor of `standing` may do `action`: its role, then its reach. The system (the
/// ticker, the demo's loader) may.
pub fn may(action: ActionKind, standing: &Standing) -> Result<(), InspectionRefusal> {
    let Some(role) = standing.role else {
        return Ok(());
    };
    if !role.can(action.capability()) {
        return Err(InspectionRefusal::NotPermitted { action });
    }
    if !standing.in_reach {
        return Err(InspectionRefusal::OutOfReach { action });
    }
    Ok(())
}

fn required(text: &str, field: &'static str) -> Result<String, InspectionRefusal> {
    let text = text.trim();
    if text.is_empty() {
        Err(InspectionRefusal::Required { field })
    } else {
        Ok(text.to_owned())
    }
}

/// Checks a hazard as raised and decides its first change.
pub fn raise(raised: Raised) -> Result<Change, InspectionRefusal> {
    let mut raised = raised;
    raised.description = required(&raised.description, "inspection.description")?;
    Ok(Change::Raised { raised })
}

/// The hazard its first change makes.
pub fn open(id: Uuid, at: DateTime<Utc>, change: &Change) -> Option<Hazard> {
    let Change::Raised { raised } = change else {
        return None;
    };
    Some(Hazard {
        id,
        state: HazardState::Found,
        raised_at: at,
        raised: raised.clone(),
        deadline: None,
        stop_work: false,
        rechecks: 0,
        failed_rechecks: 0,
        escalation: None,
        case: None,
        rectified_at: None,
        struck_off_at: None,
    })
}

/// Decides `action` on `hazard` by the actor of `standing` at `at`, or refuses it.
pub fn decide(
    hazard: &Hazard,
    standing: &Standing,
    action: Action,
    at: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Result<Change, InspectionRefusal> {
    let kind = action.kind();
    may(kind, standing)?;
    if !kind.allowed_in().contains(&hazard.state) {
        return Err(InspectionRefusal::WrongState {
            action: kind,
            state: hazard.state,
        });
    }
    match action {
        Action::Order {
            measures,
            days,
            stop_work,
            outside_help,
        } => {
            let measures = required(&measures, "inspection.measures")?;
            if !(1..=MAX_DAYS).contains(&days) {
                return Err(InspectionRefusal::DaysOutOfRange { days });
            }
            if hazard.raised.severity == Severity::Major && !stop_work && !outside_help {
                return Err(InspectionRefusal::MajorNeedsStop);
            }
            Ok(Change::Ordered {
                measures,
                stop_work,
                outside_help,
                deadline: Timer::start(calendar, TimeLimit::calendar_days(days), at),
            })
        }
        Action::Rectify { note, photos } => {
            let note = required(&note, "inspection.note")?;
            if photos == 0 {
                return Err(InspectionRefusal::PhotoRequired {
                    item: hazard.raised.description.clone(),
                });
            }
            Ok(Change::Rectified { note, photos })
        }
        Action::Recheck {
            passed,
            note,
            photos,
        } => Ok(Change::Rechecked {
            passed,
            note: required(&note, "inspection.note")?,
            photos,
        }),
        Action::StrikeOff => Ok(Change::StruckOff),
        Action::Escalate { to, case } => {
            if !hazard.overdue(calendar, at) {
                return Err(InspectionRefusal::NotOverdue);
            }
            if hazard.escalation.is_some_and(|done| done >= to) {
                return Err(InspectionRefusal::AlreadyEscalated);
            }
            let case = match to {
                Escalation::Supervision => None,
                Escalation::Case => Some(required(
                    case.as_deref().unwrap_or_default(),
                    "inspection.case",
                )?),
            };
            Ok(Change::Escalated { to, case })
        }
    }
}

/// Moves `hazard` by a decided `change` made at `at`.
pub fn apply(hazard: &mut Hazard, change: &Change, at: DateTime<Utc>) {
    match change {
        Change::Raised { .. } => {}
        Change::Ordered {
            stop_work,
            deadline,
            ..
        } => {
            hazard.state = HazardState::Ordered;
            hazard.stop_work = *stop_work;
            hazard.deadline = Some(deadline.clone());
        }
        Change::Rectified { .. } => hazard.state = HazardState::Rectified,
        Change::Rechecked { passed, .. } => {
            hazard.rechecks += 1;
            if *passed {
                hazard.state = HazardState::Passed;
                hazard.rectified_at = Some(at);
            } else {
                hazard.failed_rechecks += 1;
                hazard.state = HazardState::Ordered;
            }
        }
        Change::StruckOff => {
            hazard.state = HazardState::StruckOff;
            hazard.struck_off_at = Some(at);
            hazard.stop_work = false;
        }
        Change::Escalated { to, case } => {
            hazard.escalation = Some(*to);
            if case.is_some() {
                hazard.case = case.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn calendar() -> WorkCalendar {
        WorkCalendar::seeded().expect("calendar")
    }

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0)
            .single()
            .expect("time")
    }

    fn staff() -> Standing {
        Standing {
            role: Some(Role::CommunityStaff),
            in_reach: true,
            department: None,
            is_reporter: false,
        }
    }

    fn hazard(severity: Severity) -> Hazard {
        let change = raise(Raised {
            place: Uuid::nil(),
            severity,
            description: "私拉乱接电线".into(),
            source: Source::Case {
                case: "SJ2026-1".into(),
            },
            photos: 1,
        })
        .expect("raised");
        open(Uuid::nil(), start(), &change).expect("opened")
    }

    fn order(days: u32) -> Action {
        Action::Order {
            measures: "拆除飞线".into(),
            days,
            stop_work: false,
            outside_help: false,
        }
    }

    fn act(h: &mut Hazard, action: Action, at: DateTime<Utc>) -> Result<(), InspectionRefusal> {
        let change = decide(h, &staff(), action, at, &calendar())?;
        apply(h, &change, at);
        Ok(())
    }

    fn rectify() -> Action {
        Action::Rectify {
            note: "已拆除".into(),
            photos: 2,
        }
    }

    fn recheck(passed: bool) -> Action {
        Action::Recheck {
            passed,
            note: "复查".into(),
            photos: 1,
        }
    }

    #[test]
    fn struck_off_only_after_a_passed_recheck() {
        let mut h = hazard(Severity::General);
        let at = start();
        act(&mut h, order(7), at).expect("ordered");
        assert_eq!(
            act(&mut h, Action::StrikeOff, at),
            Err(InspectionRefusal::WrongState {
                action: ActionKind::StrikeOff,
                state: HazardState::Ordered
            })
        );
        act(&mut h, rectify(), at).expect("rectified");
        act(&mut h, recheck(false), at).expect("rechecked");
        assert_eq!(h.state, HazardState::Ordered, "back to rectification");
        act(&mut h, rectify(), at).expect("rectified");
        act(&mut h, recheck(true), at).expect("rechecked");
        act(&mut h, Action::StrikeOff, at).expect("struck off");
        assert_eq!(
            (h.state, h.rechecks, h.failed_rechecks),
            (HazardState::StruckOff, 2, 1)
        );
    }

    #[test]
    fn a_major_order_stops_work_or_calls_for_help() {
        let mut h = hazard(Severity::Major);
        assert_eq!(
            act(&mut h, order(7), start()),
            Err(InspectionRefusal::MajorNeedsStop)
        );
        act(
            &mut h,
            Action::Order {
                measures: "停止使用".into(),
                days: 15,
                stop_work: true,
                outside_help: false,
            },
            start(),
        )
        .expect("ordered");
        assert!(h.stop_work);
    }

    #[test]
    fn only_an_overdue_hazard_escalates_and_only_upwards() {
        let mut h = hazard(Severity::General);
        act(&mut h, order(3), start()).expect("ordered");
        let supervise = Action::Escalate {
            to: Escalation::Supervision,
            case: None,
        };
        assert_eq!(
            act(&mut h, supervise.clone(), start() + Duration::days(2)),
            Err(InspectionRefusal::NotOverdue)
        );
        let late = start() + Duration::days(5);
        act(&mut h, supervise.clone(), late).expect("supervised");
        assert_eq!(
            act(&mut h, supervise, late),
            Err(InspectionRefusal::AlreadyEscalated)
        );
        assert_eq!(
            act(
                &mut h,
                Action::Escalate {
                    to: Escalation::Case,
                    case: None
                },
                late
            ),
            Err(InspectionRefusal::Required {
                field: "inspection.case"
            })
        );
        act(
            &mut h,
            Action::Escalate {
                to: Escalation::Case,
                case: Some("SJ2026-9".into()),
            },
            late,
        )
        .expect("a case");
        assert_eq!(h.case.as_deref(), Some("SJ2026-9"));
    }

    #[test]
    fn out_of_role_and_out_of_reach_are_refused() {
        let h = hazard(Severity::General);
        let grid = Standing {
            role: Some(Role::Dispatcher),
            ..staff()
        };
        assert_eq!(
            decide(&h, &grid, order(3), start(), &calendar()),
            Err(InspectionRefusal::NotPermitted {
                action: ActionKind::Order
            })
        );
        let away = Standing {
            in_reach: false,
            ..staff()
        };
        assert_eq!(
            decide(&h, &away, order(3), start(), &calendar()),
            Err(InspectionRefusal::OutOfReach {
                action: ActionKind::Order
            })
        );
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            (1_u32..40, any::<bool>()).prop_map(|(days, stop_work)| Action::Order {
                measures: "整改".into(),
                days,
                stop_work,
                outside_help: false,
            }),
            (0_u32..3).prop_map(|photos| Action::Rectify {
                note: "已整改".into(),
                photos
            }),
            any::<bool>().prop_map(recheck),
            Just(Action::StrikeOff),
            Just(Action::Escalate {
                to: Escalation::Supervision,
                case: None
            }),
            Just(Action::Escalate {
                to: Escalation::Case,
                case: Some("SJ1".into())
            }),
        ]
    }

    proptest! {
        /// Whatever is tried in whatever order: a hazard is struck off only straight after a
        /// passed recheck; it never leaves 销号; rechecks count exactly the recheck changes;
        /// escalation never goes down; and the hazard equals the fold of its accepted changes.
        #[test]
        fn the_life_cycle_holds(
            major in any::<bool>(),
            steps in proptest::collection::vec((any_action(), 0_i64..10), 0..25),
        ) {
            let calendar = calendar();
            let mut h = hazard(if major { Severity::Major } else { Severity::General });
            let first = h.clone();
            let mut history = Vec::new();
            let mut at = start();
            for (action, days) in steps {
                at += Duration::days(days);
                let before = h.clone();
                match decide(&h, &staff(), action, at, &calendar) {
                    Ok(change) => {
                        if change == Change::StruckOff {
                            prop_assert_eq!(before.state, HazardState::Passed);
                        }
                        apply(&mut h, &change, at);
                        prop_assert!(h.escalation >= before.escalation);
                        history.push((change, at));
                    }
                    Err(_) => prop_assert_eq!(&h, &before),
                }
                if before.state == HazardState::StruckOff {
                    prop_assert_eq!(h.state, HazardState::StruckOff);
                }
            }
            let rechecks = history.iter().filter(|(c, _)| c.kind() == ActionKind::Recheck).count();
            prop_assert_eq!(h.rechecks as usize, rechecks);
            let mut folded = first;
            for (change, at) in &history {
                apply(&mut folded, change, *at);
            }
            prop_assert_eq!(folded, h);
        }
    }
}
