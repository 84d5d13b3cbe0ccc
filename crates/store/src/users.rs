//! Users (用户): who may log in, with which role, bound to which node and department.

use chrono::{DateTime, Utc};
use jiedao_core::{Capability, DepartmentId, OrgKind, OrgPath, OrgUnitId, Role, UserId};
use serde::Serialize;

use crate::audit;
use crate::db::{Conn, Row};
use crate::departments;
use crate::error::StoreError;
use crate::org;
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};

pub const MIN_PASSWORD_LENGTH: usize = 8;

/// A user to be created. The password is hashed before it reaches the database.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The code of the node the user is bound to.
    pub org_code: String,
    /// For a department handler: the department's name in the street.
    pub department: Option<String>,
    pub password: String,
}

/// A user as others see them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_unit_id: OrgUnitId,
    pub org_code: String,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub org_path: OrgPath,
    pub department_id: Option<DepartmentId>,
    pub department_name: Option<String>,
    pub active: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Usernames are lower-case, 2-64 characters of letters, digits and `_ . @ -`.
pub fn normalize_username(raw: &str) -> Result<String, Refusal> {
    let username = raw.trim().to_lowercase();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.@-".contains(c);
    if (2..=64).contains(&username.chars().count()) && username.chars().all(allowed) {
        Ok(username)
    } else {
        Err(Refusal::BadUsername {
            username: raw.trim().to_owned(),
        })
    }
}

/// Refuses a password too short to keep.
pub fn check_password(password: &str) -> Result<(), Refusal> {
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        return Err(Refusal::WeakPassword {
            min_length: MIN_PASSWORD_LENGTH,
        });
    }
    Ok(())
}

/// Creates a user from `new`, whose password is already hashed into `password_hash`.
pub fn create(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    new: &NewUser,
    password_hash: &str,
) -> Result<UserId, StoreError> {
    scope.require(Capability::ManageUsers)?;
    let username = normalize_username(&new.username)?;
    let display_name = new.display_name.trim();
    if display_name.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.display_name",
        }
        .into());
    }
    Refusal::check_length(display_name, jiedao_core::limits::PERSON_NAME)?;
    let unit = org::current_by_code(conn, new.org_code.trim())?.ok_or_else(|| {
        Refusal::UnknownOrgUnit {
            code: new.org_code.trim().to_owned(),
        }
    })?;
    if !scope.covers(&unit.path) {
        return Err(Refusal::OutOfScope.into());
    }
    let department_name = named_department(new.department.as_deref());
    let department = binding(conn, new.role, unit.id, unit.kind, department_name)?;
    let taken: Option<UserId> = conn.query_opt(
        "SELECT id FROM app_user WHERE username = $1",
        &[&username],
        |row| row.get(0),
    )?;
    if taken.is_some() {
        return Err(Refusal::DuplicateUsername { username }.into());
    }
    let id = UserId::new();
    conn.execute(
        "INSERT INTO app_user (id, username, display_name, role, org_unit_id, department_id, password_hash,
                               failed_logins, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &id,
            &username,
            &display_name,
            &new.role,
            &unit.id,
            &department,
            &password_hash,
            &0_i64,
            &true,
            &at,
        ],
    )
    .map_err(|error| {
        if error.is_unique_violation() {
            Refusal::DuplicateUsername {
                username: username.clone(),
            }
            .into()
        } else {
            error
        }
    })?;
    audit::record(
        conn,
        actor,
        at,
        "user.create",
        &format!("user:{username}"),
        &serde_json::json!({
            "display_name": display_name,
            "role": new.role.as_str(),
            "org": unit.code,
            "department": department_name,
        }),
    )?;
    Ok(id)
}

/// A department's name as typed, or none when left blank.
fn named_department(typed: Option<&str>) -> Option<&str> {
    typed.map(str::trim).filter(|d| !d.is_empty())
}

/// Refuses a role that cannot be bound to the unit, or a department where the role needs none
/// (or none where it needs one); finds the department by name within the unit's street.
fn binding(
    conn: &mut Conn,
    role: Role,
    unit: OrgUnitId,
    kind: OrgKind,
    department: Option<&str>,
) -> Result<Option<DepartmentId>, StoreError> {
    if !role.binds_to().contains(&kind) {
        return Err(Refusal::RoleCannotBindTo { role, kind }.into());
    }
    match (role.needs_department(), department) {
        (true, None) => Err(Refusal::DepartmentRequired.into()),
        (false, Some(_)) => Err(Refusal::DepartmentNotAllowed { role }.into()),
        (false, None) => Ok(None),
        (true, Some(key)) => Ok(Some(departments::named(conn, unit, key)?.0)),
    }
}

const SELECT_USER: &str = "SELECT u.id, u.username, u.display_name, u.role, u.org_unit_id, o.code, o.name, o.kind,
            o.path, u.department_id, d.name, u.active, u.locked_until, u.created_at
     FROM app_user u JOIN org_unit o ON o.id = u.org_unit_id LEFT JOIN department d ON d.id = u.department_id";

fn read_user(row: &Row<'_>) -> Result<UserView, StoreError> {
    Ok(UserView {
        id: row.get(0)?,
        username: row.get(1)?,
        display_name: row.get(2)?,
        role: row.get(3)?,
        org_unit_id: row.get(4)?,
        org_code: row.get(5)?,
        org_name: row.get(6)?,
        org_kind: row.get(7)?,
        org_path: row.get(8)?,
        department_id: row.get(9)?,
        department_name: row.get(10)?,
        active: row.get(11)?,
        locked_until: row.get(12)?,
        created_at: row.get(13)?,
    })
}

