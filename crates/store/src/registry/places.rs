//! Places (房屋与地址): 小区 (estates), buildings, units and rooms under a community, with points;
//! office buildings (楼宇) with floors, area and tax per year, banded by configurable
//! thresholds; and who lived in, owned, let or rented each place over time (never overwritten:
//! a stay is ended, and a new one begun).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::ledger::RecordState;
use jiedao_core::money::Money;
use jiedao_core::registry::{TaxBand, TaxBands};
use jiedao_core::{OrgKind, OrgPath, OrgUnitId};
use serde::Serialize;
use uuid::Uuid;

use super::{Change, PERSONS, PLACES, RegistryRefusal, Status, append, event_actor, first_entry};
use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::ledger::query::Where;
use crate::org;
use crate::refusal::Refusal;
use crate::scope::{Principal, Scope};

/// The levels of the address tree under a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// 小区
    Estate,
    /// 楼幢 / 楼宇
    Building,
    /// 单元
    Unit,
    /// 房屋 (a house or flat)
    Room,
}

impl PlaceKind {
    pub const ALL: [PlaceKind; 4] = [
        PlaceKind::Estate,
        PlaceKind::Building,
        PlaceKind::Unit,
        PlaceKind::Room,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Estate => "estate",
            PlaceKind::Building => "building",
            PlaceKind::Unit => "unit",
            PlaceKind::Room => "room",
        }
    }

    pub fn parse(text: &str) -> Option<PlaceKind> {
        PlaceKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            PlaceKind::Estate => "registry.kind_estate",
            PlaceKind::Building => "registry.kind_building",
            PlaceKind::Unit => "registry.kind_unit",
            PlaceKind::Room => "registry.kind_room",
        }
    }
}

/// How a person stands to a place for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Occupation {
    /// 居住
    Resident,
    /// 产权人
    Owner,
    /// 出租人
    Landlord,
    /// 承租人
    Tenant,
}

impl Occupation {
    pub const ALL: [Occupation; 4] = [
        Occupation::Resident,
        Occupation::Owner,
        Occupation::Landlord,
        Occupation::Tenant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Occupation::Resident => "resident",
            Occupation::Owner => "owner",
            Occupation::Landlord => "landlord",
            Occupation::Tenant => "tenant",
        }
    }

    pub fn parse(text: &str) -> Option<Occupation> {
        Occupation::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Occupation::Resident => "registry.role_resident",
            Occupation::Owner => "registry.role_owner",
            Occupation::Landlord => "registry.role_landlord",
            Occupation::Tenant => "registry.role_tenant",
        }
    }
}

/// A place as entered.
#[derive(Debug, Clone, Default)]
pub struct NewPlace {
    pub kind: Option<PlaceKind>,
    /// The place it lies in; `None`: directly under `community`.
    pub parent: Option<Uuid>,
    /// The community (or grid) code, when there is no parent.
    pub community: Option<String>,
    pub name: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub floors: Option<i64>,
    pub area_m2: Option<f64>,
    /// 楼宇: an office building whose tax is followed.
    pub commercial: bool,
}

/// A place as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub id: Uuid,
    pub kind: PlaceKind,
    pub parent_id: Option<Uuid>,
    pub org_path: OrgPath,
    pub name: String,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub floors: Option<i64>,
    pub area_m2: Option<f64>,
    pub commercial: bool,
    pub rented: bool,
    pub status: String,
}

const SELECT_PLACE: &str =
    "SELECT f.id, f.kind, f.parent_id, f.org_path, f.name, f.address, f.lon, f.lat,
        f.floors, f.area_m2, f.commercial, f.rented, f.state FROM registry_place f";

fn read(row: &Row<'_>) -> Result<Place, StoreError> {
    let kind: String = row.get(1)?;
    Ok(Place {
        id: row.get(0)?,
        kind: PlaceKind::parse(&kind).unwrap_or(PlaceKind::Room),
        parent_id: row.get(2)?,
        org_path: row.get(3)?,
        name: row.get(4)?,
        address: row.get(5)?,
        lon: row.get(6)?,
        lat: row.get(7)?,
        floors: row.get(8)?,
        area_m2: row.get(9)?,
        commercial: row.get(10)?,
        rented: row.get(11)?,
        status: row.get(12)?,
    })
}

