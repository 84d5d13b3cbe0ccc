//! The petition state machine: who may do what, from which state, and what it changes.
//! [`decide`] checks an [`Action`] and works out a [`Change`] with every period it sets;
//! [`apply`] folds a change in and needs nothing else, so the history alone rebuilds a petition.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::profile::{self, Period, ProfileCode};
use super::refusal::PetitionRefusal;
use super::{
    Backlog, Evaluation, Flag, GROUP_FROM, LegalRoute, Outcome, Petition, PetitionState,
    Registration, Step,
};
use crate::calendar::{TimeLimit, WorkCalendar};
use crate::ids::{DepartmentId, OrgUnitId, UserId};
use crate::ledger::{RecordState, Standing, Timer};
use crate::org::OrgPath;
use crate::role::{Capability, Role};

/// What someone asks to do to a registered petition.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// 受理 and assign to an office or a community (受理告知书 to the petitioner).
    Accept {
        department: DepartmentId,
        note: String,
    },
    /// 不予受理, with the reason told in writing.
    Decline { reason: String },
    /// 访诉分离: the matter belongs to a legal procedure; the notice tells the petitioner where.
    SeparateToLegalTrack { route: LegalRoute, notice: String },
    /// 转送 to the body that has the power to handle it.
    Forward { to: String, note: String },
    /// 异议 to a matter sent down (条例 art. 23 ¶3): within 5 working days, with reasons.
    Object { reason: String },
    /// 调查记录: a note of the investigation.
    Note { text: String },
    /// 延期, approved by the office's head, with the reason told (条例 art. 34).
    Extend { days: u32, reason: String },
    /// 处理意见书
    Answer { outcome: Outcome, text: String },
    /// The petitioner's evaluation of the answer.
    Evaluate { evaluation: Evaluation },
    /// The petitioner asks for 复查 (条例 art. 35).
    RequestReview { note: String },
    /// 复查意见
    AnswerReview { outcome: Outcome, text: String },
    /// The petitioner asks for 复核 (条例 art. 36).
    RequestReexamination { note: String },
    /// 复核意见: final.
    AnswerReexamination { outcome: Outcome, text: String },
    /// 终结: the petitioner's window passed, or 复核 answered.
    Conclude { note: String },
    /// 积案, with the leader who takes charge (包案) and the clearing plan.
    MarkBacklog { leader: UserId, plan: String },
    /// 积案清零
    ClearBacklog { note: String },
    /// 重复访 confirmed: the petition repeats an earlier one of the same petitioner (the
    /// store checks that it does: see [`super::repeat`]).
    ConfirmRepeat { of: Uuid },
}

/// The kind of an action, or of the registration that opens a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Register,
    Accept,
    Decline,
    SeparateToLegalTrack,
    Forward,
    Object,
    Note,
    Extend,
    Answer,
    Evaluate,
    RequestReview,
    AnswerReview,
    RequestReexamination,
    AnswerReexamination,
    Conclude,
    MarkBacklog,
    ClearBacklog,
    ConfirmRepeat,
}

impl ActionKind {
    pub const ALL: [ActionKind; 18] = [
        ActionKind::Register,
        ActionKind::Accept,
        ActionKind::Decline,
        ActionKind::SeparateToLegalTrack,
        ActionKind::Forward,
        ActionKind::Object,
        ActionKind::Note,
        ActionKind::Extend,
        ActionKind::Answer,
        ActionKind::Evaluate,
        ActionKind::RequestReview,
        ActionKind::AnswerReview,
        ActionKind::RequestReexamination,
        ActionKind::AnswerReexamination,
        ActionKind::Conclude,
        ActionKind::MarkBacklog,
        ActionKind::ClearBacklog,
        ActionKind::ConfirmRepeat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Register => "register",
            ActionKind::Accept => "accept",
            ActionKind::Decline => "decline",
            ActionKind::SeparateToLegalTrack => "legal_track",
            ActionKind::Forward => "forward",
            ActionKind::Object => "object",
            ActionKind::Note => "note",
            ActionKind::Extend => "extend",
            ActionKind::Answer => "answer",
            ActionKind::Evaluate => "evaluate",
            ActionKind::RequestReview => "request_review",
            ActionKind::AnswerReview => "answer_review",
            ActionKind::RequestReexamination => "request_reexamination",
            ActionKind::AnswerReexamination => "answer_reexamination",
            ActionKind::Conclude => "conclude",
            ActionKind::MarkBacklog => "mark_backlog",
            ActionKind::ClearBacklog => "clear_backlog",
            ActionKind::ConfirmRepeat => "confirm_repeat",
        }
    }

    pub fn parse(text: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ActionKind::Register => "petition_action.register",
            ActionKind::Accept => "petition_action.accept",
            ActionKind::Decline => "petition_action.decline",
            ActionKind::SeparateToLegalTrack => "petition_action.legal_track",
            ActionKind::Forward => "petition_action.forward",
            ActionKind::Object => "petition_action.object",
            ActionKind::Note => "petition_action.note",
            ActionKind::Extend => "petition_action.extend",
            ActionKind::Answer => "petition_action.answer",
            ActionKind::Evaluate => "petition_action.evaluate",
            ActionKind::RequestReview => "petition_action.request_review",
            ActionKind::AnswerReview => "petition_action.answer_review",
            ActionKind::RequestReexamination => "petition_action.request_reexamination",
            ActionKind::AnswerReexamination => "petition_action.answer_reexamination",
            ActionKind::Conclude => "petition_action.conclude",
            ActionKind::MarkBacklog => "petition_action.mark_backlog",
            ActionKind::ClearBacklog => "petition_action.clear_backlog",
            ActionKind::ConfirmRepeat => "petition_action.confirm_repeat",
        }
    }
}

