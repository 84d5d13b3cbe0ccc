//! Writing inspections: campaigns and their rounds, an inspection of a registry place with its
//! checklist answers and turn-outs (each failed item raising a hazard), and every action on a
//! hazard after it, each decided by the rules of `jiedao_core::inspection`, appended to the
//! history and followed by its effects (the rollup, the outbox) in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::calendar::WorkCalendar;
use jiedao_core::clock::business_date;
use jiedao_core::inspection::checklist::{self, Response, Template};
use jiedao_core::inspection::figures::Unit;
use jiedao_core::inspection::machine::{Raised, Source};
use jiedao_core::inspection::{self, Action, ActionKind, Hazard, InspectionRefusal, PlaceKind};
use jiedao_core::ledger::RecordState;
use jiedao_core::ledger::chain::GENESIS;
use jiedao_core::{Capability, OrgPath, OrgUnitId, limits};
use serde_json::json;
use uuid::Uuid;

use super::{LEDGER, Stored, figures, load_seen, not_found};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::clocks::ClockColumns;
use crate::ledger::history::{Entry, EventActor};
use crate::ledger::numbers;
use crate::ledger::outbox::{self, Recorded};
use crate::org;
use crate::refusal::Refusal;
use crate::registry::places;
use crate::scope::{Principal, Scope};

/// A campaign as set up (专项行动).
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    /// The unit it covers (the street, a community or a grid), by code.
    pub unit: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub place_kinds: Vec<PlaceKind>,
    /// The checklist's code; `None` for a removal campaign.
    pub checklist: Option<String>,
    /// A removal campaign's targets (拆违 368 处…).
    pub targets: Vec<(Unit, u64)>,
}

/// An inspection as recorded on the phone.
#[derive(Debug, Clone)]
pub struct NewInspection {
    pub round: Uuid,
    /// The registry place (house or building) checked.
    pub place: Uuid,
    pub place_kind: PlaceKind,
    /// Who went (出动人次).
    pub turnouts: u32,
    pub point: Option<(f64, f64)>,
    pub responses: Vec<Response>,
}

fn refused(refusal: InspectionRefusal) -> StoreError {
    Refusal::Inspection(refusal).into()
}

fn actor(principal: &Principal, ip: Option<String>) -> EventActor {
    EventActor {
        user_id: principal.user_id(),
        name: principal.username().to_owned(),
        role: Some(principal.role()),
        ip,
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Query(e.to_string()))
}

/// Sets up a campaign over a unit within the principal's reach; returns its id.
pub fn create_campaign(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    new: &NewCampaign,
) -> Result<Uuid, StoreError> {
    let scope = principal.scope();
    scope.require(Capability::ManageHazards)?;
    Refusal::check_length(&new.name, limits::NAME)?;
    if new.name.trim().is_empty() {
        return Err(Refusal::EmptyField {
            field: "inspection.campaign",
        }
        .into());
    }
    let unit = org::get_by_code(conn, &scope, new.unit.trim())?;
    if !scope.covers(&unit.path) {
        return Err(Refusal::OutOfScope.into());
    }
    let street = org::street_of(conn, &unit.path)?.ok_or(Refusal::OutOfScope)?;
    if let Some(code) = &new.checklist {
        template(conn, street.id, code)?;
    }
    if new.place_kinds.is_empty() || new.ends_on < new.starts_on {
        return Err(refused(InspectionRefusal::EmptyTemplate));
    }
    let id = Uuid::now_v7();
    conn.execute(
        "INSERT INTO inspection_campaign (street_id, id, name, org_path, starts_on, ends_on,
             place_kinds, checklist, removal, targets, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &street.id,
            &id,
            &new.name.trim(),
            &unit.path,
            &new.starts_on,
            &new.ends_on,
            &to_json(&new.place_kinds)?,
            &new.checklist,
            &new.checklist.is_none(),
            &to_json(&new.targets)?,
            &at,
        ],
    )?;
    Ok(id)
}

