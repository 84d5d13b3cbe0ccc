//! Persons (居民): name, document (居民身份证 or another, GB 11643 checked), phone, sex and birth
//! date derived from the document, the house they live in, their household, and tags with a
//! source and a validity. The document and phone are sealed (SM4-GCM) with a keyed blind index
//! beside each for exact look-up, and a masked copy for lists; whole values come only from
//! [`reveal`], which writes the audit record. Tags of restricted kinds (重点人员) are seen only
//! by roles holding `ViewKeyPersons`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::ledger::RecordState;
use jiedao_core::registry::tag::{TagKind, Validity, seeded_tag_kinds};
use jiedao_core::registry::{Document, DocumentKind, Phone, TagSource};
use jiedao_core::{Capability, OrgPath, OrgUnitId, Role};
use serde::Serialize;
use uuid::Uuid;

use super::places::{self, Occupation};
use super::{Change, PERSONS, RegistryRefusal, Status, append, event_actor, first_entry};
use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::ledger::query::Where;
use crate::privacy::DataKey;
use crate::refusal::Refusal;
use crate::scope::{Principal, Scope};

/// The blind index purposes: a document number and a phone never share an index value.
const DOCUMENT_INDEX: &str = "document";
const PHONE_INDEX: &str = "phone";

/// A person as entered.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub name: String,
    pub document_kind: DocumentKind,
    pub document: String,
    pub phone: Option<String>,
    /// The house they live in (a room), from `moved_in`.
    pub house: Option<Uuid>,
    /// The community (or grid), by code or name, when there is no house.
    pub community: Option<String>,
    pub household: Option<String>,
    pub moved_in: Option<NaiveDate>,
}

/// A person checked and sealed, ready to be written (the CPU work done outside the writer).
#[derive(Debug, Clone)]
pub struct Sealed {
    pub(super) name: String,
    pub(super) kind: DocumentKind,
    pub(super) document: String,
    pub(super) document_index: String,
    pub(super) document_masked: String,
    pub(super) phone: Option<(String, String, String)>,
    pub(super) sex: Option<&'static str>,
    pub(super) birth: Option<NaiveDate>,
    pub(super) fields: BTreeMap<String, String>,
}

impl crate::Store {
    /// The key persons are sealed with, so many can be sealed on other threads before one
    /// write adds them all ([`add_sealed`]): imports, the demo, the benchmark.
    pub async fn sealing_key(&self) -> Result<DataKey, StoreError> {
        self.read(|conn| Ok(conn.data_key()?.clone())).await
    }
}

/// Checks a new person's name, document and phone, and seals what must be sealed.
pub fn seal(key: &DataKey, new: &NewPerson, today: NaiveDate) -> Result<Sealed, StoreError> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.name",
        }
        .into());
    }
    if name.chars().count() > 100 {
        return Err(Refusal::TooLong {
            field: "field.name",
            max: 100,
        }
        .into());
    }
    let document = Document::parse(new.document_kind, &new.document, today)
        .map_err(RegistryRefusal::Document)?;
    let phone = match new
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(text) => {
            let phone = Phone::parse(text).map_err(RegistryRefusal::Phone)?;
            Some((
                key.seal(phone.as_str())?,
                key.blind_index(PHONE_INDEX, phone.as_str()),
                phone.masked(),
            ))
        }
        None => None,
    };
    // No name, number or phone in the history, which cannot be edited: erasure must be able
    // to take them away.
    let mut fields = BTreeMap::new();
    fields.insert(
        "document_kind".to_owned(),
        document.kind().as_str().to_owned(),
    );
    fields.insert("phone".to_owned(), phone.is_some().to_string());
    Ok(Sealed {
        name: name.to_owned(),
        kind: document.kind(),
        document: key.seal(document.number())?,
        document_index: key.blind_index(DOCUMENT_INDEX, document.number()),
        document_masked: document.masked(),
        phone,
        sex: document.sex().map(|s| match s {
            jiedao_core::registry::Sex::Male => "male",
            jiedao_core::registry::Sex::Female => "female",
        }),
        birth: document.birth_date(),
        fields,
    })
}

/// Adds a person; returns their id.
pub fn add(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    new: &NewPerson,
) -> Result<Uuid, StoreError> {
    let sealed = seal(conn.data_key()?, new, at.date_naive())?;
    add_sealed(conn, principal, at, ip, new, &sealed)
}

