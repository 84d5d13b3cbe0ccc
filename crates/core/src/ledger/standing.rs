//! Who may see and act on a ledger's record: how a person stands to it ([`Standing`]), and
//! which records they see ([`Sight`]). The rule is decided once, from the role, and read two
//! ways: here in Rust for one record, and by the store as SQL for lists
//! (`jiedao_store::ledger::access`). Each ledger says which capability lets staff see it and
//! keeps its own table of who may do what, given a standing.

use crate::ids::DepartmentId;
use crate::role::{Capability, Role};

/// How an actor stands to one record: the facts a ledger's rules of who may do what need.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// `None` for the system (the ticker and its rules).
    pub role: Option<Role>,
    /// The record lies within the actor's part of the tree.
    pub in_reach: bool,
    /// The department the actor works for (a community's staff work for their community).
    pub department: Option<DepartmentId>,
    /// The actor is one of the record's own people: a case's reporter (a dispute's party, a
    /// petition's petitioner).
    pub is_reporter: bool,
}

impl Standing {
    pub fn system() -> Standing {
        Standing {
            role: None,
            in_reach: true,
            department: None,
            is_reporter: false,
        }
    }
}

/// Which records of a ledger a person sees (数据权限).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// Those they are one of the people of (a resident: what they reported).
    Own,
    /// Those assigned to their department (a department's handlers).
    Assigned(DepartmentId),
    /// Everything within their part of the tree (other staff with the ledger's capability).
    InReach,
}

impl Sight {
    /// What a person with `role` (and, for a handler, `department`) sees of a ledger that
    /// staff need `capability` to see; `None` when they see none of it.
    pub fn of(
        role: Role,
        department: Option<DepartmentId>,
        capability: Capability,
    ) -> Option<Sight> {
        match role {
            Role::Resident => Some(Sight::Own),
            Role::DepartmentHandler => department.map(Sight::Assigned),
            role => role.can(capability).then_some(Sight::InReach),
        }
    }

    /// Whether a record assigned to `assigned`, to which the person stands as `standing`, is
    /// seen.
    pub fn sees(self, standing: &Standing, assigned: Option<DepartmentId>) -> bool {
        match self {
            Sight::Own => standing.is_reporter,
            Sight::Assigned(department) => assigned == Some(department),
            Sight::InReach => standing.in_reach,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_sees_one_way() {
        let squad = DepartmentId::new();
        assert_eq!(
            Sight::of(Role::Resident, None, Capability::ViewCases),
            Some(Sight::Own)
        );
        assert_eq!(
            Sight::of(Role::DepartmentHandler, Some(squad), Capability::ViewCases),
            Some(Sight::Assigned(squad))
        );
        assert_eq!(
            Sight::of(Role::DepartmentHandler, None, Capability::ViewCases),
            None
        );
        assert_eq!(
            Sight::of(Role::Dispatcher, None, Capability::ViewCases),
            Some(Sight::InReach)
        );
        assert_eq!(
            Sight::of(Role::Administrator, None, Capability::ViewCases),
            None,
            "administrators keep the system, not the cases"
        );
    }

    #[test]
    fn a_sight_reads_the_standing_it_needs() {
        let squad = DepartmentId::new();
        let outside = Standing {
            role: Some(Role::Dispatcher),
            in_reach: false,
            department: None,
            is_reporter: false,
        };
        assert!(!Sight::InReach.sees(&outside, None));
        assert!(Sight::Assigned(squad).sees(&outside, Some(squad)));
        assert!(!Sight::Assigned(squad).sees(&outside, None));
        assert!(Sight::Own.sees(
            &Standing {
                is_reporter: true,
                ..outside
            },
            None
        ));
    }
}