/// A recorded change: everything [`decide`] worked out, so [`apply`] needs nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    Register {
        profile: ProfileCode,
        registration: Registration,
        timer: Option<Timer>,
        object_until: Option<DateTime<Utc>>,
    },
    Accept {
        department: DepartmentId,
        note: String,
        timer: Option<Timer>,
        on_time: bool,
    },
    Decline {
        reason: String,
        on_time: bool,
    },
    #[serde(rename = "legal_track")]
    SeparateToLegalTrack {
        route: LegalRoute,
        notice: String,
        on_time: bool,
    },
    Forward {
        to: String,
        note: String,
        on_time: bool,
    },
    Object {
        reason: String,
    },
    Note {
        text: String,
    },
    Extend {
        days: u32,
        reason: String,
        timer: Option<Timer>,
    },
    Answer {
        outcome: Outcome,
        text: String,
        on_time: bool,
        window_until: Option<DateTime<Utc>>,
    },
    Evaluate {
        evaluation: Evaluation,
    },
    RequestReview {
        note: String,
        timer: Option<Timer>,
    },
    AnswerReview {
        outcome: Outcome,
        text: String,
        on_time: bool,
        window_until: Option<DateTime<Utc>>,
    },
    RequestReexamination {
        note: String,
        timer: Option<Timer>,
    },
    AnswerReexamination {
        outcome: Outcome,
        text: String,
        on_time: bool,
    },
    Conclude {
        note: String,
    },
    MarkBacklog {
        leader: UserId,
        plan: String,
        level: Option<super::Level>,
    },
    ClearBacklog {
        note: String,
    },
    ConfirmRepeat {
        of: Uuid,
    },
}

impl Change {
    pub fn kind(&self) -> ActionKind {
        match self {
            Change::Register { .. } => ActionKind::Register,
            Change::Accept { .. } => ActionKind::Accept,
            Change::Decline { .. } => ActionKind::Decline,
            Change::SeparateToLegalTrack { .. } => ActionKind::SeparateToLegalTrack,
            Change::Forward { .. } => ActionKind::Forward,
            Change::Object { .. } => ActionKind::Object,
            Change::Note { .. } => ActionKind::Note,
            Change::Extend { .. } => ActionKind::Extend,
            Change::Answer { .. } => ActionKind::Answer,
            Change::Evaluate { .. } => ActionKind::Evaluate,
            Change::RequestReview { .. } => ActionKind::RequestReview,
            Change::AnswerReview { .. } => ActionKind::AnswerReview,
            Change::RequestReexamination { .. } => ActionKind::RequestReexamination,
            Change::AnswerReexamination { .. } => ActionKind::AnswerReexamination,
            Change::Conclude { .. } => ActionKind::Conclude,
            Change::MarkBacklog { .. } => ActionKind::MarkBacklog,
            Change::ClearBacklog { .. } => ActionKind::ClearBacklog,
            Change::ConfirmRepeat { .. } => ActionKind::ConfirmRepeat,
        }
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Accept { .. } => ActionKind::Accept,
            Action::Decline { .. } => ActionKind::Decline,
            Action::SeparateToLegalTrack { .. } => ActionKind::SeparateToLegalTrack,
            Action::Forward { .. } => ActionKind::Forward,
            Action::Object { .. } => ActionKind::Object,
            Action::Note { .. } => ActionKind::Note,
            Action::Extend { .. } => ActionKind::Extend,
            Action::Answer { .. } => ActionKind::Answer,
            Action::Evaluate { .. } => ActionKind::Evaluate,
            Action::RequestReview { .. } => ActionKind::RequestReview,
            Action::AnswerReview { .. } => ActionKind::AnswerReview,
            Action::RequestReexamination { .. } => ActionKind::RequestReexamination,
            Action::AnswerReexamination { .. } => ActionKind::AnswerReexamination,
            Action::Conclude { .. } => ActionKind::Conclude,
            Action::MarkBacklog { .. } => ActionKind::MarkBacklog,
            Action::ClearBacklog { .. } => ActionKind::ClearBacklog,
            Action::ConfirmRepeat { .. } => ActionKind::ConfirmRepeat,
        }
    }
}

