//! A resident's own personal data (个人信息权益): everything jiedao holds about them, handed over
//! whole, and erasure on request. Erasure anonymises: the cases they reported stay, as public
//! records of the street's work, with the reporter made anonymous and their name and phone
//! gone; the account is closed and its name and login removed. Both are written to the audit
//! log.

use chrono::{DateTime, Utc};
use jiedao_core::{Capability, CaseId, UserId};
use serde::Serialize;

use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::scope::Principal;

/// What jiedao holds about one resident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonalData {
    pub username: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    pub reports: Vec<OwnReport>,
    /// What the registry (人房企物) holds about them, by the person records their account is
    /// linked to.
    pub registry: Vec<crate::registry::own::OwnRecord>,
}

/// A report the resident made, with the details they gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnReport {
    pub case_number: String,
    pub reported_at: DateTime<Utc>,
    pub description: String,
    pub state: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub anonymous: bool,
}

fn resident(principal: &Principal) -> Result<UserId, StoreError> {
    match principal.user_id() {
        Some(id) if principal.role().can(Capability::TakeOutOwnData) => Ok(id),
        _ => Err(Refusal::NotAllowed.into()),
    }
}

/// Everything held about the signed-in resident; the export is logged.
pub fn export(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
) -> Result<PersonalData, StoreError> {
    let me = resident(principal)?;
    let (username, display_name, created_at) = conn
        .query_opt(
            "SELECT username, display_name, created_at FROM app_user WHERE id = $1",
            &[&me],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?
        .ok_or(Refusal::NotAllowed)?;
    let rows: Vec<OwnReport> = conn.query(
        // The case as it stands now (merged or not), with the description of the report the
        // resident made, never of another's it was merged with.
        "SELECT f.number, r.reported_at, o.description, f.state, r.name, r.phone, r.anonymous
           FROM case_reporter r JOIN case_file f ON f.id = r.case_id
           JOIN case_file o ON o.id = r.original_case_id
          WHERE r.user_id = $1 ORDER BY r.reported_at",
        &[&me],
        |row| {
            Ok(OwnReport {
                case_number: row.get(0)?,
                reported_at: row.get(1)?,
                description: row.get(2)?,
                state: row.get(3)?,
                name: row.get(4)?,
                phone: row.get(5)?,
                anonymous: row.get(6)?,
            })
        },
    )?;
    let key = conn.data_key()?;
    let reports = rows
        .into_iter()
        .map(|mut report| {
            report.phone = report.phone.map(|sealed| key.open(&sealed)).transpose()?;
            Ok(report)
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let registry = crate::registry::own::export(conn, me)?;
    crate::audit::record(
        conn,
        &principal.actor(ip),
        at,
        "personal.export",
        &format!("user:{username}"),
        &serde_json::json!({ "reports": reports.len(), "registry": registry.len() }),
    )?;
    Ok(PersonalData {
        username,
        display_name,
        created_at,
        reports,
        registry,
    })
}

/// Erases the signed-in resident's personal data and closes their account, when `password`
/// is theirs; returns how many of their reports were made anonymous. The cases stay.
pub fn erase(
    conn: &mut Conn,
    principal: &Principal,
    password: &str,
    at: DateTime<Utc>,
    ip: Option<String>,
) -> Result<usize, StoreError> {
    let me = resident(principal)?;
    let hash: String = conn.scalar("SELECT password_hash FROM app_user WHERE id = $1", &[&me])?;
    if !crate::auth::verify_password(password, &hash) {
        return Err(Refusal::WrongPassword.into());
    }
    let cases: Vec<CaseId> = conn.query(
        "SELECT case_id FROM case_reporter WHERE user_id = $1",
        &[&me],
        |row| row.get(0),
    )?;
    conn.execute(
        "UPDATE case_reporter SET name = NULL, phone = NULL, anonymous = $1, user_id = NULL,
                follow_token_hash = NULL
          WHERE user_id = $2",
        &[&true, &me],
    )?;
    let actor = crate::registry::event_actor(principal, ip.clone());
    let erased = crate::registry::own::erase(conn, me, &actor, at)?;
    conn.execute("DELETE FROM session WHERE user_id = $1", &[&me])?;
    let closed = format!("erased-{}", me.uuid().simple());
    conn.execute(
        "UPDATE app_user SET username = $1, display_name = $2, phone = NULL, password_hash = $3,
                active = $4
          WHERE id = $5",
        &[&closed, &"已注销", &"!", &false, &me],
    )?;
    crate::audit::record(
        conn,
        &principal.actor(ip),
        at,
        "personal.erase",
        &format!("user:{closed}"),
        &serde_json::json!({ "reports_anonymised": cases.len(), "registry_erased": erased }),
    )?;
    Ok(cases.len())
}
