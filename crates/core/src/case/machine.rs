//! The case state machine: who may do what, from which state, with which fields, and what it
//! changes. [`decide`] checks an [`Action`] and works out a [`Change`] (deadlines included);
//! [`apply`] folds a change into the case and needs nothing else, so history alone rebuilds it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::refusal::CaseRefusal;
use super::{
    Case, CaseState, CategoryRef, DepartmentRef, ExtensionRequest, Location, Report, Satisfaction,
};
use crate::calendar::{TimeLimit, WorkCalendar};
use crate::category::{CategorySettings, Step, Urgency};
use crate::ids::CaseId;
use crate::ledger::{Standing, Timer};
use crate::org::OrgPath;
use crate::role::Role;

/// What someone asks to do to a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Ask the grid worker to verify the report on site (派核实).
    RequestVerification { note: String },
    /// 核实: what the grid worker found.
    Verify { found: bool, note: String },
    /// Place the case on the map (落点), e.g. a report that came with an address only.
    Locate {
        location: Location,
        org_path: OrgPath,
    },
    /// 立案, with the category confirmed or corrected (it must be a leaf).
    File {
        category: Option<(CategoryRef, bool)>,
        urgency: Option<Urgency>,
        note: String,
    },
    /// 作废 / 不予受理
    Void { reason: String },
    /// 派遣
    Dispatch {
        department: DepartmentRef,
        note: String,
    },
    /// 改派 a dispatched case to another department.
    Redispatch {
        department: DepartmentRef,
        reason: String,
    },
    /// 签收
    Accept,
    /// 回退 to the dispatcher.
    Return { reason: String },
    /// 申请延期
    RequestExtension { extra: TimeLimit, reason: String },
    /// 延期审批
    DecideExtension { approve: bool, note: String },
    /// 挂账
    Park { reason: String },
    /// 挂账恢复
    Resume { note: String },
    /// 处置反馈, with the after-photos uploaded.
    ReportDone { note: String, photos: u32 },
    /// 核查: pass, or fail into rework (返工).
    Check {
        passed: bool,
        note: String,
        photos: u32,
    },
    /// 结案
    Close { note: String },
    /// 回访
    FollowUp {
        satisfaction: Satisfaction,
        note: String,
    },
    /// 重开 (the resident says it is not fixed)
    Reopen { reason: String },
    /// 督办
    Supervise { reason: String },
    /// 并单 into another case.
    Merge {
        into: CaseId,
        into_number: String,
        into_open: bool,
    },
    /// The ticker records that the running step passed its deadline.
    MarkOverdue,
    /// Work the clocks out again (after the calendar changed).
    Recompute,
}

/// The kind of every action and of every recorded change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Report,
    RequestVerification,
    Verify,
    Locate,
    File,
    Void,
    Dispatch,
    Redispatch,
    Accept,
    Return,
    RequestExtension,
    DecideExtension,
    Park,
    Resume,
    ReportDone,
    Check,
    Close,
    FollowUp,
    Reopen,
    Supervise,
    Merge,
    MergedIn,
    StepOverdue,
    DeadlinesSet,
}

impl ActionKind {
    pub const ALL: [ActionKind; 24] = [
        ActionKind::Report,
        ActionKind::RequestVerification,
        ActionKind::Verify,
        ActionKind::Locate,
        ActionKind::File,
        ActionKind::Void,
        ActionKind::Dispatch,
        ActionKind::Redispatch,
        ActionKind::Accept,
        ActionKind::Return,
        ActionKind::RequestExtension,
        ActionKind::DecideExtension,
        ActionKind::Park,
        ActionKind::Resume,
        ActionKind::ReportDone,
        ActionKind::Check,
        ActionKind::Close,
        ActionKind::FollowUp,
        ActionKind::Reopen,
        ActionKind::Supervise,
        ActionKind::Merge,
        ActionKind::MergedIn,
        ActionKind::StepOverdue,
        ActionKind::DeadlinesSet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Report => "report",
            ActionKind::RequestVerification => "request_verification",
            ActionKind::Verify => "verify",
            ActionKind::Locate => "locate",
            ActionKind::File => "file",
            ActionKind::Void => "void",
            ActionKind::Dispatch => "dispatch",
            ActionKind::Redispatch => "redispatch",
            ActionKind::Accept => "accept",
            ActionKind::Return => "return",
            ActionKind::RequestExtension => "request_extension",
            ActionKind::DecideExtension => "decide_extension",
            ActionKind::Park => "park",
            ActionKind::Resume => "resume",
            ActionKind::ReportDone => "report_done",
            ActionKind::Check => "check",
            ActionKind::Close => "close",
            ActionKind::FollowUp => "follow_up",
            ActionKind::Reopen => "reopen",
            ActionKind::Supervise => "supervise",
            ActionKind::Merge => "merge",
            ActionKind::MergedIn => "merged_in",
            ActionKind::StepOverdue => "step_overdue",
            ActionKind::DeadlinesSet => "deadlines_set",
        }
    }

    pub fn parse(text: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ActionKind::Report => "action.report",
            ActionKind::RequestVerification => "action.request_verification",
            ActionKind::Verify => "action.verify",
            ActionKind::Locate => "action.locate",
            ActionKind::File => "action.file",
            ActionKind::Void => "action.void",
            ActionKind::Dispatch => "action.dispatch",
            ActionKind::Redispatch => "action.redispatch",
            ActionKind::Accept => "action.accept",
            ActionKind::Return => "action.return",
            ActionKind::RequestExtension => "action.request_extension",
            ActionKind::DecideExtension => "action.decide_extension",
            ActionKind::Park => "action.park",
            ActionKind::Resume => "action.resume",
            ActionKind::ReportDone => "action.report_done",
            ActionKind::Check => "action.check",
            ActionKind::Close => "action.close",
            ActionKind::FollowUp => "action.follow_up",
            ActionKind::Reopen => "action.reopen",
            ActionKind::Supervise => "action.supervise",
            ActionKind::Merge => "action.merge",
            ActionKind::MergedIn => "action.merged_in",
            ActionKind::StepOverdue => "action.step_overdue",
            ActionKind::DeadlinesSet => "action.deadlines_set",
        }
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::RequestVerification { .. } => ActionKind::RequestVerification,
            Action::Verify { .. } => ActionKind::Verify,
            Action::Locate { .. } => ActionKind::Locate,
            Action::File { .. } => ActionKind::File,
            Action::Void { .. } => ActionKind::Void,
            Action::Dispatch { .. } => ActionKind::Dispatch,
            Action::Redispatch { .. } => ActionKind::Redispatch,
            Action::Accept => ActionKind::Accept,
            Action::Return { .. } => ActionKind::Return,
            Action::RequestExtension { .. } => ActionKind::RequestExtension,
            Action::DecideExtension { .. } => ActionKind::DecideExtension,
            Action::Park { .. } => ActionKind::Park,
            Action::Resume { .. } => ActionKind::Resume,
            Action::ReportDone { .. } => ActionKind::ReportDone,
            Action::Check { .. } => ActionKind::Check,
            Action::Close { .. } => ActionKind::Close,
            Action::FollowUp { .. } => ActionKind::FollowUp,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Supervise { .. } => ActionKind::Supervise,
            Action::Merge { .. } => ActionKind::Merge,
            Action::MarkOverdue => ActionKind::StepOverdue,
            Action::Recompute => ActionKind::DeadlinesSet,
        }
    }
}

