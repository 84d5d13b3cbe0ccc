//! Acting on a case: works out who the actor is to the case (in reach, their department, its
//! reporter), turns the request into a domain [`Action`], lets the state machine decide, and
//! writes the change, the new projection and any photos in one transaction. A merge also
//! records the surviving case's side and moves the reporters over.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiedao_core::calendar::{TimeLimit, WorkCalendar};
use jiedao_core::case::{
    Action, Case, CaseActor, Change, DepartmentRef, Location, Satisfaction, apply, decide,
};
use jiedao_core::category::Urgency;
use jiedao_core::{CaseId, CategoryId, DepartmentId, Role};

use super::effects;
use super::history::{self, EventActor};
use super::projection;
use crate::Store;
use crate::categories::Catalog;
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::access;
use crate::ledger::attachments::StoredFile;
use crate::refusal::Refusal;
use crate::scope::Principal;
use crate::stats::rollup;

/// A request to act on a case, as it comes from a form or the API.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    RequestVerification {
        note: String,
    },
    Verify {
        found: bool,
        note: String,
    },
    Locate {
        lon: f64,
        lat: f64,
        address: Option<String>,
    },
    File {
        category: Option<CategoryId>,
        urgency: Option<Urgency>,
        note: String,
    },
    Void {
        reason: String,
    },
    Dispatch {
        department: DepartmentKey,
        note: String,
    },
    Redispatch {
        department: DepartmentKey,
        reason: String,
    },
    Accept,
    Return {
        reason: String,
    },
    RequestExtension {
        extra: TimeLimit,
        reason: String,
    },
    DecideExtension {
        approve: bool,
        note: String,
    },
    Park {
        reason: String,
    },
    Resume {
        note: String,
    },
    ReportDone {
        note: String,
    },
    Check {
        passed: bool,
        note: String,
    },
    Close {
        note: String,
    },
    FollowUp {
        satisfaction: Satisfaction,
        note: String,
    },
    Reopen {
        reason: String,
    },
    Supervise {
        reason: String,
    },
    Merge {
        into_number: String,
    },
    /// The ticker's own actions.
    MarkOverdue,
    Recompute,
}

impl Command {
    /// Refuses a note, reason or address longer than [`jiedao_core::limits`] allows.
    pub fn check_lengths(&self) -> Result<(), Refusal> {
        use jiedao_core::limits::{ADDRESS, NAME, NOTE};
        match self {
            Command::RequestVerification { note }
            | Command::Verify { note, .. }
            | Command::File { note, .. }
            | Command::Dispatch { note, .. }
            | Command::DecideExtension { note, .. }
            | Command::Resume { note }
            | Command::ReportDone { note }
            | Command::Check { note, .. }
            | Command::Close { note }
            | Command::FollowUp { note, .. } => Refusal::check_length(note, NOTE),
            Command::Void { reason }
            | Command::Redispatch { reason, .. }
            | Command::Return { reason }
            | Command::RequestExtension { reason, .. }
            | Command::Park { reason }
            | Command::Reopen { reason }
            | Command::Supervise { reason } => Refusal::check_length(reason, NOTE),
            Command::Locate { address, .. } => address
                .as_deref()
                .map_or(Ok(()), |a| Refusal::check_length(a, ADDRESS)),
            Command::Merge { into_number } => Refusal::check_length(into_number, NAME),
            Command::Accept | Command::MarkOverdue | Command::Recompute => Ok(()),
        }
    }
}

/// A department as an action names it: its id (the pages' choices), its code or its name
/// (other systems, people typing). Which one it is, is found in the case's street when the
/// action is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentKey(pub String);

impl From<DepartmentId> for DepartmentKey {
    fn from(id: DepartmentId) -> DepartmentKey {
        DepartmentKey(id.to_string())
    }
}

/// Who acts.
#[derive(Debug, Clone)]
pub enum Who {
    /// A logged-in user.
    User(Principal),
    /// Whoever holds a reporter's private follow link.
    Reporter { token_hash: Vec<u8> },
    /// The ticker and its rules.
    System { task: String },
}

impl Who {
    pub fn event_actor(&self, ip: Option<String>) -> EventActor {
        match self {
            Who::User(principal) => EventActor {
                user_id: principal.user_id(),
                name: principal.username().to_owned(),
                role: Some(principal.role()),
                ip,
            },
            Who::Reporter { .. } => EventActor {
                user_id: None,
                name: "reporter".to_owned(),
                role: Some(Role::Resident),
                ip,
            },
            Who::System { task } => EventActor {
                user_id: None,
                name: format!("system:{task}"),
                role: None,
                ip: None,
            },
        }
    }
}

