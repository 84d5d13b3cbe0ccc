//! Enterprises (企业): unified social credit code (GB 32100, check character verified), name,
//! industry (GB/T 4754), registered capital, the building and floor they sit in, when they
//! moved in and out, and tax per year; the net tax of the enterprises that moved in less those
//! that moved out, per year (迁入迁出企业净增税收规模).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use jiedao_core::OrgPath;
use jiedao_core::ledger::RecordState;
use jiedao_core::money::Money;
use jiedao_core::registry::{
    CreditCode, EnterpriseMove, Industry, MoveDirection, NetMoved, building::net_moved,
};
use serde::Serialize;
use uuid::Uuid;

use super::places::{self, PlaceKind};
use super::{
    Change, ENTERPRISES, PLACES, RegistryRefusal, Status, append, event_actor, first_entry,
};
use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::ledger::query::Where;
use crate::refusal::Refusal;
use crate::scope::{Principal, Scope};

/// An enterprise as entered.
#[derive(Debug, Clone, Default)]
pub struct NewEnterprise {
    pub credit_code: String,
    pub name: String,
    pub industry: String,
    pub capital: Money,
    /// The office building (楼宇) or other building it sits in.
    pub building: Option<Uuid>,
    pub floor: Option<i64>,
    /// The community code, when there is no building.
    pub community: Option<String>,
    pub moved_in: Option<NaiveDate>,
    pub moved_out: Option<NaiveDate>,
}

/// An enterprise as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enterprise {
    pub id: Uuid,
    pub credit_code: String,
    pub name: String,
    pub industry: String,
    pub capital: Money,
    pub building_id: Option<Uuid>,
    pub building: Option<String>,
    pub floor: Option<i64>,
    pub moved_in: Option<NaiveDate>,
    pub moved_out: Option<NaiveDate>,
    pub org_path: OrgPath,
    pub status: String,
}

const SELECT_ENTERPRISE: &str = "SELECT f.id, f.credit_code, f.name, f.industry, f.capital_fen,
        f.building_id, b.name, f.floor, f.moved_in, f.moved_out, f.org_path, f.state
   FROM registry_enterprise f LEFT JOIN registry_place b ON b.id = f.building_id";

fn read(row: &Row<'_>) -> Result<Enterprise, StoreError> {
    Ok(Enterprise {
        id: row.get(0)?,
        credit_code: row.get(1)?,
        name: row.get(2)?,
        industry: row.get(3)?,
        capital: Money::from_fen(row.get(4)?),
        building_id: row.get(5)?,
        building: row.get(6)?,
        floor: row.get(7)?,
        moved_in: row.get(8)?,
        moved_out: row.get(9)?,
        org_path: row.get(10)?,
        status: row.get(11)?,
    })
}

/// Adds an enterprise; returns its id.
pub fn add(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    new: &NewEnterprise,
) -> Result<Uuid, StoreError> {
    super::may_manage(principal)?;
    let scope = principal.scope();
    let code = CreditCode::parse(&new.credit_code).map_err(RegistryRefusal::CreditCode)?;
    let industry = Industry::parse(&new.industry).map_err(RegistryRefusal::Industry)?;
    let name = new.name.trim();
    if name.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.name",
        }
        .into());
    }
    let (path, street) = match (new.building, new.community.as_deref()) {
        (Some(building), _) => {
            let (place, street) = places::load_with_street(conn, building)?
                .ok_or_else(|| super::not_found(&PLACES, building))?;
            super::sees(&scope, &PLACES, building, &place.org_path)?;
            if place.kind != PlaceKind::Building {
                return Err(RegistryRefusal::WrongParent.into());
            }
            (place.org_path, street)
        }
        (None, Some(community)) => {
            let (_, path, _, street) = places::community(conn, &scope, community)?;
            (path, street)
        }
        (None, None) => return Err(RegistryRefusal::NoCommunity.into()),
    };
    let taken: Option<i64> = conn.query_opt(
        "SELECT 1 FROM registry_enterprise WHERE credit_code = $1",
        &[&code.as_str()],
        |row| row.get(0),
    )?;
    if taken.is_some() {
        return Err(RegistryRefusal::DuplicateCreditCode {
            code: code.as_str().to_owned(),
        }
        .into());
    }
    let id = Uuid::now_v7();
    let mut fields = BTreeMap::new();
    fields.insert("credit_code".to_owned(), code.as_str().to_owned());
    fields.insert("name".to_owned(), name.to_owned());
    fields.insert("industry".to_owned(), industry.code());
    fields.insert("capital_fen".to_owned(), new.capital.fen().to_string());
    let entry = first_entry(
        &ENTERPRISES,
        id,
        at,
        &event_actor(principal, ip),
        &Change::Registered { fields },
    )?;
    let state = if new.moved_out.is_some() {
        Status::Ended
    } else {
        Status::Active
    };
    conn.execute(
        "INSERT INTO registry_enterprise (street_id, id, org_path, credit_code, name, industry,
             capital_fen, building_id, floor, moved_in, moved_out, state, created_at, event_count,
             head_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        &[
            &street,
            &id,
            &path,
            &code.as_str(),
            &name,
            &industry.code(),
            &new.capital.fen(),
            &new.building,
            &new.floor,
            &new.moved_in,
            &new.moved_out,
            &state.as_str(),
            &at,
            &1_i64,
            &entry.hash,
        ],
    )?;
    entry.insert(conn, street)?;
    Ok(id)
}

