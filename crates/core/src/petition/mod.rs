//! Petitions (信访): what a petition is, where it stands, what can be done to it and by whom,
//! its deadlines by rulebook, repeat petitions and the figures' tallies. Pure: the store keeps
//! the rows, this decides.
//!
//! A petition is registered from a channel (letter, visit, phone, online, a leader's mailbox, a
//! transfer or an assignment from above), decided within the rulebook's period (accepted and
//! assigned, declined, separated onto the legal track, forwarded, or objected to when it came
//! from above), handled to a written answer (处理意见书) within the handling period (extended
//! with approval), then may go to 复查 and 复核; it is concluded (终结) when the petitioner's
//! window passes or after 复核. See [`profile`] for the periods and their articles.

pub mod machine;
pub mod profile;
pub mod refusal;
pub mod repeat;
pub mod tally;

use crate::coded::coded;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{DepartmentId, OrgUnitId, UserId};
use crate::ledger::{RecordChange, RecordState, Timer};
use crate::org::OrgPath;

pub use machine::{
    Action, ActionKind, Change, Opening, apply, available, blank, decide, may, open,
};
pub use profile::{Profile, ProfileCode};
pub use refusal::PetitionRefusal;

coded!(
    /// How a petition came (信访形式).
    Channel, "petition_channel." {
        /// 来信
        Letter = "letter",
        /// 来访 (走访)
        Visit = "visit",
        /// 来电
        Phone = "phone",
        /// 网上信访
        Online = "online",
        /// 领导信箱
        Mailbox = "mailbox",
        /// 上级转送
        Transfer = "transfer",
        /// 上级交办
        Assignment = "assignment",
    }
);

impl Channel {
    /// A matter sent down from above, which the street may object to within the period.
    pub fn from_above(self) -> bool {
        matches!(self, Channel::Transfer | Channel::Assignment)
    }
}

coded!(
    /// What a petition asks (信访事项类别).
    Class, "petition_class." {
        /// 建议意见
        Suggestion = "suggestion",
        /// 检举控告: its author is sealed from whoever it accuses (条例 art. 30).
        Accusation = "accusation",
        /// 申诉求决
        Claim = "claim",
    }
);

coded!(
    /// What a written answer decided (处理意见, 条例 art. 32).
    Outcome, "petition_outcome." {
        /// 支持
        Supported = "supported",
        /// 部分支持
        PartlySupported = "partly_supported",
        /// 不予支持
        NotSupported = "not_supported",
        /// 解释说明
        Explained = "explained",
    }
);

coded!(
    /// Which level sent a matter down, and so a 积案's level.
    Level, "petition_level." {
        /// 国家级
        National = "national",
        /// 省级
        Provincial = "provincial",
        /// 市级
        City = "city",
        /// 区级
        District = "district",
    }
);

coded!(
    /// Where a matter for the courts, arbitration or review goes (访诉分离, 条例 art. 28/31).
    LegalRoute, "petition_legal_route." {
        /// 诉讼
        Litigation = "litigation",
        /// 仲裁
        Arbitration = "arbitration",
        /// 行政复议
        AdministrativeReview = "administrative_review",
        /// 其他法定途径
        OtherProcedure = "other_procedure",
    }
);

coded!(
    /// Marks counted per period (进京访, 赴省访, 群体访, 非访).
    Flag, "petition_flag." {
        /// 进京访
        Beijing = "beijing",
        /// 赴省访
        Province = "province",
        /// 群体访
        Group = "group",
        /// 非访 (条例 art. 26 / art. 47)
        Irregular = "irregular",
    }
);

coded!(
    /// The petitioner's evaluation of the answer (评价).
    Evaluation, "petition_evaluation." {
        Satisfied = "satisfied",
        BasicallySatisfied = "basically_satisfied",
        Dissatisfied = "dissatisfied",
    }
);

coded!(
    /// The running clock's step.
    Step, "petition_step." {
        /// 登记后受理决定 (15 日 / 5 个工作日)
        Decide = "decide",
        /// 办理 (60 日 / 30 日)
        Handle = "handle",
        /// 复查 answer
        Review = "review",
        /// 复核 answer
        Reexamination = "reexamination",
    }
);

/// A group visit counts as 群体访 from this many people (practice; kept as one constant).
pub const GROUP_FROM: u32 = 5;

/// Where a petition stands (信访事项状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionState {
    /// 已登记: waiting for the decision.
    Registered,
    /// 已受理, being handled by its office or community.
    Accepted,
    /// 已答复: the written answer given; the 复查 window runs.
    Answered,
    /// 复查中
    InReview,
    /// 已复查: the 复核 window runs.
    Reviewed,
    /// 复核中
    InReexamination,
    /// 已终结
    Concluded,
    /// 不予受理
    Declined,
    /// 导入法定途径 (访诉分离)
    LegalTrack,
    /// 已转送 to another body
    Forwarded,
    /// 已退回: a transfer objected to and handed back
    Returned,
}

