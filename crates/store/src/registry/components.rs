//! Components (部件): manhole covers, street lights, bins… of the GB/T 30428.2 classes the case
//! categories use (codes under `B`), each with its point, owner (权属单位) and maintainer (养护
//!单位). A case about a component names it ([`super::links`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use jiedao_core::OrgPath;
use jiedao_core::ledger::RecordState;
use serde::Serialize;
use uuid::Uuid;

use super::{COMPONENTS, Change, RegistryRefusal, Status, event_actor, first_entry};
use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::ledger::query::Where;
use crate::refusal::Refusal;
use crate::scope::{Principal, Scope};

/// A component as entered.
#[derive(Debug, Clone, Default)]
pub struct NewComponent {
    /// The category code of its class (`B0101`: 上水井盖).
    pub class_code: String,
    pub name: String,
    pub community: String,
    pub lon: f64,
    pub lat: f64,
    pub owner: String,
    pub maintainer: String,
}

/// A component as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub id: Uuid,
    pub class_code: String,
    pub class_name: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub owner: String,
    pub maintainer: String,
    pub org_path: OrgPath,
    pub status: String,
}

const SELECT_COMPONENT: &str = "SELECT f.id, f.class_code, COALESCE(c.name, f.class_code), f.name,
        f.lon, f.lat, f.owner, f.maintainer, f.org_path, f.state
   FROM registry_component f LEFT JOIN category c ON c.code = f.class_code";

fn read(row: &Row<'_>) -> Result<Component, StoreError> {
    Ok(Component {
        id: row.get(0)?,
        class_code: row.get(1)?,
        class_name: row.get(2)?,
        name: row.get(3)?,
        lon: row.get(4)?,
        lat: row.get(5)?,
        owner: row.get(6)?,
        maintainer: row.get(7)?,
        org_path: row.get(8)?,
        status: row.get(9)?,
    })
}

/// Adds a component; returns its id.
pub fn add(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    new: &NewComponent,
) -> Result<Uuid, StoreError> {
    super::may_manage(principal)?;
    let class = new.class_code.trim();
    let known: Option<i64> =
        conn.query_opt("SELECT 1 FROM category WHERE code = $1", &[&class], |row| {
            row.get(0)
        })?;
    if known.is_none() || !class.starts_with('B') {
        return Err(RegistryRefusal::UnknownComponentClass {
            code: class.to_owned(),
        }
        .into());
    }
    if !jiedao_geo::on_earth(new.lon, new.lat) {
        return Err(Refusal::BadPoint.into());
    }
    let (_, path, _, street) = super::places::community(conn, &principal.scope(), &new.community)?;
    let id = Uuid::now_v7();
    let mut fields = BTreeMap::new();
    fields.insert("class".to_owned(), class.to_owned());
    fields.insert("name".to_owned(), new.name.trim().to_owned());
    fields.insert("owner".to_owned(), new.owner.trim().to_owned());
    fields.insert("maintainer".to_owned(), new.maintainer.trim().to_owned());
    let entry = first_entry(
        &COMPONENTS,
        id,
        at,
        &event_actor(principal, ip),
        &Change::Registered { fields },
    )?;
    conn.execute(
        "INSERT INTO registry_component (street_id, id, org_path, class_code, name, lon, lat,
             owner, maintainer, state, created_at, event_count, head_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &street,
            &id,
            &path,
            &class,
            &new.name.trim(),
            &new.lon,
            &new.lat,
            &new.owner.trim(),
            &new.maintainer.trim(),
            &Status::Active.as_str(),
            &at,
            &1_i64,
            &entry.hash,
        ],
    )?;
    entry.insert(conn, street)?;
    Ok(id)
}

/// One component `scope` sees.
pub fn get(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<Component, StoreError> {
    let found = conn
        .query_opt(&format!("{SELECT_COMPONENT} WHERE f.id = $1"), &[&id], read)?
        .ok_or_else(|| super::not_found(&COMPONENTS, id))?;
    super::sees(scope, &COMPONENTS, id, &found.org_path)?;
    Ok(found)
}

/// Components `scope` sees, of one class (or all).
pub fn search(
    conn: &mut Conn,
    scope: &Scope,
    class: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Component>, StoreError> {
    let mut w = Where::default();
    super::restrict(scope, &COMPONENTS, &mut w)?;
    if let Some(class) = class.map(str::trim).filter(|c| !c.is_empty()) {
        let (low, high) = (w.bind(class.to_owned()), w.bind(super::prefix_end(class)));
        w.push(format!("f.class_code >= {low} AND f.class_code < {high}"));
    }
    let (limit, offset) = (w.bind(limit.clamp(1, 500)), w.bind(offset.max(0)));
    conn.query(
        &format!(
            "{SELECT_COMPONENT}{} ORDER BY f.class_code, f.name LIMIT {limit} OFFSET {offset}",
            w.sql()
        ),
        &w.params(),
        read,
    )
}