/// What was decided: one recorded change of a case, with everything needed to apply it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    Report {
        report: Report,
        step_timer: Timer,
        case_timer: Timer,
    },
    RequestVerification {
        note: String,
    },
    Verify {
        found: bool,
        note: String,
    },
    Locate {
        location: Location,
        org_path: OrgPath,
    },
    File {
        category: Option<CategoryRef>,
        urgency: Urgency,
        note: String,
        step_timer: Timer,
        case_timer: Timer,
    },
    Void {
        reason: String,
    },
    Dispatch {
        department: DepartmentRef,
        note: String,
        step_timer: Timer,
    },
    Redispatch {
        department: DepartmentRef,
        reason: String,
        step_timer: Timer,
    },
    Accept {
        step_timer: Timer,
    },
    Return {
        reason: String,
        step_timer: Timer,
    },
    RequestExtension {
        request: ExtensionRequest,
    },
    DecideExtension {
        approved: bool,
        note: String,
        step_timer: Timer,
    },
    Park {
        reason: String,
        step_timer: Timer,
        case_timer: Timer,
    },
    Resume {
        note: String,
        step_timer: Timer,
        case_timer: Timer,
    },
    ReportDone {
        note: String,
        photos: u32,
        on_time: Option<bool>,
        step_timer: Timer,
    },
    Check {
        passed: bool,
        note: String,
        photos: u32,
        step_timer: Option<Timer>,
    },
    Close {
        note: String,
        on_time: Option<bool>,
    },
    FollowUp {
        satisfaction: Satisfaction,
        note: String,
        by_reporter: bool,
    },
    Reopen {
        reason: String,
        step_timer: Timer,
        case_timer: Timer,
    },
    Supervise {
        reason: String,
        automatic: bool,
    },
    Merge {
        into: CaseId,
        into_number: String,
    },
    MergedIn {
        from: CaseId,
        from_number: String,
    },
    StepOverdue {
        step: Step,
    },
    DeadlinesSet {
        step_timer: Option<Timer>,
        case_timer: Option<Timer>,
    },
}

impl Change {
    pub fn kind(&self) -> ActionKind {
        match self {
            Change::Report { .. } => ActionKind::Report,
            Change::RequestVerification { .. } => ActionKind::RequestVerification,
            Change::Verify { .. } => ActionKind::Verify,
            Change::Locate { .. } => ActionKind::Locate,
            Change::File { .. } => ActionKind::File,
            Change::Void { .. } => ActionKind::Void,
            Change::Dispatch { .. } => ActionKind::Dispatch,
            Change::Redispatch { .. } => ActionKind::Redispatch,
            Change::Accept { .. } => ActionKind::Accept,
            Change::Return { .. } => ActionKind::Return,
            Change::RequestExtension { .. } => ActionKind::RequestExtension,
            Change::DecideExtension { .. } => ActionKind::DecideExtension,
            Change::Park { .. } => ActionKind::Park,
            Change::Resume { .. } => ActionKind::Resume,
            Change::ReportDone { .. } => ActionKind::ReportDone,
            Change::Check { .. } => ActionKind::Check,
            Change::Close { .. } => ActionKind::Close,
            Change::FollowUp { .. } => ActionKind::FollowUp,
            Change::Reopen { .. } => ActionKind::Reopen,
            Change::Supervise { .. } => ActionKind::Supervise,
            Change::Merge { .. } => ActionKind::Merge,
            Change::MergedIn { .. } => ActionKind::MergedIn,
            Change::StepOverdue { .. } => ActionKind::StepOverdue,
            Change::DeadlinesSet { .. } => ActionKind::DeadlinesSet,
        }
    }
}

/// Who acts, as the state machine needs to know them: their standing to the case, which the
/// store works out by the ledger's one rule.
pub type CaseActor = Standing;

/// How an actor must stand to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// The case lies within the actor's part of the tree.
    InReach,
    /// The case is dispatched to the actor's department.
    Assigned,
    /// The actor reported the case.
    Reporter,
}

/// The one table of who may do what (DOMAIN.md section 3).
fn permitted(kind: ActionKind) -> &'static [(Role, Relation)] {
    use Relation::*;
    use Role::*;
    match kind {
        ActionKind::RequestVerification | ActionKind::File | ActionKind::Merge => {
            &[(IntakeOperator, InReach), (ShiftLead, InReach)]
        }
        ActionKind::Verify | ActionKind::Check => &[(GridWorker, InReach)],
        ActionKind::Locate => &[
            (IntakeOperator, InReach),
            (ShiftLead, InReach),
            (Dispatcher, InReach),
        ],
        ActionKind::Void | ActionKind::DecideExtension | ActionKind::Close => {
            &[(ShiftLead, InReach)]
        }
        ActionKind::Dispatch | ActionKind::Redispatch => {
            &[(Dispatcher, InReach), (ShiftLead, InReach)]
        }
        ActionKind::Accept
        | ActionKind::Return
        | ActionKind::RequestExtension
        | ActionKind::ReportDone => &[(DepartmentHandler, Assigned), (CommunityStaff, Assigned)],
        ActionKind::Park | ActionKind::Resume => &[
            (DepartmentHandler, Assigned),
            (CommunityStaff, Assigned),
            (ShiftLead, InReach),
        ],
        ActionKind::FollowUp | ActionKind::Reopen => &[
            (Resident, Reporter),
            (IntakeOperator, InReach),
            (ShiftLead, InReach),
        ],
        ActionKind::Supervise => &[(Leader, InReach)],
        ActionKind::Report
        | ActionKind::MergedIn
        | ActionKind::StepOverdue
        | ActionKind::DeadlinesSet => &[],
    }
}

