//! The case projection row (`case_file`): the one place a [`Case`] becomes columns and back.
//! Names of the category, department and grid are joined in when reading, not stored twice.

use jiedao_core::case::{
    Case, CaseState, CategoryRef, Channel, DepartmentRef, ExtensionRequest, GridPlace, Location,
    Satisfaction, Timer,
};
use jiedao_core::category::{Step, Urgency};
use jiedao_core::{CaseId, CategoryId, ClientId, DepartmentId, OrgUnitId};

use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::ledger::clocks::ClockColumns;

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Query(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Query(format!("stored case JSON: {e}")))
}

fn parse<T>(value: Option<T>, what: &str, text: &str) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::Query(format!("stored {what} {text:?} is unknown")))
}

/// The columns of a case that take work to write (its timers as JSON and the like), in the
/// order of the SQL below.
pub struct Columns {
    step: Option<&'static str>,
    step_clock: ClockColumns,
    case_clock: ClockColumns,
    extension_request: Option<String>,
    counts: [i64; 6],
}

impl Columns {
    pub fn of(case: &Case) -> Result<Columns, StoreError> {
        Ok(Columns {
            step: case.step.map(Step::as_str),
            step_clock: ClockColumns::of(case.step_timer.as_ref())?,
            case_clock: ClockColumns::of(case.case_timer.as_ref())?,
            extension_request: case.extension_request.as_ref().map(to_json).transpose()?,
            counts: [
                case.supervision_count,
                case.return_count,
                case.extension_count,
                case.rework_count,
                case.reopen_count,
                case.merged_in_count,
            ]
            .map(i64::from),
        })
    }
}

/// Writes a new case row.
pub fn insert(
    conn: &mut Conn,
    case: &Case,
    c: &Columns,
    head_hash: &[u8],
    client: Option<ClientId>,
    intake_key: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO case_file (street_id, id, number, state, channel, category_id, urgency, description,
             lon, lat, address, grid_id, org_path, external_ref, department_id, step, step_timer, step_warn_at,
             step_deadline, step_overdue, step_held, case_timer, case_warn_at, case_deadline, reported_at, filed_at,
             dispatched_at, accepted_at, handled_at, checked_at, closed_at, verification_requested,
             verified_found, extension_request, supervised, supervision_count, return_count, extension_count,
             rework_count, reopen_count, merged_in_count, handled_on_time, closed_on_time, satisfaction,
             merged_into, event_count, head_hash, updated_at, client_id, intake_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
             $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39,
             $40, $41, $42, $43, $44, $45, $46, $47, $48, $49, $50)",
        &[
            &case.street,
            &case.id,
            &case.number,
            &case.state.as_str(),
            &case.channel.as_str(),
            &case.category.as_ref().map(|c| c.id),
            &case.urgency.as_str(),
            &case.description,
            &case.location.lon,
            &case.location.lat,
            &case.location.address,
            &case.location.grid.as_ref().map(|g| g.id),
            &case.org_path,
            &case.external_ref,
            &case.department.as_ref().map(|d| d.id),
            &c.step,
            &c.step_clock.timer,
            &c.step_clock.warn_at,
            &c.step_clock.deadline,
            &case.step_overdue,
            &c.step_clock.held,
            &c.case_clock.timer,
            &c.case_clock.warn_at,
            &c.case_clock.deadline,
            &case.reported_at,
            &case.filed_at,
            &case.dispatched_at,
            &case.accepted_at,
            &case.handled_at,
            &case.checked_at,
            &case.closed_at,
            &case.verification_requested,
            &case.verified_found,
            &c.extension_request,
            &case.supervised,
            &c.counts[0],
            &c.counts[1],
            &c.counts[2],
            &c.counts[3],
            &c.counts[4],
            &c.counts[5],
            &case.handled_on_time,
            &case.closed_on_time,
            &case.satisfaction.map(Satisfaction::as_str),
            &case.merged_into,
            &i64::from(case.event_count),
            &head_hash,
            &case.updated_at,
            &client,
            &intake_key,
        ],
    )?;
    Ok(())
}

