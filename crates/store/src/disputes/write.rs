//! Writing disputes: registration (调解登记) with its parties found in, or added to, the
//! registry, and every action after it, each decided by the rules of `jiedao_core::dispute`,
//! appended to the history and followed by its effects (the rollup, the outbox) in the same
//! transaction.

use chrono::{DateTime, Utc};
use jiedao_core::Capability;
use jiedao_core::calendar::{TimeLimit, TimeUnit, WorkCalendar};
use jiedao_core::clock::business_date;
use jiedao_core::dispute::{
    self, Action, Dispute, DisputeRefusal, DisputeState, Party, PartyKind, PartyRole, Registration,
    Risk,
};
use jiedao_core::ledger::chain::GENESIS;
use jiedao_core::ledger::{RecordState, Standing};
use jiedao_core::limits;
use uuid::Uuid;

use super::{LEDGER, Stored, figures, load_seen};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::clocks::ClockColumns;
use crate::ledger::history::{Entry, EventActor};
use crate::ledger::numbers;
use crate::refusal::Refusal;
use crate::registry::persons::{self, NewPerson};
use crate::registry::{enterprises, places};
use crate::scope::Principal;

/// The setting that holds the mediation deadline (`calendar_days:30`): the law sets none;
/// 宁波市人民调解条例 art. 27 says a month, which is the default.
pub const LIMIT_SETTING: &str = "disputes.mediation_limit";

/// A party as registered: one already in the registry, or a person added on the spot.
#[derive(Debug, Clone)]
pub enum NewParty {
    Existing {
        role: PartyRole,
        kind: PartyKind,
        id: Uuid,
    },
    New {
        role: PartyRole,
        person: Box<NewPerson>,
    },
}

/// A dispute as taken in.
#[derive(Debug, Clone)]
pub struct NewDispute {
    /// The community (or grid) it belongs to, by code or name.
    pub place: String,
    pub source: dispute::Source,
    pub from: Option<String>,
    pub kind: String,
    pub facts: String,
    pub points: String,
    pub amount: jiedao_core::Money,
    pub risk: Risk,
    pub parties: Vec<NewParty>,
}

/// Who made a change, for its history.
fn actor(principal: &Principal, ip: Option<String>) -> EventActor {
    EventActor {
        user_id: principal.user_id(),
        name: principal.username().to_owned(),
        role: Some(principal.role()),
        ip,
    }
}

/// The mediation deadline the street works to.
pub fn mediation_limit(conn: &mut Conn) -> Result<TimeLimit, StoreError> {
    let text: Option<String> = conn.query_opt(
        "SELECT value FROM setting WHERE key = $1",
        &[&LIMIT_SETTING],
        |row| row.get(0),
    )?;
    Ok(text
        .as_deref()
        .and_then(|t| t.split_once(':'))
        .and_then(|(unit, amount)| TimeLimit::from_text(TimeUnit::parse(unit)?, amount))
        .unwrap_or(TimeLimit::calendar_days(30)))
}

fn check_texts(new: &NewDispute) -> Result<(), Refusal> {
    Refusal::check_length(&new.facts, limits::DESCRIPTION)?;
    Refusal::check_length(&new.points, limits::DESCRIPTION)?;
    Refusal::check_length(&new.kind, limits::NAME)?;
    if let Some(from) = &new.from {
        Refusal::check_length(from, limits::NAME)?;
    }
    Ok(())
}

/// The party's registry record, which `principal` must see.
fn seen_party(
    conn: &mut Conn,
    principal: &Principal,
    kind: PartyKind,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let scope = principal.scope();
    match kind {
        PartyKind::Person => persons::get(conn, &scope, id, business_date(at)).map(|_| ()),
        PartyKind::Enterprise => enterprises::get(conn, &scope, id).map(|_| ()),
    }
}

/// The most disputes and cases any of `parties` was in before (repeat involvement).
fn earlier_disputes(conn: &mut Conn, parties: &[Party]) -> Result<u32, StoreError> {
    let mut most = 0;
    for party in parties {
        let n = super::read::involvement(conn, party.id)?;
        most = most.max(u32::try_from(n).unwrap_or(u32::MAX));
    }
    Ok(most)
}

