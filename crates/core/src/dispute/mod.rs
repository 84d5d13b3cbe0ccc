//! Disputes (矛盾纠纷调解, DOMAIN.md section 6): the people's mediation ledger the People's
//! Mediation Law (人民调解法, 2010) asks a committee to keep: the registration (调解登记), the
//! session records (调解工作记录) and the agreement (调解协议书), filed together (art. 27).
//!
//! Every change is decided here ([`machine::decide`]) into a [`Change`] holding what it decided,
//! deadlines included; [`machine::apply`] is pure, so a dispute is the fold of its history. The
//! figures' formulas are in [`figures`]. Parties are registry persons and enterprises, named
//! here by id only: names stay in the registry, where erasure can reach them.

pub mod figures;
pub mod machine;
pub mod refusal;
#[cfg(test)]
mod tests;

use crate::coded::coded;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ledger::timer::Timer;
use crate::ledger::{RecordChange, RecordState};
use crate::money::Money;

pub use machine::{Action, ActionKind, apply, available, decide, may, open, register};
pub use refusal::DisputeRefusal;

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeState {
    /// 已登记: taken, no mediator yet.
    Registered,
    /// 调解中
    Mediating,
    /// 已达成协议: performance is followed (履行跟踪).
    Agreed,
    /// 已结案: every term of the agreement performed or given up.
    Closed,
    /// 调解不成: the parties told of arbitration, administrative and court routes (art. 26).
    Failed,
    /// 已移送 to another body.
    Referred,
    /// 已撤回 by the applicant.
    Withdrawn,
}

impl RecordState for DisputeState {
    const ALL: &'static [DisputeState] = &[
        DisputeState::Registered,
        DisputeState::Mediating,
        DisputeState::Agreed,
        DisputeState::Closed,
        DisputeState::Failed,
        DisputeState::Referred,
        DisputeState::Withdrawn,
    ];
    const CLOSED: &'static [DisputeState] = &[
        DisputeState::Closed,
        DisputeState::Failed,
        DisputeState::Referred,
        DisputeState::Withdrawn,
    ];

    fn as_str(self) -> &'static str {
        match self {
            DisputeState::Registered => "registered",
            DisputeState::Mediating => "mediating",
            DisputeState::Agreed => "agreed",
            DisputeState::Closed => "closed",
            DisputeState::Failed => "failed",
            DisputeState::Referred => "referred",
            DisputeState::Withdrawn => "withdrawn",
        }
    }
}

impl DisputeState {
    pub fn label_key(self) -> &'static str {
        match self {
            DisputeState::Registered => "dispute.state_registered",
            DisputeState::Mediating => "dispute.state_mediating",
            DisputeState::Agreed => "dispute.state_agreed",
            DisputeState::Closed => "dispute.state_closed",
            DisputeState::Failed => "dispute.state_failed",
            DisputeState::Referred => "dispute.state_referred",
            DisputeState::Withdrawn => "dispute.state_withdrawn",
        }
    }
}

coded!(
    /// How a dispute reached the committee (来源).
    Source, "dispute.Source_" {
        /// 来访 (walk-in)
        WalkIn = "walk_in",
        /// 来电
        Phone = "phone",
        /// A case (事件) turned into a dispute.
        Case = "case",
        /// A 12345 work order.
        Hotline = "hotline",
        /// 公安移送 (警调衔接)
        Police = "police",
        /// 法院委派 (诉前调解)
        Court = "court",
        /// 矛盾排查 (found by screening)
        Screening = "screening",
        /// 主动调解 (art. 17: the committee may mediate of its own accord)
        OwnAccord = "own_accord",
    }
);

coded!(
    /// A party's place in a dispute.
    PartyRole, "dispute.PartyRole_" {
        /// 申请人
        Applicant = "applicant",
        /// 被申请人
        Respondent = "respondent",
        /// 第三人
        ThirdParty = "third_party",
    }
);

coded!(
    /// The risk a dispute turns worse (风险等级); high means threats, a group or violence.
    Risk, "dispute.Risk_" {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
);

coded!(
    /// A mediator's kind (调解员).
    MediatorKind, "dispute.MediatorKind_" {
        /// 专职调解员 (staff)
        Staff = "staff",
        /// 老娘舅 and other volunteers
        Volunteer = "volunteer",
        /// 律师
        Lawyer = "lawyer",
    }
);

coded!(
    /// How a term of an agreement was performed (履行情况).
    Performance, "dispute.Performance_" {
        /// 按期履行
        Done = "done",
        /// 逾期履行
        Late = "late",
        /// 未履行 (broken)
        Broken = "broken",
    }
);

impl Risk {
    /// One level up (a repeat party raises it), high staying high.
    pub fn raised(self) -> Risk {
        match self {
            Risk::Low => Risk::Medium,
            Risk::Medium | Risk::High => Risk::High,
        }
    }
}

/// A party: a registry person or enterprise (organisation) in a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub role: PartyRole,
    /// `person` or `enterprise`.
    pub kind: PartyKind,
    pub id: Uuid,
}

coded!(
    /// What a party is in the registry.
    PartyKind, "dispute.PartyKind_" {
        Person = "person",
        Enterprise = "enterprise",
    }
);

/// A mediator assigned to a dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mediator {
    pub name: String,
    pub kind: MediatorKind,
}

