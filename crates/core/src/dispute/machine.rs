//! The dispute's rules: who may do what ([`may`]), what each action decides ([`decide`]), and
//! how a change moves a dispute ([`apply`]), all pure. The mediation deadline and the 30 days
//! to apply for court confirmation run on the ledger's clocks ([`Timer`]).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    Agreement, Change, Confirmation, Dispute, DisputeRefusal, DisputeState, Mediator, Performance,
    Registration, Risk, Session, Term,
};
use crate::calendar::{TimeLimit, WorkCalendar};
use crate::clock::{business_date, start_of_day};
use crate::ledger::Standing;
use crate::ledger::timer::Timer;
use crate::role::Capability;

/// Days to apply jointly for court confirmation once the agreement takes effect (人民调解法
/// art. 33; 最高人民法院关于人民调解协议司法确认程序的若干规定 art. 1).
pub const CONFIRMATION_DAYS: u32 = 30;

/// Earlier disputes of a party from which a new one's risk is raised a level.
pub const REPEAT_PARTY: u32 = 2;

/// What can be done to a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Register,
    Assign,
    Session,
    Extend,
    Agree,
    Fail,
    Refer,
    Withdraw,
    ApplyConfirmation,
    RuleConfirmation,
    Perform,
    SetRisk,
    Escalate,
}

impl ActionKind {
    /// The actions on a registered dispute, in the order a page offers them.
    pub const ACTIONS: [ActionKind; 12] = [
        ActionKind::Assign,
        ActionKind::Session,
        ActionKind::Extend,
        ActionKind::Agree,
        ActionKind::Fail,
        ActionKind::Refer,
        ActionKind::Withdraw,
        ActionKind::ApplyConfirmation,
        ActionKind::RuleConfirmation,
        ActionKind::Perform,
        ActionKind::SetRisk,
        ActionKind::Escalate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Register => "register",
            ActionKind::Assign => "assign",
            ActionKind::Session => "session",
            ActionKind::Extend => "extend",
            ActionKind::Agree => "agree",
            ActionKind::Fail => "fail",
            ActionKind::Refer => "refer",
            ActionKind::Withdraw => "withdraw",
            ActionKind::ApplyConfirmation => "apply_confirmation",
            ActionKind::RuleConfirmation => "rule_confirmation",
            ActionKind::Perform => "perform",
            ActionKind::SetRisk => "set_risk",
            ActionKind::Escalate => "escalate",
        }
    }

    pub fn parse(text: &str) -> Option<ActionKind> {
        std::iter::once(ActionKind::Register)
            .chain(ActionKind::ACTIONS)
            .find(|kind| kind.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ActionKind::Register => "dispute.action_register",
            ActionKind::Assign => "dispute.action_assign",
            ActionKind::Session => "dispute.action_session",
            ActionKind::Extend => "dispute.action_extend",
            ActionKind::Agree => "dispute.action_agree",
            ActionKind::Fail => "dispute.action_fail",
            ActionKind::Refer => "dispute.action_refer",
            ActionKind::Withdraw => "dispute.action_withdraw",
            ActionKind::ApplyConfirmation => "dispute.action_apply_confirmation",
            ActionKind::RuleConfirmation => "dispute.action_rule_confirmation",
            ActionKind::Perform => "dispute.action_perform",
            ActionKind::SetRisk => "dispute.action_set_risk",
            ActionKind::Escalate => "dispute.action_escalate",
        }
    }

    /// The capability an action needs: taking a dispute is for everyone who sees them, the
    /// mediation itself for the committees (community staff) and leaders.
    pub fn capability(self) -> Capability {
        match self {
            ActionKind::Register => Capability::RegisterDisputes,
            _ => Capability::MediateDisputes,
        }
    }

    /// The states it can be done in.
    fn allowed_in(self) -> &'static [DisputeState] {
        use DisputeState::*;
        match self {
            ActionKind::Register => &[],
            ActionKind::Assign
            | ActionKind::Extend
            | ActionKind::Fail
            | ActionKind::Refer
            | ActionKind::Withdraw => &[Registered, Mediating],
            ActionKind::Session | ActionKind::Agree => &[Mediating],
            ActionKind::ApplyConfirmation | ActionKind::RuleConfirmation => &[Agreed, Closed],
            ActionKind::Perform => &[Agreed],
            ActionKind::SetRisk | ActionKind::Escalate => &[Registered, Mediating, Agreed],
        }
    }
}

