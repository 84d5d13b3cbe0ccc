//! Handling departments (处置部门) and the platforms (平台) that group them.
//!
//! The platform set is data, not code: Zhejiang's 2016 set and its 2021 set are both seeded, one
//! of them active, and a department may belong to a platform of each so switching sets keeps
//! the grouping.

use chrono::{DateTime, Utc};
use jiedao_core::{Capability, DepartmentId, OrgKind, OrgUnitId, PlatformId};
use serde::Serialize;
use uuid::Uuid;

use crate::audit;
use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::org;
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};

/// The platform sets every installation starts with: (code, name, English name, active,
/// platforms as (code, name, English name)).
type SeedPlatform = (&'static str, &'static str, &'static str);
const SEEDED_SETS: [(&str, &str, &str, bool, &[SeedPlatform]); 2] = [
    (
        "zj2016",
        "浙江省乡镇（街道）“四个平台”（2016）",
        "Zhejiang township four platforms (2016)",
        false,
        &[
            ("zongzhi", "综治工作", "Comprehensive governance"),
            ("shichang", "市场监管", "Market supervision"),
            ("zhifa", "综合执法", "Comprehensive law enforcement"),
            ("bianmin", "便民服务", "Convenience services"),
        ],
    ),
    (
        "zj2021",
        "浙江省基层治理“1+4”平台（2021）",
        "Zhejiang grassroots governance 1+4 platforms (2021)",
        true,
        &[
            ("dangzheng", "党政综合", "Party and government affairs"),
            ("zongzhi", "综治工作", "Comprehensive governance"),
            ("jianguan", "监管执法", "Supervision and enforcement"),
            ("yingji", "应急管理", "Emergency management"),
            ("gonggong", "公共服务", "Public services"),
        ],
    ),
];

/// Adds the seeded platform sets that are missing; leaves edited ones alone.
pub fn seed_platform_sets(
    conn: &mut Conn,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut added = Vec::new();
    for (code, name, name_en, active, platforms) in SEEDED_SETS {
        let inserted = conn.execute(
            "INSERT INTO platform_set (id, code, name, name_en, active) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO NOTHING",
            &[&Uuid::now_v7(), &code, &name, &name_en, &active],
        )?;
        if inserted == 0 {
            continue;
        }
        added.push(code);
        let set_id: Uuid = conn.scalar("SELECT id FROM platform_set WHERE code = $1", &[&code])?;
        for (order, (platform_code, platform_name, platform_name_en)) in
            platforms.iter().enumerate()
        {
            conn.execute(
                "INSERT INTO platform (id, set_id, code, name, name_en, sort_order) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (set_id, code) DO NOTHING",
                &[
                    &PlatformId::new(),
                    &set_id,
                    platform_code,
                    platform_name,
                    platform_name_en,
                    &(order as i64),
                ],
            )?;
        }
    }
    if !added.is_empty() {
        audit::record(conn, actor, at, "platform.seed", "platform_set", &added)?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Platform {
    pub id: PlatformId,
    pub code: String,
    pub name: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformSet {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub active: bool,
    pub platforms: Vec<Platform>,
}

/// Every platform set with its platforms, the active set first.
pub fn platform_sets(conn: &mut Conn) -> Result<Vec<PlatformSet>, StoreError> {
    let rows: Vec<(String, String, String, bool, Platform)> = conn.query(
        "SELECT s.code, s.name, s.name_en, s.active, p.id, p.code, p.name, p.name_en
         FROM platform_set s JOIN platform p ON p.set_id = s.id
         ORDER BY s.active DESC, s.code, p.sort_order",
        &[],
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                Platform {
                    id: row.get(4)?,
                    code: row.get(5)?,
                    name: row.get(6)?,
                    name_en: row.get(7)?,
                },
            ))
        },
    )?;
    let mut sets: Vec<PlatformSet> = Vec::new();
    for (code, name, name_en, active, platform) in rows {
        match sets.last_mut() {
            Some(set) if set.code == code => set.platforms.push(platform),
            _ => sets.push(PlatformSet {
                code,
                name,
                name_en,
                active,
                platforms: vec![platform],
            }),
        }
    }
    Ok(sets)
}

/// Makes the set with `code` the one departments are grouped by (the other sets stay, with
/// their memberships, for earlier years' figures).
pub fn activate_platform_set(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    code: &str,
) -> Result<(), StoreError> {
    scope.require(Capability::ManageSettings)?;
    let changed = conn.execute(
        "UPDATE platform_set SET active = TRUE WHERE code = $1",
        &[&code],
    )?;
    if changed == 0 {
        return Err(Refusal::NotFound {
            what: "noun.platform",
            key: code.to_owned(),
        }
        .into());
    }
    conn.execute(
        "UPDATE platform_set SET active = FALSE WHERE code <> $1",
        &[&code],
    )?;
    audit::record(conn, actor, at, "platform.activate", code, &code)?;
    Ok(())
}

/// What kind of unit a department is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 街道内设科室
    Office,
    /// 派驻机构 (police station, market supervision office, enforcement squad...)
    Stationed,
    /// 社区 acting as a handling department
    Community,
}