/// Writes the changed case over its row.
pub fn update(conn: &mut Conn, case: &Case, head_hash: &[u8]) -> Result<(), StoreError> {
    let c = Columns::of(case)?;
    conn.execute(
        "UPDATE case_file SET state = $3, category_id = $4, urgency = $5, lon = $6, lat = $7, address = $8,
             grid_id = $9, org_path = $10, department_id = $11, step = $12, step_timer = $13, step_warn_at = $14,
             step_deadline = $15, step_overdue = $16, case_timer = $17, case_warn_at = $18, case_deadline = $19,
             filed_at = $20, dispatched_at = $21, accepted_at = $22, handled_at = $23, checked_at = $24,
             closed_at = $25, verification_requested = $26, verified_found = $27, extension_request = $28,
             supervised = $29, supervision_count = $30, return_count = $31, extension_count = $32,
             rework_count = $33, reopen_count = $34, merged_in_count = $35, handled_on_time = $36,
             closed_on_time = $37, satisfaction = $38, merged_into = $39, event_count = $40, head_hash = $41,
             updated_at = $42, step_held = $43
         WHERE street_id = $1 AND id = $2",
        &[
            &case.street,
            &case.id,
            &case.state.as_str(),
            &case.category.as_ref().map(|c| c.id),
            &case.urgency.as_str(),
            &case.location.lon,
            &case.location.lat,
            &case.location.address,
            &case.location.grid.as_ref().map(|g| g.id),
            &case.org_path,
            &case.department.as_ref().map(|d| d.id),
            &c.step,
            &c.step_clock.timer,
            &c.step_clock.warn_at,
            &c.step_clock.deadline,
            &case.step_overdue,
            &c.case_clock.timer,
            &c.case_clock.warn_at,
            &c.case_clock.deadline,
            &case.filed_at,
            &case.dispatched_at,
            &case.accepted_at,
            &case.handled_at,
            &case.checked_at,
            &case.closed_at,
            &case.verification_requested,
            &case.verified_found,
            &c.extension_request,
            &case.supervised,
            &c.counts[0],
            &c.counts[1],
            &c.counts[2],
            &c.counts[3],
            &c.counts[4],
            &c.counts[5],
            &case.handled_on_time,
            &case.closed_on_time,
            &case.satisfaction.map(Satisfaction::as_str),
            &case.merged_into,
            &i64::from(case.event_count),
            &head_hash,
            &case.updated_at,
            &c.step_clock.held,
        ],
    )?;
    Ok(())
}

