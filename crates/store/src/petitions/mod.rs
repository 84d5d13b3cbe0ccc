//! Petitions (信访) in the database: registration from every channel and every action through
//! the rules of `jiedao_core::petition`, the record row with its clocks, the hash-chained
//! history, reads by the reader's scope with an accusation's author sealed, one file per
//! petitioner (一人一档, every view audited) with its plan (一人一方案), and the figures'
//! rollups, rebuilt and recounted from the histories.
//!
//! Who sees what (条例 art. 30): a person an accusation names never sees the petition at all;
//! anyone else who sees it but is not petition staff sees it with its author sealed.

pub mod figures;
pub mod read;
pub mod write;

use jiedao_core::Capability;
use jiedao_core::petition::{Change, Class, Petition, PetitionState};
use uuid::Uuid;

use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::Ledger;
use crate::ledger::access::Facts;
use crate::ledger::history::EventRecord;
use crate::refusal::Refusal;
use crate::scope::Scope;

pub use read::{PetitionDetail, PetitionFilter, PetitionRow, PetitionerFile};
pub use write::NewPetition;

/// Petitions as a ledger of the kernel.
pub const LEDGER: Ledger = Ledger {
    kind: "petition",
    prefix: "XF",
    records: "petition",
    history: "petition_event",
    people: "petition_account",
    record_column: "petition_id",
};

/// A petition's history entry.
pub type Event = EventRecord<PetitionState, Change>;

fn facts(petition: &Petition) -> Facts<'_> {
    Facts {
        id: petition.id,
        org_path: &petition.org_path,
        department: petition.department,
    }
}

pub(crate) fn not_found(id: Uuid) -> StoreError {
    Refusal::NotFound {
        what: "noun.petition",
        key: id.to_string(),
    }
    .into()
}

/// The petition as its row keeps it (the fold of its history), with its street and head.
pub(crate) fn load(conn: &mut Conn, id: Uuid) -> Result<(Petition, Vec<u8>), StoreError> {
    let (body, head): (String, Vec<u8>) = conn
        .query_opt(
            "SELECT body, head_hash FROM petition WHERE id = $1",
            &[&id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .ok_or_else(|| not_found(id))?;
    let petition =
        serde_json::from_str(&body).map_err(|error| StoreError::Query(error.to_string()))?;
    Ok((petition, head))
}

/// Whether the reader of `scope` may be shown who wrote `petition` (条例 art. 30): always,
/// except an accusation, whose author only petition staff it does not name see.
pub(crate) fn shows_author(scope: &Scope, petition: &Petition) -> bool {
    petition.registration.class != Class::Accusation
        || (scope.role().can(Capability::HandlePetitions)
            && !scope
                .user_id()
                .is_some_and(|me| petition.registration.accused.contains(&me)))
}

/// Refuses a role that sees no petitions at all (not told whether one exists).
pub(crate) fn may_see_any(scope: &Scope) -> Result<(), StoreError> {
    match jiedao_core::ledger::Sight::of(
        scope.role(),
        scope.department(),
        Capability::ViewPetitions,
    ) {
        Some(_) => Ok(()),
        None => Err(Refusal::NotAllowed.into()),
    }
}

/// Refuses a reader an accusation names, as if the petition were not there.
pub(crate) fn hide_from_accused(scope: &Scope, petition: &Petition) -> Result<(), StoreError> {
    match scope.user_id() {
        Some(me) if petition.registration.accused.contains(&me) => Err(not_found(petition.id)),
        _ => Ok(()),
    }
}

impl crate::Store {
    /// Registers a petition now, with the store's calendar.
    pub async fn register_petition(
        &self,
        principal: &crate::Principal,
        ip: Option<String>,
        new: NewPetition,
    ) -> Result<write::Registered, StoreError> {
        let (principal, calendar, at) = (principal.clone(), self.calendar(), self.now());
        self.write(move |conn| write::register(conn, &principal, &calendar, at, ip.clone(), &new))
            .await
    }

    /// Takes an action on a petition now, with the store's calendar.
    pub async fn act_on_petition(
        &self,
        principal: &crate::Principal,
        ip: Option<String>,
        id: Uuid,
        action: jiedao_core::petition::Action,
    ) -> Result<Petition, StoreError> {
        let (principal, calendar, at) = (principal.clone(), self.calendar(), self.now());
        self.write(move |conn| {
            write::act(
                conn,
                &principal,
                &calendar,
                at,
                ip.clone(),
                id,
                action.clone(),
            )
        })
        .await
    }

    /// Petition `id` as `scope` may see it, now.
    pub async fn petition(&self, scope: &Scope, id: Uuid) -> Result<PetitionDetail, StoreError> {
        let (scope, calendar, now) = (scope.clone(), self.calendar(), self.now());
        self.read(move |conn| read::detail(conn, &scope, &calendar, id, now))
            .await
    }

    /// Petitions `scope` sees that meet `filter`, newest first, and how many there are.
    pub async fn petitions(
        &self,
        scope: &Scope,
        filter: PetitionFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<PetitionRow>, i64), StoreError> {
        let (scope, calendar, now) = (scope.clone(), self.calendar(), self.now());
        self.read(move |conn| {
            let rows = read::list(conn, &scope, &calendar, &filter, now, limit, offset)?;
            Ok((rows, read::count(conn, &scope, &filter, now)?))
        })
        .await
    }

    /// A petitioner's file (一人一档), the view audited.
    pub async fn petitioner_file(
        &self,
        principal: &crate::Principal,
        ip: Option<String>,
        person: Uuid,
    ) -> Result<PetitionerFile, StoreError> {
        let (principal, calendar, now) = (principal.clone(), self.calendar(), self.now());
        self.write(move |conn| read::file(conn, &principal, &calendar, person, now, ip.clone()))
            .await
    }
}

/// Whether petition `id`'s history is whole (nothing edited, removed or added).
pub fn verify(conn: &mut Conn, id: Uuid) -> Result<bool, StoreError> {
    let Some((count, head)) = conn.query_opt(
        "SELECT event_count, head_hash FROM petition WHERE id = $1",
        &[&id],
        |row| Ok((row.get::<i64>(0)?, row.get::<Vec<u8>>(1)?)),
    )?
    else {
        return Ok(false);
    };
    crate::ledger::history::verify(
        conn,
        &LEDGER,
        id,
        &head,
        u32::try_from(count).unwrap_or(u32::MAX),
    )
}