/// How the actor must stand to the petition for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Petition staff (信访干部) within reach.
    Staff,
    /// Petition staff within reach, or the office it is assigned to.
    StaffOrAssigned,
    /// A leader within reach (负责人批准, 包案).
    Leader,
}

fn who(kind: ActionKind) -> Who {
    use ActionKind::*;
    match kind {
        Register | Accept | Decline | SeparateToLegalTrack | Forward | Object | Evaluate
        | RequestReview | RequestReexamination | Conclude | ConfirmRepeat => Who::Staff,
        Note | Answer | AnswerReview | AnswerReexamination => Who::StaffOrAssigned,
        Extend | MarkBacklog | ClearBacklog => Who::Leader,
    }
}

/// Whether an actor standing so to a petition assigned to `assigned` may take `kind`.
pub fn may(kind: ActionKind, actor: &Standing, assigned: Option<DepartmentId>) -> bool {
    let Some(role) = actor.role else {
        return false;
    };
    let staff = role.can(Capability::HandlePetitions) && actor.in_reach;
    match who(kind) {
        Who::Staff => staff,
        Who::StaffOrAssigned => {
            staff || (assigned.is_some() && actor.department == assigned && role.is_staff())
        }
        Who::Leader => role.can(Capability::ApprovePetitions) && actor.in_reach,
    }
}

/// The actions the actor may take on the petition now (registration aside): what its page
/// offers.
pub fn available(petition: &Petition, actor: &Standing) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|kind| *kind != ActionKind::Register)
        .filter(|kind| allowed_from(*kind, petition.state))
        .filter(|kind| may(*kind, actor, petition.department))
        .collect()
}

/// From which states an action may be taken.
fn allowed_from(kind: ActionKind, state: PetitionState) -> bool {
    use ActionKind::*;
    use PetitionState as S;
    match kind {
        Register => false,
        Accept | Decline | SeparateToLegalTrack | Forward | Object => state == S::Registered,
        Note => state.is_open(),
        Extend | Answer => state == S::Accepted,
        Evaluate => matches!(state, S::Answered | S::Reviewed | S::Concluded),
        RequestReview => state == S::Answered,
        AnswerReview => state == S::InReview,
        RequestReexamination => state == S::Reviewed,
        AnswerReexamination => state == S::InReexamination,
        Conclude => matches!(state, S::Answered | S::Reviewed),
        MarkBacklog => state.is_open(),
        ClearBacklog => state == S::Concluded,
        ConfirmRepeat => true,
    }
}

/// What registration needs besides the registration itself.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    pub id: Uuid,
    pub street: OrgUnitId,
    pub number: String,
    pub org_path: OrgPath,
    pub profile: ProfileCode,
    pub registration: Registration,
    pub actor: &'a Standing,
    pub now: DateTime<Utc>,
}

/// Registers a petition (登记): checks it, starts the decision's clock and, for a matter sent
/// down, the objection window; returns the new petition and its first change.
pub fn open(
    opening: Opening<'_>,
    calendar: &WorkCalendar,
) -> Result<(Petition, Change), PetitionRefusal> {
    let Opening {
        id,
        street,
        number,
        org_path,
        profile: code,
        mut registration,
        actor,
        now,
    } = opening;
    if !may(ActionKind::Register, actor, None) {
        return Err(PetitionRefusal::NotPermitted {
            action: ActionKind::Register,
        });
    }
    required(&registration.matter, "petition_field.matter")?;
    let profile = code.profile();
    let size = registration.group_size.max(1);
    registration.group_size = size;
    if size > 1 && registration.channel == super::Channel::Visit {
        let most = profile.representatives.most_for(size);
        if registration.representatives == 0 || registration.representatives > most {
            return Err(PetitionRefusal::TooManyRepresentatives {
                most,
                article: profile.representatives.basis.article,
            });
        }
    } else {
        registration.representatives = registration.representatives.min(size);
    }
    if registration.from_level.is_some() && !registration.channel.from_above() {
        return Err(PetitionRefusal::LevelWithoutTransfer);
    }
    if size >= GROUP_FROM && !registration.flags.contains(&Flag::Group) {
        registration.flags.push(Flag::Group);
    }
    registration.flags.sort();
    registration.flags.dedup();
    if registration.class != super::Class::Accusation {
        registration.accused.clear();
    }
    let timer = Some(Timer::start(calendar, profile.decide.limit, now));
    let object_until = if registration.channel.from_above() {
        profile::ends(calendar, &profile.object, now).ok()
    } else {
        None
    };
    let change = Change::Register {
        profile: code,
        registration: registration.clone(),
        timer: timer.clone(),
        object_until,
    };
    let mut petition = blank(id, street, number, org_path, now);
    apply(&mut petition, &change, now);
    Ok((petition, change))
}

