//! The organisation tree (组织架构) in the database: units, their boundaries, and loading a
//! boundary file all-or-nothing (checked outside the writer, written inside it). Reading is scoped; the grid locator reads shapes unscoped
//! because locating a point reveals only which grid it falls in.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::clock::business_date;
use jiedao_core::{Capability, GridCodeFormat, OrgCode, OrgKind, OrgPath, OrgUnitId};
use jiedao_geo::geo::BoundingRect;
use jiedao_geo::{Boundary, Existing, MultiPolygon, shape_from_geojson, shape_to_geojson};
use serde::Serialize;

use crate::audit;
use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::scope::{Actor, Reach, Scope};

/// A unit of the organisation tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgUnit {
    pub id: OrgUnitId,
    pub kind: OrgKind,
    pub code: String,
    pub name: String,
    pub parent_id: Option<OrgUnitId>,
    pub path: OrgPath,
    pub valid_from: NaiveDate,
    /// The boundary's area in square metres, when the unit is drawn.
    pub area_m2: Option<f64>,
}

const SELECT_UNIT: &str =
    "SELECT u.id, u.kind, u.code, u.name, u.parent_id, u.path, u.valid_from, b.area_m2
     FROM org_unit u LEFT JOIN org_boundary b ON b.org_unit_id = u.id";

fn read_unit(row: &Row<'_>) -> Result<OrgUnit, StoreError> {
    Ok(OrgUnit {
        id: row.get(0)?,
        kind: row.get(1)?,
        code: row.get(2)?,
        name: row.get(3)?,
        parent_id: row.get(4)?,
        path: row.get(5)?,
        valid_from: row.get(6)?,
        area_m2: row.get(7)?,
    })
}

/// The current unit with this code, whoever asks: for the store's own checks and system tasks
/// (pages use [`get_by_code`], which checks the scope).
pub fn current_by_code(conn: &mut Conn, code: &str) -> Result<Option<OrgUnit>, StoreError> {
    conn.query_opt(
        &format!("{SELECT_UNIT} WHERE u.code = $1 AND u.valid_to IS NULL"),
        &[&code],
        read_unit,
    )
}

/// The current unit at `path`.
pub fn unit_at(conn: &mut Conn, path: &OrgPath) -> Result<Option<OrgUnit>, StoreError> {
    conn.query_opt(
        &format!("{SELECT_UNIT} WHERE u.path = $1 AND u.valid_to IS NULL"),
        &[path],
        read_unit,
    )
}

/// The name of the unit with this id.
pub fn name_of(conn: &mut Conn, id: OrgUnitId) -> Result<Option<String>, StoreError> {
    conn.query_opt("SELECT name FROM org_unit WHERE id = $1", &[&id], |row| {
        row.get(0)
    })
}

/// Whether a point lies within what is drawn of a street: its own boundary or one of its
/// communities' (edges included). `None` when nothing of it is drawn.
pub fn street_covers(
    conn: &mut Conn,
    street: OrgUnitId,
    lon: f64,
    lat: f64,
) -> Result<Option<bool>, StoreError> {
    use jiedao_geo::geo::Intersects;
    let shapes: Vec<String> = conn.query(
        "SELECT b.shape FROM org_unit u JOIN org_boundary b ON b.org_unit_id = u.id
         WHERE u.valid_to IS NULL AND (u.id = $1 OR u.parent_id = $1)",
        &[&street],
        |row| row.get(0),
    )?;
    if shapes.is_empty() {
        return Ok(None);
    }
    let point = jiedao_geo::geo::Point::new(lon, lat);
    Ok(Some(shapes.iter().any(|text| {
        shape_from_geojson(text).is_some_and(|shape| shape.intersects(&point))
    })))
}

/// The current street with this code, if the scope reaches it: what a department, a client
/// or a subscription is added to.
pub fn street_in_scope(conn: &mut Conn, scope: &Scope, code: &str) -> Result<OrgUnit, StoreError> {
    let street = current_by_code(conn, code)?
        .filter(|unit| unit.kind == OrgKind::Street)
        .ok_or_else(|| Refusal::UnknownOrgUnit {
            code: code.to_owned(),
        })?;
    if !scope.covers(&street.path) {
        return Err(Refusal::OutOfScope.into());
    }
    Ok(street)
}