/// An agreed term as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTerm {
    pub text: String,
    pub manner: String,
    pub due: NaiveDate,
}

/// An action with what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Assign {
        committee: String,
        mediators: Vec<Mediator>,
    },
    Session(Session),
    Extend {
        days: u32,
        reason: String,
    },
    Agree {
        written: bool,
        effective_on: NaiveDate,
        responsibilities: String,
        terms: Vec<NewTerm>,
    },
    Fail {
        reason: String,
    },
    Refer {
        to: String,
    },
    Withdraw {
        reason: String,
    },
    ApplyConfirmation {
        on: NaiveDate,
        court: String,
    },
    RuleConfirmation {
        valid: bool,
    },
    Perform {
        term: usize,
        performance: Performance,
        on: NaiveDate,
    },
    SetRisk {
        risk: Risk,
        reason: String,
    },
    Escalate {
        to: String,
        petition: Option<String>,
        criminal: bool,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Assign { .. } => ActionKind::Assign,
            Action::Session(_) => ActionKind::Session,
            Action::Extend { .. } => ActionKind::Extend,
            Action::Agree { .. } => ActionKind::Agree,
            Action::Fail { .. } => ActionKind::Fail,
            Action::Refer { .. } => ActionKind::Refer,
            Action::Withdraw { .. } => ActionKind::Withdraw,
            Action::ApplyConfirmation { .. } => ActionKind::ApplyConfirmation,
            Action::RuleConfirmation { .. } => ActionKind::RuleConfirmation,
            Action::Perform { .. } => ActionKind::Perform,
            Action::SetRisk { .. } => ActionKind::SetRisk,
            Action::Escalate { .. } => ActionKind::Escalate,
        }
    }
}

/// Whether the actor of `standing` may do `action` at all (its role) and to this dispute (its
/// place in the tree). The system (the ticker, the demo's loader) may.
pub fn may(action: ActionKind, standing: &Standing) -> Result<(), DisputeRefusal> {
    let Some(role) = standing.role else {
        return Ok(());
    };
    if !role.can(action.capability()) {
        return Err(DisputeRefusal::NotPermitted { action });
    }
    if !standing.in_reach {
        return Err(DisputeRefusal::OutOfReach { action });
    }
    Ok(())
}

fn required(text: &str, field: &'static str) -> Result<String, DisputeRefusal> {
    let text = text.trim();
    if text.is_empty() {
        Err(DisputeRefusal::Required { field })
    } else {
        Ok(text.to_owned())
    }
}

/// The risk a new dispute carries: the one declared, a level up when a party already had
/// [`REPEAT_PARTY`] disputes or more (repeat involvement).
pub fn assess(declared: Risk, earlier_disputes_of_a_party: u32) -> Risk {
    if earlier_disputes_of_a_party >= REPEAT_PARTY {
        declared.raised()
    } else {
        declared
    }
}