/// A petition before its registration is applied: what a replay of its history starts from.
pub fn blank(
    id: Uuid,
    street: OrgUnitId,
    number: String,
    org_path: OrgPath,
    received_at: DateTime<Utc>,
) -> Petition {
    Petition {
        id,
        street,
        number,
        org_path,
        profile: ProfileCode::National2022,
        state: PetitionState::Registered,
        registration: Registration {
            channel: super::Channel::Letter,
            class: super::Class::Claim,
            matter: String::new(),
            petitioner: Uuid::nil(),
            group_size: 1,
            representatives: 0,
            from_level: None,
            accused: Vec::new(),
            repeat_of: None,
            flags: Vec::new(),
        },
        received_at,
        department: None,
        step: None,
        timer: None,
        object_until: None,
        window_until: None,
        outcome: None,
        extended_days: 0,
        on_time: true,
        evaluation: None,
        backlog: None,
        reopened: 0,
        concluded_at: None,
        event_count: 0,
        updated_at: received_at,
    }
}

fn required(text: &str, field: &'static str) -> Result<(), PetitionRefusal> {
    if text.trim().is_empty() {
        Err(PetitionRefusal::Required { field })
    } else {
        Ok(())
    }
}

/// Whether the running step finishes within its period if it finishes `now`.
fn in_time(petition: &Petition, now: DateTime<Utc>) -> bool {
    petition
        .timer
        .as_ref()
        .and_then(|t| t.on_time_at(now))
        .unwrap_or(true)
}

fn clock(calendar: &WorkCalendar, period: &Period, now: DateTime<Utc>) -> Option<Timer> {
    Some(Timer::start(calendar, period.limit, now))
}

fn window(calendar: &WorkCalendar, period: &Period, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    profile::ends(calendar, period, now).ok()
}

/// Whether the petition may be marked 积案 at `now`: past its period, reopened twice or more,
/// or sent down from above.
pub fn backlog_due(petition: &Petition, now: DateTime<Utc>) -> bool {
    petition.overdue_at(now)
        || !petition.on_time
        || petition.reopened >= 2
        || petition.registration.from_level.is_some()
}

