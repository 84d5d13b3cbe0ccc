//! Who is asking, and how far they may see (数据权限).
//!
//! A [`Principal`] is made only here, by logging in, by a live session, or explicitly for a
//! system task; a [`Scope`] is made only from a `Principal`. Every store function that reads
//! scoped data takes a `Scope`, so a handler that skipped authentication has nothing to pass and
//! does not compile.

use jiedao_core::{Capability, DepartmentId, OrgPath, OrgUnitId, Role, UserId};

use crate::refusal::Refusal;

/// An authenticated user (or a named system task).
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    user_id: Option<UserId>,
    username: String,
    display_name: String,
    role: Role,
    org_unit: Option<OrgUnitId>,
    org_path: Option<OrgPath>,
    department: Option<DepartmentId>,
    acts_for: Option<DepartmentId>,
}

/// The facts about a user that authentication established.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedUser {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_unit: OrgUnitId,
    pub org_path: OrgPath,
    pub department: Option<DepartmentId>,
    /// The department that is the user's community, if there is one.
    pub community_department: Option<DepartmentId>,
}

impl Principal {
    pub(crate) fn verified(user: VerifiedUser) -> Principal {
        let acts_for = match user.role {
            Role::DepartmentHandler => user.department,
            // A community's staff work for the department that is their community.
            Role::CommunityStaff => user.community_department,
            _ => None,
        };
        Principal {
            acts_for,
            user_id: Some(user.user_id),
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            org_unit: Some(user.org_unit),
            org_path: Some(user.org_path),
            department: user.department,
        }
    }

    /// A system task (command line, background jobs): an administrator over the whole tree.
    /// Its name is written in the audit log as `system:<task>`.
    pub fn system(task: &str) -> Principal {
        Principal {
            user_id: None,
            username: format!("system:{task}"),
            display_name: format!("system:{task}"),
            role: Role::Administrator,
            org_unit: None,
            org_path: None,
            department: None,
            acts_for: None,
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn org_unit(&self) -> Option<OrgUnitId> {
        self.org_unit
    }

    pub fn org_path(&self) -> Option<&OrgPath> {
        self.org_path.as_ref()
    }

    pub fn department(&self) -> Option<DepartmentId> {
        self.department
    }

    pub fn scope(&self) -> Scope {
        let reach = match (&self.org_path, self.role, self.user_id) {
            (_, Role::Resident, Some(user)) => Reach::Own(user),
            (Some(path), _, _) => Reach::Subtree(path.clone()),
            (None, _, _) => Reach::Everything,
        };
        Scope {
            role: self.role,
            user_id: self.user_id,
            department: self.department,
            acts_for: self.acts_for,
            reach,
        }
    }

    /// Who did it, from where: for the audit log.
    pub fn actor(&self, ip: Option<String>) -> Actor {
        Actor {
            user_id: self.user_id,
            name: self.username.clone(),
            ip,
        }
    }
}

/// How far a scope reaches in the organisation tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Reach {
    /// The whole tree (system tasks).
    Everything,
    /// The user's node and everything under it.
    Subtree(OrgPath),
    /// Only the user's own records (residents).
    Own(UserId),
}

/// What a principal may read and where: required by every scoped store function.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    role: Role,
    user_id: Option<UserId>,
    department: Option<DepartmentId>,
    acts_for: Option<DepartmentId>,
    reach: Reach,
}

impl Scope {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user_id
    }

    pub fn department(&self) -> Option<DepartmentId> {
        self.department
    }

    pub fn reach(&self) -> &Reach {
        &self.reach
    }

    /// The department whose work this person does: a handler's own, or the department that
    /// is a community staff member's community.
    pub fn acts_for(&self) -> Option<DepartmentId> {
        self.acts_for
    }

    /// Refuses unless the role has `capability`.
    pub fn require(&self, capability: Capability) -> Result<(), Refusal> {
        if self.role.can(capability) {
            Ok(())
        } else {
            Err(Refusal::NotAllowed)
        }
    }

    /// Whether a node at `path` lies within reach.
    pub fn covers(&self, path: &OrgPath) -> bool {
        match &self.reach {
            Reach::Everything => true,
            Reach::Subtree(root) => path.is_within(root),
            Reach::Own(_) => false,
        }
    }

    /// The `[low, high)` path range to filter queries by (`path >= low AND path < high`).
    /// Every path starts with `/`, which sorts below `0`, so the whole tree is `["/", "0")`.
    /// A resident's scope reaches no node: the range is empty.
    pub fn path_range(&self) -> (String, String) {
        match &self.reach {
            Reach::Everything => ("/".to_owned(), "0".to_owned()),
            Reach::Subtree(root) => root.subtree_range(),
            Reach::Own(_) => (String::new(), String::new()),
        }
    }
}

/// Who made a change and from where, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub name: String,
    pub ip: Option<String>,
}