/// A session's record (调解工作记录, art. 27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub on: NaiveDate,
    pub place: String,
    /// Who was present.
    pub present: String,
    /// What was said.
    pub record: String,
    /// What the mediator proposed.
    pub proposal: String,
}

/// One term of an agreement (协议内容), with its manner and deadline of performance (art. 29
/// (三)) and how it was performed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub text: String,
    /// The manner of performance (履行方式).
    pub manner: String,
    /// The deadline of performance (履行期限).
    pub due: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performed: Option<(Performance, NaiveDate)>,
}

/// What the parties agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// A written agreement (调解协议书, art. 28-29) or an oral one recorded (art. 28, 30).
    pub written: bool,
    /// The day it took effect: signed and sealed (art. 29), or agreed orally (art. 30).
    pub effective_on: NaiveDate,
    /// Each party's responsibility (各方当事人的责任, art. 29 (二)).
    pub responsibilities: String,
    pub terms: Vec<Term>,
    /// The 30 days to apply jointly for court confirmation (司法确认, art. 33), as a legal
    /// period on the ledger's clock.
    pub confirmation_window: Timer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
}

/// A joint application for court confirmation and, once the court answers, its ruling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub applied_on: NaiveDate,
    pub court: String,
    /// `Some(true)` confirmed valid, `Some(false)` not confirmed; `None` pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
}

/// A dispute as registered: what [`register`] checks and turns into the first change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub source: Source,
    /// The case or work order it came from (a number), for [`Source::Case`] and
    /// [`Source::Hotline`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The dispute's type (纠纷类型), a code of the configured tree.
    pub kind: String,
    /// The main facts (主要事实).
    pub facts: String,
    /// The disputed points (争议事项).
    pub points: String,
    /// The amount at stake (调解标的).
    pub amount: Money,
    pub risk: Risk,
    pub parties: Vec<Party>,
}

/// One recorded change to a dispute, tagged `action` (a registration's own fields hold a
/// `kind`, the dispute's type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    /// 调解登记, with the mediation deadline decided.
    Registered {
        #[serde(flatten)]
        registration: Registration,
        /// The risk as assessed: the declared one, raised when a party was in disputes before.
        assessed: Risk,
        deadline: Timer,
    },
    /// A committee and its mediators took it.
    Assigned {
        committee: String,
        mediators: Vec<Mediator>,
    },
    SessionHeld {
        session: Session,
    },
    /// The mediation deadline extended at the parties' request (宁波市人民调解条例 art. 27).
    Extended {
        days: u32,
        reason: String,
        deadline: Timer,
    },
    Agreed {
        agreement: Agreement,
    },
    /// Mediation ended without agreement (art. 26; 宁波 art. 23).
    Failed {
        reason: String,
    },
    Referred {
        to: String,
    },
    Withdrawn {
        reason: String,
    },
    /// The parties applied jointly for court confirmation (art. 33).
    ConfirmationApplied {
        on: NaiveDate,
        court: String,
    },
    ConfirmationRuled {
        valid: bool,
    },
    /// A term's performance followed up (回访); the last one settled closes the dispute.
    Performed {
        term: usize,
        performance: Performance,
        on: NaiveDate,
    },
    /// The risk changed (threats, a group, violence).
    RiskSet {
        risk: Risk,
        reason: String,
    },
    /// Escalated to the leaders, or linked to a petition; `criminal` when it turned into a
    /// criminal case (民转刑).
    Escalated {
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        petition: Option<String>,
        #[serde(default)]
        criminal: bool,
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
            Change::Registered { .. } => ActionKind::Register,
            Change::Assigned { .. } => ActionKind::Assign,
            Change::SessionHeld { .. } => ActionKind::Session,
            Change::Extended { .. } => ActionKind::Extend,
            Change::Agreed { .. } => ActionKind::Agree,
            Change::Failed { .. } => ActionKind::Fail,
            Change::Referred { .. } => ActionKind::Refer,
            Change::Withdrawn { .. } => ActionKind::Withdraw,
            Change::ConfirmationApplied { .. } => ActionKind::ApplyConfirmation,
            Change::ConfirmationRuled { .. } => ActionKind::RuleConfirmation,
            Change::Performed { .. } => ActionKind::Perform,
            Change::RiskSet { .. } => ActionKind::SetRisk,
            Change::Escalated { .. } => ActionKind::Escalate,
        }
    }
}

/// A dispute as it stands: the fold of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    pub id: Uuid,
    pub state: DisputeState,
    pub registered_at: DateTime<Utc>,
    pub registration: Registration,
    pub risk: Risk,
    /// The mediation deadline (调解期限), configurable: the law sets none; 宁波市人民调解条例
    /// art. 27 says a month, extendable at the parties' request.
    pub deadline: Timer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mediators: Vec<Mediator>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<Session>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
    /// Why it failed, was withdrawn, or where it was referred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending: Option<String>,
    #[serde(default)]
    pub escalated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub petition: Option<String>,
    /// 民转刑: it turned into a criminal case.
    #[serde(default)]
    pub criminal: bool,
}

impl Dispute {
    /// 调处成功: the parties reached an agreement, written or oral.
    pub fn settled(&self) -> bool {
        self.agreement.is_some()
    }
}