/// The current unit with this code, if the scope reaches it.
pub fn get_by_code(conn: &mut Conn, scope: &Scope, code: &str) -> Result<OrgUnit, StoreError> {
    scope.require(Capability::ViewOrg)?;
    let unit = current_by_code(conn, code)?.ok_or_else(|| Refusal::NotFound {
        what: "noun.org_unit",
        key: code.to_owned(),
    })?;
    if !scope.covers(&unit.path) {
        return Err(Refusal::OutOfScope.into());
    }
    Ok(unit)
}

/// Every current unit within the scope (of one kind, if given), in tree order.
pub fn list(
    conn: &mut Conn,
    scope: &Scope,
    kind: Option<OrgKind>,
) -> Result<Vec<OrgUnit>, StoreError> {
    scope.require(Capability::ViewOrg)?;
    let (low, high) = scope.path_range();
    match kind {
        Some(kind) => conn.query(
            &format!(
                "{SELECT_UNIT} WHERE u.valid_to IS NULL AND u.path >= $1 AND u.path < $2 AND u.kind = $3 ORDER BY u.path"
            ),
            &[&low, &high, &kind],
            read_unit,
        ),
        None => conn.query(
            &format!(
                "{SELECT_UNIT} WHERE u.valid_to IS NULL AND u.path >= $1 AND u.path < $2 ORDER BY u.path"
            ),
            &[&low, &high],
            read_unit,
        ),
    }
}

/// Communities and grids within `scope` a case list can be filtered by, in tree order, at
/// most `limit`; with `words`, only those whose code starts with them or whose name holds them.
/// A list page asks for one more than it shows inline, and offers a search field past that.
pub fn places(
    conn: &mut Conn,
    scope: &Scope,
    words: Option<&str>,
    limit: i64,
) -> Result<Vec<OrgUnit>, StoreError> {
    scope.require(Capability::ViewOrg)?;
    let (low, high) = scope.path_range();
    let (community, grid) = (OrgKind::Community, OrgKind::Grid);
    let limit = limit.clamp(1, 1_000);
    match words.map(str::trim).filter(|w| !w.is_empty()) {
        None => conn.query(
            &format!(
                "{SELECT_UNIT} WHERE u.valid_to IS NULL AND u.path >= $1 AND u.path < $2
                 AND u.kind IN ($3, $4) ORDER BY u.path LIMIT $5"
            ),
            &[&low, &high, &community, &grid, &limit],
            read_unit,
        ),
        Some(words) => {
            let escaped = words
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let (code, name) = (format!("{escaped}%"), format!("%{escaped}%"));
            conn.query(
                &format!(
                    "{SELECT_UNIT} WHERE u.valid_to IS NULL AND u.path >= $1 AND u.path < $2
                     AND u.kind IN ($3, $4)
                     AND (u.code LIKE $5 ESCAPE '\\' OR u.name LIKE $6 ESCAPE '\\')
                     ORDER BY u.path LIMIT $7"
                ),
                &[&low, &high, &community, &grid, &code, &name, &limit],
                read_unit,
            )
        }
    }
}

/// The current units directly under `parent`.
pub fn children(
    conn: &mut Conn,
    scope: &Scope,
    parent: &OrgUnit,
) -> Result<Vec<OrgUnit>, StoreError> {
    if !scope.covers(&parent.path) {
        return Err(Refusal::OutOfScope.into());
    }
    conn.query(
        &format!("{SELECT_UNIT} WHERE u.parent_id = $1 AND u.valid_to IS NULL ORDER BY u.code"),
        &[&parent.id],
        read_unit,
    )
}

/// The boundary of a unit as GeoJSON geometry text, if it is drawn and within scope.
pub fn boundary(
    conn: &mut Conn,
    scope: &Scope,
    unit: &OrgUnit,
) -> Result<Option<String>, StoreError> {
    scope.require(Capability::ViewOrg)?;
    if !scope.covers(&unit.path) {
        return Err(Refusal::OutOfScope.into());
    }
    conn.query_opt(
        "SELECT shape FROM org_boundary WHERE org_unit_id = $1",
        &[&unit.id],
        |row| row.get(0),
    )
}

/// Every current unit of these kinds within the scope that has a boundary, with its shape as
/// GeoJSON geometry text, in tree order: what a map of the scope draws.
pub fn drawn(
    conn: &mut Conn,
    scope: &Scope,
    kinds: &[OrgKind],
) -> Result<Vec<(OrgUnit, String)>, StoreError> {
    scope.require(Capability::ViewOrg)?;
    drawn_in(conn, scope.path_range(), kinds)
}

