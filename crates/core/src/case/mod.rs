//! Cases (事件 / 案卷): what a case is, what can be done to it, and who may do it.
//!
//! Every change is decided here ([`machine::decide`]) into a [`Change`] that holds everything it
//! decided, deadlines included; applying a change ([`machine::apply`]) is pure, so a case's
//! current state is the fold of its history and can be rebuilt from it at any time.

pub mod machine;
pub mod refusal;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::category::{Step, Urgency};
use crate::ids::{CaseId, CategoryId, DepartmentId, OrgUnitId};
use crate::org::OrgPath;

pub use machine::{
    Action, ActionKind, CaseActor, Change, apply, available, can_file_and_dispatch, decide,
    decide_report, may, open,
};
pub use refusal::CaseRefusal;
// Cases' clocks are the ledger's clocks.
pub use crate::ledger::timer::{Light, Pause, Timer};

use crate::ledger::{RecordChange, RecordState};

/// Where a case stands (案件状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// 待受理: reported, not yet filed.
    Reported,
    /// 已核实: a grid worker checked the report on site.
    Verified,
    /// 已立案, waiting to be dispatched.
    Filed,
    /// 已派遣, waiting for the department to accept.
    Dispatched,
    /// 处置中
    Handling,
    /// 挂账: cannot be solved now; the clocks stand still.
    Parked,
    /// 已反馈, waiting for the on-site check.
    Handled,
    /// 核查通过, waiting to be closed.
    Checked,
    /// 已结案
    Closed,
    /// 已回访
    Evaluated,
    /// 已作废 / 不予受理
    Voided,
    /// 已并单 into another case.
    Merged,
}

impl CaseState {
    pub const ALL: [CaseState; 12] = [
        CaseState::Reported,
        CaseState::Verified,
        CaseState::Filed,
        CaseState::Dispatched,
        CaseState::Handling,
        CaseState::Parked,
        CaseState::Handled,
        CaseState::Checked,
        CaseState::Closed,
        CaseState::Evaluated,
        CaseState::Voided,
        CaseState::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Reported => "reported",
            CaseState::Verified => "verified",
            CaseState::Filed => "filed",
            CaseState::Dispatched => "dispatched",
            CaseState::Handling => "handling",
            CaseState::Parked => "parked",
            CaseState::Handled => "handled",
            CaseState::Checked => "checked",
            CaseState::Closed => "closed",
            CaseState::Evaluated => "evaluated",
            CaseState::Voided => "voided",
            CaseState::Merged => "merged",
        }
    }

    pub fn parse(text: &str) -> Option<CaseState> {
        <CaseState as RecordState>::parse(text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            CaseState::Reported => "state.reported",
            CaseState::Verified => "state.verified",
            CaseState::Filed => "state.filed",
            CaseState::Dispatched => "state.dispatched",
            CaseState::Handling => "state.handling",
            CaseState::Parked => "state.parked",
            CaseState::Handled => "state.handled",
            CaseState::Checked => "state.checked",
            CaseState::Closed => "state.closed",
            CaseState::Evaluated => "state.evaluated",
            CaseState::Voided => "state.voided",
            CaseState::Merged => "state.merged",
        }
    }

    /// Still being worked on.
    pub fn is_open(self) -> bool {
        <CaseState as RecordState>::is_open(self)
    }
}

impl RecordState for CaseState {
    const ALL: &'static [CaseState] = &CaseState::ALL;
    const CLOSED: &'static [CaseState] = &[
        CaseState::Closed,
        CaseState::Evaluated,
        CaseState::Voided,
        CaseState::Merged,
    ];

    fn as_str(self) -> &'static str {
        CaseState::as_str(self)
    }
}