/// Fills `step_held` for rows whose paused step clock was stored before the column existed
/// (migration 0013): the light each held when parked, worked out from its timer. Idempotent;
/// runs when the store opens after applying that migration.
pub fn fill_held_lights(
    conn: &mut Conn,
    calendar: &jiedao_core::calendar::WorkCalendar,
) -> Result<usize, StoreError> {
    let rows: Vec<(uuid::Uuid, String)> = conn.query(
        "SELECT id, step_timer FROM case_file
          WHERE step_held IS NULL AND step_timer IS NOT NULL AND step_deadline IS NULL",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut filled = 0;
    for (id, text) in rows {
        let mut timer: Timer = from_json(&text)?;
        if !timer.is_paused() {
            continue;
        }
        timer.reckon(calendar);
        if let Some(held) = timer.held {
            conn.execute(
                "UPDATE case_file SET step_held = $1 WHERE id = $2",
                &[&held.as_str(), &id],
            )?;
            filled += 1;
        }
    }
    Ok(filled)
}

/// The columns read back, names joined in. Used by every query that returns whole cases.
pub const SELECT_CASE: &str = "SELECT f.street_id, f.id, f.number, f.state, f.channel, f.category_id, k.code, k.name,
        f.urgency, f.description, f.lon, f.lat, f.address, f.grid_id, g.code, g.name, f.org_path, f.external_ref,
        f.department_id, d.name, f.step, f.step_timer, f.step_overdue, f.case_timer, f.reported_at, f.filed_at,
        f.dispatched_at, f.accepted_at, f.handled_at, f.checked_at, f.closed_at, f.verification_requested,
        f.verified_found, f.extension_request, f.supervised, f.supervision_count, f.return_count,
        f.extension_count, f.rework_count, f.reopen_count, f.merged_in_count, f.handled_on_time,
        f.closed_on_time, f.satisfaction, f.merged_into, f.event_count, f.updated_at, f.head_hash
    FROM case_file f
    LEFT JOIN category k ON k.id = f.category_id
    LEFT JOIN org_unit g ON g.id = f.grid_id
    LEFT JOIN department d ON d.id = f.department_id";

fn count(row: &Row<'_>, column: usize) -> Result<u32, StoreError> {
    let value: i64 = row.get(column)?;
    u32::try_from(value).map_err(|_| StoreError::Query(format!("count {value} out of range")))
}

/// Reads a row selected with [`SELECT_CASE`] into a case and its head hash.
pub(crate) fn read(row: &Row<'_>) -> Result<(Case, Vec<u8>), StoreError> {
    let state: String = row.get(3)?;
    let channel: String = row.get(4)?;
    let urgency: String = row.get(8)?;
    let step: Option<String> = row.get(20)?;
    let satisfaction: Option<String> = row.get(43)?;
    let category = match (
        row.get::<Option<CategoryId>>(5)?,
        row.get::<Option<String>>(6)?,
        row.get::<Option<String>>(7)?,
    ) {
        (Some(id), Some(code), Some(name)) => Some(CategoryRef { id, code, name }),
        _ => None,
    };
    let grid = match (
        row.get::<Option<OrgUnitId>>(13)?,
        row.get::<Option<String>>(14)?,
        row.get::<Option<String>>(15)?,
    ) {
        (Some(id), Some(code), Some(name)) => Some(GridPlace { id, code, name }),
        _ => None,
    };
    let department = match (
        row.get::<Option<DepartmentId>>(18)?,
        row.get::<Option<String>>(19)?,
    ) {
        (Some(id), Some(name)) => Some(DepartmentRef { id, name }),
        _ => None,
    };
    let timer = |column: usize| -> Result<Option<Timer>, StoreError> {
        row.get::<Option<String>>(column)?
            .as_deref()
            .map(from_json)
            .transpose()
    };
    let extension: Option<String> = row.get(33)?;
    let case = Case {
        street: row.get(0)?,
        id: row.get::<CaseId>(1)?,
        number: row.get(2)?,
        state: parse(CaseState::parse(&state), "state", &state)?,
        channel: parse(Channel::parse(&channel), "channel", &channel)?,
        category,
        urgency: parse(Urgency::parse(&urgency), "urgency", &urgency)?,
        description: row.get(9)?,
        location: Location {
            lon: row.get(10)?,
            lat: row.get(11)?,
            address: row.get(12)?,
            grid,
        },
        org_path: row.get(16)?,
        external_ref: row.get(17)?,
        department,
        step: step
            .as_deref()
            .map(|s| parse(Step::parse(s), "step", s))
            .transpose()?,
        step_timer: timer(21)?,
        step_overdue: row.get(22)?,
        case_timer: timer(23)?,
        reported_at: row.get(24)?,
        filed_at: row.get(25)?,
        dispatched_at: row.get(26)?,
        accepted_at: row.get(27)?,
        handled_at: row.get(28)?,
        checked_at: row.get(29)?,
        closed_at: row.get(30)?,
        verification_requested: row.get(31)?,
        verified_found: row.get(32)?,
        extension_request: extension
            .as_deref()
            .map(from_json::<ExtensionRequest>)
            .transpose()?,
        supervised: row.get(34)?,
        supervision_count: count(row, 35)?,
        return_count: count(row, 36)?,
        extension_count: count(row, 37)?,
        rework_count: count(row, 38)?,
        reopen_count: count(row, 39)?,
        merged_in_count: count(row, 40)?,
        handled_on_time: row.get(41)?,
        closed_on_time: row.get(42)?,
        satisfaction: satisfaction
            .as_deref()
            .map(|s| parse(Satisfaction::parse(s), "satisfaction", s))
            .transpose()?,
        merged_into: row.get(44)?,
        event_count: count(row, 45)?,
        updated_at: row.get(46)?,
    };
    Ok((case, row.get(47)?))
}

/// A case and its head hash by id, whoever asks. For the store's own use.
pub fn load(conn: &mut Conn, id: CaseId) -> Result<Option<(Case, Vec<u8>)>, StoreError> {
    conn.query_opt(&format!("{SELECT_CASE} WHERE f.id = $1"), &[&id], read)
}