/// Every current community and grid that has a boundary, drawn as [`drawn`] draws them: the
/// public map residents tap their report's place on. Grid maps are public information;
/// nothing else of the tree is read here, so this needs no scope.
pub fn public_map(conn: &mut Conn) -> Result<Vec<(OrgUnit, String)>, StoreError> {
    drawn_in(
        conn,
        ("/".to_owned(), "0".to_owned()),
        &[OrgKind::Community, OrgKind::Grid],
    )
}

/// The drawn units of these kinds whose path lies in `[low, high)`.
fn drawn_in(
    conn: &mut Conn,
    (low, high): (String, String),
    kinds: &[OrgKind],
) -> Result<Vec<(OrgUnit, String)>, StoreError> {
    let units = conn.query(
        "SELECT u.id, u.kind, u.code, u.name, u.parent_id, u.path, u.valid_from, b.area_m2, b.shape
         FROM org_unit u JOIN org_boundary b ON b.org_unit_id = u.id
         WHERE u.valid_to IS NULL AND u.path >= $1 AND u.path < $2 ORDER BY u.path",
        &[&low, &high],
        |row| Ok((read_unit(row)?, row.get::<String>(8)?)),
    )?;
    Ok(units
        .into_iter()
        .filter(|(unit, _)| kinds.contains(&unit.kind))
        .collect())
}

/// A node's path and the paths above it, top first, in six slots (the tree's depth); unused
/// slots are empty and never match a path. For `path IN (...)` with a fixed parameter count.
pub(crate) fn lineage(path: &OrgPath) -> [String; 6] {
    let above = path.ancestors_and_self();
    std::array::from_fn(|level| {
        above
            .get(level)
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default()
    })
}

/// The street a node lies in (the node itself if it is a street).
pub fn street_of(conn: &mut Conn, path: &OrgPath) -> Result<Option<OrgUnit>, StoreError> {
    let [a, b, c, d, e, f] = &lineage(path);
    conn.query_opt(
        &format!(
            "{SELECT_UNIT} WHERE u.kind = $1 AND u.valid_to IS NULL AND u.path IN ($2, $3, $4, $5, $6, $7)"
        ),
        &[&OrgKind::Street, a, b, c, d, e, f],
        read_unit,
    )
}

/// A community as the public may see it: its name and the street it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicCommunity {
    pub id: OrgUnitId,
    pub name: String,
    pub street_id: OrgUnitId,
    pub street_name: String,
    pub street_path: OrgPath,
}

/// Every current community, for residents who give an address instead of a point. Names
/// of communities and streets are public; nothing else of the tree is.
pub fn public_communities(conn: &mut Conn) -> Result<Vec<PublicCommunity>, StoreError> {
    conn.query(
        "SELECT c.id, c.name, s.id, s.name, s.path FROM org_unit c JOIN org_unit s ON s.id = c.parent_id
         WHERE c.kind = $1 AND c.valid_to IS NULL ORDER BY s.path, c.code",
        &[&OrgKind::Community],
        |row| {
            Ok(PublicCommunity {
                id: row.get(0)?,
                name: row.get(1)?,
                street_id: row.get(2)?,
                street_name: row.get(3)?,
                street_path: row.get(4)?,
            })
        },
    )
}

/// The kinds that must hang under a parent; a district or city may stand at the top.
fn needs_parent(kind: OrgKind) -> bool {
    !matches!(kind, OrgKind::City | OrgKind::District)
}

/// Where a new unit goes: its parent (if any) and its path.
fn placement(
    conn: &mut Conn,
    scope: &Scope,
    code: &OrgCode,
    format: &GridCodeFormat,
) -> Result<(Option<OrgUnitId>, OrgPath), StoreError> {
    let parent = match code.parent_code(format) {
        Some(parent_code) => {
            current_by_code(conn, parent_code.as_str())?.map(|unit| (unit, parent_code))
        }
        None => None,
    };
    match parent {
        Some((parent, _)) => {
            let path = parent.path.child(code);
            if !scope.covers(&path) {
                return Err(Refusal::OutOfScope.into());
            }
            Ok((Some(parent.id), path))
        }
        None if needs_parent(code.kind()) => Err(Refusal::ParentUnknown {
            code: code.to_string(),
            parent: code
                .parent_code(format)
                .map(|p| p.to_string())
                .unwrap_or_default(),
        }
        .into()),
        None => {
            // A new top of the tree is for those whose reach has no top.
            if !matches!(scope.reach(), Reach::Everything) {
                return Err(Refusal::OutOfScope.into());
            }
            Ok((None, OrgPath::root(code)))
        }
    }
}

