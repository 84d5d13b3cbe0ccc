//! Roles (角色) and what each may do.
//!
//! A user holds one role, bound to one node of the organisation tree (and, for a department
//! handler, one department). What the role may do is one table here, [`Role::can`], so the rule
//! is read and tested in one place; *where* it may do it comes from the bound node (the scope).

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::org::OrgKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 居民
    Resident,
    /// 网格员 / 监督员
    GridWorker,
    /// 受理员
    IntakeOperator,
    /// 值班长
    ShiftLead,
    /// 派遣员
    Dispatcher,
    /// 处置部门经办人
    DepartmentHandler,
    /// 社区工作人员
    CommunityStaff,
    /// 街道领导
    Leader,
    /// 系统管理员
    Administrator,
}

/// Something a role may be allowed to do, wherever its scope reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// See organisation units and grids.
    ViewOrg,
    /// Change organisation units, grids and departments.
    ManageOrg,
    /// See other users.
    ViewUsers,
    /// Create, change and unlock users.
    ManageUsers,
    /// Read the audit log.
    ViewAudit,
    /// Change categories, time limits, the holiday calendar and intake clients.
    ManageSettings,
    /// See cases within reach (a department sees those dispatched to it).
    ViewCases,
    /// See the figures, rankings and bulletins (统计考核) of the units within reach.
    ViewStats,
    /// Have an inbox of cases: staff who see cases, and residents (their own reports).
    ViewInbox,
    /// Take reports at the desk (窗口受理: the hotline, a leader's order, the media...).
    TakeReports,
    /// Import the 12345 hotline's work orders from a spreadsheet (12345工单导入).
    ImportWorkOrders,
    /// Report from the street, in one's own grid (网格员上报).
    ReportInGrid,
    /// Report as a resident (居民随手拍), with a link to follow the report.
    ReportAsResident,
    /// Record visits to households and places in one's grid (走访).
    RecordVisits,
    /// See the visits recorded within reach.
    ViewVisits,
    /// Download all one's personal data and erase one's account (个人信息查阅与删除): residents,
    /// whose accounts hold only their own data; staff accounts are the office's.
    TakeOutOwnData,
    /// See that a person is a 重点人员 (a restricted person tag) and the tag itself.
    ViewKeyPersons,
    /// See the registry (人房企物) within reach: persons (masked), houses, buildings,
    /// enterprises, components.
    ViewRegistry,
    /// Keep the registry: add and change its records, import community ledgers.
    ManageRegistry,
    /// See a person's whole ID number and phone (each view written to the audit log).
    RevealPersonalData,
    /// See petitions (信访) within reach; the office a petition is assigned to sees it too.
    ViewPetitions,
    /// Petition staff (信访干部): register, decide, forward, object, record the petitioner's
    /// requests, conclude; the only ones who see who wrote an accusation (条例 art. 30).
    HandlePetitions,
    /// Approve a petition's extension (条例 art. 34: 负责人批准) and take charge of 积案 (包案).
    ApprovePetitions,
    /// See the disputes (矛盾纠纷) within reach.
    ViewDisputes,
    /// Register a dispute (调解登记): at the desk, in the grid, from a case.
    RegisterDisputes,
    /// Mediate: assign, record sessions, record the outcome, follow the agreement up.
    MediateDisputes,
    /// See campaigns, inspections and hazards (排查整治) within reach.
    ViewInspections,
    /// Inspect places on a campaign's round and raise the hazards found (排查).
    Inspect,
    /// Keep hazards: order rectification, record it, recheck, strike off (销号), escalate; and
    /// run campaigns.
    ManageHazards,
    /// See the economy's indicators, targets and rankings (经济指标) within reach.
    ViewEconomy,
    /// Record and import indicator readings and plan targets.
    KeepEconomy,
}