/// Whether the actor's role and standing allow `kind` at all, whatever the case's state.
pub fn may(kind: ActionKind, actor: &CaseActor) -> bool {
    actor.role.is_some_and(|role| {
        permitted(kind).iter().any(|(allowed, relation)| {
            *allowed == role
                && match relation {
                    Relation::InReach => actor.in_reach,
                    Relation::Assigned => actor.department.is_some(),
                    Relation::Reporter => actor.is_reporter,
                }
        })
    })
}

/// Whether the actor could file the case now and dispatch it straight after: the command
/// centre's one-screen 立案派遣 (a shift lead holds both).
pub fn can_file_and_dispatch(case: &Case, actor: &CaseActor) -> bool {
    available(case, actor).contains(&ActionKind::File) && may(ActionKind::Dispatch, actor)
}

/// The actions a person could take on a case now, as far as role, relation and state go (the
/// fields they must fill in are checked when they do).
pub fn available(case: &Case, actor: &CaseActor) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|kind| !permitted(*kind).is_empty())
        .filter(|kind| authorize(case, actor, *kind).is_ok() && allowed_from(*kind, case))
        .filter(|kind| match kind {
            ActionKind::RequestExtension => case.extension_request.is_none(),
            ActionKind::DecideExtension => case.extension_request.is_some(),
            ActionKind::RequestVerification => !case.verification_requested,
            _ => true,
        })
        .collect()
}

fn authorize(case: &Case, actor: &CaseActor, kind: ActionKind) -> Result<(), CaseRefusal> {
    let Some(role) = actor.role else {
        // The system acts only through the ticker's own actions and automatic supervision.
        return if matches!(
            kind,
            ActionKind::StepOverdue | ActionKind::DeadlinesSet | ActionKind::Supervise
        ) {
            Ok(())
        } else {
            Err(CaseRefusal::NotPermitted { action: kind })
        };
    };
    let relations: Vec<Relation> = permitted(kind)
        .iter()
        .filter(|(r, _)| *r == role)
        .map(|(_, relation)| *relation)
        .collect();
    if relations.is_empty() {
        return Err(CaseRefusal::NotPermitted { action: kind });
    }
    let holds = |relation: &Relation| match relation {
        Relation::InReach => actor.in_reach,
        Relation::Assigned => {
            actor.department.is_some() && actor.department == case.department.as_ref().map(|d| d.id)
        }
        Relation::Reporter => actor.is_reporter,
    };
    if relations.iter().any(holds) {
        Ok(())
    } else {
        Err(CaseRefusal::OutOfReach { action: kind })
    }
}

/// The states an action may start from.
fn allowed_from(kind: ActionKind, case: &Case) -> bool {
    use CaseState::*;
    let state = case.state;
    match kind {
        ActionKind::RequestVerification | ActionKind::Verify => state == Reported,
        ActionKind::File | ActionKind::Void => matches!(state, Reported | Verified),
        ActionKind::Dispatch => state == Filed,
        ActionKind::Redispatch | ActionKind::Accept => state == Dispatched,
        ActionKind::Return => matches!(state, Dispatched | Handling),
        ActionKind::RequestExtension
        | ActionKind::DecideExtension
        | ActionKind::Park
        | ActionKind::ReportDone => state == Handling,
        ActionKind::Resume => state == Parked,
        ActionKind::Check => state == Handled,
        ActionKind::Close => state == Checked,
        ActionKind::FollowUp => state == Closed,
        ActionKind::Reopen => matches!(state, Closed | Evaluated),
        ActionKind::Merge => matches!(state, Reported | Verified | Filed),
        ActionKind::Locate
        | ActionKind::Supervise
        | ActionKind::MergedIn
        | ActionKind::StepOverdue => state.is_open(),
        ActionKind::DeadlinesSet => true,
        ActionKind::Report => false,
    }
}

/// A required text, trimmed; refused when empty.
fn required(text: String, field: &'static str) -> Result<String, CaseRefusal> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Err(CaseRefusal::Required { field })
    } else {
        Ok(trimmed.to_owned())
    }
}

fn optional(text: String) -> String {
    text.trim().to_owned()
}

/// The case's step and whole-case clocks, which every state that parks, resumes or extends has.
fn clocks(case: &Case, kind: ActionKind) -> Result<(Timer, Timer), CaseRefusal> {
    match (&case.step_timer, &case.case_timer) {
        (Some(step), Some(whole)) => Ok((step.clone(), whole.clone())),
        _ => Err(CaseRefusal::WrongState {
            action: kind,
            state: case.state,
        }),
    }
}