fn insert_unit(
    conn: &mut Conn,
    code: &OrgCode,
    name: &str,
    parent: Option<OrgUnitId>,
    path: &OrgPath,
    at: DateTime<Utc>,
) -> Result<OrgUnitId, StoreError> {
    let id = OrgUnitId::new();
    conn.execute(
        "INSERT INTO org_unit (id, kind, code, name, parent_id, path, valid_from, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &id,
            &code.kind(),
            &code.as_str(),
            &name,
            &parent,
            path,
            &business_date(at),
            &at,
        ],
    )?;
    Ok(id)
}

/// Adds one unit (a district, a street...) without a boundary.
pub fn add_unit(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    code: &OrgCode,
    name: &str,
    format: &GridCodeFormat,
) -> Result<OrgUnit, StoreError> {
    scope.require(Capability::ManageOrg)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.name",
        }
        .into());
    }
    if current_by_code(conn, code.as_str())?.is_some() {
        return Err(Refusal::DuplicateOrgUnit {
            code: code.to_string(),
        }
        .into());
    }
    let (parent, path) = placement(conn, scope, code, format)?;
    insert_unit(conn, code, name, parent, &path, at)?;
    audit::record(
        conn,
        actor,
        at,
        "org.add",
        &format!("org:{code}"),
        &serde_json::json!({ "name": name, "kind": code.kind().as_str(), "path": path }),
    )?;
    current_by_code(conn, code.as_str())?.ok_or(StoreError::NotFound)
}

/// Retires a unit: it leaves the tree and the map from today, its code may be given again,
/// and cases keep their place in it. Refused while units below it, users, departments or API
/// clients depend on it, or open cases lie within it.
pub fn remove_unit(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    code: &str,
) -> Result<OrgUnit, StoreError> {
    scope.require(Capability::ManageOrg)?;
    let unit = current_by_code(conn, code)?.ok_or_else(|| Refusal::UnknownOrgUnit {
        code: code.to_owned(),
    })?;
    if !scope.covers(&unit.path) {
        return Err(Refusal::OutOfScope.into());
    }
    let uses: [(&'static str, &str); 4] = [
        (
            "in_use.children",
            "SELECT COUNT(*) FROM org_unit WHERE parent_id = $1 AND valid_to IS NULL",
        ),
        (
            "in_use.users",
            "SELECT COUNT(*) FROM app_user WHERE org_unit_id = $1 AND active",
        ),
        (
            "in_use.departments",
            "SELECT COUNT(*) FROM department WHERE (street_id = $1 OR community_id = $1) AND active",
        ),
        (
            "in_use.clients",
            "SELECT COUNT(*) FROM intake_client WHERE street_id = $1 AND active",
        ),
    ];
    for (what, sql) in uses {
        let count: i64 = conn.scalar(sql, &[&unit.id])?;
        if count > 0 {
            return Err(Refusal::StillInUse {
                key: unit.code,
                uses: what,
                count,
            }
            .into());
        }
    }
    let (low, high) = unit.path.subtree_range();
    let mut within = crate::ledger::query::Where::default();
    let (low, high) = (within.bind(low), within.bind(high));
    within.push(format!("org_path >= {low} AND org_path < {high}"));
    crate::cases::none_open(conn, within, &unit.code)?;
    conn.execute(
        "UPDATE org_unit SET valid_to = $1 WHERE id = $2",
        &[&business_date(at), &unit.id],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "org.remove",
        &format!("org:{}", unit.code),
        &serde_json::json!({ "name": unit.name, "path": unit.path }),
    )?;
    crate::reference::changed(conn, at)?;
    Ok(unit)
}

/// What a boundary import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    /// The area the file covers, in square metres: each drawn unit counted once, not again
    /// through the units drawn inside it.
    pub area_m2: f64,
}

fn kind_rank(kind: OrgKind) -> usize {
    OrgKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(usize::MAX)
}

/// Where a boundary file lies: the envelope of its shapes and its units' parents. The stored
/// boundaries its checks need are found from this, once before the checks and once more in the
/// writer, to see that they did not change in between.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbourhood {
    /// (least longitude, least latitude, greatest longitude, greatest latitude)
    envelope: Option<(f64, f64, f64, f64)>,
    parents: Vec<String>,
}