/// The checklist `code` of `street`: its own configured one, else the seeded one.
pub fn template(conn: &mut Conn, street: OrgUnitId, code: &str) -> Result<Template, StoreError> {
    let own: Option<String> = conn.query_opt(
        "SELECT body FROM inspection_checklist WHERE street_id = $1 AND code = $2",
        &[&street, &code],
        |row| row.get(0),
    )?;
    match own {
        Some(body) => serde_json::from_str(&body)
            .map_err(|e| StoreError::Query(format!("stored checklist: {e}"))),
        None => checklist::seeded()
            .into_iter()
            .find(|t| t.code == code)
            .ok_or_else(|| not_found("inspection.checklist", code.to_owned())),
    }
}

/// A campaign's scope and checklist, if `principal` reaches it.
pub(crate) struct Campaign {
    pub street: OrgUnitId,
    pub org_path: OrgPath,
    pub place_kinds: Vec<PlaceKind>,
    pub checklist: Option<String>,
}

/// The campaign `id`, if it is within reach of `scope` or above it (a street's campaign is its
/// grids' too).
pub(crate) fn campaign(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<Campaign, StoreError> {
    let found = conn
        .query_opt(
            "SELECT street_id, org_path, place_kinds, checklist FROM inspection_campaign
              WHERE id = $1",
            &[&id],
            |row| {
                let kinds: String = row.get(2)?;
                Ok(Campaign {
                    street: row.get(0)?,
                    org_path: row.get(1)?,
                    place_kinds: serde_json::from_str(&kinds).unwrap_or_default(),
                    checklist: row.get(3)?,
                })
            },
        )?
        .ok_or_else(|| not_found("inspection.campaign", id.to_string()))?;
    let above = match scope.reach() {
        crate::scope::Reach::Subtree(root) => root.is_within(&found.org_path),
        crate::scope::Reach::Everything => true,
        crate::scope::Reach::Own(_) => false,
    };
    if !(scope.covers(&found.org_path) || above) {
        return Err(not_found("inspection.campaign", id.to_string()));
    }
    Ok(found)
}

/// Opens a round of a campaign on `held_on` (a 周三夜查, a 零点行动); returns its id.
pub fn open_round(
    conn: &mut Conn,
    principal: &Principal,
    campaign_id: Uuid,
    held_on: NaiveDate,
    name: &str,
) -> Result<Uuid, StoreError> {
    principal.scope().require(Capability::Inspect)?;
    Refusal::check_length(name, limits::NAME)?;
    let found = campaign(conn, &principal.scope(), campaign_id)?;
    // A round is where its team works: the opener's node within the campaign's unit.
    let org_path = match principal.scope().reach() {
        crate::scope::Reach::Subtree(root) if root.is_within(&found.org_path) => root.clone(),
        _ => found.org_path.clone(),
    };
    let id = Uuid::now_v7();
    conn.execute(
        "INSERT INTO inspection_round (street_id, id, campaign_id, held_on, name, org_path)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &found.street,
            &id,
            &campaign_id,
            &held_on,
            &name.trim(),
            &org_path,
        ],
    )?;
    Ok(id)
}

