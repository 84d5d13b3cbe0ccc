//! Reading petitions as the reader may see them: lists by the reader's scope (never those that
//! accuse the reader), one petition with its history and the actions open to the reader, and
//! one file per petitioner (一人一档), whose every view is written to the audit log. An
//! accusation's author is sealed from everyone but the petition staff (条例 art. 30): the
//! petitioner's name and id, and the earlier petitions it repeats, are left out of what is read.

use chrono::{DateTime, Utc};
use jiedao_core::ledger::{Light, RecordState, Timer};
use jiedao_core::petition::{
    ActionKind, Change, Channel, Class, Flag, Petition, PetitionState, Step, available,
};
use jiedao_core::{Capability, UserId, WorkCalendar};
use serde::Serialize;
use uuid::Uuid;

use super::{Event, LEDGER, facts, hide_from_accused, load, shows_author};
use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::ledger::access;
use crate::ledger::history;
use crate::ledger::query::Where;
use crate::refusal::Refusal;
use crate::scope::{Principal, Scope};

/// Which petitions a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PetitionFilter {
    /// `Some(true)` open only, `Some(false)` finished only.
    pub open: Option<bool>,
    pub channel: Option<Channel>,
    pub class: Option<Class>,
    pub state: Option<PetitionState>,
    /// 积案 not yet cleared.
    pub backlog: bool,
    /// Past the running step's period.
    pub overdue: bool,
    /// About to be late: the running step's light yellow or red (what the leader watches).
    pub due_soon: bool,
    pub petitioner: Option<Uuid>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_before: Option<DateTime<Utc>>,
    /// Only these (a figure's drill-down).
    pub ids: Option<Vec<Uuid>>,
}

/// The petitioner as a reader may see them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Petitioner {
    pub id: Uuid,
    pub name: String,
}

/// A petition as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetitionRow {
    pub id: Uuid,
    pub number: String,
    pub state: PetitionState,
    pub channel: Channel,
    pub class: Class,
    pub matter: String,
    /// `None` when sealed (an accusation, read by anyone but petition staff).
    pub petitioner: Option<Petitioner>,
    pub received_at: DateTime<Utc>,
    pub step: Option<Step>,
    pub deadline: Option<DateTime<Utc>>,
    pub light: Option<Light>,
    pub backlog: bool,
    pub backlog_cleared: bool,
    pub flags: Vec<Flag>,
    pub repeat: bool,
}

const SELECT_ROW: &str = "SELECT f.id, f.number, f.state, f.channel, f.class, f.matter,
        f.petitioner_id, p.name, f.received_at, f.step, f.step_timer, f.backlog,
        f.backlog_cleared, f.flags, f.repeat_of
   FROM petition f LEFT JOIN registry_person p ON p.id = f.petitioner_id";

fn code<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, StoreError> {
    parse(text).ok_or_else(|| StoreError::Query(format!("unknown code {text:?}")))
}

fn read_row(
    row: &Row<'_>,
    sees_authors: bool,
    calendar: &WorkCalendar,
    now: DateTime<Utc>,
) -> Result<PetitionRow, StoreError> {
    let class = code(&row.get::<String>(4)?, Class::parse)?;
    let timer: Option<String> = row.get(10)?;
    let timer: Option<Timer> = timer.and_then(|t| serde_json::from_str(&t).ok());
    let flags: String = row.get(13)?;
    let sealed = class == Class::Accusation && !sees_authors;
    let petitioner = if sealed {
        None
    } else {
        Some(Petitioner {
            id: row.get(6)?,
            name: row.get::<Option<String>>(7)?.unwrap_or_default(),
        })
    };
    Ok(PetitionRow {
        id: row.get(0)?,
        number: row.get(1)?,
        state: code(&row.get::<String>(2)?, PetitionState::parse)?,
        channel: code(&row.get::<String>(3)?, Channel::parse)?,
        class,
        matter: row.get(5)?,
        petitioner,
        received_at: row.get(8)?,
        step: row
            .get::<Option<String>>(9)?
            .as_deref()
            .and_then(Step::parse),
        deadline: timer.as_ref().and_then(|t| t.deadline),
        light: timer.as_ref().map(|t| t.light(calendar, now)),
        backlog: row.get(11)?,
        backlog_cleared: row.get(12)?,
        flags: flags.split(',').filter_map(Flag::parse).collect(),
        repeat: row.get::<Option<Uuid>>(14)?.is_some() && !sealed,
    })
}