/// Registers a dispute (调解登记); returns its id and number.
pub fn register(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    calendar: &WorkCalendar,
    new: NewDispute,
) -> Result<(Uuid, String), StoreError> {
    let scope = principal.scope();
    scope.require(Capability::RegisterDisputes)?;
    check_texts(&new)?;
    let (_, org_path, _, street) = places::community_named(conn, &scope, &new.place)?;
    let known: Option<i64> = conn.query_opt(
        "SELECT 1 FROM dispute_kind WHERE code = $1",
        &[&new.kind.trim()],
        |row| row.get(0),
    )?;
    if known.is_none() {
        return Err(Refusal::Dispute(DisputeRefusal::UnknownKind {
            code: new.kind.trim().to_owned(),
        })
        .into());
    }
    let mut parties = Vec::with_capacity(new.parties.len());
    for party in new.parties {
        parties.push(match party {
            NewParty::Existing { role, kind, id } => {
                seen_party(conn, principal, kind, id, at)?;
                Party { role, kind, id }
            }
            NewParty::New { role, person } => Party {
                role,
                kind: PartyKind::Person,
                id: persons::add(conn, principal, at, ip.clone(), &person)?,
            },
        });
    }
    let earlier = earlier_disputes(conn, &parties)?;
    let registration = Registration {
        source: new.source,
        from: new
            .from
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty()),
        kind: new.kind,
        facts: new.facts,
        points: new.points,
        amount: new.amount,
        risk: new.risk,
        parties,
    };
    let limit = mediation_limit(conn)?;
    let change =
        dispute::register(registration, earlier, calendar, limit, at).map_err(Refusal::Dispute)?;
    let id = Uuid::now_v7();
    let opened = dispute::open(id, at, &change)
        .ok_or_else(|| StoreError::Query("a registration that opens nothing".into()))?;
    let number = numbers::next(conn, &LEDGER, street, business_date(at))?;
    let entry = Entry::new(
        &LEDGER,
        id,
        1,
        &GENESIS,
        at,
        &actor(principal, ip),
        None,
        opened.state,
        &change,
    )?;
    let body = serde_json::to_string(&opened).map_err(|e| StoreError::Query(e.to_string()))?;
    let clock = ClockColumns::of(running_clock(&opened))?;
    conn.execute(
        "INSERT INTO dispute (street_id, id, number, state, org_path, department_id, kind, source,
             risk, amount_fen, registered_on, registered_at, escalated, body, step_timer,
             step_warn_at, step_deadline, step_held, event_count, head_hash, updated_at)
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17, $18, $19, $20)",
        &[
            &street,
            &id,
            &number,
            &opened.state.as_str(),
            &org_path,
            &opened.registration.kind,
            &opened.registration.source.as_str(),
            &opened.risk.as_str(),
            &opened.registration.amount.fen(),
            &business_date(at),
            &at,
            &false,
            &body,
            &clock.timer,
            &clock.warn_at,
            &clock.deadline,
            &clock.held,
            &1_i64,
            &entry.hash,
            &at,
        ],
    )?;
    entry.insert(conn, street)?;
    for (seq, party) in (1_i64..).zip(&opened.registration.parties) {
        conn.execute(
            "INSERT INTO dispute_party (street_id, dispute_id, seq, party_kind, party_id, role)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &street,
                &id,
                &seq,
                &party.kind.as_str(),
                &party.id,
                &party.role.as_str(),
            ],
        )?;
    }
    let stored = Stored {
        street,
        number: number.clone(),
        org_path,
        dispute: opened,
        count: 1,
        head: entry.hash,
    };
    figures::follow(conn, &stored, None, dispute::ActionKind::Register, at)?;
    Ok((id, number))
}

/// The clock a dispute's row shows: the mediation deadline while it is mediated, then the
/// window to apply for court confirmation of a written agreement not yet applied for.
fn running_clock(dispute: &Dispute) -> Option<&jiedao_core::ledger::Timer> {
    match dispute.state {
        DisputeState::Registered | DisputeState::Mediating => Some(&dispute.deadline),
        DisputeState::Agreed => dispute
            .agreement
            .as_ref()
            .filter(|a| a.written && a.confirmation.is_none())
            .map(|a| &a.confirmation_window),
        _ => None,
    }
}