/// A role name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Resident,
        Role::GridWorker,
        Role::IntakeOperator,
        Role::ShiftLead,
        Role::Dispatcher,
        Role::DepartmentHandler,
        Role::CommunityStaff,
        Role::Leader,
        Role::Administrator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::GridWorker => "grid_worker",
            Role::IntakeOperator => "intake_operator",
            Role::ShiftLead => "shift_lead",
            Role::Dispatcher => "dispatcher",
            Role::DepartmentHandler => "department_handler",
            Role::CommunityStaff => "community_staff",
            Role::Leader => "leader",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(text: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| UnknownRole(text.to_owned()))
    }

    /// The locale key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Resident => "role.resident",
            Role::GridWorker => "role.grid_worker",
            Role::IntakeOperator => "role.intake_operator",
            Role::ShiftLead => "role.shift_lead",
            Role::Dispatcher => "role.dispatcher",
            Role::DepartmentHandler => "role.department_handler",
            Role::CommunityStaff => "role.community_staff",
            Role::Leader => "role.leader",
            Role::Administrator => "role.administrator",
        }
    }

    pub fn is_staff(self) -> bool {
        self != Role::Resident
    }

    /// The kinds of node a user of this role may be bound to.
    pub fn binds_to(self) -> &'static [OrgKind] {
        use OrgKind::*;
        match self {
            Role::Resident => &[Street, Community, Grid, MicroGrid],
            Role::GridWorker => &[Grid, MicroGrid],
            Role::CommunityStaff => &[Community],
            Role::IntakeOperator | Role::ShiftLead | Role::Dispatcher => &[District, Street],
            // A department belongs to a street; its handlers are bound to that street.
            Role::DepartmentHandler => &[Street],
            Role::Leader | Role::Administrator => &[City, District, Street],
        }
    }

    /// A department handler works for one department (处置部门); no other role has one.
    pub fn needs_department(self) -> bool {
        self == Role::DepartmentHandler
    }

    /// The one table of what each role may do.
    pub fn can(self, capability: Capability) -> bool {
        use Capability::*;
        match capability {
            ViewOrg => self.is_staff(),
            ManageOrg | ManageUsers | ViewAudit | ManageSettings => self == Role::Administrator,
            ViewCases => self.is_staff() && self != Role::Administrator,
            ViewUsers => matches!(
                self,
                Role::Administrator | Role::Leader | Role::ShiftLead | Role::CommunityStaff
            ),
            ViewStats => matches!(
                self,
                Role::Administrator
                    | Role::Leader
                    | Role::ShiftLead
                    | Role::Dispatcher
                    | Role::CommunityStaff
            ),
            ViewInbox => self.can(ViewCases) || self == Role::Resident,
            TakeReports | ImportWorkOrders => {
                matches!(self, Role::IntakeOperator | Role::ShiftLead)
            }
            ReportInGrid | RecordVisits => self == Role::GridWorker,
            ReportAsResident | TakeOutOwnData => self == Role::Resident,
            ViewVisits => matches!(
                self,
                Role::GridWorker | Role::CommunityStaff | Role::Leader | Role::Administrator
            ),
            // Need to know: the street's leaders only; a deployment that lets community staff
            // follow their key persons widens this one line.
            ViewKeyPersons => self == Role::Leader,
            // Administrators keep the system, not the people in it; handlers see their cases.
            ViewRegistry => {
                self.is_staff() && !matches!(self, Role::Administrator | Role::DepartmentHandler)
            }
            ManageRegistry => {
                matches!(self, Role::GridWorker | Role::CommunityStaff | Role::Leader)
            }
            // Those who call people back or visit them.
            RevealPersonalData => matches!(self, Role::CommunityStaff | Role::Leader),
            ViewPetitions => matches!(
                self,
                Role::IntakeOperator | Role::ShiftLead | Role::CommunityStaff | Role::Leader
            ),
            // The street's petition desk (信访办) sits with intake.
            HandlePetitions => matches!(self, Role::IntakeOperator | Role::ShiftLead),
            ApprovePetitions => self == Role::Leader,
            // Mediation is the communities' committees' and the street's 矛调中心's work; the
            // desk and the grid take disputes in.
            ViewDisputes | RegisterDisputes => matches!(
                self,
                Role::GridWorker
                    | Role::IntakeOperator
                    | Role::ShiftLead
                    | Role::CommunityStaff
                    | Role::Leader
            ),
            MediateDisputes => matches!(self, Role::CommunityStaff | Role::Leader),
            ViewInspections => matches!(
                self,
                Role::GridWorker | Role::CommunityStaff | Role::Leader | Role::ShiftLead
            ),
            // Teams are grid workers with community staff; leaders join the night checks.
            Inspect => matches!(self, Role::GridWorker | Role::CommunityStaff | Role::Leader),
            ManageHazards => matches!(self, Role::CommunityStaff | Role::Leader),
            ViewEconomy => self.can(ViewStats),
            KeepEconomy => self == Role::Leader,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse("mayor"), Err(UnknownRole("mayor".into())));
    }

    #[test]
    fn residents_may_not_see_the_organisation_or_other_users() {
        assert!(!Role::Resident.can(Capability::ViewOrg));
        assert!(!Role::Resident.can(Capability::ViewUsers));
        assert!(!Role::GridWorker.can(Capability::ViewUsers));
        assert!(Role::CommunityStaff.can(Capability::ViewUsers));
        assert!(!Role::CommunityStaff.can(Capability::ManageUsers));
        assert!(Role::Administrator.can(Capability::ManageUsers));
    }

    /// Who holds `capability`, in `Role::ALL` order.
    fn holders(capability: Capability) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|role| role.can(capability))
            .collect()
    }

    #[test]
    fn the_desk_takes_reports_and_imports_the_hotline() {
        let desk = vec![Role::IntakeOperator, Role::ShiftLead];
        assert_eq!(holders(Capability::TakeReports), desk);
        assert_eq!(holders(Capability::ImportWorkOrders), desk);
    }

    #[test]
    fn grid_workers_report_and_visit_in_their_grid_and_residents_report_as_residents() {
        assert_eq!(holders(Capability::ReportInGrid), vec![Role::GridWorker]);
        assert_eq!(holders(Capability::RecordVisits), vec![Role::GridWorker]);
        assert_eq!(holders(Capability::ReportAsResident), vec![Role::Resident]);
        assert_eq!(holders(Capability::TakeOutOwnData), vec![Role::Resident]);
    }

    #[test]
    fn visits_are_seen_by_grid_workers_and_those_who_oversee_them() {
        assert_eq!(
            holders(Capability::ViewVisits),
            vec![
                Role::GridWorker,
                Role::CommunityStaff,
                Role::Leader,
                Role::Administrator
            ]
        );
    }

    #[test]
    fn everyone_but_the_administrator_has_an_inbox() {
        assert_eq!(
            holders(Capability::ViewInbox),
            Role::ALL
                .into_iter()
                .filter(|r| *r != Role::Administrator)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn only_department_handlers_need_a_department() {
        let with: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.needs_department())
            .collect();
        assert_eq!(with, vec![Role::DepartmentHandler]);
    }
}