/// The conditions of `filter` and of who `scope` is, on petitions as `f`.
fn conditions(
    scope: &Scope,
    filter: &PetitionFilter,
    now: DateTime<Utc>,
) -> Result<Where, Refusal> {
    let mut w = Where::default();
    access::restrict(scope, &LEDGER, Capability::ViewPetitions, &mut w)?;
    if let Some(me) = scope.user_id() {
        let me = w.bind(me);
        w.push(format!(
            "f.id NOT IN (SELECT a.petition_id FROM petition_accused a WHERE a.user_id = {me})"
        ));
    }
    match filter.open {
        Some(true) => w.open_only::<PetitionState>("f.state"),
        Some(false) => w.is_in(
            "f.state",
            <PetitionState as RecordState>::CLOSED
                .iter()
                .map(|s| s.as_str()),
        ),
        None => {}
    }
    if let Some(state) = filter.state {
        let p = w.bind(state.as_str());
        w.push(format!("f.state = {p}"));
    }
    if let Some(channel) = filter.channel {
        let p = w.bind(channel.as_str());
        w.push(format!("f.channel = {p}"));
    }
    if let Some(class) = filter.class {
        let p = w.bind(class.as_str());
        w.push(format!("f.class = {p}"));
    }
    if filter.backlog {
        let (yes, no) = (w.bind(true), w.bind(false));
        w.push(format!("f.backlog = {yes} AND f.backlog_cleared = {no}"));
    }
    if filter.overdue {
        let p = w.bind(now);
        w.push(format!("f.step_deadline < {p}"));
    }
    if filter.due_soon {
        let p = w.bind(now);
        w.push(format!("f.step_warn_at <= {p}"));
    }
    if let Some(person) = filter.petitioner {
        let p = w.bind(person);
        w.push(format!("f.petitioner_id = {p}"));
        // A sealed author is not found by their name either.
        if !scope.role().can(Capability::HandlePetitions) {
            let p = w.bind(Class::Accusation.as_str());
            w.push(format!("f.class <> {p}"));
        }
    }
    if let Some(from) = filter.received_from {
        let p = w.bind(from);
        w.push(format!("f.received_at >= {p}"));
    }
    if let Some(before) = filter.received_before {
        let p = w.bind(before);
        w.push(format!("f.received_at < {p}"));
    }
    if let Some(ids) = &filter.ids {
        w.is_in("f.id", ids.clone());
    }
    Ok(w)
}

/// Petitions `scope` sees that meet `filter`, newest first, `limit` from `offset`.
pub fn list(
    conn: &mut Conn,
    scope: &Scope,
    calendar: &WorkCalendar,
    filter: &PetitionFilter,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Vec<PetitionRow>, StoreError> {
    let mut w = conditions(scope, filter, now)?;
    let (limit, offset) = (w.bind(limit.clamp(1, 500)), w.bind(offset.max(0)));
    let sees_authors = scope.role().can(Capability::HandlePetitions);
    conn.query(
        &format!(
            "{SELECT_ROW}{} ORDER BY f.received_at DESC, f.id LIMIT {limit} OFFSET {offset}",
            w.sql()
        ),
        &w.params(),
        |row| read_row(row, sees_authors, calendar, now),
    )
}

/// How many petitions `scope` sees that meet `filter`.
pub fn count(
    conn: &mut Conn,
    scope: &Scope,
    filter: &PetitionFilter,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let w = conditions(scope, filter, now)?;
    conn.scalar(
        &format!("SELECT COUNT(*) FROM petition f{}", w.sql()),
        &w.params(),
    )
}

/// One petition as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetitionDetail {
    pub petition: Petition,
    /// `None` when sealed from the reader.
    pub petitioner: Option<Petitioner>,
    pub sealed: bool,
    /// The street's name: the office the documents come from.
    pub street_name: String,
    pub department: Option<String>,
    pub light: Option<Light>,
    pub history: Vec<Event>,
    /// What the reader may do now.
    pub actions: Vec<ActionKind>,
}

/// Leaves out of a petition what would tell its author.
fn seal(petition: &mut Petition) {
    petition.registration.petitioner = Uuid::nil();
    petition.registration.repeat_of = None;
}

fn seal_change(change: &mut Change) {
    match change {
        Change::Register { registration, .. } => {
            registration.petitioner = Uuid::nil();
            registration.repeat_of = None;
        }
        Change::ConfirmRepeat { of } => *of = Uuid::nil(),
        _ => {}
    }
}