/// Records an inspection of a place on a round; each failed item raises a hazard. Returns the
/// inspection's id and the hazards' ids and numbers.
pub fn inspect(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    new: &NewInspection,
) -> Result<(Uuid, Vec<(Uuid, String)>), StoreError> {
    let scope = principal.scope();
    scope.require(Capability::Inspect)?;
    let campaign_id: Uuid = conn
        .query_opt(
            "SELECT campaign_id FROM inspection_round WHERE id = $1",
            &[&new.round],
            |row| row.get(0),
        )?
        .ok_or_else(|| not_found("inspection.round", new.round.to_string()))?;
    let found = campaign(conn, &principal.scope(), campaign_id)?;
    let place = places::get(conn, &scope, new.place)?;
    if !place.org_path.is_within(&found.org_path) || !found.place_kinds.contains(&new.place_kind) {
        return Err(Refusal::OutOfScope.into());
    }
    let code = found
        .checklist
        .ok_or(refused(InspectionRefusal::EmptyTemplate))?;
    let failures = template(conn, found.street, &code)?
        .evaluate(&new.responses)
        .map_err(refused)?;
    let id = Uuid::now_v7();
    let (lon, lat) = new.point.unzip();
    conn.execute(
        "INSERT INTO inspection (street_id, id, round_id, campaign_id, place_id, place_kind,
             org_path, at, checked_on, inspector_id, turnouts, lon, lat, responses, failed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        &[
            &found.street,
            &id,
            &new.round,
            &campaign_id,
            &new.place,
            &new.place_kind.as_str(),
            &place.org_path,
            &at,
            &business_date(at),
            &principal.user_id(),
            &i64::from(new.turnouts.max(1)),
            &lon,
            &lat,
            &to_json(&new.responses)?,
            &i64::try_from(failures.len()).unwrap_or(i64::MAX),
        ],
    )?;
    figures::count_inspection(
        conn,
        found.street,
        business_date(at),
        &place.org_path,
        campaign_id,
        new.place_kind,
        i64::from(new.turnouts.max(1)),
    )?;
    let mut hazards = Vec::new();
    for failure in failures {
        let Some(raises) = failure.raises else {
            continue;
        };
        let photos = new
            .responses
            .iter()
            .find(|r| r.item == failure.item)
            .map_or(0, |r| r.photos);
        let raised = Raised {
            place: new.place,
            severity: raises.severity,
            description: raises.hazard,
            source: Source::Inspection {
                inspection: id,
                item: failure.item,
            },
            photos,
        };
        let place_at = PlaceAt {
            street: found.street,
            org_path: place.org_path.clone(),
            kind: new.place_kind,
            campaign: Some(campaign_id),
            inspection: Some(id),
        };
        hazards.push(raise(conn, principal, at, ip.clone(), &place_at, raised)?);
    }
    Ok((id, hazards))
}

/// Where a hazard is raised.
pub(crate) struct PlaceAt {
    pub street: OrgUnitId,
    pub org_path: OrgPath,
    pub kind: PlaceKind,
    pub campaign: Option<Uuid>,
    pub inspection: Option<Uuid>,
}

/// Raises one hazard: its number, its first history entry, its row and its rollup.
pub(crate) fn raise(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    place: &PlaceAt,
    raised: Raised,
) -> Result<(Uuid, String), StoreError> {
    Refusal::check_length(&raised.description, limits::DESCRIPTION)?;
    let change = inspection::raise(raised).map_err(refused)?;
    let id = Uuid::now_v7();
    let opened = inspection::open(id, at, &change)
        .ok_or_else(|| StoreError::Query("a raise that opens nothing".into()))?;
    let number = numbers::next(conn, &LEDGER, place.street, business_date(at))?;
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
    conn.execute(
        "INSERT INTO hazard (street_id, id, number, state, org_path, department_id, place_id,
             place_kind, campaign_id, inspection_id, severity, found_on, found_at, escalation,
             body, step_timer, step_warn_at, step_deadline, step_held, event_count, head_hash,
             updated_at)
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11, $12, NULL, $13, NULL, NULL,
                 NULL, NULL, $14, $15, $16)",
        &[
            &place.street,
            &id,
            &number,
            &opened.state.as_str(),
            &place.org_path,
            &opened.raised.place,
            &place.kind.as_str(),
            &place.campaign,
            &place.inspection,
            &opened.raised.severity.as_str(),
            &business_date(at),
            &at,
            &to_json(&opened)?,
            &1_i64,
            &entry.hash,
            &at,
        ],
    )?;
    entry.insert(conn, place.street)?;
    let stored = Stored {
        street: place.street,
        number: number.clone(),
        org_path: place.org_path.clone(),
        place_kind: place.kind.as_str().to_owned(),
        campaign: place.campaign,
        hazard: opened,
        count: 1,
        head: entry.hash,
    };
    figures::follow(conn, &stored, ActionKind::Raise, at)?;
    publish(conn, &stored, ActionKind::Raise, at)?;
    Ok((id, number))
}

fn publish(
    conn: &mut Conn,
    stored: &Stored,
    kind: ActionKind,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let payload = json!({
        "id": stored.hazard.id,
        "number": stored.number,
        "state": stored.hazard.state.as_str(),
        "severity": stored.hazard.raised.severity.as_str(),
        "action": kind.as_str(),
    });
    outbox::publish(
        conn,
        &Recorded {
            ledger: &LEDGER,
            street: stored.street,
            record: stored.hazard.id,
            seq: stored.count,
            event: kind.as_str(),
            at,
        },
        &payload,
        // Notices fill their templates with a case's facts; a hazard offers none.
        &|_| None,
    )
}