/// Checks `action` against the petition and the actor and works out its change.
pub fn decide(
    petition: &Petition,
    actor: &Standing,
    action: Action,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Result<Change, PetitionRefusal> {
    let kind = action.kind();
    if !may(kind, actor, petition.department) {
        let role_may = actor.role.is_some_and(|role| {
            role.can(Capability::HandlePetitions)
                || role.can(Capability::ApprovePetitions)
                || (who(kind) == Who::StaffOrAssigned && role == Role::DepartmentHandler)
        });
        return Err(if role_may {
            PetitionRefusal::OutOfReach { action: kind }
        } else {
            PetitionRefusal::NotPermitted { action: kind }
        });
    }
    if !allowed_from(kind, petition.state) {
        return Err(PetitionRefusal::WrongState {
            action: kind,
            state: petition.state,
        });
    }
    let profile = petition.profile();
    let on_time = in_time(petition, now);
    Ok(match action {
        Action::Accept { department, note } => Change::Accept {
            department,
            note,
            timer: clock(calendar, &profile.handle, now),
            on_time,
        },
        Action::Decline { reason } => {
            required(&reason, "petition_field.reason")?;
            Change::Decline { reason, on_time }
        }
        Action::SeparateToLegalTrack { route, notice } => {
            required(&notice, "petition_field.notice")?;
            Change::SeparateToLegalTrack {
                route,
                notice,
                on_time,
            }
        }
        Action::Forward { to, note } => {
            required(&to, "petition_field.forward_to")?;
            Change::Forward { to, note, on_time }
        }
        Action::Object { reason } => {
            required(&reason, "petition_field.reason")?;
            let Some(until) = petition.object_until else {
                return Err(PetitionRefusal::NotSentDown);
            };
            if now > until {
                return Err(PetitionRefusal::ObjectionTooLate { until });
            }
            Change::Object { reason }
        }
        Action::Note { text } => {
            required(&text, "petition_field.note")?;
            Change::Note { text }
        }
        Action::Extend { days, reason } => {
            required(&reason, "petition_field.reason")?;
            let most = profile.max_extension.limit.amount;
            if days == 0 || petition.extended_days + days > most {
                return Err(PetitionRefusal::ExtensionTooLong {
                    most,
                    used: petition.extended_days,
                    article: profile.max_extension.basis.article,
                });
            }
            let timer = petition.timer.clone().map(|mut timer| {
                timer.extend(calendar, TimeLimit::legal_days(days));
                timer
            });
            Change::Extend {
                days,
                reason,
                timer,
            }
        }
        Action::Answer { outcome, text } => {
            required(&text, "petition_field.answer")?;
            Change::Answer {
                outcome,
                text,
                on_time,
                window_until: window(calendar, &profile.review_request, now),
            }
        }
        Action::Evaluate { evaluation } => Change::Evaluate { evaluation },
        Action::RequestReview { note } => {
            within_window(petition, now)?;
            Change::RequestReview {
                note,
                timer: clock(calendar, &profile.review_answer, now),
            }
        }
        Action::AnswerReview { outcome, text } => {
            required(&text, "petition_field.answer")?;
            Change::AnswerReview {
                outcome,
                text,
                on_time,
                window_until: window(calendar, &profile.reexamination_request, now),
            }
        }
        Action::RequestReexamination { note } => {
            within_window(petition, now)?;
            Change::RequestReexamination {
                note,
                timer: clock(calendar, &profile.reexamination_answer, now),
            }
        }
        Action::AnswerReexamination { outcome, text } => {
            required(&text, "petition_field.answer")?;
            Change::AnswerReexamination {
                outcome,
                text,
                on_time,
            }
        }
        Action::Conclude { note } => {
            if let Some(until) = petition.window_until.filter(|until| now <= *until) {
                return Err(PetitionRefusal::WindowStillOpen { until });
            }
            Change::Conclude { note }
        }
        Action::MarkBacklog { leader, plan } => {
            required(&plan, "petition_field.plan")?;
            if petition.backlog.is_some() {
                return Err(PetitionRefusal::AlreadyBacklog);
            }
            if !backlog_due(petition, now) {
                return Err(PetitionRefusal::NotBacklogYet);
            }
            Change::MarkBacklog {
                leader,
                plan,
                level: petition.registration.from_level,
            }
        }
        Action::ClearBacklog { note } => {
            if petition
                .backlog
                .as_ref()
                .is_none_or(|b| b.cleared_at.is_some())
            {
                return Err(PetitionRefusal::NotBacklog);
            }
            Change::ClearBacklog { note }
        }
        Action::ConfirmRepeat { of } => {
            if petition.registration.repeat_of.is_some() {
                return Err(PetitionRefusal::AlreadyRepeat);
            }
            if of == petition.id {
                return Err(PetitionRefusal::NotARepeat);
            }
            Change::ConfirmRepeat { of }
        }
    })
}

fn within_window(petition: &Petition, now: DateTime<Utc>) -> Result<(), PetitionRefusal> {
    match petition.window_until {
        Some(until) if now > until => Err(PetitionRefusal::WindowClosed { until }),
        _ => Ok(()),
    }
}

/// Folds a change into the petition.
pub fn apply(petition: &mut Petition, change: &Change, at: DateTime<Utc>) {
    use PetitionState as S;
    petition.event_count += 1;
    petition.updated_at = at;
    let finish_step = |petition: &mut Petition, on_time: bool| {
        petition.on_time &= on_time;
        petition.step = None;
        petition.timer = None;
    };
    match change {
        Change::Register {
            profile,
            registration,
            timer,
            object_until,
        } => {
            petition.profile = *profile;
            petition.registration = registration.clone();
            petition.state = S::Registered;
            petition.step = timer.as_ref().map(|_| Step::Decide);
            petition.timer = timer.clone();
            petition.object_until = *object_until;
        }
        Change::Accept {
            department,
            timer,
            on_time,
            ..
        } => {
            finish_step(petition, *on_time);
            petition.state = S::Accepted;
            petition.department = Some(*department);
            petition.object_until = None;
            petition.step = timer.as_ref().map(|_| Step::Handle);
            petition.timer = timer.clone();
        }
        Change::Decline { on_time, .. } => {
            finish_step(petition, *on_time);
            petition.state = S::Declined;
        }
        Change::SeparateToLegalTrack { on_time, .. } => {
            finish_step(petition, *on_time);
            petition.state = S::LegalTrack;
        }
        Change::Forward { on_time, .. } => {
            finish_step(petition, *on_time);
            petition.state = S::Forwarded;
        }
        Change::Object { .. } => {
            finish_step(petition, true);
            petition.state = S::Returned;
            petition.object_until = None;
        }
        Change::Note { .. } => {}
        Change::Evaluate { evaluation } => petition.evaluation = Some(*evaluation),
        Change::Extend { days, timer, .. } => {
            petition.extended_days += days;
            petition.timer = timer.clone();
        }
        Change::Answer {
            outcome,
            on_time,
            window_until,
            ..
        } => {
            finish_step(petition, *on_time);
            petition.state = S::Answered;
            petition.outcome = Some(*outcome);
            petition.window_until = *window_until;
        }
        Change::RequestReview { timer, .. } => {
            petition.state = S::InReview;
            petition.reopened += 1;
            petition.window_until = None;
            petition.step = timer.as_ref().map(|_| Step::Review);
            petition.timer = timer.clone();
        }
        Change::AnswerReview {
            outcome,
            on_time,
            window_until,
            ..
        } => {
            finish_step(petition, *on_time);
            petition.state = S::Reviewed;
            petition.outcome = Some(*outcome);
            petition.window_until = *window_until;
        }
        Change::RequestReexamination { timer, .. } => {
            petition.state = S::InReexamination;
            petition.reopened += 1;
            petition.window_until = None;
            petition.step = timer.as_ref().map(|_| Step::Reexamination);
            petition.timer = timer.clone();
        }
        Change::AnswerReexamination {
            outcome, on_time, ..
        } => {
            // 复核 is final (条例 art. 36 ¶3): the matter is concluded with its answer.
            finish_step(petition, *on_time);
            petition.state = S::Concluded;
            petition.outcome = Some(*outcome);
            petition.concluded_at = Some(at);
        }
        Change::Conclude { .. } => {
            petition.state = S::Concluded;
            petition.window_until = None;
            petition.concluded_at = Some(at);
        }
        Change::MarkBacklog {
            leader,
            plan,
            level,
        } => {
            petition.backlog = Some(Backlog {
                leader: *leader,
                plan: plan.clone(),
                level: *level,
                marked_at: at,
                cleared_at: None,
            });
        }
        Change::ClearBacklog { .. } => {
            if let Some(backlog) = petition.backlog.as_mut() {
                backlog.cleared_at = Some(at);
            }
        }
        Change::ConfirmRepeat { of } => petition.registration.repeat_of = Some(*of),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::CHINA;
    use crate::petition::{Channel, Class, Level};
    use chrono::{NaiveDateTime, TimeZone};

    fn calendar() -> WorkCalendar {
        WorkCalendar::seeded().expect("calendar")
    }

    fn at(text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time");
        CHINA
            .from_local_datetime(&naive)
            .single()
            .expect("local")
            .with_timezone(&Utc)
    }

    fn show(at: DateTime<Utc>) -> String {
        at.with_timezone(&CHINA)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    fn standing(role: Role) -> Standing {
        Standing {
            role: Some(role),
            in_reach: true,
            department: None,
            is_reporter: false,
        }
    }

    fn registration(channel: Channel) -> Registration {
        Registration {
            channel,
            class: Class::Claim,
            matter: "小区电梯长期故障".into(),
            petitioner: Uuid::from_u128(9),
            group_size: 1,
            representatives: 1,
            from_level: None,
            accused: vec![],
            repeat_of: None,
            flags: vec![],
        }
    }

    fn register(registration: Registration, profile: ProfileCode, now: &str) -> Petition {
        open(
            Opening {
                id: Uuid::from_u128(1),
                street: OrgUnitId::new(),
                number: "XF-1".into(),
                org_path: OrgPath::parse("/330106/330106008/").expect("path"),
                profile,
                registration,
                actor: &standing(Role::IntakeOperator),
                now: at(now),
            },
            &calendar(),
        )
        .expect("registered")
        .0
    }

    fn act(petition: &mut Petition, role: Role, action: Action, now: &str) {
        let change =
            decide(petition, &standing(role), action, at(now), &calendar()).expect("decided");
        apply(petition, &change, at(now));
    }

    #[test]
    fn a_claim_runs_from_registration_through_review_and_reexamination_to_its_end() {
        let mut p = register(
            registration(Channel::Letter),
            ProfileCode::National2022,
            "2026-03-02 09:00",
        );
        assert_eq!(p.step, Some(Step::Decide));
        assert_eq!(
            p.timer.as_ref().and_then(|t| t.deadline).map(show),
            Some("2026-03-18 00:00".into())
        );
        let office = DepartmentId::new();
        act(
            &mut p,
            Role::IntakeOperator,
            Action::Accept {
                department: office,
                note: String::new(),
            },
            "2026-03-05 10:00",
        );
        assert_eq!(p.state, PetitionState::Accepted);
        assert_eq!(
            p.timer.as_ref().and_then(|t| t.deadline).map(show),
            Some("2026-05-07 00:00".into()),
            "60 days end on Labour Day and move on"
        );
        // The office handles it; a leader approves 30 more days, not 31.
        let assigned = Standing {
            department: Some(office),
            ..standing(Role::DepartmentHandler)
        };
        let note = Action::Note {
            text: "现场查看".into(),
        };
        let change = decide(&p, &assigned, note, at("2026-03-06 10:00"), &calendar());
        assert!(change.is_ok());
        let too_long = Action::Extend {
            days: 31,
            reason: "情况复杂".into(),
        };
        assert!(matches!(
            decide(
                &p,
                &standing(Role::Leader),
                too_long,
                at("2026-04-20 10:00"),
                &calendar()
            ),
            Err(PetitionRefusal::ExtensionTooLong { most: 30, .. })
        ));
        let by_staff = Action::Extend {
            days: 30,
            reason: "情况复杂".into(),
        };
        assert_eq!(
            decide(
                &p,
                &standing(Role::IntakeOperator),
                by_staff.clone(),
                at("2026-04-20 10:00"),
                &calendar()
            ),
            Err(PetitionRefusal::OutOfReach {
                action: ActionKind::Extend
            }),
            "the desk may not approve its own extension"
        );
        act(&mut p, Role::Leader, by_staff, "2026-04-20 10:00");
        assert_eq!(p.extended_days, 30);
        assert_eq!(
            p.timer.as_ref().and_then(|t| t.deadline).map(show),
            Some("2026-06-06 00:00".into())
        );
        act(
            &mut p,
            Role::IntakeOperator,
            Action::Answer {
                outcome: Outcome::PartlySupported,
                text: "已督促物业维修".into(),
            },
            "2026-05-20 10:00",
        );
        assert_eq!(p.state, PetitionState::Answered);
        assert!(p.on_time);
        // 复查 may be asked for 30 days: the 30th, 06-19, is the Dragon Boat Festival (06-19..
        // 06-21), so until the end of Monday 06-22; it cannot be concluded before.
        assert_eq!(p.window_until.map(show), Some("2026-06-23 00:00".into()));
        assert!(matches!(
            decide(
                &p,
                &standing(Role::IntakeOperator),
                Action::Conclude {
                    note: String::new()
                },
                at("2026-06-22 12:00"),
                &calendar()
            ),
            Err(PetitionRefusal::WindowStillOpen { .. })
        ));
        act(
            &mut p,
            Role::IntakeOperator,
            Action::RequestReview {
                note: String::new(),
            },
            "2026-06-10 10:00",
        );
        assert_eq!(p.step, Some(Step::Review));
        act(
            &mut p,
            Role::IntakeOperator,
            Action::AnswerReview {
                outcome: Outcome::NotSupported,
                text: "维持原意见".into(),
            },
            "2026-07-01 10:00",
        );
        act(
            &mut p,
            Role::IntakeOperator,
            Action::RequestReexamination {
                note: String::new(),
            },
            "2026-07-15 10:00",
        );
        act(
            &mut p,
            Role::IntakeOperator,
            Action::AnswerReexamination {
                outcome: Outcome::NotSupported,
                text: "复核维持".into(),
            },
            "2026-08-01 10:00",
        );
        assert_eq!(p.state, PetitionState::Concluded, "复核 is final");
        assert_eq!(p.reopened, 2);
        assert!(!p.state.is_open());
    }

    #[test]
    fn a_transfer_from_above_may_be_objected_to_within_five_working_days_only() {
        let mut sent = registration(Channel::Transfer);
        sent.from_level = Some(Level::City);
        // Received Thursday 04-30 15:00: Labour Day (05-01..05-05) does not count.
        let p = register(sent, ProfileCode::National2022, "2026-04-30 15:00");
        assert_eq!(p.object_until.map(show), Some("2026-05-11 15:00".into()));
        let object = Action::Object {
            reason: "不属于本街道职权".into(),
        };
        let late = decide(
            &p,
            &standing(Role::ShiftLead),
            object.clone(),
            at("2026-05-11 15:01"),
            &calendar(),
        );
        assert!(matches!(
            late,
            Err(PetitionRefusal::ObjectionTooLate { .. })
        ));
        let mut p2 = p.clone();
        act(&mut p2, Role::ShiftLead, object.clone(), "2026-05-11 15:00");
        assert_eq!(p2.state, PetitionState::Returned);
        // A letter was not sent down: nothing to object to.
        let letter = register(
            registration(Channel::Letter),
            ProfileCode::National2022,
            "2026-04-30 15:00",
        );
        assert_eq!(
            decide(
                &letter,
                &standing(Role::ShiftLead),
                object,
                at("2026-05-06 09:00"),
                &calendar()
            ),
            Err(PetitionRefusal::NotSentDown)
        );
    }

    #[test]
    fn a_group_visit_keeps_to_its_representatives_and_is_flagged() {
        let mut group = registration(Channel::Visit);
        group.group_size = 12;
        group.representatives = 6;
        let desk = standing(Role::IntakeOperator);
        let opening = |registration: Registration, profile| Opening {
            id: Uuid::from_u128(1),
            street: OrgUnitId::new(),
            number: "XF-1".into(),
            org_path: OrgPath::parse("/330106/330106008/").expect("path"),
            profile,
            registration,
            actor: &desk,
            now: at("2026-03-02 09:00"),
        };
        let refused = open(
            opening(group.clone(), ProfileCode::National2022),
            &calendar(),
        );
        assert!(matches!(
            refused,
            Err(PetitionRefusal::TooManyRepresentatives {
                most: 5,
                article: 20
            })
        ));
        group.representatives = 5;
        let (p, _) = open(
            opening(group.clone(), ProfileCode::National2022),
            &calendar(),
        )
        .expect("five may speak");
        assert!(p.has(Flag::Group));
        // Zhejiang: ten or fewer send at most three.
        group.group_size = 8;
        group.representatives = 4;
        assert!(matches!(
            open(opening(group, ProfileCode::Zhejiang2016), &calendar()),
            Err(PetitionRefusal::TooManyRepresentatives {
                most: 3,
                article: 15
            })
        ));
    }

    #[test]
    fn only_petition_staff_register_and_decide() {
        for role in Role::ALL {
            let allowed = may(ActionKind::Register, &standing(role), None);
            assert_eq!(
                allowed,
                matches!(role, Role::IntakeOperator | Role::ShiftLead),
                "{role}"
            );
        }
        let outside = Standing {
            in_reach: false,
            ..standing(Role::IntakeOperator)
        };
        assert!(!may(ActionKind::Accept, &outside, None));
    }

    #[test]
    fn a_late_matter_becomes_backlog_and_is_cleared_once_concluded() {
        let mut p = register(
            registration(Channel::Letter),
            ProfileCode::Zhejiang2016,
            "2026-03-02 09:00",
        );
        let mark = Action::MarkBacklog {
            leader: UserId::new(),
            plan: "每周约谈".into(),
        };
        assert_eq!(
            decide(
                &p,
                &standing(Role::Leader),
                mark.clone(),
                at("2026-03-03 09:00"),
                &calendar()
            ),
            Err(PetitionRefusal::NotBacklogYet)
        );
        act(
            &mut p,
            Role::IntakeOperator,
            Action::Accept {
                department: DepartmentId::new(),
                note: String::new(),
            },
            "2026-03-04 09:00",
        );
        // Zhejiang's 30 days from 03-04 end 04-03: past them, it may be marked.
        act(&mut p, Role::Leader, mark, "2026-04-10 09:00");
        assert!(p.backlog.is_some());
        let clear = Action::ClearBacklog {
            note: String::new(),
        };
        assert!(matches!(
            decide(
                &p,
                &standing(Role::Leader),
                clear.clone(),
                at("2026-04-11 09:00"),
                &calendar()
            ),
            Err(PetitionRefusal::WrongState { .. })
        ));
        act(
            &mut p,
            Role::IntakeOperator,
            Action::Answer {
                outcome: Outcome::Supported,
                text: "已解决".into(),
            },
            "2026-04-20 09:00",
        );
        assert!(!p.on_time);
        act(
            &mut p,
            Role::IntakeOperator,
            Action::Conclude {
                note: String::new(),
            },
            "2026-05-25 09:00",
        );
        act(&mut p, Role::Leader, clear, "2026-05-25 10:00");
        assert!(p.backlog.as_ref().is_some_and(|b| b.cleared_at.is_some()));
    }
}