/// Checks a registration (调解登记) and decides its first change: the risk assessed and the
/// mediation deadline (`limit` from `at`).
pub fn register(
    registration: Registration,
    earlier_disputes_of_a_party: u32,
    calendar: &WorkCalendar,
    limit: TimeLimit,
    at: DateTime<Utc>,
) -> Result<Change, DisputeRefusal> {
    let mut registration = registration;
    registration.kind = required(&registration.kind, "dispute.kind")?;
    registration.facts = required(&registration.facts, "dispute.facts")?;
    registration.points = required(&registration.points, "dispute.points")?;
    if registration.amount.fen() < 0 {
        return Err(DisputeRefusal::NegativeAmount);
    }
    let has = |role| registration.parties.iter().any(|p| p.role == role);
    if !has(super::PartyRole::Applicant) || !has(super::PartyRole::Respondent) {
        return Err(DisputeRefusal::PartiesMissing);
    }
    let mut ids: Vec<Uuid> = registration.parties.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != registration.parties.len() {
        return Err(DisputeRefusal::PartyTwice);
    }
    let assessed = assess(registration.risk, earlier_disputes_of_a_party);
    Ok(Change::Registered {
        registration,
        assessed,
        deadline: Timer::start(calendar, limit, at),
    })
}

/// The dispute its first change makes.
pub fn open(id: Uuid, at: DateTime<Utc>, change: &Change) -> Option<Dispute> {
    let Change::Registered {
        registration,
        assessed,
        deadline,
    } = change
    else {
        return None;
    };
    Some(Dispute {
        id,
        state: DisputeState::Registered,
        registered_at: at,
        registration: registration.clone(),
        risk: *assessed,
        deadline: deadline.clone(),
        committee: None,
        mediators: Vec::new(),
        sessions: Vec::new(),
        agreement: None,
        ending: None,
        escalated: false,
        petition: None,
        criminal: false,
    })
}

/// The 30 days to apply for court confirmation of an agreement that took effect on
/// `effective_on`: a legal period (the day it took effect not counted, a last day off moved to
/// the next working day), on the ledger's clock.
pub fn confirmation_window(calendar: &WorkCalendar, effective_on: NaiveDate) -> Timer {
    Timer::start(
        calendar,
        TimeLimit::legal_days(CONFIRMATION_DAYS),
        start_of_day(effective_on),
    )
}

/// The last day of a confirmation window, `None` when the calendar cannot say yet.
pub fn last_day(window: &Timer) -> Option<NaiveDate> {
    window
        .deadline
        .map(|deadline| business_date(deadline - Duration::seconds(1)))
}