/// Adds a person checked and sealed beforehand by [`seal`].
pub fn add_sealed(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    new: &NewPerson,
    sealed: &Sealed,
) -> Result<Uuid, StoreError> {
    super::may_manage(principal)?;
    let scope = principal.scope();
    let (path, street, address) = match (new.house, new.community.as_deref()) {
        (Some(house), _) => {
            let (place, street) = places::load_with_street(conn, house)?
                .ok_or_else(|| super::not_found(&super::PLACES, house))?;
            super::sees(&scope, &super::PLACES, house, &place.org_path)?;
            (place.org_path, street, Some(place.address))
        }
        (None, Some(text)) => {
            let (_, path, _, street) = places::community_named(conn, &scope, text)?;
            (path, street, None)
        }
        (None, None) => return Err(RegistryRefusal::NoCommunity.into()),
    };
    let taken: Option<i64> = conn.query_opt(
        "SELECT 1 FROM registry_person WHERE document_index = $1 AND state = $2",
        &[&sealed.document_index, &Status::Active.as_str()],
        |row| row.get(0),
    )?;
    if taken.is_some() {
        return Err(RegistryRefusal::DuplicateDocument.into());
    }
    let id = Uuid::now_v7();
    let fields = registered_fields(
        sealed,
        address.as_deref(),
        new.household.as_deref().map(str::trim),
    );
    let actor = event_actor(principal, ip);
    let entry = first_entry(&PERSONS, id, at, &actor, &Change::Registered { fields })?;
    let (phone, phone_index, phone_masked) = match &sealed.phone {
        Some((phone, index, masked)) => (Some(phone), Some(index), Some(masked)),
        None => (None, None, None),
    };
    conn.execute(
        "INSERT INTO registry_person (street_id, id, org_path, name, document_kind, document,
             document_index, document_masked, phone, phone_index, phone_masked, sex, birth_date,
             house_id, household, state, created_at, event_count, head_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14, $15, $16,
                 $17, $18)",
        &[
            &street,
            &id,
            &path,
            &sealed.name,
            &sealed.kind.as_str(),
            &sealed.document,
            &sealed.document_index,
            &sealed.document_masked,
            &phone,
            &phone_index,
            &phone_masked,
            &sealed.sex,
            &sealed.birth,
            &new.household
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty()),
            &Status::Active.as_str(),
            &at,
            &1_i64,
            &entry.hash,
        ],
    )?;
    entry.insert(conn, street)?;
    if let Some(house) = new.house {
        let from = new.moved_in.unwrap_or(at.date_naive());
        places::occupy(
            conn,
            principal,
            at,
            actor.ip.clone(),
            id,
            house,
            Occupation::Resident,
            from,
        )?;
    }
    Ok(id)
}

/// What a new person's first history entry says: no name, number or phone (the history cannot
/// be edited, and erasure must be able to take them away), but where and in which household.
pub(super) fn registered_fields(
    sealed: &Sealed,
    address: Option<&str>,
    household: Option<&str>,
) -> BTreeMap<String, String> {
    let mut fields = sealed.fields.clone();
    if let Some(address) = address {
        fields.insert("address".to_owned(), address.to_owned());
    }
    if let Some(household) = household {
        fields.insert("household".to_owned(), household.to_owned());
    }
    fields
}

/// A person as a list shows them: masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonRow {
    pub id: Uuid,
    pub name: String,
    pub document_kind: String,
    pub document: String,
    pub phone: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub org_path: OrgPath,
    pub house_id: Option<Uuid>,
    pub address: Option<String>,
    pub household: Option<String>,
    pub status: String,
    /// The tags in force today that the reader may see (their codes).
    pub tags: Vec<String>,
}

const SELECT_PERSON: &str =
    "SELECT f.id, f.name, f.document_kind, f.document_masked, f.phone_masked,
        f.sex, f.birth_date, f.org_path, f.house_id, h.address, f.household, f.state
   FROM registry_person f LEFT JOIN registry_place h ON h.id = f.house_id";

fn read(row: &Row<'_>) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        id: row.get(0)?,
        name: row.get(1)?,
        document_kind: row.get(2)?,
        document: row.get(3)?,
        phone: row.get(4)?,
        sex: row.get(5)?,
        birth_date: row.get(6)?,
        org_path: row.get(7)?,
        house_id: row.get(8)?,
        address: row.get(9)?,
        household: row.get(10)?,
        status: row.get(11)?,
        tags: Vec::new(),
    })
}

/// How to find persons.
#[derive(Debug, Clone, PartialEq)]
pub enum Find {
    /// Everyone, by name.
    All,
    /// Names starting with this.
    NamePrefix(String),
    /// The whole document number (exact).
    Document(String),
    /// The whole phone number (exact).
    Phone(String),
    /// Part of the address of the house they live in.
    Address(String),
    /// Carrying a tag of this kind today.
    Tag(String),
}