/// Every user bound within the scope, in tree order.
pub fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<UserView>, StoreError> {
    scope.require(Capability::ViewUsers)?;
    let (low, high) = scope.path_range();
    conn.query(
        &format!("{SELECT_USER} WHERE o.path >= $1 AND o.path < $2 ORDER BY o.path, u.username"),
        &[&low, &high],
        read_user,
    )
}

/// Refuses unless the user is the asker, or the asker may see users and reaches this one.
fn check_visible(scope: &Scope, user: &UserView) -> Result<(), StoreError> {
    if scope.user_id() == Some(user.id) {
        return Ok(());
    }
    scope.require(Capability::ViewUsers)?;
    if !scope.covers(&user.org_path) {
        return Err(Refusal::OutOfScope.into());
    }
    Ok(())
}

/// One user by id: one's own record, or one within reach for roles that see users.
pub fn get(conn: &mut Conn, scope: &Scope, id: UserId) -> Result<UserView, StoreError> {
    let user = conn
        .query_opt(&format!("{SELECT_USER} WHERE u.id = $1"), &[&id], read_user)?
        .ok_or_else(|| Refusal::NotFound {
            what: "noun.user",
            key: id.to_string(),
        })?;
    check_visible(scope, &user)?;
    Ok(user)
}

/// The names people go by (display names) of the accounts `ids`, for histories that show who
/// acted: a name recorded in a history is the account's username. Ids of no account are left
/// out. Staff pages call it for the actors of a record they may already see.
pub fn display_names(
    conn: &mut Conn,
    ids: &[UserId],
) -> Result<std::collections::HashMap<UserId, String>, StoreError> {
    let mut names = std::collections::HashMap::new();
    for id in ids {
        if names.contains_key(id) {
            continue;
        }
        let name: Option<String> = conn.query_opt(
            "SELECT display_name FROM app_user WHERE id = $1",
            &[id],
            |row| row.get(0),
        )?;
        if let Some(name) = name {
            names.insert(*id, name);
        }
    }
    Ok(names)
}

/// One user by username, under the same rule as [`get`].
pub fn get_by_username(
    conn: &mut Conn,
    scope: &Scope,
    username: &str,
) -> Result<UserView, StoreError> {
    let username = username.trim().to_lowercase();
    let user = conn
        .query_opt(
            &format!("{SELECT_USER} WHERE u.username = $1"),
            &[&username],
            read_user,
        )?
        .ok_or_else(|| Refusal::NotFound {
            what: "noun.user",
            key: username.clone(),
        })?;
    check_visible(scope, &user)?;
    Ok(user)
}

/// A user another user manages: they must have the right and reach the user.
fn managed(conn: &mut Conn, scope: &Scope, username: &str) -> Result<UserView, StoreError> {
    scope.require(Capability::ManageUsers)?;
    get_by_username(conn, scope, username)
}

/// Sets a new (already hashed) password; one's own, or as a user manager.
pub fn set_password(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    username: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    let user = get_by_username(conn, scope, username)?;
    if scope.user_id() != Some(user.id) {
        managed(conn, scope, username)?;
    }
    conn.execute(
        "UPDATE app_user SET password_hash = $1 WHERE id = $2",
        &[&password_hash, &user.id],
    )?;
    // A changed password ends every session of the user.
    conn.execute("DELETE FROM session WHERE user_id = $1", &[&user.id])?;
    audit::record(
        conn,
        actor,
        at,
        "user.set_password",
        &format!("user:{}", user.username),
        &(),
    )?;
    Ok(())
}

/// Lifts a lockout and clears the failure count.
pub fn unlock(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    username: &str,
) -> Result<(), StoreError> {
    let user = managed(conn, scope, username)?;
    conn.execute(
        "UPDATE app_user SET failed_logins = $1, locked_until = NULL WHERE id = $2",
        &[&0_i64, &user.id],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "user.unlock",
        &format!("user:{}", user.username),
        &(),
    )?;
    Ok(())
}

/// A user another user manages and may change the standing of: never oneself, so an
/// administrator cannot lock the last way in (disabling or demoting their own account).
fn managed_other(conn: &mut Conn, scope: &Scope, username: &str) -> Result<UserView, StoreError> {
    let user = managed(conn, scope, username)?;
    if scope.user_id() == Some(user.id) {
        return Err(Refusal::OwnAccount.into());
    }
    Ok(user)
}

/// Disables (停用) or enables a user. A disabled user cannot sign in, and their sessions end.
pub fn set_active(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    username: &str,
    active: bool,
) -> Result<(), StoreError> {
    let user = managed_other(conn, scope, username)?;
    conn.execute(
        "UPDATE app_user SET active = $1 WHERE id = $2",
        &[&active, &user.id],
    )?;
    if !active {
        conn.execute("DELETE FROM session WHERE user_id = $1", &[&user.id])?;
    }
    let action = if active {
        "user.enable"
    } else {
        "user.disable"
    };
    audit::record(
        conn,
        actor,
        at,
        action,
        &format!("user:{}", user.username),
        &(),
    )?;
    Ok(())
}

/// Changes a user's role (and the department a handler works for), under the rules creation
/// binds by. The change holds from the user's next request: sessions read the role each time.
pub fn set_role(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    username: &str,
    role: Role,
    department: Option<&str>,
) -> Result<(), StoreError> {
    let user = managed_other(conn, scope, username)?;
    let department_name = named_department(department);
    let department = binding(conn, role, user.org_unit_id, user.org_kind, department_name)?;
    conn.execute(
        "UPDATE app_user SET role = $1, department_id = $2 WHERE id = $3",
        &[&role, &department, &user.id],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "user.set_role",
        &format!("user:{}", user.username),
        &serde_json::json!({
            "from": user.role.as_str(),
            "role": role.as_str(),
            "department": department_name,
        }),
    )?;
    Ok(())
}