/// One place by id with its street, unscoped (for the store's own checks).
pub(crate) fn load_with_street(
    conn: &mut Conn,
    id: Uuid,
) -> Result<Option<(Place, OrgUnitId)>, StoreError> {
    let street: Option<OrgUnitId> = conn.query_opt(
        "SELECT street_id FROM registry_place WHERE id = $1",
        &[&id],
        |row| row.get(0),
    )?;
    let Some(street) = street else {
        return Ok(None);
    };
    let place = conn
        .query_opt(&format!("{SELECT_PLACE} WHERE f.id = $1"), &[&id], read)?
        .ok_or_else(|| super::not_found(&PLACES, id))?;
    Ok(Some((place, street)))
}

/// One place `scope` sees.
pub fn get(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<Place, StoreError> {
    let place = conn
        .query_opt(&format!("{SELECT_PLACE} WHERE f.id = $1"), &[&id], read)?
        .ok_or_else(|| super::not_found(&PLACES, id))?;
    super::sees(scope, &PLACES, id, &place.org_path)?;
    Ok(place)
}

/// Where a new record goes: the org unit (a community or a grid, in `scope`) named by `code`.
pub(crate) fn community(
    conn: &mut Conn,
    scope: &Scope,
    code: &str,
) -> Result<(OrgUnitId, OrgPath, String, OrgUnitId), StoreError> {
    let unit = org::get_by_code(conn, scope, code.trim())?;
    if !matches!(
        unit.kind,
        OrgKind::Community | OrgKind::Grid | OrgKind::MicroGrid
    ) {
        return Err(RegistryRefusal::NoCommunity.into());
    }
    let street = org::street_of(conn, &unit.path)?.ok_or(RegistryRefusal::NoCommunity)?;
    Ok((unit.id, unit.path, unit.name, street.id))
}

fn is_code(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// [`community`], named by its code or its name.
pub(crate) fn community_named(
    conn: &mut Conn,
    scope: &Scope,
    text: &str,
) -> Result<(OrgUnitId, OrgPath, String, OrgUnitId), StoreError> {
    let text = text.trim();
    if is_code(text) {
        community(conn, scope, text)
    } else {
        let code = community_code(conn, scope, text)?;
        community(conn, scope, &code)
    }
}

/// The code of the community (or grid) in `scope` named by `text`, its code or its name.
pub(crate) fn community_code(
    conn: &mut Conn,
    scope: &Scope,
    text: &str,
) -> Result<String, StoreError> {
    let text = text.trim();
    if is_code(text) {
        // Within reach, or refused here, where the community's column is to blame.
        community(conn, scope, text)?;
        return Ok(text.to_owned());
    }
    let (low, high) = scope.path_range();
    let codes: Vec<String> = conn.query(
        "SELECT code FROM org_unit WHERE name = $1 AND valid_to IS NULL AND path >= $2
            AND path < $3 AND kind IN ($4, $5)",
        &[
            &text,
            &low,
            &high,
            &OrgKind::Community.as_str(),
            &OrgKind::Grid.as_str(),
        ],
        |row| row.get(0),
    )?;
    match codes.as_slice() {
        [code] => Ok(code.clone()),
        _ => Err(Refusal::UnknownOrgUnit {
            code: text.to_owned(),
        }
        .into()),
    }
}

/// The room (or other place) with this whole address within `scope`.
pub(crate) fn by_address(
    conn: &mut Conn,
    scope: &Scope,
    address: &str,
) -> Result<Option<Uuid>, StoreError> {
    let (low, high) = scope.path_range();
    conn.query_opt(
        "SELECT id FROM registry_place WHERE address = $1 AND org_path >= $2 AND org_path < $3
          ORDER BY kind DESC LIMIT 1",
        &[&address.trim(), &low, &high],
        |row| row.get(0),
    )
}

/// The place with this whole address within `scope`, or the refusal naming it.
pub fn find_address(conn: &mut Conn, scope: &Scope, address: &str) -> Result<Uuid, StoreError> {
    by_address(conn, scope, address)?.ok_or_else(|| {
        Refusal::NotFound {
            what: "noun.place",
            key: address.trim().to_owned(),
        }
        .into()
    })
}

/// The place of `kind` named `name` under `parent` (or directly under the community `code`).
pub(crate) fn child_named(
    conn: &mut Conn,
    parent: Option<Uuid>,
    code: &str,
    kind: PlaceKind,
    name: &str,
) -> Result<Option<Uuid>, StoreError> {
    match parent {
        Some(parent) => conn.query_opt(
            "SELECT id FROM registry_place WHERE parent_id = $1 AND kind = $2 AND name = $3",
            &[&parent, &kind.as_str(), &name],
            |row| row.get(0),
        ),
        None => conn.query_opt(
            "SELECT p.id FROM registry_place p JOIN org_unit u ON u.id = p.org_unit_id
              WHERE p.parent_id IS NULL AND u.code = $1 AND p.kind = $2 AND p.name = $3",
            &[&code, &kind.as_str(), &name],
            |row| row.get(0),
        ),
    }
}

/// Marks a house let (出租) before its tenants are recorded (as a ledger import says).
pub(crate) fn mark_rented(conn: &mut Conn, room: Uuid) -> Result<(), StoreError> {
    set_rented(conn, room, true)
}

/// The office building (楼宇) within `scope` with this name or whole address.
pub(crate) fn tower_named(
    conn: &mut Conn,
    scope: &Scope,
    name: &str,
) -> Result<Option<Uuid>, StoreError> {
    let (low, high) = scope.path_range();
    conn.query_opt(
        "SELECT id FROM registry_place WHERE kind = $1 AND (name = $2 OR address = $2)
            AND org_path >= $3 AND org_path < $4 ORDER BY created_at LIMIT 1",
        &[&PlaceKind::Building.as_str(), &name.trim(), &low, &high],
        |row| row.get(0),
    )
}

/// Adds a place; returns its id.
pub fn add(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    new: &NewPlace,
) -> Result<Uuid, StoreError> {
    super::may_manage(principal)?;
    let scope = principal.scope();
    let name = new.name.trim();
    if name.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.name",
        }
        .into());
    }
    let kind = new.kind.unwrap_or(PlaceKind::Room);
    let (unit, path, address, street) = match new.parent {
        Some(parent) => {
            let (above, street) =
                load_with_street(conn, parent)?.ok_or_else(|| super::not_found(&PLACES, parent))?;
            super::sees(&scope, &PLACES, parent, &above.org_path)?;
            if above.kind >= kind {
                return Err(RegistryRefusal::WrongParent.into());
            }
            let unit: OrgUnitId = conn.scalar(
                "SELECT org_unit_id FROM registry_place WHERE id = $1",
                &[&parent],
            )?;
            (
                unit,
                above.org_path,
                format!("{} {name}", above.address),
                street,
            )
        }
        None => {
            let code = new
                .community
                .as_deref()
                .ok_or(RegistryRefusal::NoCommunity)?;
            let (unit, path, unit_name, street) = community(conn, &scope, code)?;
            (unit, path, format!("{unit_name} {name}"), street)
        }
    };
    let id = Uuid::now_v7();
    let actor = event_actor(principal, ip);
    let mut fields = BTreeMap::new();
    fields.insert("kind".to_owned(), kind.as_str().to_owned());
    fields.insert("address".to_owned(), address.clone());
    if let Some(floors) = new.floors {
        fields.insert("floors".to_owned(), floors.to_string());
    }
    if let Some(area) = new.area_m2 {
        fields.insert("area_m2".to_owned(), area.to_string());
    }
    let entry = first_entry(&PLACES, id, at, &actor, &Change::Registered { fields })?;
    conn.execute(
        "INSERT INTO registry_place (street_id, id, kind, parent_id, org_unit_id, org_path, name,
             address, lon, lat, floors, area_m2, commercial, rented, state, created_at,
             event_count, head_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        &[
            &street,
            &id,
            &kind.as_str(),
            &new.parent,
            &unit,
            &path,
            &name,
            &address,
            &new.lon,
            &new.lat,
            &new.floors,
            &new.area_m2,
            &new.commercial,
            &false,
            &Status::Active.as_str(),
            &at,
            &1_i64,
            &entry.hash,
        ],
    )?;
    entry.insert(conn, street)?;
    Ok(id)
}

