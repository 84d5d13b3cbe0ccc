//! Many persons at once (the demo street, a whole community's first entry): the same rows and
//! the same hash-chained histories as [`persons::add_sealed`], [`persons::tag`] and
//! [`places::occupy`] one by one would write, but with the chains linked in memory and the rows
//! sent as multi-row inserts, so a write of thousands costs tens of statements, not tens of
//! thousands (on PostgreSQL every statement is a round trip).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::ledger::RecordState;
use jiedao_core::registry::TagSource;
use jiedao_core::{OrgPath, OrgUnitId};
use uuid::Uuid;

use super::persons::{self, NewPerson, Sealed};
use super::places::Occupation;
use super::{Change, PERSONS, PLACES, RegistryRefusal, Status, event_actor, first_entry};
use crate::db::{Conn, ToValue};
use crate::error::StoreError;
use crate::ledger::Ledger;
use crate::ledger::history::{self, Entry, EventActor};
use crate::refusal::Refusal;
use crate::scope::Principal;

/// A new person living in a house, with the tags they bear.
#[derive(Debug, Clone)]
pub struct Newcomer {
    /// The person; `house` is required here.
    pub person: NewPerson,
    pub sealed: Sealed,
    /// Tag kinds, each with its source and first day (the kind's default validity).
    pub tags: Vec<(String, TagSource, NaiveDate)>,
}

/// A further stay of a newcomer (by position in the list): owner, landlord or tenant.
#[derive(Debug, Clone)]
pub struct ExtraStay {
    pub newcomer: usize,
    pub place: Uuid,
    pub role: Occupation,
    pub from: NaiveDate,
}

/// A record's history head, kept in memory while entries are linked.
struct Head {
    street: OrgUnitId,
    count: i64,
    hash: Vec<u8>,
    state: Option<Status>,
}

impl Head {
    fn push(
        &mut self,
        out: &mut Vec<(Entry, OrgUnitId)>,
        ledger: &'static Ledger,
        record: Uuid,
        at: DateTime<Utc>,
        actor: &EventActor,
        change: &Change,
    ) -> Result<(), StoreError> {
        let entry = Entry::new(
            ledger,
            record,
            self.count + 1,
            &self.hash,
            at,
            actor,
            self.state,
            Status::Active,
            change,
        )?;
        self.count += 1;
        self.hash.clone_from(&entry.hash);
        self.state = Some(Status::Active);
        out.push((entry, self.street));
        Ok(())
    }
}

/// A house as the newcomers find it.
struct House {
    head: Head,
    path: OrgPath,
    address: String,
    rented: bool,
}

/// A person row to insert.
struct Row {
    id: Uuid,
    street: OrgUnitId,
    path: OrgPath,
    house: Uuid,
    household: Option<String>,
    head: Head,
}