/// Persons `scope` sees, masked, `limit` from `offset`.
pub fn search(
    conn: &mut Conn,
    scope: &Scope,
    find: &Find,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> Result<Vec<PersonRow>, StoreError> {
    let mut w = Where::default();
    super::restrict(scope, &PERSONS, &mut w)?;
    let mut order = "f.name, f.id";
    match find {
        Find::All => {}
        Find::NamePrefix(prefix) => {
            let prefix = prefix.trim();
            if !prefix.is_empty() {
                let (low, high) = (w.bind(prefix.to_owned()), w.bind(super::prefix_end(prefix)));
                w.push(format!("f.name >= {low} AND f.name < {high}"));
            }
        }
        Find::Document(text) => {
            let number = normalise_document(text);
            let index = w.bind(conn.data_key()?.blind_index(DOCUMENT_INDEX, &number));
            w.push(format!("f.document_index = {index}"));
        }
        Find::Phone(text) => {
            let phone = Phone::parse(text).map_err(RegistryRefusal::Phone)?;
            let index = w.bind(conn.data_key()?.blind_index(PHONE_INDEX, phone.as_str()));
            w.push(format!("f.phone_index = {index}"));
        }
        Find::Address(text) => {
            let like = w.bind(format!("%{}%", places::escape_like(text.trim())));
            w.push(format!("h.address LIKE {like} ESCAPE '\\'"));
            order = "h.address, f.name";
        }
        Find::Tag(code) => {
            let kind = tag_kind(code)?;
            if !kind.visible_to(scope.role()) {
                return Err(Refusal::NotAllowed.into());
            }
            let (code, day) = (w.bind(code.clone()), w.bind(today));
            w.push(format!(
                "f.id IN (SELECT t.person_id FROM registry_tag t WHERE t.kind = {code}
                   AND t.first_day <= {day} AND (t.last_day IS NULL OR t.last_day >= {day}))"
            ));
        }
    }
    let (limit, offset) = (w.bind(limit.clamp(1, 500)), w.bind(offset.max(0)));
    let mut rows = conn.query(
        &format!(
            "{SELECT_PERSON}{} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            w.sql()
        ),
        &w.params(),
        read,
    )?;
    attach_tags(conn, scope.role(), &mut rows, today)?;
    Ok(rows)
}