/// The first change of every case: its report, with the filing and whole-case clocks started.
pub fn decide_report(
    report: Report,
    settings: &CategorySettings,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Change {
    Change::Report {
        step_timer: Timer::start(calendar, settings.limits.file, now),
        case_timer: Timer::start(calendar, settings.limits.case, now),
        report,
    }
}

/// Checks `action` against the case, the actor and the rules, and works out its change.
/// `settings` are those of the case's category (for `File`, of the category being chosen).
pub fn decide(
    case: &Case,
    actor: &CaseActor,
    action: Action,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    settings: &CategorySettings,
) -> Result<Change, CaseRefusal> {
    let kind = action.kind();
    authorize(case, actor, kind)?;
    if !allowed_from(kind, case) {
        return Err(CaseRefusal::WrongState {
            action: kind,
            state: case.state,
        });
    }
    let limits = &settings.limits;
    let start = |limit| Timer::start(calendar, limit, now);
    Ok(match action {
        Action::RequestVerification { note } => Change::RequestVerification {
            note: optional(note),
        },
        Action::Verify { found, note } => Change::Verify {
            found,
            note: required(note, "field.note")?,
        },
        Action::Locate { location, org_path } => Change::Locate { location, org_path },
        Action::File {
            category,
            urgency,
            note,
        } => {
            let chosen = match category {
                Some((_, false)) => return Err(CaseRefusal::NotALeafCategory),
                Some((category, true)) => Some(category),
                None if case.category.is_none() => {
                    return Err(CaseRefusal::Required {
                        field: "field.category",
                    });
                }
                None => None,
            };
            let changed = chosen
                .as_ref()
                .is_some_and(|c| Some(c) != case.category.as_ref());
            let case_timer = match (&case.case_timer, changed) {
                (Some(timer), false) => timer.clone(),
                _ => Timer::start(calendar, limits.case, case.reported_at),
            };
            Change::File {
                category: chosen,
                urgency: urgency.unwrap_or(settings.urgency),
                note: optional(note),
                step_timer: start(limits.dispatch),
                case_timer,
            }
        }
        Action::Void { reason } => Change::Void {
            reason: required(reason, "field.reason")?,
        },
        Action::Dispatch { department, note } => Change::Dispatch {
            department,
            note: optional(note),
            step_timer: start(limits.accept),
        },
        Action::Redispatch { department, reason } => Change::Redispatch {
            department,
            reason: required(reason, "field.reason")?,
            step_timer: start(limits.accept),
        },
        Action::Accept => Change::Accept {
            step_timer: start(limits.handle),
        },
        Action::Return { reason } => Change::Return {
            reason: required(reason, "field.reason")?,
            step_timer: start(limits.dispatch),
        },
        Action::RequestExtension { extra, reason } => {
            if case.extension_request.is_some() {
                return Err(CaseRefusal::ExtensionPending);
            }
            Change::RequestExtension {
                request: ExtensionRequest {
                    extra,
                    reason: required(reason, "field.reason")?,
                },
            }
        }
        Action::DecideExtension { approve, note } => {
            let Some(request) = &case.extension_request else {
                return Err(CaseRefusal::NoExtensionRequest);
            };
            let (mut step_timer, _) = clocks(case, kind)?;
            let note = if approve {
                optional(note)
            } else {
                required(note, "field.note")?
            };
            if approve {
                step_timer.extend(calendar, request.extra);
            }
            Change::DecideExtension {
                approved: approve,
                note,
                step_timer,
            }
        }
        Action::Park { reason } => {
            let (mut step_timer, mut case_timer) = clocks(case, kind)?;
            step_timer.pause(calendar, now);
            case_timer.pause(calendar, now);
            Change::Park {
                reason: required(reason, "field.reason")?,
                step_timer,
                case_timer,
            }
        }
        Action::Resume { note } => {
            let (mut step_timer, mut case_timer) = clocks(case, kind)?;
            step_timer.resume(calendar, now);
            case_timer.resume(calendar, now);
            Change::Resume {
                note: optional(note),
                step_timer,
                case_timer,
            }
        }
        Action::ReportDone { note, photos } => {
            if photos == 0 {
                return Err(CaseRefusal::PhotoRequired);
            }
            Change::ReportDone {
                note: required(note, "field.note")?,
                photos,
                on_time: case.step_timer.as_ref().and_then(|t| t.on_time_at(now)),
                step_timer: start(limits.check),
            }
        }
        Action::Check {
            passed,
            note,
            photos,
        } => {
            let note = if passed {
                optional(note)
            } else {
                required(note, "field.note")?
            };
            Change::Check {
                passed,
                note,
                photos,
                step_timer: (!passed).then(|| start(limits.handle)),
            }
        }
        Action::Close { note } => Change::Close {
            note: optional(note),
            on_time: case.case_timer.as_ref().and_then(|t| t.on_time_at(now)),
        },
        Action::FollowUp { satisfaction, note } => Change::FollowUp {
            satisfaction,
            note: optional(note),
            by_reporter: actor.role == Some(Role::Resident),
        },
        Action::Reopen { reason } => Change::Reopen {
            reason: required(reason, "field.reason")?,
            step_timer: start(limits.dispatch),
            case_timer: start(limits.case),
        },
        Action::Supervise { reason } => Change::Supervise {
            reason: required(reason, "field.reason")?,
            automatic: actor.role.is_none(),
        },
        Action::Merge {
            into,
            into_number,
            into_open,
        } => {
            if into == case.id {
                return Err(CaseRefusal::MergeIntoItself);
            }
            if !into_open {
                return Err(CaseRefusal::MergeTargetNotOpen {
                    number: into_number,
                });
            }
            Change::Merge { into, into_number }
        }
        Action::MarkOverdue => {
            let due = case
                .step_timer
                .as_ref()
                .and_then(|t| t.deadline)
                .is_some_and(|deadline| now > deadline);
            match case.step {
                Some(step) if due && !case.step_overdue => Change::StepOverdue { step },
                _ => {
                    return Err(CaseRefusal::WrongState {
                        action: kind,
                        state: case.state,
                    });
                }
            }
        }
        Action::Recompute => {
            let reckoned = |timer: &Option<Timer>| {
                timer.clone().map(|mut t| {
                    t.reckon(calendar);
                    t
                })
            };
            Change::DeadlinesSet {
                step_timer: reckoned(&case.step_timer),
                case_timer: reckoned(&case.case_timer),
            }
        }
    })
}

/// A new case from its report change.
pub fn open(id: CaseId, number: String, change: &Change, at: DateTime<Utc>) -> Option<Case> {
    let Change::Report {
        report,
        step_timer,
        case_timer,
    } = change
    else {
        return None;
    };
    Some(Case {
        id,
        street: report.street,
        number,
        state: CaseState::Reported,
        channel: report.channel,
        category: report.category.clone(),
        urgency: report.urgency,
        description: report.description.clone(),
        location: report.location.clone(),
        org_path: report.org_path.clone(),
        external_ref: report.external_ref.clone(),
        department: None,
        step: Some(Step::File),
        step_timer: Some(step_timer.clone()),
        step_overdue: false,
        case_timer: Some(case_timer.clone()),
        reported_at: at,
        filed_at: None,
        dispatched_at: None,
        accepted_at: None,
        handled_at: None,
        checked_at: None,
        closed_at: None,
        verification_requested: false,
        verified_found: None,
        extension_request: None,
        supervised: false,
        supervision_count: 0,
        return_count: 0,
        extension_count: 0,
        rework_count: 0,
        reopen_count: 0,
        merged_in_count: 0,
        handled_on_time: None,
        closed_on_time: None,
        satisfaction: None,
        merged_into: None,
        event_count: 1,
        updated_at: at,
    })
}

/// Starts a new step with its clock.
fn begin(case: &mut Case, step: Step, timer: &Timer) {
    case.step = Some(step);
    case.step_timer = Some(timer.clone());
    case.step_overdue = false;
}

fn end_steps(case: &mut Case) {
    case.step = None;
    case.step_timer = None;
    case.step_overdue = false;
}

/// Folds one change into the case. Pure: everything it needs is in the change.
pub fn apply(case: &mut Case, change: &Change, at: DateTime<Utc>) {
    case.event_count += 1;
    case.updated_at = at;
    match change {
        Change::Report { .. } => {}
        Change::RequestVerification { .. } => case.verification_requested = true,
        Change::Verify { found, .. } => {
            case.state = CaseState::Verified;
            case.verified_found = Some(*found);
            case.verification_requested = false;
        }
        Change::Locate { location, org_path } => {
            case.location = location.clone();
            case.org_path = org_path.clone();
        }
        Change::File {
            category,
            urgency,
            step_timer,
            case_timer,
            ..
        } => {
            case.state = CaseState::Filed;
            if let Some(category) = category {
                case.category = Some(category.clone());
            }
            case.urgency = *urgency;
            case.filed_at = Some(at);
            case.case_timer = Some(case_timer.clone());
            begin(case, Step::Dispatch, step_timer);
        }
        Change::Void { .. } => {
            case.state = CaseState::Voided;
            end_steps(case);
        }
        Change::Dispatch {
            department,
            step_timer,
            ..
        }
        | Change::Redispatch {
            department,
            step_timer,
            ..
        } => {
            case.state = CaseState::Dispatched;
            case.department = Some(department.clone());
            case.dispatched_at = Some(at);
            begin(case, Step::Accept, step_timer);
        }
        Change::Accept { step_timer } => {
            case.state = CaseState::Handling;
            case.accepted_at = Some(at);
            begin(case, Step::Handle, step_timer);
        }
        Change::Return { step_timer, .. } => {
            case.state = CaseState::Filed;
            case.department = None;
            case.return_count += 1;
            case.extension_request = None;
            begin(case, Step::Dispatch, step_timer);
        }
        Change::RequestExtension { request } => case.extension_request = Some(request.clone()),
        Change::DecideExtension {
            approved,
            step_timer,
            ..
        } => {
            case.extension_request = None;
            if *approved {
                case.extension_count += 1;
                case.step_timer = Some(step_timer.clone());
                case.step_overdue = false;
            }
        }
        Change::Park {
            step_timer,
            case_timer,
            ..
        } => {
            case.state = CaseState::Parked;
            case.step_timer = Some(step_timer.clone());
            case.case_timer = Some(case_timer.clone());
        }
        Change::Resume {
            step_timer,
            case_timer,
            ..
        } => {
            case.state = CaseState::Handling;
            case.step_timer = Some(step_timer.clone());
            case.case_timer = Some(case_timer.clone());
        }
        Change::ReportDone {
            on_time,
            step_timer,
            ..
        } => {
            case.state = CaseState::Handled;
            case.handled_at = Some(at);
            case.handled_on_time = *on_time;
            case.extension_request = None;
            begin(case, Step::Check, step_timer);
        }
        Change::Check {
            passed, step_timer, ..
        } => match step_timer {
            Some(rework) if !*passed => {
                case.state = CaseState::Handling;
                case.rework_count += 1;
                begin(case, Step::Handle, rework);
            }
            _ => {
                case.state = CaseState::Checked;
                case.checked_at = Some(at);
                end_steps(case);
            }
        },
        Change::Close { on_time, .. } => {
            case.state = CaseState::Closed;
            case.closed_at = Some(at);
            case.closed_on_time = *on_time;
            end_steps(case);
        }
        Change::FollowUp { satisfaction, .. } => {
            case.state = CaseState::Evaluated;
            case.satisfaction = Some(*satisfaction);
        }
        Change::Reopen {
            step_timer,
            case_timer,
            ..
        } => {
            case.state = CaseState::Filed;
            case.reopen_count += 1;
            case.rework_count += 1;
            case.department = None;
            case.closed_at = None;
            case.closed_on_time = None;
            case.satisfaction = None;
            case.case_timer = Some(case_timer.clone());
            begin(case, Step::Dispatch, step_timer);
        }
        Change::Supervise { .. } => {
            case.supervised = true;
            case.supervision_count += 1;
        }
        Change::Merge { into, .. } => {
            case.state = CaseState::Merged;
            case.merged_into = Some(*into);
            end_steps(case);
        }
        Change::MergedIn { .. } => case.merged_in_count += 1,
        Change::StepOverdue { .. } => case.step_overdue = true,
        Change::DeadlinesSet {
            step_timer,
            case_timer,
        } => {
            if step_timer.is_some() {
                case.step_timer = step_timer.clone();
            }
            if case_timer.is_some() {
                case.case_timer = case_timer.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Channel, GridPlace};
    use crate::clock::CHINA;
    use crate::ids::{CategoryId, DepartmentId, OrgUnitId};
    use chrono::{Duration, NaiveDateTime, TimeZone};
    use proptest::prelude::*;

    fn calendar() -> &'static WorkCalendar {
        static CALENDAR: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
        CALENDAR.get_or_init(|| WorkCalendar::seeded().expect("calendar"))
    }

    fn at(text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time");
        CHINA
            .from_local_datetime(&naive)
            .single()
            .expect("local")
            .with_timezone(&Utc)
    }

    fn litter() -> CategoryRef {
        CategoryRef {
            id: CategoryId::from_uuid(uuid::Uuid::from_u128(1)),
            code: "E0101".into(),
            name: "暴露垃圾".into(),
        }
    }

    fn squad() -> DepartmentRef {
        DepartmentRef {
            id: DepartmentId::from_uuid(uuid::Uuid::from_u128(7)),
            name: "城管中队".into(),
        }
    }

    fn settings() -> CategorySettings {
        CategorySettings::default()
    }

    fn new_case(now: DateTime<Utc>) -> Case {
        reported(now).1
    }

    /// The report change and the case it opens.
    fn reported(now: DateTime<Utc>) -> (Change, Case) {
        let report = Report {
            channel: Channel::Resident,
            category: Some(litter()),
            urgency: Urgency::Normal,
            description: "楼下有垃圾".into(),
            location: Location {
                lon: Some(120.1),
                lat: Some(30.25),
                address: None,
                grid: Some(GridPlace {
                    id: OrgUnitId::from_uuid(uuid::Uuid::from_u128(3)),
                    code: "330106008001001".into(),
                    name: "一网格".into(),
                }),
            },
            street: OrgUnitId::from_uuid(uuid::Uuid::from_u128(2)),
            org_path: OrgPath::parse("/330106/330106008/330106008001/330106008001001/")
                .expect("path"),
            external_ref: None,
        };
        let change = decide_report(report, &settings(), now, calendar());
        let case = open(CaseId::new(), "20260302-00001".into(), &change, now).expect("case");
        (change, case)
    }

    fn staff(role: Role) -> CaseActor {
        CaseActor {
            role: Some(role),
            in_reach: true,
            department: None,
            is_reporter: false,
        }
    }

    fn handler() -> CaseActor {
        CaseActor {
            department: Some(squad().id),
            ..staff(Role::DepartmentHandler)
        }
    }

    fn reporter() -> CaseActor {
        CaseActor {
            is_reporter: true,
            ..staff(Role::Resident)
        }
    }

    /// Decides and applies, as the store does.
    fn act(
        case: &mut Case,
        actor: &CaseActor,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<Change, CaseRefusal> {
        let change = decide(case, actor, action, now, calendar(), &settings())?;
        apply(case, &change, now);
        Ok(change)
    }

    #[test]
    fn a_case_goes_from_report_to_evaluation() {
        let start = at("2026-03-02 09:00");
        let mut case = new_case(start);
        assert_eq!(case.step, Some(Step::File));
        assert_eq!(
            case.step_timer.as_ref().and_then(|t| t.deadline),
            Some(at("2026-03-02 10:00"))
        );
        assert_eq!(
            case.case_timer.as_ref().and_then(|t| t.deadline),
            Some(at("2026-03-09 09:00"))
        );
        let mut now = start;
        let mut step = |case: &mut Case, actor: CaseActor, action: Action| {
            now += Duration::minutes(20);
            act(case, &actor, action, now).expect("allowed")
        };
        step(
            &mut case,
            staff(Role::IntakeOperator),
            Action::File {
                category: None,
                urgency: None,
                note: String::new(),
            },
        );
        assert_eq!(case.state, CaseState::Filed);
        step(
            &mut case,
            staff(Role::Dispatcher),
            Action::Dispatch {
                department: squad(),
                note: String::new(),
            },
        );
        assert_eq!(
            (case.state, case.step),
            (CaseState::Dispatched, Some(Step::Accept))
        );
        step(&mut case, handler(), Action::Accept);
        assert_eq!(
            case.step_timer.as_ref().and_then(|t| t.deadline),
            Some(at("2026-03-04 10:00"))
        );
        step(
            &mut case,
            handler(),
            Action::ReportDone {
                note: "已清理".into(),
                photos: 1,
            },
        );
        assert_eq!(
            (case.state, case.handled_on_time),
            (CaseState::Handled, Some(true))
        );
        step(
            &mut case,
            staff(Role::GridWorker),
            Action::Check {
                passed: true,
                note: String::new(),
                photos: 1,
            },
        );
        step(
            &mut case,
            staff(Role::ShiftLead),
            Action::Close {
                note: String::new(),
            },
        );
        assert_eq!(
            (case.state, case.closed_on_time),
            (CaseState::Closed, Some(true))
        );
        step(
            &mut case,
            reporter(),
            Action::FollowUp {
                satisfaction: Satisfaction::Satisfied,
                note: String::new(),
            },
        );
        assert_eq!(case.state, CaseState::Evaluated);
        assert_eq!(case.event_count, 8);
    }

    #[test]
    fn side_paths_return_park_extend_rework_reopen() {
        let mut now = at("2026-03-02 09:00");
        let mut case = new_case(now);
        let mut go = |case: &mut Case, actor: CaseActor, action: Action| {
            now += Duration::minutes(30);
            act(case, &actor, action, now)
        };
        go(
            &mut case,
            staff(Role::IntakeOperator),
            Action::File {
                category: None,
                urgency: None,
                note: String::new(),
            },
        )
        .expect("file");
        go(
            &mut case,
            staff(Role::Dispatcher),
            Action::Dispatch {
                department: squad(),
                note: String::new(),
            },
        )
        .expect("dispatch");
        go(
            &mut case,
            handler(),
            Action::Return {
                reason: "不属本部门".into(),
            },
        )
        .expect("return");
        assert_eq!(
            (case.state, case.return_count, case.department.clone()),
            (CaseState::Filed, 1, None)
        );
        go(
            &mut case,
            staff(Role::Dispatcher),
            Action::Dispatch {
                department: squad(),
                note: String::new(),
            },
        )
        .expect("again");
        go(&mut case, handler(), Action::Accept).expect("accept");
        go(
            &mut case,
            handler(),
            Action::RequestExtension {
                extra: TimeLimit::work_days(2),
                reason: "需采购配件".into(),
            },
        )
        .expect("ask");
        let before = case
            .step_timer
            .as_ref()
            .and_then(|t| t.deadline)
            .expect("deadline");
        go(
            &mut case,
            staff(Role::ShiftLead),
            Action::DecideExtension {
                approve: true,
                note: String::new(),
            },
        )
        .expect("approve");
        let after = case
            .step_timer
            .as_ref()
            .and_then(|t| t.deadline)
            .expect("deadline");
        assert!(after > before && case.extension_count == 1 && case.extension_request.is_none());
        go(
            &mut case,
            handler(),
            Action::Park {
                reason: "等待产权单位".into(),
            },
        )
        .expect("park");
        assert_eq!(case.state, CaseState::Parked);
        assert!(case.step_timer.as_ref().is_some_and(Timer::is_paused));
        go(
            &mut case,
            staff(Role::ShiftLead),
            Action::Resume {
                note: String::new(),
            },
        )
        .expect("resume");
        go(
            &mut case,
            handler(),
            Action::ReportDone {
                note: "已处理".into(),
                photos: 2,
            },
        )
        .expect("done");
        go(
            &mut case,
            staff(Role::GridWorker),
            Action::Check {
                passed: false,
                note: "仍有残留".into(),
                photos: 1,
            },
        )
        .expect("fail");
        assert_eq!(
            (case.state, case.rework_count, case.step),
            (CaseState::Handling, 1, Some(Step::Handle))
        );
        go(
            &mut case,
            handler(),
            Action::ReportDone {
                note: "再次清理".into(),
                photos: 1,
            },
        )
        .expect("done");
        go(
            &mut case,
            staff(Role::GridWorker),
            Action::Check {
                passed: true,
                note: String::new(),
                photos: 0,
            },
        )
        .expect("pass");
        go(
            &mut case,
            staff(Role::ShiftLead),
            Action::Close {
                note: String::new(),
            },
        )
        .expect("close");
        go(
            &mut case,
            reporter(),
            Action::FollowUp {
                satisfaction: Satisfaction::Unsatisfied,
                note: "没修好".into(),
            },
        )
        .expect("rate");
        go(
            &mut case,
            reporter(),
            Action::Reopen {
                reason: "又脏了".into(),
            },
        )
        .expect("reopen");
        assert_eq!(
            (case.state, case.reopen_count, case.rework_count),
            (CaseState::Filed, 1, 2)
        );
        assert_eq!(case.closed_at, None);
    }

    #[test]
    fn wrong_roles_states_and_missing_fields_are_refused() {
        let now = at("2026-03-02 09:00");
        let case = new_case(now);
        let refusal = |actor: CaseActor, action: Action| {
            decide(&case, &actor, action, now, calendar(), &settings()).expect_err("refused")
        };
        assert_eq!(
            refusal(staff(Role::Dispatcher), Action::Void { reason: "x".into() }),
            CaseRefusal::NotPermitted {
                action: ActionKind::Void
            }
        );
        assert_eq!(
            refusal(
                staff(Role::Dispatcher),
                Action::Dispatch {
                    department: squad(),
                    note: String::new()
                }
            ),
            CaseRefusal::WrongState {
                action: ActionKind::Dispatch,
                state: CaseState::Reported
            }
        );
        assert_eq!(
            refusal(
                staff(Role::ShiftLead),
                Action::Void {
                    reason: "  ".into()
                }
            ),
            CaseRefusal::Required {
                field: "field.reason"
            }
        );
        assert_eq!(
            refusal(
                CaseActor {
                    in_reach: false,
                    ..staff(Role::IntakeOperator)
                },
                Action::File {
                    category: None,
                    urgency: None,
                    note: String::new()
                }
            ),
            CaseRefusal::OutOfReach {
                action: ActionKind::File
            }
        );
        assert_eq!(
            refusal(staff(Role::Resident), Action::Reopen { reason: "x".into() }),
            CaseRefusal::OutOfReach {
                action: ActionKind::Reopen
            },
            "a resident may reopen only a case they reported"
        );
        assert_eq!(
            refusal(
                staff(Role::IntakeOperator),
                Action::File {
                    category: Some((litter(), false)),
                    urgency: None,
                    note: String::new()
                }
            ),
            CaseRefusal::NotALeafCategory
        );
        assert_eq!(
            refusal(
                staff(Role::IntakeOperator),
                Action::Merge {
                    into: case.id,
                    into_number: case.number.clone(),
                    into_open: true
                }
            ),
            CaseRefusal::MergeIntoItself
        );
    }

    #[test]
    fn another_departments_handler_cannot_touch_the_case() {
        let mut now = at("2026-03-02 09:00");
        let mut case = new_case(now);
        act(
            &mut case,
            &staff(Role::IntakeOperator),
            Action::File {
                category: None,
                urgency: None,
                note: String::new(),
            },
            now,
        )
        .expect("file");
        now += Duration::minutes(5);
        act(
            &mut case,
            &staff(Role::Dispatcher),
            Action::Dispatch {
                department: squad(),
                note: String::new(),
            },
            now,
        )
        .expect("dispatch");
        let stranger = CaseActor {
            department: Some(DepartmentId::from_uuid(uuid::Uuid::from_u128(99))),
            ..staff(Role::DepartmentHandler)
        };
        let refused = decide(
            &case,
            &stranger,
            Action::Accept,
            now,
            calendar(),
            &settings(),
        );
        assert_eq!(
            refused,
            Err(CaseRefusal::OutOfReach {
                action: ActionKind::Accept
            })
        );
        let done_without_photo = {
            let mut accepted = case.clone();
            act(&mut accepted, &handler(), Action::Accept, now).expect("accept");
            decide(
                &accepted,
                &handler(),
                Action::ReportDone {
                    note: "好了".into(),
                    photos: 0,
                },
                now,
                calendar(),
                &settings(),
            )
        };
        assert_eq!(done_without_photo, Err(CaseRefusal::PhotoRequired));
    }

    #[test]
    fn the_actions_on_offer_follow_role_relation_and_state() {
        let now = at("2026-03-02 09:00");
        let case = new_case(now);
        assert_eq!(
            available(&case, &staff(Role::IntakeOperator)),
            [
                ActionKind::RequestVerification,
                ActionKind::Locate,
                ActionKind::File,
                ActionKind::Merge
            ]
        );
        assert_eq!(
            available(&case, &staff(Role::ShiftLead)),
            [
                ActionKind::RequestVerification,
                ActionKind::Locate,
                ActionKind::File,
                ActionKind::Void,
                ActionKind::Merge
            ]
        );
        assert!(available(&case, &handler()).is_empty());
        assert!(
            available(
                &case,
                &CaseActor {
                    in_reach: false,
                    ..staff(Role::IntakeOperator)
                }
            )
            .is_empty()
        );
        assert_eq!(
            available(&case, &staff(Role::Leader)),
            [ActionKind::Supervise]
        );
    }

    #[test]
    fn the_ticker_marks_an_overdue_step_once() {
        let start = at("2026-03-02 09:00");
        let mut case = new_case(start);
        let early = decide(
            &case,
            &CaseActor::system(),
            Action::MarkOverdue,
            start,
            calendar(),
            &settings(),
        );
        assert!(early.is_err(), "not yet due");
        let late = at("2026-03-02 10:01");
        act(&mut case, &CaseActor::system(), Action::MarkOverdue, late).expect("overdue");
        assert!(case.step_overdue);
        assert_eq!(
            case.step_timer.as_ref().map(|t| t.light(calendar(), late)),
            Some(crate::case::Light::Red)
        );
        assert!(
            act(&mut case, &CaseActor::system(), Action::MarkOverdue, late).is_err(),
            "only once"
        );
        // The system may supervise automatically, but not file.
        act(
            &mut case,
            &CaseActor::system(),
            Action::Supervise {
                reason: "红灯超过2小时".into(),
            },
            late,
        )
        .expect("auto");
        assert!(case.supervised);
        assert!(
            act(
                &mut case,
                &CaseActor::system(),
                Action::File {
                    category: None,
                    urgency: None,
                    note: String::new()
                },
                late
            )
            .is_err()
        );
    }

    fn any_role() -> impl Strategy<Value = Role> {
        proptest::sample::select(Role::ALL.to_vec())
    }

    fn any_action() -> impl Strategy<Value = Action> {
        let text = proptest::sample::select(vec![String::new(), "原因说明".to_owned()]);
        prop_oneof![
            text.clone()
                .prop_map(|note| Action::RequestVerification { note }),
            (any::<bool>(), text.clone()).prop_map(|(found, note)| Action::Verify { found, note }),
            text.clone().prop_map(|note| Action::File {
                category: None,
                urgency: None,
                note
            }),
            text.clone().prop_map(|reason| Action::Void { reason }),
            text.clone().prop_map(|note| Action::Dispatch {
                department: squad(),
                note
            }),
            text.clone().prop_map(|reason| Action::Redispatch {
                department: squad(),
                reason
            }),
            Just(Action::Accept),
            text.clone().prop_map(|reason| Action::Return { reason }),
            (1_u32..5, text.clone()).prop_map(|(days, reason)| Action::RequestExtension {
                extra: TimeLimit::work_days(days),
                reason
            }),
            (any::<bool>(), text.clone())
                .prop_map(|(approve, note)| Action::DecideExtension { approve, note }),
            text.clone().prop_map(|reason| Action::Park { reason }),
            text.clone().prop_map(|note| Action::Resume { note }),
            (text.clone(), 0_u32..3).prop_map(|(note, photos)| Action::ReportDone { note, photos }),
            (any::<bool>(), text.clone(), 0_u32..2).prop_map(|(passed, note, photos)| {
                Action::Check {
                    passed,
                    note,
                    photos,
                }
            }),
            text.clone().prop_map(|note| Action::Close { note }),
            (
                proptest::sample::select(Satisfaction::ALL.to_vec()),
                text.clone()
            )
                .prop_map(|(satisfaction, note)| Action::FollowUp { satisfaction, note }),
            text.clone().prop_map(|reason| Action::Reopen { reason }),
            text.prop_map(|reason| Action::Supervise { reason }),
            Just(Action::MarkOverdue),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Thousands of random histories: refusals change nothing; accepted changes survive a
        /// JSON round trip and folding the stored history rebuilds the same case; the clocks
        /// agree with the state.
        #[test]
        fn history_rebuilds_the_case_and_invariants_hold(
            steps in proptest::collection::vec((any_role(), any::<bool>(), any_action(), 1_i64..600), 1..40)
        ) {
            let start = at("2026-03-02 09:00");
            let mut case = new_case(start);
            let first = case.clone();
            let mut history: Vec<(String, DateTime<Utc>)> = Vec::new();
            let mut now = start;
            for (role, reporter_or_assigned, action, minutes) in steps {
                now += Duration::minutes(minutes);
                let actor = CaseActor {
                    role: Some(role),
                    in_reach: true,
                    department: reporter_or_assigned.then(|| squad().id),
                    is_reporter: reporter_or_assigned,
                };
                let before = case.clone();
                match decide(&case, &actor, action, now, calendar(), &settings()) {
                    Ok(change) => {
                        apply(&mut case, &change, now);
                        history.push((serde_json::to_string(&change).expect("json"), now));
                    }
                    Err(_) => prop_assert_eq!(&case, &before),
                }
                let has_step = case.step.is_some();
                prop_assert_eq!(has_step, case.step_timer.is_some());
                prop_assert_eq!(has_step, matches!(case.state,
                    CaseState::Reported | CaseState::Verified | CaseState::Filed | CaseState::Dispatched
                    | CaseState::Handling | CaseState::Parked | CaseState::Handled));
                prop_assert_eq!(case.state == CaseState::Parked, case.step_timer.as_ref().is_some_and(Timer::is_paused));
                prop_assert_eq!(case.closed_at.is_some(), matches!(case.state, CaseState::Closed | CaseState::Evaluated));
                prop_assert_eq!(case.department.is_some(), matches!(case.state,
                    CaseState::Dispatched | CaseState::Handling | CaseState::Parked | CaseState::Handled
                    | CaseState::Checked | CaseState::Closed | CaseState::Evaluated));
            }
            let mut rebuilt = first;
            for (json, at) in &history {
                let change: Change = serde_json::from_str(json).expect("read back");
                apply(&mut rebuilt, &change, *at);
            }
            prop_assert_eq!(rebuilt, case);
        }

        /// Random histories of several cases taken just before a month's end and worked on for
        /// days across it: summed by day, by month and over the whole run, every rate's
        /// numerator stays within its denominator (no rate passes 100%), because the figures
        /// count the cohort of cases, never filing or dispatch on another day than intake.
        #[test]
        fn no_rate_passes_a_hundred_over_histories_crossing_period_ends(
            cases in proptest::collection::vec(
                (0_i64..4_000, proptest::collection::vec(
                    (any_role(), any::<bool>(), any_action(), 1_i64..3_000), 1..50)),
                1..8),
        ) {
            use crate::evaluation::tally::{Involved, tally};
            use crate::evaluation::{Counts, Indicator, Period, Rules};
            use std::collections::BTreeMap;

            let mut by_day: BTreeMap<chrono::NaiveDate, Counts> = BTreeMap::new();
            for (offset, steps) in cases {
                let mut now = at("2026-03-29 09:00") + Duration::minutes(offset);
                let (report, mut case) = reported(now);
                for opened in tally(None, &report, &case, Involved::default(), now) {
                    *by_day.entry(opened.day).or_default() += opened.counts;
                }
                for (role, reporter_or_assigned, action, minutes) in steps {
                    now += Duration::minutes(minutes);
                    let actor = CaseActor {
                        role: Some(role),
                        in_reach: true,
                        department: reporter_or_assigned.then(|| squad().id),
                        is_reporter: reporter_or_assigned,
                    };
                    let before = case.clone();
                    if let Ok(change) = decide(&case, &actor, action, now, calendar(), &settings()) {
                        apply(&mut case, &change, now);
                        for counted in tally(Some(&before), &change, &case, Involved::default(), now) {
                            *by_day.entry(counted.day).or_default() += counted.counts;
                        }
                    }
                }
            }
            let by_filed = Rules {
                rework_base: crate::evaluation::ReworkBase::Filed,
                fairly_satisfied_counts: false,
                ..Rules::default()
            };
            let mut periods: Vec<Period> = by_day.keys().map(|day| Period::day(*day)).collect();
            for month in 3..=6 {
                periods.push(Period::month(2026, month).expect("month"));
            }
            periods.push(Period::quarter(2026, 1).expect("quarter"));
            periods.push(Period::quarter(2026, 2).expect("quarter"));
            for period in periods {
                let counts: Counts = by_day
                    .iter()
                    .filter(|(day, _)| period.contains(**day))
                    .map(|(_, counts)| *counts)
                    .sum();
                for (indicator, rules) in Indicator::ALL
                    .into_iter()
                    .flat_map(|i| [(i, Rules::default()), (i, by_filed.clone())])
                {
                    let rate = indicator.rate(&counts, &rules);
                    prop_assert!(
                        rate.numerator <= rate.denominator,
                        "{:?} over {}: {} / {}", indicator, period, rate.numerator, rate.denominator
                    );
                }
            }
        }
    }
}
