//! Who may see and act on a ledger's record, for every ledger alike. The rule is decided once,
//! from the role ([`Sight::of`]), and read two ways here: as SQL restricting a list, and for one
//! record through the person's [`Standing`], which is also what a ledger's own table of who may
//! do what is given. A ledger only names the capability that lets staff see it.

use jiedao_core::ledger::{Sight, Standing};
use jiedao_core::{Capability, DepartmentId, OrgPath, Role};
use uuid::Uuid;

use super::Ledger;
use super::query::Where;
use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::scope::Scope;

/// What the rule reads of one record.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub id: Uuid,
    pub org_path: &'a OrgPath,
    /// The department it is assigned to.
    pub department: Option<DepartmentId>,
}

/// Restricts a query over `ledger`'s records (as `f`) to those `scope` sees; refuses someone
/// who sees none of them.
pub fn restrict(
    scope: &Scope,
    ledger: &Ledger,
    capability: Capability,
    w: &mut Where,
) -> Result<(), Refusal> {
    let Ledger {
        people,
        record_column,
        ..
    } = ledger;
    match Sight::of(scope.role(), scope.department(), capability) {
        Some(Sight::Own) => {
            let user = w.bind(scope.user_id().ok_or(Refusal::NotAllowed)?);
            w.push(format!(
                "f.id IN (SELECT r.{record_column} FROM {people} r WHERE r.user_id = {user})"
            ));
        }
        Some(Sight::Assigned(department)) => {
            let department = w.bind(department);
            w.push(format!("f.department_id = {department}"));
        }
        Some(Sight::InReach) => {
            let (low, high) = scope.path_range();
            let (low, high) = (w.bind(low), w.bind(high));
            w.push(format!("f.org_path >= {low} AND f.org_path < {high}"));
        }
        None => return Err(Refusal::NotAllowed),
    }
    Ok(())
}

/// How the person of `scope` stands to a record of `ledger`.
pub fn standing(
    conn: &mut Conn,
    ledger: &Ledger,
    scope: &Scope,
    record: &Facts<'_>,
) -> Result<Standing, StoreError> {
    let is_reporter = match scope.user_id() {
        Some(user) => is_one_of_its_people(conn, ledger, record.id, user)?,
        None => false,
    };
    Ok(Standing {
        role: Some(scope.role()),
        in_reach: scope.role() != Role::Resident && scope.covers(record.org_path),
        department: scope.acts_for(),
        is_reporter,
    })
}

/// Whether the person of `scope` sees a record of `ledger`, which staff need `capability` to
/// see: the same rule as [`restrict`], for one record.
pub fn sees(
    conn: &mut Conn,
    ledger: &Ledger,
    scope: &Scope,
    capability: Capability,
    record: &Facts<'_>,
) -> Result<bool, StoreError> {
    let Some(sight) = Sight::of(scope.role(), scope.department(), capability) else {
        return Ok(false);
    };
    let standing = standing(conn, ledger, scope, record)?;
    Ok(sight.sees(&standing, record.department))
}

fn is_one_of_its_people(
    conn: &mut Conn,
    ledger: &Ledger,
    record: Uuid,
    user: jiedao_core::UserId,
) -> Result<bool, StoreError> {
    let Ledger {
        people,
        record_column,
        ..
    } = ledger;
    Ok(conn
        .query_opt(
            &format!("SELECT 1 FROM {people} WHERE {record_column} = $1 AND user_id = $2"),
            &[&record, &user],
            |row| row.get::<i64>(0),
        )?
        .is_some())
}