impl RecordChange for Change {
    fn action(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// Where a report came from (来源渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网格员巡查
    GridWorker,
    /// 居民上报 (web, phone, Open311 apps)
    Resident,
    /// 12345 热线工单
    Hotline,
    /// 领导交办
    Leader,
    /// 媒体曝光
    Media,
    /// 智慧告警 (video, IoT sensors)
    Sensor,
    /// 警网协同 (non-police matters passed on by the police)
    Police,
    /// 企业诉求
    Enterprise,
    /// 窗口受理 (entered by staff)
    Staff,
}

impl Channel {
    pub const ALL: [Channel; 9] = [
        Channel::GridWorker,
        Channel::Resident,
        Channel::Hotline,
        Channel::Leader,
        Channel::Media,
        Channel::Sensor,
        Channel::Police,
        Channel::Enterprise,
        Channel::Staff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::GridWorker => "grid_worker",
            Channel::Resident => "resident",
            Channel::Hotline => "hotline",
            Channel::Leader => "leader",
            Channel::Media => "media",
            Channel::Sensor => "sensor",
            Channel::Police => "police",
            Channel::Enterprise => "enterprise",
            Channel::Staff => "staff",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Channel::GridWorker => "channel.grid_worker",
            Channel::Resident => "channel.resident",
            Channel::Hotline => "channel.hotline",
            Channel::Leader => "channel.leader",
            Channel::Media => "channel.media",
            Channel::Sensor => "channel.sensor",
            Channel::Police => "channel.police",
            Channel::Enterprise => "channel.enterprise",
            Channel::Staff => "channel.staff",
        }
    }
}

/// A follow-up's verdict (回访满意度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意
    Satisfied,
    /// 基本满意
    Basic,
    /// 不满意
    Unsatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [
        Satisfaction::Satisfied,
        Satisfaction::Basic,
        Satisfaction::Unsatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::Basic => "basic",
            Satisfaction::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(text: &str) -> Option<Satisfaction> {
        Satisfaction::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfaction.satisfied",
            Satisfaction::Basic => "satisfaction.basic",
            Satisfaction::Unsatisfied => "satisfaction.unsatisfied",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRef {
    pub id: CategoryId,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentRef {
    pub id: DepartmentId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridPlace {
    pub id: OrgUnitId,
    pub code: String,
    pub name: String,
}

/// Where the problem is. A case without a grid waits for an operator to place it on the map.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Location {
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub address: Option<String>,
    pub grid: Option<GridPlace>,
}

/// A report as accepted at intake, before any decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub channel: Channel,
    pub category: Option<CategoryRef>,
    pub urgency: Urgency,
    pub description: String,
    pub location: Location,
    /// The street the case belongs to, and the path it is scoped by (its grid's, else the
    /// street's).
    pub street: OrgUnitId,
    pub org_path: OrgPath,
    /// The sender's own reference, e.g. a 12345 work order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
}

/// A pending request for more time (延期申请).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    pub extra: crate::calendar::TimeLimit,
    pub reason: String,
}

/// The current state of a case: the fold of its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub street: OrgUnitId,
    /// 案卷编号, e.g. `20261122-00017`.
    pub number: String,
    pub state: CaseState,
    pub channel: Channel,
    pub category: Option<CategoryRef>,
    pub urgency: Urgency,
    pub description: String,
    pub location: Location,
    pub org_path: OrgPath,
    pub external_ref: Option<String>,
    /// The department it is dispatched to.
    pub department: Option<DepartmentRef>,
    /// The step whose clock runs (or stands, when parked).
    pub step: Option<Step>,
    pub step_timer: Option<Timer>,
    /// Set once the ticker has recorded the current step as overdue.
    pub step_overdue: bool,
    pub case_timer: Option<Timer>,
    pub reported_at: DateTime<Utc>,
    pub filed_at: Option<DateTime<Utc>>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub handled_at: Option<DateTime<Utc>>,
    pub checked_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub verification_requested: bool,
    /// What the grid worker found on site, once verified.
    pub verified_found: Option<bool>,
    pub extension_request: Option<ExtensionRequest>,
    pub supervised: bool,
    pub supervision_count: u32,
    pub return_count: u32,
    pub extension_count: u32,
    pub rework_count: u32,
    pub reopen_count: u32,
    pub merged_in_count: u32,
    pub handled_on_time: Option<bool>,
    pub closed_on_time: Option<bool>,
    pub satisfaction: Option<Satisfaction>,
    pub merged_into: Option<CaseId>,
    pub event_count: u32,
    pub updated_at: DateTime<Utc>,
}