/// What a list of places is filtered by.
#[derive(Debug, Clone, Default)]
pub struct PlaceQuery {
    pub kind: Option<PlaceKind>,
    /// Part of the address.
    pub address: Option<String>,
    pub rented: Option<bool>,
    pub commercial: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

/// Places `scope` sees, by address.
pub fn search(
    conn: &mut Conn,
    scope: &Scope,
    query: &PlaceQuery,
) -> Result<Vec<Place>, StoreError> {
    let mut w = Where::default();
    super::restrict(scope, &PLACES, &mut w)?;
    if let Some(kind) = query.kind {
        let kind = w.bind(kind.as_str());
        w.push(format!("f.kind = {kind}"));
    }
    if let Some(text) = query
        .address
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let like = w.bind(format!("%{}%", escape_like(text)));
        w.push(format!("f.address LIKE {like} ESCAPE '\\'"));
    }
    if let Some(rented) = query.rented {
        let rented = w.bind(rented);
        w.push(format!("f.rented = {rented}"));
    }
    if let Some(commercial) = query.commercial {
        let commercial = w.bind(commercial);
        w.push(format!("f.commercial = {commercial}"));
    }
    let limit = w.bind(query.limit.clamp(1, 500));
    let offset = w.bind(query.offset.max(0));
    conn.query(
        &format!(
            "{SELECT_PLACE}{} ORDER BY f.address LIMIT {limit} OFFSET {offset}",
            w.sql()
        ),
        &w.params(),
        read,
    )
}