impl Neighbourhood {
    pub fn of(incoming: &[Boundary], format: &GridCodeFormat) -> Neighbourhood {
        let envelope = incoming
            .iter()
            .filter_map(|b| b.shape.as_ref()?.bounding_rect())
            .map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
            .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)));
        let mut parents: Vec<String> = incoming
            .iter()
            .filter_map(|b| b.code.parent_code(format).map(|p| p.to_string()))
            .collect();
        parents.sort();
        parents.dedup();
        Neighbourhood { envelope, parents }
    }
}

/// The tree as a boundary file's checks saw it: every current code, and the stored boundaries
/// they compared against, as stored (code, name, shape text), in code order.
#[derive(Debug, Clone, PartialEq)]
pub struct Surroundings {
    codes: HashSet<String>,
    near: Vec<(String, String, String)>,
}

/// The surroundings of `neighbourhood`: every stored boundary whose envelope meets the file's
/// (possible overlaps, and children of replaced parents), and the parents of every incoming
/// unit wherever they lie (a grid drawn far outside its community must still meet it).
pub fn surroundings(
    conn: &mut Conn,
    neighbourhood: &Neighbourhood,
) -> Result<Surroundings, StoreError> {
    let codes: HashSet<String> = conn
        .query(
            "SELECT code FROM org_unit WHERE valid_to IS NULL",
            &[],
            |row| row.get(0),
        )?
        .into_iter()
        .collect();
    let mut near: Vec<(String, String, String)> = Vec::new();
    if let Some((min_lon, min_lat, max_lon, max_lat)) = neighbourhood.envelope {
        near = conn.query(
            "SELECT u.code, u.name, b.shape FROM org_boundary b JOIN org_unit u ON u.id = b.org_unit_id
             WHERE u.valid_to IS NULL AND b.max_lon >= $1 AND b.min_lon <= $2 AND b.max_lat >= $3 AND b.min_lat <= $4",
            &[&min_lon, &max_lon, &min_lat, &max_lat],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
    }
    for parent in &neighbourhood.parents {
        if near.iter().any(|(code, _, _)| code == parent) {
            continue;
        }
        near.extend(conn.query(
            "SELECT u.code, u.name, b.shape FROM org_boundary b JOIN org_unit u ON u.id = b.org_unit_id
             WHERE u.valid_to IS NULL AND u.code = $1",
            &[parent],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?);
    }
    near.sort();
    Ok(Surroundings { codes, near })
}

/// A shape as it is stored: its GeoJSON text, envelope and area.
#[derive(Debug, Clone)]
struct Stored {
    text: String,
    envelope: (f64, f64, f64, f64),
    area_m2: f64,
}

/// One unit of a checked file, ready to be written.
#[derive(Debug, Clone)]
struct Ready {
    code: OrgCode,
    name: String,
    shape: Option<Stored>,
}

/// A boundary file that passed every check against [`Surroundings`], prepared so that the
/// writer only has to write it.
#[derive(Debug, Clone)]
pub struct CheckedBoundaries {
    neighbourhood: Neighbourhood,
    surroundings: Surroundings,
    units: Vec<Ready>,
}

/// Checks a file's boundaries against the tree as `surroundings` shows it, and prepares what
/// is to be stored. CPU only, and seconds of it for a detailed file: run it off the async
/// threads and never inside the writer.
pub fn check_boundaries(
    incoming: &[Boundary],
    neighbourhood: Neighbourhood,
    surroundings: Surroundings,
    format: &GridCodeFormat,
    tolerance_m2: f64,
) -> Result<CheckedBoundaries, Refusal> {
    let stored: Vec<Boundary> = surroundings
        .near
        .iter()
        .filter_map(|(code, name, shape)| {
            Some(Boundary {
                code: OrgCode::parse(code, format).ok()?,
                name: name.clone(),
                shape: shape_from_geojson(shape),
            })
        })
        .collect();
    let existing = Existing {
        codes: surroundings.codes.clone(),
        boundaries: stored.iter().collect(),
    };
    let problems = jiedao_geo::check_set(incoming, &existing, format, tolerance_m2);
    if !problems.is_empty() {
        return Err(Refusal::Boundaries(problems));
    }
    let mut units: Vec<Ready> = incoming
        .iter()
        .map(|boundary| Ready {
            code: boundary.code.clone(),
            name: boundary.name.clone(),
            shape: boundary.shape.as_ref().and_then(|shape| {
                let rect = shape.bounding_rect()?;
                Some(Stored {
                    text: shape_to_geojson(shape),
                    envelope: (rect.min().x, rect.min().y, rect.max().x, rect.max().y),
                    area_m2: boundary.area_m2(),
                })
            }),
        })
        .collect();
    units.sort_by_key(|unit| (kind_rank(unit.code.kind()), unit.code.clone()));
    Ok(CheckedBoundaries {
        neighbourhood,
        surroundings,
        units,
    })
}

fn save_boundary(
    conn: &mut Conn,
    unit: OrgUnitId,
    shape: &Stored,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (min_lon, min_lat, max_lon, max_lat) = shape.envelope;
    conn.execute(
        "INSERT INTO org_boundary (org_unit_id, shape, min_lon, min_lat, max_lon, max_lat, area_m2, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (org_unit_id) DO UPDATE SET shape = excluded.shape, min_lon = excluded.min_lon,
             min_lat = excluded.min_lat, max_lon = excluded.max_lon, max_lat = excluded.max_lat,
             area_m2 = excluded.area_m2, updated_at = excluded.updated_at",
        &[
            &unit,
            &shape.text,
            &min_lon,
            &min_lat,
            &max_lon,
            &max_lat,
            &shape.area_m2,
            &at,
        ],
    )?;
    Ok(())
}

/// Writes a checked boundary file: every unit in it is created or updated with its boundary,
/// all in the caller's transaction. `None`, with nothing written, when the tree around the
/// file changed since it was checked (the caller checks it again).
pub fn load_boundaries(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    checked: &CheckedBoundaries,
    format: &GridCodeFormat,
) -> Result<Option<ImportSummary>, StoreError> {
    scope.require(Capability::ManageOrg)?;
    if surroundings(conn, &checked.neighbourhood)? != checked.surroundings {
        return Ok(None);
    }
    let mut summary = ImportSummary::default();
    let mut drawn: Vec<(OrgPath, f64)> = Vec::new();
    for unit in &checked.units {
        let (unit_id, path) = match current_by_code(conn, unit.code.as_str())? {
            Some(existing) => {
                if !scope.covers(&existing.path) {
                    return Err(Refusal::OutOfScope.into());
                }
                conn.execute(
                    "UPDATE org_unit SET name = $1 WHERE id = $2",
                    &[&unit.name, &existing.id],
                )?;
                summary.updated.push(unit.code.to_string());
                (existing.id, existing.path)
            }
            None => {
                let (parent, path) = placement(conn, scope, &unit.code, format)?;
                summary.created.push(unit.code.to_string());
                let id = insert_unit(conn, &unit.code, &unit.name, parent, &path, at)?;
                (id, path)
            }
        };
        if let Some(shape) = &unit.shape {
            save_boundary(conn, unit_id, shape, at)?;
            drawn.push((path, shape.area_m2));
        }
    }
    // Grids lie inside their community: a unit drawn inside another unit of the same file
    // adds nothing to the area the file covers.
    summary.area_m2 = drawn
        .iter()
        .filter(|(path, _)| {
            !drawn
                .iter()
                .any(|(other, _)| other != path && path.as_str().starts_with(other.as_str()))
        })
        .map(|(_, area)| area)
        .sum();
    audit::record(
        conn,
        actor,
        at,
        "org.import_boundaries",
        "org:boundaries",
        &summary,
    )?;
    crate::reference::changed(conn, at)?;
    Ok(Some(summary))
}

/// A grid as the locator returns it. Ordered by code, so border ties resolve the same way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GridRef {
    pub code: String,
    pub id: OrgUnitId,
    pub name: String,
    pub path: OrgPath,
    /// The street the grid lies in.
    pub street: OrgUnitId,
}

/// Every current grid with its shape, for the locator's index.
pub(crate) fn grid_shapes(
    conn: &mut Conn,
) -> Result<Vec<(GridRef, MultiPolygon<f64>)>, StoreError> {
    let rows: Vec<(GridRef, String)> = conn.query(
        "SELECT u.code, u.id, u.name, u.path, b.shape, s.id FROM org_unit u
         JOIN org_boundary b ON b.org_unit_id = u.id
         JOIN org_unit c ON c.id = u.parent_id
         JOIN org_unit s ON s.id = c.parent_id
         WHERE u.valid_to IS NULL AND u.kind = $1",
        &[&OrgKind::Grid],
        |row| {
            Ok((
                GridRef {
                    code: row.get(0)?,
                    id: row.get(1)?,
                    name: row.get(2)?,
                    path: row.get(3)?,
                    street: row.get(5)?,
                },
                row.get(4)?,
            ))
        },
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|(grid, shape)| Some((grid, shape_from_geojson(&shape)?)))
        .collect())
}