/// Records that an enterprise moved out on `day`.
pub fn move_out(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    id: Uuid,
    day: NaiveDate,
) -> Result<(), StoreError> {
    super::may_manage(principal)?;
    get(conn, &principal.scope(), id)?;
    conn.execute(
        "UPDATE registry_enterprise SET moved_out = $1 WHERE id = $2",
        &[&day, &id],
    )?;
    append(
        conn,
        &ENTERPRISES,
        id,
        at,
        &event_actor(principal, ip),
        Status::Ended,
        &Change::Ended { day },
    )
}

/// One enterprise `scope` sees.
pub fn get(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<Enterprise, StoreError> {
    let found = conn
        .query_opt(
            &format!("{SELECT_ENTERPRISE} WHERE f.id = $1"),
            &[&id],
            read,
        )?
        .ok_or_else(|| super::not_found(&ENTERPRISES, id))?;
    super::sees(scope, &ENTERPRISES, id, &found.org_path)?;
    Ok(found)
}

/// How to find enterprises.
#[derive(Debug, Clone, PartialEq)]
pub enum FindEnterprise {
    All,
    NamePrefix(String),
    /// The whole credit code (exact).
    CreditCode(String),
    /// Those in one building.
    Building(Uuid),
}

/// Enterprises `scope` sees.
pub fn search(
    conn: &mut Conn,
    scope: &Scope,
    find: &FindEnterprise,
    limit: i64,
    offset: i64,
) -> Result<Vec<Enterprise>, StoreError> {
    let mut w = Where::default();
    super::restrict(scope, &ENTERPRISES, &mut w)?;
    match find {
        FindEnterprise::All => {}
        FindEnterprise::NamePrefix(prefix) => {
            let prefix = prefix.trim();
            if !prefix.is_empty() {
                let (low, high) = (w.bind(prefix.to_owned()), w.bind(super::prefix_end(prefix)));
                w.push(format!("f.name >= {low} AND f.name < {high}"));
            }
        }
        FindEnterprise::CreditCode(code) => {
            let code = w.bind(code.trim().to_uppercase());
            w.push(format!("f.credit_code = {code}"));
        }
        FindEnterprise::Building(building) => {
            let building = w.bind(*building);
            w.push(format!("f.building_id = {building}"));
        }
    }
    let (limit, offset) = (w.bind(limit.clamp(1, 500)), w.bind(offset.max(0)));
    conn.query(
        &format!(
            "{SELECT_ENTERPRISE}{} ORDER BY f.name, f.id LIMIT {limit} OFFSET {offset}",
            w.sql()
        ),
        &w.params(),
        read,
    )
}

/// The moves of `year` within `scope`, with the tax that moved: an enterprise moving in brings
/// its tax of the year it came, one moving out takes its tax of the last year it paid before
/// leaving.
pub fn moves(conn: &mut Conn, scope: &Scope, year: i32) -> Result<NetMoved, StoreError> {
    let mut w = Where::default();
    super::restrict(scope, &ENTERPRISES, &mut w)?;
    let (first, last) = (
        w.bind(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()),
        w.bind(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()),
    );
    w.push(format!(
        "((f.moved_in >= {first} AND f.moved_in <= {last})
          OR (f.moved_out >= {first} AND f.moved_out <= {last}))"
    ));
    let rows: Vec<(Uuid, Option<NaiveDate>, Option<NaiveDate>)> = conn.query(
        &format!(
            "SELECT f.id, f.moved_in, f.moved_out FROM registry_enterprise f{}",
            w.sql()
        ),
        &w.params(),
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let mut list = Vec::new();
    for (id, moved_in, moved_out) in rows {
        let taxes = places::taxes(conn, id)?;
        if let Some(on) = moved_in.filter(|d| d.year() == year) {
            let annual_tax = taxes
                .iter()
                .find(|(y, _)| *y == year)
                .map_or(Money::ZERO, |(_, t)| *t);
            list.push(EnterpriseMove {
                direction: MoveDirection::In,
                on,
                annual_tax,
            });
        }
        if let Some(on) = moved_out.filter(|d| d.year() == year) {
            let annual_tax = taxes
                .iter()
                .rev()
                .find(|(y, _)| *y <= year)
                .map_or(Money::ZERO, |(_, t)| *t);
            list.push(EnterpriseMove {
                direction: MoveDirection::Out,
                on,
                annual_tax,
            });
        }
    }
    Ok(net_moved(&list, year))
}