/// `text` with LIKE's wildcards taken literally.
pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A stay of a person at a place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stay {
    pub person_id: Uuid,
    pub person_name: String,
    pub place_id: Uuid,
    pub address: String,
    pub role: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

fn read_stay(row: &Row<'_>) -> Result<Stay, StoreError> {
    Ok(Stay {
        person_id: row.get(0)?,
        person_name: row.get(1)?,
        place_id: row.get(2)?,
        address: row.get(3)?,
        role: row.get(4)?,
        from: row.get(5)?,
        to: row.get(6)?,
    })
}

const SELECT_STAY: &str =
    "SELECT o.person_id, p.name, o.place_id, h.address, o.role, o.from_day, o.to_day
     FROM registry_occupancy o JOIN registry_person p ON p.id = o.person_id
     JOIN registry_place h ON h.id = o.place_id";

/// Who lived in, owned, let or rented `place`, newest first.
pub fn stays_at(conn: &mut Conn, place: Uuid) -> Result<Vec<Stay>, StoreError> {
    conn.query(
        &format!("{SELECT_STAY} WHERE o.place_id = $1 ORDER BY o.from_day DESC"),
        &[&place],
        read_stay,
    )
}

/// Where `person` lived, owned, let or rented, newest first.
pub fn stays_of(conn: &mut Conn, person: Uuid) -> Result<Vec<Stay>, StoreError> {
    conn.query(
        &format!("{SELECT_STAY} WHERE o.person_id = $1 ORDER BY o.from_day DESC"),
        &[&person],
        read_stay,
    )
}

/// `person` begins to stand to `place` as `role` from `from`. A new residence ends the one
/// before it (the day before), and moves the person's record to the place's part of the tree;
/// a tenant marks the place rented.
#[expect(clippy::too_many_arguments, reason = "who, when, and the stay's parts")]
pub fn occupy(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    person: Uuid,
    place: Uuid,
    role: Occupation,
    from: NaiveDate,
) -> Result<(), StoreError> {
    super::may_manage(principal)?;
    let scope = principal.scope();
    let (house, street) =
        load_with_street(conn, place)?.ok_or_else(|| super::not_found(&PLACES, place))?;
    super::sees(&scope, &PLACES, place, &house.org_path)?;
    let path: OrgPath = conn
        .query_opt(
            "SELECT org_path FROM registry_person WHERE id = $1",
            &[&person],
            |row| row.get(0),
        )?
        .ok_or_else(|| super::not_found(&PERSONS, person))?;
    super::sees(&scope, &PERSONS, person, &path)?;
    let actor = event_actor(principal, ip);
    if role == Occupation::Resident {
        let before: Vec<Uuid> = conn.query(
            "SELECT place_id FROM registry_occupancy
              WHERE person_id = $1 AND role = $2 AND to_day IS NULL",
            &[&person, &role.as_str()],
            |row| row.get(0),
        )?;
        for old in before {
            let to = from.pred_opt().unwrap_or(from);
            end_stay(conn, &actor, at, person, old, role, to)?;
        }
        conn.execute(
            "UPDATE registry_person SET house_id = $1, org_path = $2 WHERE id = $3",
            &[&place, &house.org_path, &person],
        )?;
    }
    conn.execute(
        "INSERT INTO registry_occupancy (street_id, id, person_id, place_id, role, from_day, to_day)
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        &[&street, &Uuid::now_v7(), &person, &place, &role.as_str(), &from],
    )?;
    if role == Occupation::Tenant {
        set_rented(conn, place, true)?;
    }
    let change = Change::Occupied {
        person,
        place,
        role: role.as_str().to_owned(),
        from,
    };
    on_both(conn, &actor, at, person, place, &change)
}

/// A stay's change, in the history of the place and of the person alike.
fn on_both(
    conn: &mut Conn,
    actor: &crate::ledger::history::EventActor,
    at: DateTime<Utc>,
    person: Uuid,
    place: Uuid,
    change: &Change,
) -> Result<(), StoreError> {
    append(conn, &PLACES, place, at, actor, Status::Active, change)?;
    append(conn, &PERSONS, person, at, actor, Status::Active, change)
}

fn set_rented(conn: &mut Conn, place: Uuid, rented: bool) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE registry_place SET rented = $1 WHERE id = $2",
        &[&rented, &place],
    )?;
    Ok(())
}