/// How `who` stands to `case`: role, reach, department, reporter. The one place this is
/// worked out, for acting and for showing which actions a page offers; people who log in stand
/// by the ledger's one rule ([`access::standing`]).
pub fn relate(conn: &mut Conn, who: &Who, case: &Case) -> Result<CaseActor, StoreError> {
    Ok(match who {
        Who::System { .. } => CaseActor::system(),
        Who::Reporter { token_hash } => {
            let holds: Option<i64> = conn.query_opt(
                "SELECT 1 FROM case_reporter WHERE case_id = $1 AND follow_token_hash = $2",
                &[&case.id, token_hash],
                |row| row.get(0),
            )?;
            CaseActor {
                role: Some(Role::Resident),
                in_reach: false,
                department: None,
                is_reporter: holds.is_some(),
            }
        }
        Who::User(principal) => access::standing(
            conn,
            &super::LEDGER,
            &principal.scope(),
            &super::facts(case),
        )?,
    })
}

fn department(
    conn: &mut Conn,
    key: &DepartmentKey,
    case: &Case,
) -> Result<DepartmentRef, StoreError> {
    let (id, name) = crate::departments::named(conn, case.street, &key.0)?;
    Ok(DepartmentRef { id, name })
}

/// Turns a request into the domain action, reading what it refers to.
fn resolve(
    conn: &mut Conn,
    case: &Case,
    catalog: &Catalog,
    command: Command,
    location: Option<(Location, jiedao_core::OrgPath)>,
    photos: u32,
) -> Result<(Action, Option<CategoryId>), StoreError> {
    let category = case.category.as_ref().map(|c| c.id);
    Ok(match command {
        Command::RequestVerification { note } => (Action::RequestVerification { note }, category),
        Command::Verify { found, note } => (Action::Verify { found, note }, category),
        Command::Locate { .. } => {
            let (location, org_path) = location.ok_or(Refusal::OutsideEveryGrid)?;
            (Action::Locate { location, org_path }, category)
        }
        Command::File {
            category: chosen,
            urgency,
            note,
        } => {
            let picked = match chosen {
                Some(id) => {
                    let entry = catalog.get(id).filter(|e| e.active).ok_or_else(|| {
                        Refusal::UnknownCategory {
                            key: id.to_string(),
                        }
                    })?;
                    Some((entry.as_ref(), entry.is_leaf))
                }
                None => None,
            };
            let settings_of = chosen.or(category);
            (
                Action::File {
                    category: picked,
                    urgency,
                    note,
                },
                settings_of,
            )
        }
        Command::Void { reason } => (Action::Void { reason }, category),
        Command::Dispatch {
            department: key,
            note,
        } => (
            Action::Dispatch {
                department: department(conn, &key, case)?,
                note,
            },
            category,
        ),
        Command::Redispatch {
            department: key,
            reason,
        } => (
            Action::Redispatch {
                department: department(conn, &key, case)?,
                reason,
            },
            category,
        ),
        Command::Accept => (Action::Accept, category),
        Command::Return { reason } => (Action::Return { reason }, category),
        Command::RequestExtension { extra, reason } => {
            (Action::RequestExtension { extra, reason }, category)
        }
        Command::DecideExtension { approve, note } => {
            (Action::DecideExtension { approve, note }, category)
        }
        Command::Park { reason } => (Action::Park { reason }, category),
        Command::Resume { note } => (Action::Resume { note }, category),
        Command::ReportDone { note } => (Action::ReportDone { note, photos }, category),
        Command::Check { passed, note } => (
            Action::Check {
                passed,
                note,
                photos,
            },
            category,
        ),
        Command::Close { note } => (Action::Close { note }, category),
        Command::FollowUp { satisfaction, note } => {
            (Action::FollowUp { satisfaction, note }, category)
        }
        Command::Reopen { reason } => (Action::Reopen { reason }, category),
        Command::Supervise { reason } => (Action::Supervise { reason }, category),
        Command::Merge { into_number } => {
            let number = into_number.trim().to_owned();
            let target: Option<(CaseId, String)> = conn.query_opt(
                "SELECT id, state FROM case_file WHERE street_id = $1 AND number = $2",
                &[&case.street, &number],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            let (into, state) = target.ok_or_else(|| Refusal::NotFound {
                what: "noun.case",
                key: number.clone(),
            })?;
            let into_open =
                jiedao_core::case::CaseState::parse(&state).is_some_and(|s| s.is_open());
            (
                Action::Merge {
                    into,
                    into_number: number,
                    into_open,
                },
                category,
            )
        }
        Command::MarkOverdue => (Action::MarkOverdue, category),
        Command::Recompute => (Action::Recompute, category),
    })
}

/// Applies a decided change to a loaded case and writes it: record, then projection.
pub(crate) fn record(
    conn: &mut Conn,
    case: &mut Case,
    head: &[u8],
    change: &Change,
    actor: &EventActor,
    at: DateTime<Utc>,
) -> Result<Vec<u8>, StoreError> {
    let from = case.state;
    let before = case.clone();
    apply(case, change, at);
    let entry = history::Entry::new(
        &super::LEDGER,
        case.id.uuid(),
        i64::from(case.event_count),
        head,
        at,
        actor,
        Some(from),
        case.state,
        change,
    )?;
    entry.insert(conn, case.street)?;
    projection::update(conn, case, &entry.hash)?;
    let tally = rollup::tally_of(conn, Some(&before), change, case, actor.user_id, at)?;
    effects::follow(conn, case, change.kind().as_str(), &tally, at)?;
    Ok(entry.hash)
}

/// Everything a decision needs that lives outside the database.
struct Context {
    catalog: Arc<Catalog>,
    calendar: Arc<WorkCalendar>,
    now: DateTime<Utc>,
}

#[expect(clippy::too_many_arguments, reason = "one transaction's inputs")]
fn act_in(
    conn: &mut Conn,
    context: &Context,
    who: &Who,
    actor: &EventActor,
    id: CaseId,
    command: &Command,
    location: &Option<(Location, jiedao_core::OrgPath)>,
    files: &[StoredFile],
) -> Result<Case, StoreError> {
    let (mut case, head) = projection::load(conn, id)?.ok_or_else(|| Refusal::NotFound {
        what: "noun.case",
        key: id.to_string(),
    })?;
    let relation = relate(conn, who, &case)?;
    let photos = u32::try_from(files.iter().filter(|f| f.is_image()).count()).unwrap_or(u32::MAX);
    let (action, settings_of) = resolve(
        conn,
        &case,
        &context.catalog,
        command.clone(),
        location.clone(),
        photos,
    )?;
    let settings = context.catalog.settings(settings_of);
    let change = decide(
        &case,
        &relation,
        action,
        context.now,
        &context.calendar,
        &settings,
    )
    .map_err(Refusal::Case)?;
    record(conn, &mut case, &head, &change, actor, context.now)?;
    if let Change::Merge { into, .. } = &change {
        let (mut target, target_head) =
            projection::load(conn, *into)?.ok_or(StoreError::NotFound)?;
        let merged_in = Change::MergedIn {
            from: case.id,
            from_number: case.number.clone(),
        };
        record(
            conn,
            &mut target,
            &target_head,
            &merged_in,
            actor,
            context.now,
        )?;
        conn.execute(
            "UPDATE case_reporter SET case_id = $1 WHERE case_id = $2",
            &[&target.id, &case.id],
        )?;
    }
    for file in files {
        file.record(
            conn,
            super::owner(case.street, case.id),
            i64::from(case.event_count),
            &actor.name,
            context.now,
        )?;
    }
    Ok(case)
}

impl Store {
    /// Acts on a case as `who`; returns the case as it now stands. Photos were stored before
    /// and are recorded with the change (and forgotten if it is refused).
    pub async fn act(
        &self,
        who: Who,
        ip: Option<String>,
        id: CaseId,
        command: Command,
        files: Vec<StoredFile>,
    ) -> Result<Case, StoreError> {
        self.act_all(who, ip, id, vec![command], files).await
    }

    /// Several actions on one case as one change: all of them, in order, or none (the
    /// command centre files and dispatches in one step). Photos go with the last.
    pub async fn act_all(
        &self,
        who: Who,
        ip: Option<String>,
        id: CaseId,
        commands: Vec<Command>,
        files: Vec<StoredFile>,
    ) -> Result<Case, StoreError> {
        let kept = files.clone();
        let result = self.act_all_kept(who, ip, id, commands, files).await;
        match &result {
            Ok(_) => self.cases_changed(),
            Err(_) => kept.iter().for_each(StoredFile::discard),
        }
        result
    }

    async fn act_all_kept(
        &self,
        who: Who,
        ip: Option<String>,
        id: CaseId,
        commands: Vec<Command>,
        files: Vec<StoredFile>,
    ) -> Result<Case, StoreError> {
        for command in &commands {
            command.check_lengths()?;
        }
        let mut steps = Vec::with_capacity(commands.len());
        for command in commands {
            let location = match &command {
                Command::Locate { lon, lat, address } => {
                    self.locate(*lon, *lat).await?.map(|grid| {
                        (
                            Location {
                                lon: Some(*lon),
                                lat: Some(*lat),
                                address: address.clone().filter(|a| !a.trim().is_empty()),
                                grid: Some(jiedao_core::case::GridPlace {
                                    id: grid.id,
                                    code: grid.code,
                                    name: grid.name,
                                }),
                            },
                            grid.path,
                        )
                    })
                }
                _ => None,
            };
            steps.push((command, location));
        }
        let context = Context {
            catalog: self.catalog(),
            calendar: self.calendar(),
            now: self.now(),
        };
        let actor = who.event_actor(ip);
        self.write(move |conn| {
            let last = steps.len().saturating_sub(1);
            let mut case = None;
            for (index, (command, location)) in steps.iter().enumerate() {
                let photos: &[StoredFile] = if index == last { &files } else { &[] };
                case = Some(act_in(
                    conn, &context, &who, &actor, id, command, location, photos,
                )?);
            }
            case.ok_or_else(|| StoreError::from(Refusal::NotAllowed))
        })
        .await
    }
}