impl DepartmentKind {
    pub const ALL: [DepartmentKind; 3] = [
        DepartmentKind::Office,
        DepartmentKind::Stationed,
        DepartmentKind::Community,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DepartmentKind::Office => "office",
            DepartmentKind::Stationed => "stationed",
            DepartmentKind::Community => "community",
        }
    }

    pub fn parse(text: &str) -> Option<DepartmentKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            DepartmentKind::Office => "department_kind.office",
            DepartmentKind::Stationed => "department_kind.stationed",
            DepartmentKind::Community => "department_kind.community",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Department {
    pub id: DepartmentId,
    pub street_id: OrgUnitId,
    pub street_name: String,
    pub name: String,
    /// A short code unique in its street (`cgzd`), for other systems and the command line.
    pub code: Option<String>,
    pub kind: DepartmentKind,
    pub community_id: Option<OrgUnitId>,
    /// Names of its platforms in the active set.
    pub platforms: Vec<String>,
    /// The same platforms as `SET:PLATFORM` codes (`zj2021:jianguan`), as `department add`
    /// takes them.
    pub platform_codes: Vec<String>,
}

/// A department to be created.
#[derive(Debug, Clone)]
pub struct NewDepartment {
    pub street_code: String,
    pub name: String,
    /// A short code unique in the street, if it has one.
    pub code: Option<String>,
    pub kind: DepartmentKind,
    /// For a community acting as a department: that community's code.
    pub community_code: Option<String>,
    /// (platform set code, platform code) pairs.
    pub platforms: Vec<(String, String)>,
}

pub fn add(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    new: &NewDepartment,
) -> Result<DepartmentId, StoreError> {
    scope.require(Capability::ManageOrg)?;
    let name = new.name.trim();
    if name.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.name",
        }
        .into());
    }
    Refusal::check_length(name, jiedao_core::limits::NAME)?;
    let street = org::street_in_scope(conn, scope, &new.street_code)?;
    let community = match &new.community_code {
        Some(code) => Some(
            org::current_by_code(conn, code)?
                .filter(|unit| unit.kind == OrgKind::Community && unit.parent_id == Some(street.id))
                .ok_or_else(|| Refusal::UnknownOrgUnit { code: code.clone() })?
                .id,
        ),
        None => None,
    };
    let code = checked_code(new.code.as_deref())?;
    if let Some(code) = &code {
        let taken: Option<DepartmentId> = conn.query_opt(
            "SELECT id FROM department WHERE street_id = $1 AND code = $2",
            &[&street.id, code],
            |row| row.get(0),
        )?;
        if taken.is_some() {
            return Err(Refusal::DuplicateDepartmentCode { code: code.clone() }.into());
        }
    }
    let id = DepartmentId::new();
    let inserted = conn.execute(
        "INSERT INTO department (id, street_id, name, code, kind, community_id, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (street_id, name) DO NOTHING",
        &[
            &id,
            &street.id,
            &name,
            &code,
            &new.kind.as_str(),
            &community,
            &true,
            &at,
        ],
    )?;
    if inserted == 0 {
        return Err(Refusal::DuplicateDepartment {
            name: name.to_owned(),
        }
        .into());
    }
    for (set_code, platform_code) in &new.platforms {
        let platform: Option<PlatformId> = conn.query_opt(
            "SELECT p.id FROM platform p JOIN platform_set s ON s.id = p.set_id WHERE s.code = $1 AND p.code = $2",
            &[set_code, platform_code],
            |row| row.get(0),
        )?;
        let platform = platform.ok_or_else(|| Refusal::NotFound {
            what: "noun.platform",
            key: format!("{set_code}/{platform_code}"),
        })?;
        conn.execute(
            "INSERT INTO department_platform (department_id, platform_id) VALUES ($1, $2)",
            &[&id, &platform],
        )?;
    }
    audit::record(
        conn,
        actor,
        at,
        "department.add",
        &format!("department:{id}"),
        &serde_json::json!({ "name": name, "code": code, "street": new.street_code, "kind": new.kind.as_str(), "platforms": new.platforms }),
    )?;
    Ok(id)
}

/// The longest department code.
const MAX_CODE: usize = 32;

/// A department code as typed: blank is none; otherwise letters, digits, `-` and `_`.
fn checked_code(code: Option<&str>) -> Result<Option<String>, Refusal> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let fits = code.chars().count() <= MAX_CODE
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if fits {
        Ok(Some(code.to_owned()))
    } else {
        Err(Refusal::BadDepartmentCode {
            code: code.to_owned(),
            max: MAX_CODE,
        })
    }
}