/// Ends `person`'s stay at `place` as `role` on `to`.
#[expect(clippy::too_many_arguments, reason = "who, when, and the stay's parts")]
pub fn leave(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    person: Uuid,
    place: Uuid,
    role: Occupation,
    to: NaiveDate,
) -> Result<(), StoreError> {
    super::may_manage(principal)?;
    get(conn, &principal.scope(), place)?;
    end_stay(
        conn,
        &event_actor(principal, ip),
        at,
        person,
        place,
        role,
        to,
    )
}

fn end_stay(
    conn: &mut Conn,
    actor: &crate::ledger::history::EventActor,
    at: DateTime<Utc>,
    person: Uuid,
    place: Uuid,
    role: Occupation,
    to: NaiveDate,
) -> Result<(), StoreError> {
    let ended = conn.execute(
        "UPDATE registry_occupancy SET to_day = $1
          WHERE person_id = $2 AND place_id = $3 AND role = $4 AND to_day IS NULL",
        &[&to, &person, &place, &role.as_str()],
    )?;
    if ended == 0 {
        return Ok(());
    }
    if role == Occupation::Tenant {
        let still: i64 = conn.scalar(
            "SELECT COUNT(*) FROM registry_occupancy
              WHERE place_id = $1 AND role = $2 AND to_day IS NULL",
            &[&place, &role.as_str()],
        )?;
        set_rented(conn, place, still > 0)?;
    }
    if role == Occupation::Resident {
        conn.execute(
            "UPDATE registry_person SET house_id = NULL WHERE id = $1 AND house_id = $2",
            &[&person, &place],
        )?;
    }
    let change = Change::Left {
        person,
        place,
        role: role.as_str().to_owned(),
        to,
    };
    on_both(conn, actor, at, person, place, &change)
}

