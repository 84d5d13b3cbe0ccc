//! Writing petitions: registration (登记) and every action, each in one transaction with its
//! history entry, the record row (its clocks as the ledger keeps them), its tally in the
//! rollups and its delivery to subscribers.

use chrono::{DateTime, Utc};
use jiedao_core::clock::CHINA;
use jiedao_core::ledger::chain::GENESIS;
use jiedao_core::ledger::{RecordState, Standing};
use jiedao_core::limits::{DESCRIPTION, NAME, NOTE};
use jiedao_core::petition::machine::Opening;
use jiedao_core::petition::tally::{self, Tally};
use jiedao_core::petition::{
    Action, Change, Channel, Class, Flag, Level, Petition, PetitionRefusal, ProfileCode,
    Registration, decide, open, repeat,
};
use jiedao_core::{Capability, DepartmentId, OrgPath, OrgUnitId, Role, UserId, WorkCalendar};
use serde::Serialize;
use uuid::Uuid;

use super::{LEDGER, facts, load};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::access;
use crate::ledger::clocks::ClockColumns;
use crate::ledger::history::{Entry, EventActor};
use crate::ledger::numbers;
use crate::ledger::outbox::{self, Recorded};
use crate::refusal::Refusal;
use crate::scope::Principal;

/// A petition as the desk registers it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPetition {
    pub channel: Channel,
    pub class: Class,
    pub matter: String,
    /// The petitioner, from the registry.
    pub petitioner: Uuid,
    pub group_size: u32,
    pub representatives: u32,
    pub from_level: Option<Level>,
    /// Staff an accusation names, by username.
    pub accused: Vec<String>,
    pub flags: Vec<Flag>,
    pub profile: ProfileCode,
}

/// What registration gives back: the record, and the earlier petitions it may repeat
/// (重复访, to be confirmed by staff).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registered {
    pub id: Uuid,
    pub number: String,
    pub suggested_repeats: Vec<Uuid>,
}

fn event_actor(principal: &Principal, ip: Option<String>) -> EventActor {
    EventActor {
        user_id: principal.user_id(),
        name: principal.username().to_owned(),
        role: Some(principal.role()),
        ip,
    }
}

fn refused(refusal: PetitionRefusal) -> StoreError {
    Refusal::Petition(refusal).into()
}