fn check_action(action: &Action) -> Result<(), Refusal> {
    match action {
        Action::Order { measures, .. } => Refusal::check_length(measures, limits::DESCRIPTION),
        Action::Rectify { note, .. } | Action::Recheck { note, .. } => {
            Refusal::check_length(note, limits::NOTE)
        }
        Action::Escalate {
            case: Some(case), ..
        } => Refusal::check_length(case, limits::NAME),
        Action::StrikeOff | Action::Escalate { case: None, .. } => Ok(()),
    }
}

/// Does `action` to a hazard as `principal`; returns the hazard as it now stands.
pub fn act(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    calendar: &WorkCalendar,
    id: Uuid,
    action: Action,
) -> Result<Hazard, StoreError> {
    check_action(&action)?;
    let scope = principal.scope();
    let (mut stored, standing) = load_seen(conn, &scope, id)?;
    let kind = action.kind();
    let change =
        inspection::decide(&stored.hazard, &standing, action, at, calendar).map_err(refused)?;
    let from = stored.hazard.state;
    inspection::apply(&mut stored.hazard, &change, at);
    let seq = stored.count + 1;
    let entry = Entry::new(
        &LEDGER,
        id,
        seq,
        &stored.head,
        at,
        &actor(principal, ip),
        Some(from),
        stored.hazard.state,
        &change,
    )?;
    let running = stored
        .hazard
        .deadline
        .as_ref()
        .filter(|_| stored.hazard.state.is_open());
    let clock = ClockColumns::of(running)?;
    conn.execute(
        "UPDATE hazard SET state = $1, escalation = $2, body = $3, step_timer = $4,
             step_warn_at = $5, step_deadline = $6, step_held = $7, event_count = $8,
             head_hash = $9, updated_at = $10
          WHERE id = $11",
        &[
            &stored.hazard.state.as_str(),
            &stored.hazard.escalation.map(escalation_code),
            &to_json(&stored.hazard)?,
            &clock.timer,
            &clock.warn_at,
            &clock.deadline,
            &clock.held,
            &seq,
            &entry.hash,
            &at,
            &id,
        ],
    )?;
    entry.insert(conn, stored.street)?;
    stored.count = seq;
    stored.head = entry.hash;
    figures::follow(conn, &stored, kind, at)?;
    publish(conn, &stored, kind, at)?;
    Ok(stored.hazard)
}

fn escalation_code(escalation: inspection::machine::Escalation) -> &'static str {
    match escalation {
        inspection::machine::Escalation::Supervision => "supervision",
        inspection::machine::Escalation::Case => "case",
    }
}

impl crate::Store {
    /// Sets up a campaign as `principal`.
    pub async fn create_campaign(
        &self,
        principal: Principal,
        new: NewCampaign,
    ) -> Result<Uuid, StoreError> {
        let at = self.now();
        self.write(move |conn| create_campaign(conn, &principal, at, &new))
            .await
    }

    /// Opens a round of a campaign as `principal`.
    pub async fn open_round(
        &self,
        principal: Principal,
        campaign: Uuid,
        held_on: NaiveDate,
        name: String,
    ) -> Result<Uuid, StoreError> {
        self.write(move |conn| open_round(conn, &principal, campaign, held_on, &name))
            .await
    }

    /// Records an inspection as `principal`.
    pub async fn inspect(
        &self,
        principal: Principal,
        ip: Option<String>,
        new: NewInspection,
    ) -> Result<(Uuid, Vec<(Uuid, String)>), StoreError> {
        let at = self.now();
        self.write(move |conn| inspect(conn, &principal, at, ip.clone(), &new))
            .await
    }

    /// Does `action` to a hazard as `principal`.
    pub async fn act_on_hazard(
        &self,
        principal: Principal,
        ip: Option<String>,
        id: Uuid,
        action: Action,
    ) -> Result<Hazard, StoreError> {
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