fn read_department(row: &Row<'_>) -> Result<Department, StoreError> {
    let kind: String = row.get(4)?;
    Ok(Department {
        id: row.get(0)?,
        street_id: row.get(1)?,
        street_name: row.get(2)?,
        name: row.get(3)?,
        kind: DepartmentKind::parse(&kind)
            .ok_or_else(|| StoreError::Query(format!("unknown department kind {kind:?}")))?,
        community_id: row.get(5)?,
        code: row.get(6)?,
        platforms: Vec::new(),
        platform_codes: Vec::new(),
    })
}

/// Departments the scope may see: those of every street within it and of the street above it.
pub fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<Department>, StoreError> {
    scope.require(Capability::ViewOrg)?;
    let (low, high) = scope.path_range();
    // Up to six levels above the scope's root; unused slots never match a path.
    let [a, b, c, d, e, f] = &match scope.reach() {
        crate::scope::Reach::Subtree(root) => crate::org::lineage(root),
        _ => Default::default(),
    };
    let mut departments = conn.query(
        "SELECT d.id, d.street_id, s.name, d.name, d.kind, d.community_id, d.code
         FROM department d JOIN org_unit s ON s.id = d.street_id
         WHERE d.active AND ((s.path >= $1 AND s.path < $2) OR s.path IN ($3, $4, $5, $6, $7, $8))
         ORDER BY s.path, d.kind, d.name",
        &[&low, &high, a, b, c, d, e, f],
        read_department,
    )?;
    let memberships: Vec<(DepartmentId, String, String)> = conn.query(
        "SELECT dp.department_id, p.name, s.code, p.code FROM department_platform dp
         JOIN platform p ON p.id = dp.platform_id JOIN platform_set s ON s.id = p.set_id
         WHERE s.active ORDER BY p.sort_order",
        &[],
        |row| {
            let (set, platform): (String, String) = (row.get(2)?, row.get(3)?);
            Ok((row.get(0)?, row.get(1)?, format!("{set}:{platform}")))
        },
    )?;
    for department in &mut departments {
        for (_, name, code) in memberships.iter().filter(|m| m.0 == department.id) {
            department.platforms.push(name.clone());
            department.platform_codes.push(code.clone());
        }
    }
    Ok(departments)
}

/// The active department of `street` that `key` names: its id, its code or its name. A key
/// that is one department's code and another's name names neither.
pub(crate) fn named(
    conn: &mut Conn,
    street: OrgUnitId,
    key: &str,
) -> Result<(DepartmentId, String), StoreError> {
    let key = key.trim();
    let found: Vec<(DepartmentId, String)> = match key.parse::<Uuid>() {
        Ok(id) => conn.query(
            "SELECT id, name FROM department WHERE id = $1 AND street_id = $2 AND active",
            &[&DepartmentId::from_uuid(id), &street],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?,
        Err(_) => conn.query(
            "SELECT id, name FROM department
             WHERE street_id = $1 AND active AND (code = $2 OR name = $2)",
            &[&street, &key],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?,
    };
    match <[_; 1]>::try_from(found) {
        Ok([one]) => Ok(one),
        Err(found) if found.is_empty() => Err(Refusal::UnknownDepartment {
            name: key.to_owned(),
        }
        .into()),
        Err(_) => Err(Refusal::AmbiguousDepartment {
            key: key.to_owned(),
        }
        .into()),
    }
}

/// Takes a department out of use (its name stays on the cases it handled). Refused while
/// open cases are assigned to it or active users work for it.
pub fn remove(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    street_code: &str,
    key: &str,
) -> Result<String, StoreError> {
    scope.require(Capability::ManageOrg)?;
    let street = org::street_in_scope(conn, scope, street_code)?;
    let (id, name) = named(conn, street.id, key)?;
    let mut assigned = crate::ledger::query::Where::default();
    let bound = assigned.bind(id);
    assigned.push(format!("department_id = {bound}"));
    crate::cases::none_open(conn, assigned, &name)?;
    let users: i64 = conn.scalar(
        "SELECT COUNT(*) FROM app_user WHERE department_id = $1 AND active",
        &[&id],
    )?;
    if users > 0 {
        return Err(Refusal::StillInUse {
            key: name,
            uses: "in_use.users",
            count: users,
        }
        .into());
    }
    conn.execute("UPDATE department SET active = FALSE WHERE id = $1", &[&id])?;
    audit::record(
        conn,
        actor,
        at,
        "department.remove",
        &format!("department:{id}"),
        &serde_json::json!({ "name": name, "street": street_code }),
    )?;
    Ok(name)
}

/// The departments a case in `street` may be dispatched to, as a reader with `scope` sees
/// them (the dispatch forms of a case page): the street's active departments within the
/// reader's reach or above it.
pub fn dispatchable(
    conn: &mut Conn,
    scope: &Scope,
    street: OrgUnitId,
) -> Result<Vec<Department>, StoreError> {
    let mut departments = list(conn, scope)?;
    departments.retain(|d| d.street_id == street);
    Ok(departments)
}
