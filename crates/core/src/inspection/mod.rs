//! Inspections and hazards (排查整治, DOMAIN.md section 8): campaigns check places (registry
//! houses, buildings and enterprises) against a checklist; each failed item raises a hazard,
//! which is ordered rectified by a deadline, rechecked and struck off (销号) only when the
//! recheck passes. The duties are the street's under 消防法 art. 32 (guiding residents'
//! committees' fire checks) and 安全生产法 art. 41 (隐患排查治理) and art. 65 (3) (a hazard found is
//! ordered removed; a major one stops work).
//!
//! Pure rules only: the checklists ([`checklist`]), the hazard's life cycle ([`machine`]), a
//! place's three colours ([`colour`]) and the figures' formulas ([`figures`]).

pub mod checklist;
pub mod colour;
pub mod figures;
pub mod machine;
pub mod refusal;

use crate::coded::coded;
use serde::{Deserialize, Serialize};

use crate::ledger::RecordState;

pub use machine::{Action, ActionKind, Change, Hazard, apply, decide, may, open, raise};
pub use refusal::InspectionRefusal;

coded!(
    /// The kinds of place a campaign checks (排查对象).
    PlaceKind, "inspection.PlaceKind_" {
        /// 出租房屋
        RentalHouse = "rental_house",
        /// 沿街店铺
        StreetShop = "street_shop",
        /// "三合一" / "多合一" 场所: living, working and storing under one roof (消防法 art. 19).
        MultiPurpose = "multi_purpose",
        /// 高层楼宇
        HighRise = "high_rise",
        /// 农贸市场
        Market = "market",
        /// 企业 (a registry enterprise)
        Enterprise = "enterprise",
    }
);

coded!(
    /// How grave a hazard is (隐患等级).
    Severity, "inspection.Severity_" {
        /// 一般隐患: the owner can put it right.
        General = "general",
        /// 重大隐患: work must stop or outside help is needed (安全生产法 art. 65 (3)).
        Major = "major",
    }
);

coded!(
    /// A place's colour (三色预警), from its open hazards.
    Colour, "inspection.Colour_" {
        Green = "green",
        Yellow = "yellow",
        Red = "red",
    }
);

/// Where a hazard stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardState {
    /// 已发现: raised by a failed item or a case, no order yet.
    Found,
    /// 整改中: a rectification order (整改通知书) with its deadline.
    Ordered,
    /// 已整改: the owner says it is put right; waiting for the recheck (复查).
    Rectified,
    /// 复查通过: may be struck off.
    Passed,
    /// 已销号
    StruckOff,
}

impl RecordState for HazardState {
    const ALL: &'static [HazardState] = &[
        HazardState::Found,
        HazardState::Ordered,
        HazardState::Rectified,
        HazardState::Passed,
        HazardState::StruckOff,
    ];
    const CLOSED: &'static [HazardState] = &[HazardState::StruckOff];

    fn as_str(self) -> &'static str {
        match self {
            HazardState::Found => "found",
            HazardState::Ordered => "ordered",
            HazardState::Rectified => "rectified",
            HazardState::Passed => "passed",
            HazardState::StruckOff => "struck_off",
        }
    }
}

impl HazardState {
    pub fn label_key(self) -> &'static str {
        match self {
            HazardState::Found => "inspection.state_found",
            HazardState::Ordered => "inspection.state_ordered",
            HazardState::Rectified => "inspection.state_rectified",
            HazardState::Passed => "inspection.state_passed",
            HazardState::StruckOff => "inspection.state_struck_off",
        }
    }
}
