//! A resident's own registry records (个人信息权益): the persons their account is linked to
//! are in their data export, whole (it is their own data), and erased with their account. A
//! member of staff links an account to a person ([`link_account`]); the export and erasure of
//! `crate::personal` read these links.

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::{Capability, UserId};
use serde::Serialize;
use uuid::Uuid;

use super::places::{self, Stay};
use super::{Change, PERSONS, Status, append};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::history::EventActor;
use crate::refusal::Refusal;
use crate::scope::Principal;

/// What the registry holds about a resident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnRecord {
    pub name: String,
    pub document_kind: String,
    pub document: Option<String>,
    pub phone: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub household: Option<String>,
    pub stays: Vec<Stay>,
    /// Tag kinds, with their periods (restricted kinds are not the resident's to read).
    pub tags: Vec<(String, NaiveDate, Option<NaiveDate>)>,
}

/// Links the resident account `username` to `person` (the person it is), for the export and
/// erasure of the resident's own data.
pub fn link_account(
    conn: &mut Conn,
    principal: &Principal,
    person: Uuid,
    username: &str,
) -> Result<(), StoreError> {
    super::may_manage(principal)?;
    let (path, street): (jiedao_core::OrgPath, jiedao_core::OrgUnitId) = conn
        .query_opt(
            "SELECT org_path, street_id FROM registry_person WHERE id = $1",
            &[&person],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .ok_or_else(|| super::not_found(&PERSONS, person))?;
    super::sees(&principal.scope(), &PERSONS, person, &path)?;
    let (user, role): (UserId, String) = conn
        .query_opt(
            "SELECT id, role FROM app_user WHERE username = $1",
            &[&username],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .ok_or_else(|| Refusal::NotFound {
            what: "noun.user",
            key: username.to_owned(),
        })?;
    if role != jiedao_core::Role::Resident.as_str() {
        return Err(Refusal::NotAllowed.into());
    }
    conn.execute(
        "INSERT INTO registry_account (street_id, record_id, user_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        &[&street, &person, &user],
    )?;
    Ok(())
}

fn linked(conn: &mut Conn, user: UserId) -> Result<Vec<Uuid>, StoreError> {
    conn.query(
        "SELECT record_id FROM registry_account WHERE user_id = $1",
        &[&user],
        |row| row.get(0),
    )
}

/// The registry records of the resident `user`, whole.
pub fn export(conn: &mut Conn, user: UserId) -> Result<Vec<OwnRecord>, StoreError> {
    let mut records = Vec::new();
    for id in linked(conn, user)? {
        type Stored = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<NaiveDate>,
            Option<String>,
        );
        let Some((name, kind, document, phone, sex, birth, household)) = conn.query_opt::<Stored>(
            "SELECT name, document_kind, document, phone, sex, birth_date, household
                   FROM registry_person WHERE id = $1",
            &[&id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ))
            },
        )?
        else {
            continue;
        };
        let key = conn.data_key()?;
        let document = document.map(|d| key.open(&d)).transpose()?;
        let phone = phone.map(|p| key.open(&p)).transpose()?;
        let tags = conn.query(
            "SELECT kind, first_day, last_day FROM registry_tag
              WHERE person_id = $1 AND restricted = $2 ORDER BY first_day",
            &[&id, &false],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        records.push(OwnRecord {
            name,
            document_kind: kind,
            document,
            phone,
            sex,
            birth_date: birth,
            household,
            stays: places::stays_of(conn, id)?,
            tags,
        });
    }
    Ok(records)
}

/// Erases the personal data of the registry records of the resident `user`: name, document,
/// phone, household, sex, birth date and tags go; the record stays (ended), so the history of
/// the places they lived in keeps its shape. Returns how many records were erased.
pub fn erase(
    conn: &mut Conn,
    user: UserId,
    actor: &EventActor,
    at: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let ids = linked(conn, user)?;
    for id in &ids {
        conn.execute(
            "UPDATE registry_person SET name = $1, document = NULL, document_index = NULL,
                    document_masked = $2, phone = NULL, phone_index = NULL, phone_masked = NULL,
                    sex = NULL, birth_date = NULL, household = NULL
              WHERE id = $3",
            &[&"已删除", &"", id],
        )?;
        conn.execute("DELETE FROM registry_tag WHERE person_id = $1", &[id])?;
        append(
            conn,
            &PERSONS,
            *id,
            at,
            actor,
            Status::Ended,
            &Change::Erased,
        )?;
    }
    conn.execute("DELETE FROM registry_account WHERE user_id = $1", &[&user])?;
    Ok(ids.len())
}

/// Whether `principal` may link accounts (the registry's keepers).
pub fn may_link(principal: &Principal) -> bool {
    principal.role().can(Capability::ManageRegistry)
}