/// Decides `action` on `dispute` by the actor of `standing` at `at`, or refuses it.
pub fn decide(
    dispute: &Dispute,
    standing: &Standing,
    action: Action,
    at: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Result<Change, DisputeRefusal> {
    let kind = action.kind();
    may(kind, standing)?;
    if !kind.allowed_in().contains(&dispute.state) {
        return Err(DisputeRefusal::WrongState {
            action: kind,
            state: dispute.state,
        });
    }
    let today = business_date(at);
    let registered_on = business_date(dispute.registered_at);
    let no_later_than_today = |day: NaiveDate| {
        if day > today || day < registered_on {
            Err(DisputeRefusal::DayOutOfRange { day })
        } else {
            Ok(day)
        }
    };
    Ok(match action {
        Action::Assign {
            committee,
            mediators,
        } => {
            let committee = required(&committee, "dispute.committee")?;
            let mediators = mediators
                .into_iter()
                .filter(|m| !m.name.trim().is_empty())
                .map(|m| Mediator {
                    name: m.name.trim().to_owned(),
                    kind: m.kind,
                })
                .collect::<Vec<_>>();
            if mediators.is_empty() {
                return Err(DisputeRefusal::Required {
                    field: "dispute.mediators",
                });
            }
            Change::Assigned {
                committee,
                mediators,
            }
        }
        Action::Session(session) => Change::SessionHeld {
            session: Session {
                on: no_later_than_today(session.on)?,
                place: required(&session.place, "dispute.place")?,
                present: required(&session.present, "dispute.present")?,
                record: required(&session.record, "dispute.record")?,
                proposal: session.proposal.trim().to_owned(),
            },
        },
        Action::Extend { days, reason } => {
            if days == 0 {
                return Err(DisputeRefusal::Required {
                    field: "dispute.days",
                });
            }
            let reason = required(&reason, "dispute.reason")?;
            let mut deadline = dispute.deadline.clone();
            deadline.extend(calendar, TimeLimit::calendar_days(days));
            Change::Extended {
                days,
                reason,
                deadline,
            }
        }
        Action::Agree {
            written,
            effective_on,
            responsibilities,
            terms,
        } => {
            let effective_on = no_later_than_today(effective_on)?;
            if terms.is_empty() {
                return Err(DisputeRefusal::Required {
                    field: "dispute.terms",
                });
            }
            let terms = terms
                .into_iter()
                .map(|t| {
                    Ok(Term {
                        text: required(&t.text, "dispute.term")?,
                        manner: required(&t.manner, "dispute.manner")?,
                        due: t.due,
                        performed: None,
                    })
                })
                .collect::<Result<Vec<_>, DisputeRefusal>>()?;
            Change::Agreed {
                agreement: Agreement {
                    written,
                    effective_on,
                    responsibilities: required(&responsibilities, "dispute.responsibilities")?,
                    terms,
                    confirmation_window: confirmation_window(calendar, effective_on),
                    confirmation: None,
                },
            }
        }
        Action::Fail { reason } => Change::Failed {
            reason: required(&reason, "dispute.reason")?,
        },
        Action::Refer { to } => Change::Referred {
            to: required(&to, "dispute.referred_to")?,
        },
        Action::Withdraw { reason } => Change::Withdrawn {
            reason: required(&reason, "dispute.reason")?,
        },
        Action::ApplyConfirmation { on, court } => {
            let agreement = dispute
                .agreement
                .as_ref()
                .ok_or(DisputeRefusal::NoAgreement)?;
            if !agreement.written {
                return Err(DisputeRefusal::OralAgreement);
            }
            if agreement.confirmation.is_some() {
                return Err(DisputeRefusal::AlreadyApplied);
            }
            let on = no_later_than_today(on)?;
            if !within_window(agreement, on) {
                return Err(DisputeRefusal::OutsideWindow { day: on });
            }
            Change::ConfirmationApplied {
                on,
                court: required(&court, "dispute.court")?,
            }
        }
        Action::RuleConfirmation { valid } => {
            let pending = dispute
                .agreement
                .as_ref()
                .and_then(|a| a.confirmation.as_ref())
                .is_some_and(|c| c.valid.is_none());
            if !pending {
                return Err(DisputeRefusal::NoApplication);
            }
            Change::ConfirmationRuled { valid }
        }
        Action::Perform {
            term,
            performance,
            on,
        } => {
            let agreement = dispute
                .agreement
                .as_ref()
                .ok_or(DisputeRefusal::NoAgreement)?;
            let found = agreement
                .terms
                .get(term)
                .ok_or(DisputeRefusal::NoSuchTerm { term: term + 1 })?;
            if found.performed.is_some() {
                return Err(DisputeRefusal::TermSettled { term: term + 1 });
            }
            let on = no_later_than_today(on)?;
            // Done on or before the term's day is on time; after it, late, whatever was said.
            let performance = match performance {
                Performance::Done if on > found.due => Performance::Late,
                Performance::Late if on <= found.due => Performance::Done,
                other => other,
            };
            Change::Performed {
                term,
                performance,
                on,
            }
        }
        Action::SetRisk { risk, reason } => Change::RiskSet {
            risk,
            reason: required(&reason, "dispute.reason")?,
        },
        Action::Escalate {
            to,
            petition,
            criminal,
        } => Change::Escalated {
            to: required(&to, "dispute.escalated_to")?,
            petition: petition
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty()),
            criminal,
        },
    })
}