/// Checks what people typed into an action against the lengths every field keeps to.
fn check_action(action: &Action) -> Result<(), Refusal> {
    let texts: Vec<(&str, limits::Limit)> = match action {
        Action::Assign {
            committee,
            mediators,
        } => std::iter::once((committee.as_str(), limits::NAME))
            .chain(mediators.iter().map(|m| (m.name.as_str(), limits::NAME)))
            .collect(),
        Action::Session(s) => vec![
            (s.place.as_str(), limits::NAME),
            (s.present.as_str(), limits::NOTE),
            (s.record.as_str(), limits::DESCRIPTION),
            (s.proposal.as_str(), limits::DESCRIPTION),
        ],
        Action::Agree {
            responsibilities,
            terms,
            ..
        } => std::iter::once((responsibilities.as_str(), limits::DESCRIPTION))
            .chain(terms.iter().flat_map(|t| {
                [
                    (t.text.as_str(), limits::NOTE),
                    (t.manner.as_str(), limits::NOTE),
                ]
            }))
            .collect(),
        Action::Extend { reason, .. }
        | Action::Fail { reason }
        | Action::Withdraw { reason }
        | Action::SetRisk { reason, .. } => vec![(reason.as_str(), limits::NOTE)],
        Action::Refer { to } => vec![(to.as_str(), limits::NAME)],
        Action::ApplyConfirmation { court, .. } => vec![(court.as_str(), limits::NAME)],
        Action::Escalate { to, petition, .. } => std::iter::once((to.as_str(), limits::NAME))
            .chain(petition.iter().map(|p| (p.as_str(), limits::NAME)))
            .collect(),
        Action::RuleConfirmation { .. } | Action::Perform { .. } => vec![],
    };
    texts
        .into_iter()
        .try_for_each(|(text, limit)| Refusal::check_length(text, limit))
}

/// Does `action` to the dispute `id` as `principal`; returns the dispute as it now stands.
pub fn act(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    calendar: &WorkCalendar,
    id: Uuid,
    action: Action,
) -> Result<Dispute, StoreError> {
    let (stored, standing) = load_seen(conn, &principal.scope(), id)?;
    act_on(
        conn, &stored, &standing, principal, at, ip, calendar, action,
    )
}

#[expect(clippy::too_many_arguments, reason = "one change's inputs")]
fn act_on(
    conn: &mut Conn,
    stored: &Stored,
    standing: &Standing,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    calendar: &WorkCalendar,
    action: Action,
) -> Result<Dispute, StoreError> {
    check_action(&action)?;
    let before = &stored.dispute;
    let change =
        dispute::decide(before, standing, action, at, calendar).map_err(Refusal::Dispute)?;
    let after = dispute::apply(before, &change);
    let seq = stored.count + 1;
    let entry = Entry::new(
        &LEDGER,
        before.id,
        seq,
        &stored.head,
        at,
        &actor(principal, ip),
        Some(before.state),
        after.state,
        &change,
    )?;
    entry.insert(conn, stored.street)?;
    let body = serde_json::to_string(&after).map_err(|e| StoreError::Query(e.to_string()))?;
    let clock = ClockColumns::of(running_clock(&after))?;
    conn.execute(
        "UPDATE dispute SET state = $1, risk = $2, escalated = $3, body = $4, step_timer = $5,
             step_warn_at = $6, step_deadline = $7, step_held = $8, event_count = $9,
             head_hash = $10, updated_at = $11
          WHERE id = $12",
        &[
            &after.state.as_str(),
            &after.risk.as_str(),
            &after.escalated,
            &body,
            &clock.timer,
            &clock.warn_at,
            &clock.deadline,
            &clock.held,
            &seq,
            &entry.hash,
            &at,
            &before.id,
        ],
    )?;
    let next = Stored {
        street: stored.street,
        number: stored.number.clone(),
        org_path: stored.org_path.clone(),
        dispute: after.clone(),
        count: seq,
        head: entry.hash,
    };
    figures::follow(conn, &next, Some(before), change.kind(), at)?;
    Ok(after)
}

impl crate::Store {
    /// Registers a dispute as `principal`: its id and number.
    pub async fn register_dispute(
        &self,
        principal: Principal,
        ip: Option<String>,
        new: NewDispute,
    ) -> Result<(Uuid, String), StoreError> {
        let (at, calendar) = (self.now(), self.calendar());
        self.write(move |conn| register(conn, &principal, at, ip.clone(), &calendar, new.clone()))
            .await
    }

    /// Does `action` to a dispute as `principal`.
    pub async fn act_on_dispute(
        &self,
        principal: Principal,
        ip: Option<String>,
        id: Uuid,
        action: Action,
    ) -> Result<Dispute, StoreError> {
        let (at, calendar) = (self.now(), self.calendar());
        self.write(move |conn| {
            act(
                conn,
                &principal,
                at,
                ip.clone(),
                &calendar,
                id,
                action.clone(),
            )
        })
        .await
    }
}