/// Records the tax a building (楼宇) or an enterprise paid in `year`.
pub fn set_tax(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    owner: Uuid,
    year: i32,
    tax: Money,
) -> Result<(), StoreError> {
    super::may_manage(principal)?;
    let scope = principal.scope();
    let (ledger, path, street) = owner_of_tax(conn, owner)?;
    super::sees(&scope, ledger, owner, &path)?;
    conn.execute(
        "INSERT INTO registry_tax (street_id, owner_id, year, tax_fen) VALUES ($1, $2, $3, $4)
         ON CONFLICT (street_id, owner_id, year) DO UPDATE SET tax_fen = excluded.tax_fen",
        &[&street, &owner, &year, &tax.fen()],
    )?;
    let change = Change::Tax {
        year,
        fen: tax.fen(),
    };
    append(
        conn,
        ledger,
        owner,
        at,
        &event_actor(principal, ip),
        Status::Active,
        &change,
    )
}

fn owner_of_tax(
    conn: &mut Conn,
    owner: Uuid,
) -> Result<(&'static crate::ledger::Ledger, OrgPath, OrgUnitId), StoreError> {
    if let Some((path, street)) = conn.query_opt(
        "SELECT org_path, street_id FROM registry_place WHERE id = $1",
        &[&owner],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )? {
        return Ok((&PLACES, path, street));
    }
    conn.query_opt(
        "SELECT org_path, street_id FROM registry_enterprise WHERE id = $1",
        &[&owner],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?
    .map(|(path, street)| (&super::ENTERPRISES, path, street))
    .ok_or_else(|| super::not_found(&PLACES, owner))
}

/// Tax per year of one building or enterprise, oldest first.
pub fn taxes(conn: &mut Conn, owner: Uuid) -> Result<Vec<(i32, Money)>, StoreError> {
    conn.query(
        "SELECT year, tax_fen FROM registry_tax WHERE owner_id = $1 ORDER BY year",
        &[&owner],
        |row| {
            let year: i64 = row.get(0)?;
            Ok((
                i32::try_from(year).unwrap_or_default(),
                Money::from_fen(row.get(1)?),
            ))
        },
    )
}

/// An office building (楼宇) with a year's tax and band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaxedBuilding {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub floors: Option<i64>,
    pub area_m2: Option<f64>,
    pub enterprises: i64,
    pub tax: Money,
    pub band: Option<TaxBand>,
}

/// The office buildings `scope` sees, with `year`'s tax and band (亿元楼, 千万元楼 by `bands`),
/// most tax first.
pub fn buildings(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    bands: &TaxBands,
) -> Result<Vec<TaxedBuilding>, StoreError> {
    let mut w = Where::default();
    super::restrict(scope, &PLACES, &mut w)?;
    let commercial = w.bind(true);
    w.push(format!("f.commercial = {commercial}"));
    let year_at = w.bind(i64::from(year));
    let sql = w.sql();
    let params = w.params();
    conn.query(
        &format!(
            "SELECT f.id, f.name, f.address, f.floors, f.area_m2,
                    (SELECT COUNT(*) FROM registry_enterprise e
                      WHERE e.building_id = f.id AND e.moved_out IS NULL),
                    COALESCE((SELECT t.tax_fen FROM registry_tax t
                      WHERE t.owner_id = f.id AND t.year = {year_at}), 0)
               FROM registry_place f{sql}"
        ),
        &params,
        |row| {
            let tax = Money::from_fen(row.get(6)?);
            Ok(TaxedBuilding {
                id: row.get(0)?,
                name: row.get(1)?,
                address: row.get(2)?,
                floors: row.get(3)?,
                area_m2: row.get(4)?,
                enterprises: row.get(5)?,
                tax,
                band: bands.band(tax),
            })
        },
    )
    .map(|mut list| {
        list.sort_by(|a, b| b.tax.cmp(&a.tax).then_with(|| a.name.cmp(&b.name)));
        list
    })
}

/// The children of a place (the buildings of a 小区, the rooms of a unit).
pub fn children(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<Vec<Place>, StoreError> {
    get(conn, scope, id)?;
    conn.query(
        &format!("{SELECT_PLACE} WHERE f.parent_id = $1 ORDER BY f.name"),
        &[&id],
        read,
    )
}