/// Petition `id` as `scope` may see it.
pub fn detail(
    conn: &mut Conn,
    scope: &Scope,
    calendar: &WorkCalendar,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<PetitionDetail, StoreError> {
    super::may_see_any(scope)?;
    let (mut petition, _) = load(conn, id)?;
    hide_from_accused(scope, &petition)?;
    if !access::sees(
        conn,
        &LEDGER,
        scope,
        Capability::ViewPetitions,
        &facts(&petition),
    )? {
        return Err(super::not_found(id));
    }
    let standing = access::standing(conn, &LEDGER, scope, &facts(&petition))?;
    let actions = available(&petition, &standing);
    let mut history: Vec<Event> = history::load(conn, &LEDGER, id)?;
    let sealed = !shows_author(scope, &petition);
    let petitioner = if sealed {
        seal(&mut petition);
        history.iter_mut().for_each(|e| seal_change(&mut e.change));
        None
    } else {
        conn.query_opt(
            "SELECT id, name FROM registry_person WHERE id = $1",
            &[&petition.registration.petitioner],
            |row| {
                Ok(Petitioner {
                    id: row.get(0)?,
                    name: row.get(1)?,
                })
            },
        )?
    };
    if !scope.role().can(Capability::HandlePetitions) {
        // Who is accused is the petition staff's to know.
        petition.registration.accused.clear();
    }
    let department = match petition.department {
        Some(department) => conn.query_opt(
            "SELECT name FROM department WHERE id = $1",
            &[&department],
            |row| row.get(0),
        )?,
        None => None,
    };
    let light = petition.timer.as_ref().map(|t| t.light(calendar, now));
    let street_name: String = conn.scalar(
        "SELECT name FROM org_unit WHERE id = $1",
        &[&petition.street],
    )?;
    Ok(PetitionDetail {
        street_name,
        petition,
        petitioner,
        sealed,
        department,
        light,
        history,
        actions,
    })
}

/// 一人一方案: a key petitioner's plan and the leader responsible.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub leader: UserId,
    pub leader_name: String,
    pub plan: String,
    pub updated_at: DateTime<Utc>,
}

/// 一人一档: a petitioner and every petition of theirs the reader may see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetitionerFile {
    pub petitioner: Petitioner,
    pub petitions: Vec<PetitionRow>,
    pub repeats: usize,
    pub plan: Option<Plan>,
}

/// The file of petitioner `person`; the view is written to the audit log in the same
/// transaction (so this is a write).
pub fn file(
    conn: &mut Conn,
    principal: &Principal,
    calendar: &WorkCalendar,
    person: Uuid,
    now: DateTime<Utc>,
    ip: Option<String>,
) -> Result<PetitionerFile, StoreError> {
    let scope = principal.scope();
    scope.require(Capability::ViewPetitions)?;
    let (name, path): (String, jiedao_core::OrgPath) = conn
        .query_opt(
            "SELECT name, org_path FROM registry_person WHERE id = $1",
            &[&person],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .ok_or_else(|| Refusal::NotFound {
            what: "noun.person",
            key: person.to_string(),
        })?;
    if !scope.covers(&path) {
        return Err(Refusal::OutOfScope.into());
    }
    let filter = PetitionFilter {
        petitioner: Some(person),
        ..PetitionFilter::default()
    };
    let petitions = list(conn, &scope, calendar, &filter, now, 500, 0)?;
    let repeats = petitions.iter().filter(|p| p.repeat).count();
    let plan = conn.query_opt(
        "SELECT p.leader_id, u.display_name, p.plan, p.updated_at
           FROM petition_plan p JOIN app_user u ON u.id = p.leader_id WHERE p.person_id = $1",
        &[&person],
        |row| {
            Ok(Plan {
                leader: row.get(0)?,
                leader_name: row.get(1)?,
                plan: row.get(2)?,
                updated_at: row.get(3)?,
            })
        },
    )?;
    crate::audit::record(
        conn,
        &principal.actor(ip),
        now,
        "petition.file_view",
        &format!("person:{person}"),
        &serde_json::json!({ "petitions": petitions.len() }),
    )?;
    Ok(PetitionerFile {
        petitioner: Petitioner { id: person, name },
        petitions,
        repeats,
        plan,
    })
}