/// A document number as typed, in the form it is indexed by: no spaces, upper case, and an
/// 18-character ID with a lower-case x made upper.
fn normalise_document(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

fn attach_tags(
    conn: &mut Conn,
    role: Role,
    rows: &mut [PersonRow],
    today: NaiveDate,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut w = Where::default();
    w.is_in("t.person_id", rows.iter().map(|r| r.id));
    let day = w.bind(today);
    w.push(format!(
        "t.first_day <= {day} AND (t.last_day IS NULL OR t.last_day >= {day})"
    ));
    if !role.can(Capability::ViewKeyPersons) {
        let restricted = w.bind(false);
        w.push(format!("t.restricted = {restricted}"));
    }
    let found: Vec<(Uuid, String)> = conn.query(
        &format!(
            "SELECT t.person_id, t.kind FROM registry_tag t{} ORDER BY t.kind",
            w.sql()
        ),
        &w.params(),
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut by_person: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (person, kind) in found {
        let kinds = by_person.entry(person).or_default();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    for row in rows {
        row.tags = by_person.remove(&row.id).unwrap_or_default();
    }
    Ok(())
}

/// One person `scope` sees, masked.
pub fn get(
    conn: &mut Conn,
    scope: &Scope,
    id: Uuid,
    today: NaiveDate,
) -> Result<PersonRow, StoreError> {
    let mut row = conn
        .query_opt(&format!("{SELECT_PERSON} WHERE f.id = $1"), &[&id], read)?
        .ok_or_else(|| super::not_found(&PERSONS, id))?;
    super::sees(scope, &PERSONS, id, &row.org_path)?;
    attach_tags(conn, scope.role(), std::slice::from_mut(&mut row), today)?;
    Ok(row)
}

/// A tag as a person's page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tag {
    pub id: Uuid,
    pub kind: String,
    pub source: String,
    pub first: NaiveDate,
    pub last: Option<NaiveDate>,
}

/// Every tag of a person, past and present, that `scope`'s role may see.
pub fn tags(conn: &mut Conn, scope: &Scope, person: Uuid) -> Result<Vec<Tag>, StoreError> {
    let mut w = Where::default();
    let who = w.bind(person);
    w.push(format!("t.person_id = {who}"));
    if !scope.role().can(Capability::ViewKeyPersons) {
        let restricted = w.bind(false);
        w.push(format!("t.restricted = {restricted}"));
    }
    conn.query(
        &format!(
            "SELECT t.id, t.kind, t.source, t.first_day, t.last_day FROM registry_tag t{}
              ORDER BY t.first_day DESC",
            w.sql()
        ),
        &w.params(),
        |row| {
            Ok(Tag {
                id: row.get(0)?,
                kind: row.get(1)?,
                source: row.get(2)?,
                first: row.get(3)?,
                last: row.get(4)?,
            })
        },
    )
}

/// The configured kind of tag with this code.
pub fn tag_kind(code: &str) -> Result<TagKind, StoreError> {
    tag_kinds()
        .into_iter()
        .find(|k| k.code == code)
        .ok_or_else(|| {
            RegistryRefusal::UnknownTag {
                code: code.to_owned(),
            }
            .into()
        })
}

/// Every configured kind of tag.
pub fn tag_kinds() -> Vec<TagKind> {
    static KINDS: std::sync::OnceLock<Vec<TagKind>> = std::sync::OnceLock::new();
    KINDS
        .get_or_init(|| seeded_tag_kinds().unwrap_or_default())
        .clone()
}

/// Tags `person` with a kind, from a source, for a period (the kind's default when `last` is
/// not given). A restricted kind takes a role that may see it.
#[expect(clippy::too_many_arguments, reason = "who, when, and the tag's parts")]
pub fn tag(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    person: Uuid,
    code: &str,
    source: TagSource,
    first: NaiveDate,
    last: Option<NaiveDate>,
) -> Result<(), StoreError> {
    super::may_manage(principal)?;
    let kind = tag_kind(code)?;
    if !kind.visible_to(principal.role()) {
        return Err(Refusal::NotAllowed.into());
    }
    let scope = principal.scope();
    let (path, street): (OrgPath, OrgUnitId) = conn
        .query_opt(
            "SELECT org_path, street_id FROM registry_person WHERE id = $1",
            &[&person],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .ok_or_else(|| super::not_found(&PERSONS, person))?;
    super::sees(&scope, &PERSONS, person, &path)?;
    let validity = match last {
        Some(_) => Validity::new(first, last).map_err(RegistryRefusal::Validity)?,
        None => kind.default_validity(first),
    };
    conn.execute(
        "INSERT INTO registry_tag (street_id, id, person_id, kind, source, first_day, last_day,
             restricted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &street,
            &Uuid::now_v7(),
            &person,
            &kind.code,
            &source.as_str(),
            &validity.first(),
            &validity.last(),
            &kind.restricted,
        ],
    )?;
    let change = Change::Tagged {
        tag: kind.code.clone(),
        source: source.as_str().to_owned(),
        first: validity.first(),
        last: validity.last(),
    };
    append(
        conn,
        &PERSONS,
        person,
        at,
        &event_actor(principal, ip),
        Status::Active,
        &change,
    )
}

/// A person's whole document number and phone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revealed {
    pub document: String,
    pub phone: Option<String>,
}

/// A person's whole document number and phone, for a role that needs them; the view is written
/// to the audit log (个人信息查看留痕) in the same transaction.
pub fn reveal(
    conn: &mut Conn,
    principal: &Principal,
    id: Uuid,
    at: DateTime<Utc>,
    ip: Option<String>,
) -> Result<Revealed, StoreError> {
    let scope = principal.scope();
    scope.require(Capability::RevealPersonalData)?;
    let (path, document, phone): (OrgPath, Option<String>, Option<String>) = conn
        .query_opt(
            "SELECT org_path, document, phone FROM registry_person WHERE id = $1",
            &[&id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?
        .ok_or_else(|| super::not_found(&PERSONS, id))?;
    super::sees(&scope, &PERSONS, id, &path)?;
    let key = conn.data_key()?;
    let revealed = Revealed {
        document: document
            .map(|d| key.open(&d))
            .transpose()?
            .unwrap_or_default(),
        phone: phone.map(|p| key.open(&p)).transpose()?,
    };
    crate::audit::record(
        conn,
        &principal.actor(ip),
        at,
        "personal.reveal",
        &format!("person:{id}"),
        &serde_json::json!({ "document": true, "phone": revealed.phone.is_some() }),
    )?;
    Ok(revealed)
}

/// How many persons `scope` sees (for the registry's summary).
pub fn count(conn: &mut Conn, scope: &Scope) -> Result<i64, StoreError> {
    let mut w = Where::default();
    super::restrict(scope, &PERSONS, &mut w)?;
    let active = w.bind(Status::Active.as_str());
    w.push(format!("f.state = {active}"));
    conn.scalar(
        &format!("SELECT COUNT(*) FROM registry_person f{}", w.sql()),
        &w.params(),
    )
}