/// Registers a petition (登记).
pub fn register(
    conn: &mut Conn,
    principal: &Principal,
    calendar: &WorkCalendar,
    at: DateTime<Utc>,
    ip: Option<String>,
    new: &NewPetition,
) -> Result<Registered, StoreError> {
    let scope = principal.scope();
    scope.require(Capability::HandlePetitions)?;
    Refusal::check_length(&new.matter, DESCRIPTION)?;
    let (street, org_path): (OrgUnitId, OrgPath) = conn
        .query_opt(
            "SELECT street_id, org_path FROM registry_person WHERE id = $1 AND state = $2",
            &[&new.petitioner, &"active"],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .ok_or_else(|| Refusal::NotFound {
            what: "noun.person",
            key: new.petitioner.to_string(),
        })?;
    if !scope.covers(&org_path) {
        return Err(Refusal::OutOfScope.into());
    }
    let mut accused = Vec::new();
    for username in new.accused.iter().map(|u| u.trim().to_lowercase()) {
        if username.is_empty() {
            continue;
        }
        let id: Option<UserId> = conn.query_opt(
            "SELECT id FROM app_user WHERE username = $1",
            &[&username],
            |row| row.get(0),
        )?;
        accused.push(id.ok_or(Refusal::NotFound {
            what: "noun.user",
            key: username,
        })?);
    }
    let id = Uuid::now_v7();
    let number = numbers::next(conn, &LEDGER, street, at.with_timezone(&CHINA).date_naive())?;
    let standing = Standing {
        role: Some(principal.role()),
        in_reach: true,
        department: scope.acts_for(),
        is_reporter: false,
    };
    let (petition, change) = open(
        Opening {
            id,
            street,
            number: number.clone(),
            org_path,
            profile: new.profile,
            registration: Registration {
                channel: new.channel,
                class: new.class,
                matter: new.matter.trim().to_owned(),
                petitioner: new.petitioner,
                group_size: new.group_size,
                representatives: new.representatives,
                from_level: new.from_level,
                accused,
                repeat_of: None,
                flags: new.flags.clone(),
            },
            actor: &standing,
            now: at,
        },
        calendar,
    )
    .map_err(refused)?;
    let entry = Entry::new(
        &LEDGER,
        id,
        1,
        &GENESIS,
        at,
        &event_actor(principal, ip),
        None,
        petition.state,
        &change,
    )?;
    entry.insert(conn, street)?;
    save(conn, &petition, &entry.hash, true)?;
    for user in &petition.registration.accused {
        conn.execute(
            "INSERT INTO petition_accused (street_id, petition_id, user_id) VALUES ($1, $2, $3)",
            &[&street, &id, user],
        )?;
    }
    follow(conn, &petition, &change, at)?;
    let suggested_repeats = suggest_repeats(conn, &petition)?;
    Ok(Registered {
        id,
        number,
        suggested_repeats,
    })
}

/// The petitioner's earlier petitions the new one repeats, most alike first.
pub fn suggest_repeats(conn: &mut Conn, petition: &Petition) -> Result<Vec<Uuid>, StoreError> {
    let earlier: Vec<(Uuid, String, String)> = conn.query(
        "SELECT id, state, matter FROM petition
          WHERE street_id = $1 AND petitioner_id = $2 AND id <> $3 AND received_at <= $4",
        &[
            &petition.street,
            &petition.registration.petitioner,
            &petition.id,
            &petition.received_at,
        ],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let earlier: Vec<repeat::Earlier<'_>> = earlier
        .iter()
        .filter_map(|(id, state, matter)| {
            Some(repeat::Earlier {
                id: *id,
                state: RecordState::parse(state)?,
                matter,
            })
        })
        .collect();
    Ok(repeat::candidates(&petition.registration.matter, &earlier))
}

/// Checks an action's own fields against the store: lengths, the office in the petition's
/// street, the leader who takes charge, the petition repeated.
fn check(conn: &mut Conn, petition: &Petition, action: &Action) -> Result<(), StoreError> {
    match action {
        Action::Accept { department, note } => {
            Refusal::check_length(note, NOTE)?;
            department_in(conn, petition.street, *department)
        }
        Action::Forward { to, note } => {
            Refusal::check_length(to, NAME)?;
            Ok(Refusal::check_length(note, NOTE)?)
        }
        Action::Decline { reason } | Action::Object { reason } | Action::Extend { reason, .. } => {
            Ok(Refusal::check_length(reason, NOTE)?)
        }
        Action::SeparateToLegalTrack { notice: text, .. }
        | Action::Note { text }
        | Action::Answer { text, .. }
        | Action::AnswerReview { text, .. }
        | Action::AnswerReexamination { text, .. } => Ok(Refusal::check_length(text, DESCRIPTION)?),
        Action::RequestReview { note }
        | Action::RequestReexamination { note }
        | Action::Conclude { note }
        | Action::ClearBacklog { note } => Ok(Refusal::check_length(note, NOTE)?),
        Action::MarkBacklog { leader, plan } => {
            Refusal::check_length(plan, DESCRIPTION)?;
            leader_in(conn, petition, *leader)
        }
        Action::ConfirmRepeat { of } => {
            if suggest_repeats_of(conn, petition, *of)? {
                Ok(())
            } else {
                Err(refused(PetitionRefusal::NotARepeat))
            }
        }
        Action::Evaluate { .. } => Ok(()),
    }
}

/// Whether `of` is an earlier petition of the same petitioner that can be repeated.
fn suggest_repeats_of(conn: &mut Conn, petition: &Petition, of: Uuid) -> Result<bool, StoreError> {
    let state: Option<String> = conn.query_opt(
        "SELECT state FROM petition
          WHERE id = $1 AND street_id = $2 AND petitioner_id = $3 AND received_at <= $4",
        &[
            &of,
            &petition.street,
            &petition.registration.petitioner,
            &petition.received_at,
        ],
        |row| row.get(0),
    )?;
    Ok(state
        .as_deref()
        .and_then(RecordState::parse)
        .is_some_and(repeat::repeatable))
}

fn department_in(conn: &mut Conn, street: OrgUnitId, id: DepartmentId) -> Result<(), StoreError> {
    let found: Option<i64> = conn.query_opt(
        "SELECT 1 FROM department WHERE id = $1 AND street_id = $2",
        &[&id, &street],
        |row| row.get(0),
    )?;
    found.map(|_| ()).ok_or_else(|| {
        Refusal::NotFound {
            what: "noun.department",
            key: id.to_string(),
        }
        .into()
    })
}

/// A 包案 leader is a leader whose reach covers the petition.
fn leader_in(conn: &mut Conn, petition: &Petition, id: UserId) -> Result<(), StoreError> {
    let found: Option<(Role, OrgPath)> = conn.query_opt(
        "SELECT u.role, o.path FROM app_user u JOIN org_unit o ON o.id = u.org_unit_id WHERE u.id = $1",
        &[&id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    match found {
        Some((Role::Leader, path)) if petition.org_path.is_within(&path) => Ok(()),
        _ => Err(Refusal::NotFound {
            what: "noun.leader",
            key: id.to_string(),
        }
        .into()),
    }
}

/// Takes `action` on petition `id` for `principal`.
pub fn act(
    conn: &mut Conn,
    principal: &Principal,
    calendar: &WorkCalendar,
    at: DateTime<Utc>,
    ip: Option<String>,
    id: Uuid,
    action: Action,
) -> Result<Petition, StoreError> {
    let scope = principal.scope();
    super::may_see_any(&scope)?;
    let (mut petition, head) = load(conn, id)?;
    super::hide_from_accused(&scope, &petition)?;
    if !access::sees(
        conn,
        &LEDGER,
        &scope,
        Capability::ViewPetitions,
        &facts(&petition),
    )? {
        return Err(super::not_found(id));
    }
    let standing = access::standing(conn, &LEDGER, &scope, &facts(&petition))?;
    check(conn, &petition, &action)?;
    let change = decide(&petition, &standing, action, at, calendar).map_err(refused)?;
    let from = petition.state;
    jiedao_core::petition::apply(&mut petition, &change, at);
    let entry = Entry::new(
        &LEDGER,
        id,
        i64::from(petition.event_count),
        &head,
        at,
        &event_actor(principal, ip),
        Some(from),
        petition.state,
        &change,
    )?;
    entry.insert(conn, petition.street)?;
    save(conn, &petition, &entry.hash, false)?;
    follow(conn, &petition, &change, at)?;
    Ok(petition)
}

/// Writes the record row from the petition.
fn save(conn: &mut Conn, p: &Petition, head: &[u8], insert: bool) -> Result<(), StoreError> {
    let clock = ClockColumns::of(p.timer.as_ref())?;
    let body = serde_json::to_string(p).map_err(|error| StoreError::Query(error.to_string()))?;
    let flags = p
        .registration
        .flags
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let backlog = p.backlog.is_some();
    let cleared = p.backlog.as_ref().is_some_and(|b| b.cleared_at.is_some());
    let leader = p.backlog.as_ref().map(|b| b.leader);
    let step = p.step.map(|s| s.as_str());
    let count = i64::from(p.event_count);
    let params: [&dyn crate::db::ToValue; 30] = [
        &p.street,
        &p.id,
        &p.number,
        &p.state.as_str(),
        &p.org_path,
        &p.department,
        &p.profile.as_str(),
        &p.registration.channel.as_str(),
        &p.registration.class.as_str(),
        &p.registration.petitioner,
        &p.registration.matter,
        &p.received_at,
        &p.registration.repeat_of,
        &p.registration.from_level.map(|l| l.as_str()),
        &flags,
        &backlog,
        &cleared,
        &leader,
        &step,
        &clock.timer,
        &clock.warn_at,
        &clock.deadline,
        &false,
        &clock.held,
        &p.window_until,
        &p.concluded_at,
        &p.on_time,
        &body,
        &count,
        &head,
    ];
    let sql = if insert {
        "INSERT INTO petition (street_id, id, number, state, org_path, department_id, profile,
             channel, class, petitioner_id, matter, received_at, repeat_of, from_level, flags,
             backlog, backlog_cleared, backlog_leader, step, step_timer, step_warn_at,
             step_deadline, step_overdue, step_held, window_until, concluded_at, on_time, body,
             event_count, head_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)"
    } else {
        "UPDATE petition SET state = $4, org_path = $5, department_id = $6, profile = $7,
             channel = $8, class = $9, petitioner_id = $10, matter = $11, received_at = $12,
             repeat_of = $13, from_level = $14, flags = $15, backlog = $16, backlog_cleared = $17,
             backlog_leader = $18, step = $19, step_timer = $20, step_warn_at = $21,
             step_deadline = $22, step_overdue = $23, step_held = $24, window_until = $25,
             concluded_at = $26, on_time = $27, body = $28, event_count = $29, head_hash = $30
         WHERE street_id = $1 AND id = $2 AND number = $3"
    };
    conn.execute(sql, &params)?;
    Ok(())
}

/// What a delivery says about a change.
#[derive(Debug, Serialize)]
struct Payload<'a> {
    event: &'a str,
    petition_id: Uuid,
    number: &'a str,
    seq: u32,
    at: DateTime<Utc>,
    state: &'a str,
    channel: &'a str,
    class: &'a str,
}

/// A change's tally into the rollups and its delivery into the outbox.
fn follow(
    conn: &mut Conn,
    petition: &Petition,
    change: &Change,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for count in tally::tally(petition, change, at) {
        add(conn, petition, &count, 1)?;
    }
    let event = change.kind().as_str();
    let recorded = Recorded {
        ledger: &LEDGER,
        street: petition.street,
        record: petition.id,
        seq: i64::from(petition.event_count),
        event,
        at,
    };
    // Subscribers hear what happened, never who petitioned or what was said.
    outbox::publish(
        conn,
        &recorded,
        &Payload {
            event,
            petition_id: petition.id,
            number: &petition.number,
            seq: petition.event_count,
            at,
            state: petition.state.as_str(),
            channel: petition.registration.channel.as_str(),
            class: petition.registration.class.as_str(),
        },
        // Notices fill their templates with a case's facts; a petition offers none.
        &|_| None,
    )
}

/// Adds `n` of a tally to the rollups.
pub(crate) fn add(
    conn: &mut Conn,
    petition: &Petition,
    count: &Tally,
    n: i64,
) -> Result<(), StoreError> {
    let day = count.at.with_timezone(&CHINA).date_naive();
    conn.execute(
        "INSERT INTO petition_stat (street_id, day, org_path, measure, n) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (street_id, day, org_path, measure) DO UPDATE SET n = petition_stat.n + excluded.n",
        &[
            &petition.street,
            &day,
            &petition.org_path,
            &count.measure.code(),
            &n,
        ],
    )?;
    Ok(())
}

/// Sets a key petitioner's plan (一人一方案) with the leader responsible: a leader's to do.
pub fn set_plan(
    conn: &mut Conn,
    principal: &Principal,
    person: Uuid,
    leader: UserId,
    plan: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let scope = principal.scope();
    scope.require(Capability::ApprovePetitions)?;
    Refusal::check_length(plan, jiedao_core::limits::DESCRIPTION)?;
    if plan.trim().is_empty() {
        return Err(Refusal::EmptyField {
            field: "petition_field.plan",
        }
        .into());
    }
    let (street, path): (jiedao_core::OrgUnitId, jiedao_core::OrgPath) = conn
        .query_opt(
            "SELECT street_id, org_path FROM registry_person WHERE id = $1",
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
    let role: Option<jiedao_core::Role> = conn.query_opt(
        "SELECT role FROM app_user WHERE id = $1",
        &[&leader],
        |row| row.get(0),
    )?;
    if role != Some(jiedao_core::Role::Leader) {
        return Err(Refusal::NotFound {
            what: "noun.leader",
            key: leader.to_string(),
        }
        .into());
    }
    conn.execute(
        "INSERT INTO petition_plan (street_id, person_id, leader_id, plan, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (street_id, person_id) DO UPDATE SET leader_id = excluded.leader_id,
             plan = excluded.plan, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        &[&street, &person, &leader, &plan.trim(), &at, &principal.username()],
    )?;
    Ok(())
}

/// The leaders who may take charge of a petition in `scope`'s reach (包案), by name.
pub fn leaders(
    conn: &mut Conn,
    principal: &Principal,
) -> Result<Vec<(UserId, String)>, StoreError> {
    let (low, high) = principal.scope().path_range();
    let all: Vec<(UserId, String, OrgPath)> = conn.query(
        "SELECT u.id, u.display_name, o.path FROM app_user u JOIN org_unit o ON o.id = u.org_unit_id
          WHERE u.role = $1 ORDER BY u.display_name",
        &[&Role::Leader],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    // A leader above the reader (the district's) or within it (the street's) may take charge.
    Ok(all
        .into_iter()
        .filter(|(_, _, path)| {
            let text = path.as_str();
            (text >= low.as_str() && text < high.as_str())
                || principal
                    .org_path()
                    .is_some_and(|mine| mine.is_within(path))
        })
        .map(|(id, name, _)| (id, name))
        .collect())
}