/// Adds `newcomers` (each living in their house from their moving-in day) with their tags
/// and `extra` stays, as one principal at one moment; returns their ids in order. Refuses as
/// the one-by-one functions would: a role that may not keep the registry, a house out of scope,
/// a document already registered, a tag kind the role may not see.
pub fn add_many(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    newcomers: &[Newcomer],
    extra: &[ExtraStay],
) -> Result<Vec<Uuid>, StoreError> {
    super::may_manage(principal)?;
    let scope = principal.scope();
    let actor = event_actor(principal, ip);
    // Documents already registered, or twice in this list.
    let mut seen = HashSet::new();
    for newcomer in newcomers {
        if !seen.insert(newcomer.sealed.document_index.as_str()) {
            return Err(RegistryRefusal::DuplicateDocument.into());
        }
    }
    let indexes: Vec<&String> = newcomers.iter().map(|n| &n.sealed.document_index).collect();
    for chunk in indexes.chunks(500) {
        let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let active = Status::Active.as_str();
        let mut params: Vec<&dyn ToValue> = vec![&active];
        params.extend(chunk.iter().map(|i| *i as &dyn ToValue));
        let taken: Option<i64> = conn.query_opt(
            &format!(
                "SELECT 1 FROM registry_person WHERE state = $1 AND document_index IN ({})",
                marks.join(", ")
            ),
            &params,
            |row| row.get(0),
        )?;
        if taken.is_some() {
            return Err(RegistryRefusal::DuplicateDocument.into());
        }
    }

    let mut houses: HashMap<Uuid, House> = HashMap::new();
    let mut house = |conn: &mut Conn, id: Uuid| -> Result<(), StoreError> {
        if houses.contains_key(&id) {
            return Ok(());
        }
        let found = conn.query_opt(
            "SELECT street_id, state, event_count, head_hash, org_path, address, rented
               FROM registry_place WHERE id = $1",
            &[&id],
            |row| {
                Ok(House {
                    head: Head {
                        street: row.get(0)?,
                        state: Status::parse(&row.get::<String>(1)?),
                        count: row.get(2)?,
                        hash: row.get(3)?,
                    },
                    path: row.get(4)?,
                    address: row.get(5)?,
                    rented: row.get(6)?,
                })
            },
        )?;
        let found = found.ok_or_else(|| super::not_found(&PLACES, id))?;
        super::sees(&scope, &PLACES, id, &found.path)?;
        houses.insert(id, found);
        Ok(())
    };
    for newcomer in newcomers {
        let id = newcomer.person.house.ok_or(RegistryRefusal::NoCommunity)?;
        house(conn, id)?;
    }
    for stay in extra {
        if stay.role == Occupation::Resident {
            return Err(Refusal::NotAllowed.into());
        }
        house(conn, stay.place)?;
    }

    let mut person_events = Vec::new();
    let mut place_events = Vec::new();
    let mut rows: Vec<Row> = Vec::with_capacity(newcomers.len());
    let mut stays: Vec<(OrgUnitId, Uuid, Uuid, Uuid, &'static str, NaiveDate)> = Vec::new();
    let mut tags = Vec::new();
    let mut occupy = |rows: &mut Vec<Row>,
                      houses: &mut HashMap<Uuid, House>,
                      person_events: &mut Vec<(Entry, OrgUnitId)>,
                      k: usize,
                      place: Uuid,
                      role: Occupation,
                      from: NaiveDate|
     -> Result<(), StoreError> {
        let row = rows
            .get_mut(k)
            .ok_or_else(|| super::not_found(&PERSONS, Uuid::nil()))?;
        let house = houses
            .get_mut(&place)
            .ok_or_else(|| super::not_found(&PLACES, place))?;
        let change = Change::Occupied {
            person: row.id,
            place,
            role: role.as_str().to_owned(),
            from,
        };
        stays.push((
            house.head.street,
            Uuid::now_v7(),
            row.id,
            place,
            role.as_str(),
            from,
        ));
        if role == Occupation::Tenant {
            house.rented = true;
        }
        house
            .head
            .push(&mut place_events, &PLACES, place, at, &actor, &change)?;
        row.head
            .push(person_events, &PERSONS, row.id, at, &actor, &change)
    };
    for (k, newcomer) in newcomers.iter().enumerate() {
        let (new, sealed) = (&newcomer.person, &newcomer.sealed);
        let place = new.house.ok_or(RegistryRefusal::NoCommunity)?;
        let home = houses
            .get(&place)
            .ok_or_else(|| super::not_found(&PLACES, place))?;
        let id = Uuid::now_v7();
        let household = new
            .household
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_owned);
        let fields = persons::registered_fields(sealed, Some(&home.address), household.as_deref());
        let entry = first_entry(&PERSONS, id, at, &actor, &Change::Registered { fields })?;
        let head = Head {
            street: home.head.street,
            count: 1,
            hash: entry.hash.clone(),
            state: Some(Status::Active),
        };
        person_events.push((entry, home.head.street));
        rows.push(Row {
            id,
            street: home.head.street,
            path: home.path.clone(),
            house: place,
            household,
            head,
        });
        let from = new.moved_in.unwrap_or(at.date_naive());
        occupy(
            &mut rows,
            &mut houses,
            &mut person_events,
            k,
            place,
            Occupation::Resident,
            from,
        )?;
        for (code, source, first) in &newcomer.tags {
            let kind = persons::tag_kind(code)?;
            if !kind.visible_to(principal.role()) {
                return Err(Refusal::NotAllowed.into());
            }
            let validity = kind.default_validity(*first);
            let change = Change::Tagged {
                tag: kind.code.clone(),
                source: source.as_str().to_owned(),
                first: validity.first(),
                last: validity.last(),
            };
            let row = rows
                .last_mut()
                .ok_or_else(|| super::not_found(&PERSONS, id))?;
            row.head
                .push(&mut person_events, &PERSONS, id, at, &actor, &change)?;
            tags.push((
                row.street,
                Uuid::now_v7(),
                id,
                kind.code.clone(),
                source.as_str(),
                validity.first(),
                validity.last(),
                kind.restricted,
            ));
        }
    }
    for stay in extra {
        occupy(
            &mut rows,
            &mut houses,
            &mut person_events,
            stay.newcomer,
            stay.place,
            stay.role,
            stay.from,
        )?;
    }

    // The rows, in as few statements as the parameter limits allow.
    let active = Status::Active.as_str();
    let phones: Vec<(&str, [Option<&String>; 3])> = newcomers
        .iter()
        .map(|n| {
            let phone = n.sealed.phone.as_ref();
            (
                n.sealed.kind.as_str(),
                [
                    phone.map(|p| &p.0),
                    phone.map(|p| &p.1),
                    phone.map(|p| &p.2),
                ],
            )
        })
        .collect();
    let mut params: Vec<&dyn ToValue> = Vec::with_capacity(rows.len() * 19);
    for ((row, newcomer), (kind, [phone, phone_index, phone_masked])) in
        rows.iter().zip(newcomers).zip(&phones)
    {
        let sealed = &newcomer.sealed;
        params.extend([
            &row.street as &dyn ToValue,
            &row.id,
            &row.path,
            &sealed.name,
            kind,
            &sealed.document,
            &sealed.document_index,
            &sealed.document_masked,
            phone,
            phone_index,
            phone_masked,
            &sealed.sex,
            &sealed.birth,
            &row.house,
            &row.household,
            &active,
            &at,
            &row.head.count,
            &row.head.hash,
        ]);
    }
    conn.insert_many(
        "INSERT INTO registry_person (street_id, id, org_path, name, document_kind, document,
             document_index, document_masked, phone, phone_index, phone_masked, sex, birth_date,
             house_id, household, state, created_at, event_count, head_hash)",
        19,
        &params,
    )?;
    history::insert_many(conn, &person_events)?;
    history::insert_many(conn, &place_events)?;
    let mut params: Vec<&dyn ToValue> = Vec::with_capacity(stays.len() * 6);
    for (street, id, person, place, role, from) in &stays {
        params.extend([street as &dyn ToValue, id, person, place, role, from]);
    }
    conn.insert_many(
        "INSERT INTO registry_occupancy (street_id, id, person_id, place_id, role, from_day)",
        6,
        &params,
    )?;
    let mut params: Vec<&dyn ToValue> = Vec::with_capacity(tags.len() * 8);
    for (street, id, person, kind, source, first, last, restricted) in &tags {
        params.extend([
            street as &dyn ToValue,
            id,
            person,
            kind,
            source,
            first,
            last,
            restricted,
        ]);
    }
    conn.insert_many(
        "INSERT INTO registry_tag (street_id, id, person_id, kind, source, first_day, last_day,
             restricted)",
        8,
        &params,
    )?;
    for (id, house) in &houses {
        conn.execute(
            "UPDATE registry_place SET state = $1, event_count = $2, head_hash = $3, rented = $4
              WHERE id = $5",
            &[
                &house.head.state.unwrap_or(Status::Active).as_str(),
                &house.head.count,
                &house.head.hash,
                &house.rented,
                id,
            ],
        )?;
    }
    Ok(rows.iter().map(|row| row.id).collect())
}