impl RecordState for PetitionState {
    const ALL: &'static [PetitionState] = &[
        PetitionState::Registered,
        PetitionState::Accepted,
        PetitionState::Answered,
        PetitionState::InReview,
        PetitionState::Reviewed,
        PetitionState::InReexamination,
        PetitionState::Concluded,
        PetitionState::Declined,
        PetitionState::LegalTrack,
        PetitionState::Forwarded,
        PetitionState::Returned,
    ];
    const CLOSED: &'static [PetitionState] = &[
        PetitionState::Concluded,
        PetitionState::Declined,
        PetitionState::LegalTrack,
        PetitionState::Forwarded,
        PetitionState::Returned,
    ];

    fn as_str(self) -> &'static str {
        match self {
            PetitionState::Registered => "registered",
            PetitionState::Accepted => "accepted",
            PetitionState::Answered => "answered",
            PetitionState::InReview => "in_review",
            PetitionState::Reviewed => "reviewed",
            PetitionState::InReexamination => "in_reexamination",
            PetitionState::Concluded => "concluded",
            PetitionState::Declined => "declined",
            PetitionState::LegalTrack => "legal_track",
            PetitionState::Forwarded => "forwarded",
            PetitionState::Returned => "returned",
        }
    }
}

impl PetitionState {
    pub fn label_key(self) -> &'static str {
        match self {
            PetitionState::Registered => "petition_state.registered",
            PetitionState::Accepted => "petition_state.accepted",
            PetitionState::Answered => "petition_state.answered",
            PetitionState::InReview => "petition_state.in_review",
            PetitionState::Reviewed => "petition_state.reviewed",
            PetitionState::InReexamination => "petition_state.in_reexamination",
            PetitionState::Concluded => "petition_state.concluded",
            PetitionState::Declined => "petition_state.declined",
            PetitionState::LegalTrack => "petition_state.legal_track",
            PetitionState::Forwarded => "petition_state.forwarded",
            PetitionState::Returned => "petition_state.returned",
        }
    }

    /// A matter the street took on and has not finished: pending for repeat petitions.
    pub fn is_pending(self) -> bool {
        self.is_open()
    }
}

/// What registration records (信访登记).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub channel: Channel,
    pub class: Class,
    /// The matter as the petitioner put it (诉求).
    pub matter: String,
    /// The petitioner, from the registry (人).
    pub petitioner: Uuid,
    /// How many came together (1 for one person).
    pub group_size: u32,
    /// How many representatives spoke for them (a visit of several, 条例 art. 20).
    pub representatives: u32,
    /// The level that sent it down (转送, 交办).
    pub from_level: Option<Level>,
    /// Staff users a 检举控告 accuses: never shown who wrote it.
    pub accused: Vec<UserId>,
    /// An earlier petition this one repeats (重复访), confirmed by staff.
    pub repeat_of: Option<Uuid>,
    pub flags: Vec<Flag>,
}

/// A 积案 and its 包案 leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backlog {
    pub leader: UserId,
    pub plan: String,
    pub level: Option<Level>,
    pub marked_at: DateTime<Utc>,
    /// 清零
    pub cleared_at: Option<DateTime<Utc>>,
}

/// A petition as its history leaves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Petition {
    pub id: Uuid,
    pub street: OrgUnitId,
    pub number: String,
    /// Its area (a community's path, or the street's).
    pub org_path: OrgPath,
    pub profile: ProfileCode,
    pub state: PetitionState,
    pub registration: Registration,
    pub received_at: DateTime<Utc>,
    /// The office or community handling it.
    pub department: Option<DepartmentId>,
    /// The running step and its clock.
    pub step: Option<Step>,
    pub timer: Option<Timer>,
    /// Until when a sent-down matter may be objected to (5 working days).
    pub object_until: Option<DateTime<Utc>>,
    /// Until when the petitioner may ask for the next review (复查 or 复核).
    pub window_until: Option<DateTime<Utc>>,
    pub outcome: Option<Outcome>,
    /// Days the handling period was extended by, in all.
    pub extended_days: u32,
    /// Whether every step so far finished within its period.
    pub on_time: bool,
    pub evaluation: Option<Evaluation>,
    pub backlog: Option<Backlog>,
    /// How many times the petitioner asked for it to be looked at again (复查, 复核).
    pub reopened: u32,
    pub concluded_at: Option<DateTime<Utc>>,
    pub event_count: u32,
    pub updated_at: DateTime<Utc>,
}

impl Petition {
    pub fn profile(&self) -> &'static Profile {
        self.profile.profile()
    }

    /// Whether its flags include `flag`.
    pub fn has(&self, flag: Flag) -> bool {
        self.registration.flags.contains(&flag)
    }

    /// Whether the running step is past its period at `now`.
    pub fn overdue_at(&self, now: DateTime<Utc>) -> bool {
        self.timer
            .as_ref()
            .and_then(|t| t.deadline)
            .is_some_and(|deadline| now > deadline)
    }
}

impl RecordChange for Change {
    fn action(&self) -> &'static str {
        self.kind().as_str()
    }
}