/// The actions the actor of `standing` may take on `dispute` now, in the order a page offers
/// them: those of their role, within reach, that the dispute's state and agreement allow.
pub fn available(dispute: &Dispute, standing: &Standing) -> Vec<ActionKind> {
    let agreement = dispute.agreement.as_ref();
    let confirmation = agreement.and_then(|a| a.confirmation.as_ref());
    ActionKind::ACTIONS
        .into_iter()
        .filter(|kind| may(*kind, standing).is_ok() && kind.allowed_in().contains(&dispute.state))
        .filter(|kind| match kind {
            ActionKind::ApplyConfirmation => {
                agreement.is_some_and(|a| a.written) && confirmation.is_none()
            }
            ActionKind::RuleConfirmation => confirmation.is_some_and(|c| c.valid.is_none()),
            _ => true,
        })
        .collect()
}

/// Whether `on` falls within the agreement's window to apply for court confirmation. While
/// the calendar cannot yet say where the window's last day falls (a year without its holiday
/// notice), the thirty days themselves are within it.
pub fn within_window(agreement: &Agreement, on: NaiveDate) -> bool {
    let thirty = agreement.effective_on + Duration::days(i64::from(CONFIRMATION_DAYS));
    on >= agreement.effective_on
        && (on <= thirty || last_day(&agreement.confirmation_window).is_some_and(|last| on <= last))
}

/// The state a change leaves a dispute in.
fn next_state(dispute: &Dispute, change: &Change) -> DisputeState {
    match change {
        Change::Registered { .. } => DisputeState::Registered,
        Change::Assigned { .. } => DisputeState::Mediating,
        Change::Agreed { .. } => DisputeState::Agreed,
        Change::Failed { .. } => DisputeState::Failed,
        Change::Referred { .. } => DisputeState::Referred,
        Change::Withdrawn { .. } => DisputeState::Withdrawn,
        Change::Performed { term, .. } => {
            let all_settled = dispute.agreement.as_ref().is_some_and(|a| {
                a.terms
                    .iter()
                    .enumerate()
                    .all(|(i, t)| i == *term || t.performed.is_some())
            });
            if all_settled {
                DisputeState::Closed
            } else {
                dispute.state
            }
        }
        Change::SessionHeld { .. }
        | Change::Extended { .. }
        | Change::ConfirmationApplied { .. }
        | Change::ConfirmationRuled { .. }
        | Change::RiskSet { .. }
        | Change::Escalated { .. } => dispute.state,
    }
}

/// A dispute after `change`.
pub fn apply(dispute: &Dispute, change: &Change) -> Dispute {
    let mut next = dispute.clone();
    next.state = next_state(dispute, change);
    match change {
        Change::Registered { .. } => {}
        Change::Assigned {
            committee,
            mediators,
        } => {
            next.committee = Some(committee.clone());
            next.mediators = mediators.clone();
        }
        Change::SessionHeld { session } => next.sessions.push(session.clone()),
        Change::Extended { deadline, .. } => next.deadline = deadline.clone(),
        Change::Agreed { agreement } => next.agreement = Some(agreement.clone()),
        Change::Failed { reason } | Change::Withdrawn { reason } => {
            next.ending = Some(reason.clone());
        }
        Change::Referred { to } => next.ending = Some(to.clone()),
        Change::ConfirmationApplied { on, court } => {
            if let Some(agreement) = next.agreement.as_mut() {
                agreement.confirmation = Some(Confirmation {
                    applied_on: *on,
                    court: court.clone(),
                    valid: None,
                });
            }
        }
        Change::ConfirmationRuled { valid } => {
            if let Some(confirmation) = next
                .agreement
                .as_mut()
                .and_then(|a| a.confirmation.as_mut())
            {
                confirmation.valid = Some(*valid);
            }
        }
        Change::Performed {
            term,
            performance,
            on,
        } => {
            if let Some(found) = next.agreement.as_mut().and_then(|a| a.terms.get_mut(*term)) {
                found.performed = Some((*performance, *on));
            }
        }
        Change::RiskSet { risk, .. } => next.risk = *risk,
        Change::Escalated {
            petition, criminal, ..
        } => {
            next.escalated = true;
            if petition.is_some() {
                next.petition.clone_from(petition);
            }
            next.criminal |= *criminal;
        }
    }
    next
}
