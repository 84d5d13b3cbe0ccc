//! Reading disputes: the list within the reader's scope, filtered and paged, and one dispute
//! with its parties (named from the registry, with how often each was involved before), its
//! history and its clock.

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::Capability;
use jiedao_core::OrgPath;
use jiedao_core::dispute::{ActionKind, Dispute, DisputeState, PartyKind, PartyRole, Risk};
use jiedao_core::ledger::{Light, RecordState};
use serde::Serialize;
use uuid::Uuid;

use super::{Event, LEDGER, load_seen};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::access;
use crate::ledger::history;
use crate::ledger::query::Where;
use crate::scope::Scope;

/// What a list asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DisputeFilter {
    pub state: Option<DisputeState>,
    pub kind: Option<String>,
    pub risk: Option<Risk>,
    /// Only those under this unit's path.
    pub under: Option<String>,
    /// Registered on or after / on or before (business days).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only settled ones (调处成功: agreed or closed after agreement), or only not settled.
    pub settled: Option<bool>,
    pub escalated: Option<bool>,
    /// Only those still waiting on mediation (registered or mediating): a leader's alerts.
    pub pending: bool,
    /// Only those whose running clock (the mediation deadline, then the window to apply for
    /// court confirmation) shows this light at this moment: the reminders' list.
    pub light: Option<(Light, DateTime<Utc>)>,
    /// A number, whole or its start.
    pub number: Option<String>,
    /// Rows to skip and to show.
    pub offset: i64,
    pub limit: i64,
}

/// A dispute as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputeRow {
    pub id: Uuid,
    pub number: String,
    pub state: DisputeState,
    pub kind: String,
    pub source: String,
    pub risk: String,
    pub amount_fen: i64,
    pub registered_on: NaiveDate,
    pub org_path: OrgPath,
    pub escalated: bool,
    /// The running clock's deadline (mediation, then the confirmation window).
    pub deadline: Option<DateTime<Utc>>,
    /// The parties' names, applicants first.
    pub parties: Vec<String>,
}

/// The states that count as settled (调处成功): an agreement was reached.
pub const SETTLED: [DisputeState; 2] = [DisputeState::Agreed, DisputeState::Closed];

/// The states before an outcome: the dispute still needs its mediators (and, if high-risk, its
/// leader).
pub const PENDING: [DisputeState; 2] = [DisputeState::Registered, DisputeState::Mediating];

/// The disputes `scope` sees that `filter` asks for, newest first, and whether more follow.
pub fn list(
    conn: &mut Conn,
    scope: &Scope,
    filter: &DisputeFilter,
) -> Result<(Vec<DisputeRow>, bool), StoreError> {
    scope.require(Capability::ViewDisputes)?;
    let mut w = Where::default();
    access::restrict(scope, &LEDGER, Capability::ViewDisputes, &mut w)?;
    if let Some(state) = filter.state {
        let p = w.bind(state.as_str());
        w.push(format!("f.state = {p}"));
    }
    if let Some(kind) = &filter.kind {
        // A type and the types under it (`family` takes `family.marriage`): `.` sorts just
        // before `/`.
        let exact = w.bind(kind.clone());
        let dotted = w.bind(format!("{kind}."));
        let past = w.bind(format!("{kind}/"));
        w.push(format!(
            "(f.kind = {exact} OR (f.kind >= {dotted} AND f.kind < {past}))"
        ));
    }
    if let Some(risk) = filter.risk {
        let p = w.bind(risk.as_str());
        w.push(format!("f.risk = {p}"));
    }
    if let Some(path) = &filter.under {
        let (low, high) = (w.bind(path.clone()), w.bind(super::figures::path_end(path)));
        w.push(format!("f.org_path >= {low} AND f.org_path < {high}"));
    }
    if let Some(from) = filter.from {
        let p = w.bind(from);
        w.push(format!("f.registered_on >= {p}"));
    }
    if let Some(to) = filter.to {
        let p = w.bind(to);
        w.push(format!("f.registered_on <= {p}"));
    }
    match filter.settled {
        Some(true) => w.is_in("f.state", SETTLED.map(DisputeState::as_str)),
        Some(false) => w.not_in("f.state", SETTLED.map(DisputeState::as_str)),
        None => {}
    }
    if filter.pending {
        w.is_in("f.state", PENDING.map(DisputeState::as_str));
    }
    if let Some(escalated) = filter.escalated {
        let p = w.bind(escalated);
        w.push(format!("f.escalated = {p}"));
    }
    if let Some(number) = filter
        .number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let (low, high) = (
            w.bind(number.to_owned()),
            w.bind(crate::registry::prefix_end(number)),
        );
        w.push(format!("f.number >= {low} AND f.number < {high}"));
    }
    if let Some((light, now)) = filter.light
        && light != Light::Unknown
    {
        crate::ledger::clocks::step_light(&mut w, light, now);
    }
    let limit = w.bind(filter.limit.clamp(1, 10_000) + 1);
    let offset = w.bind(filter.offset.max(0));
    let mut rows: Vec<DisputeRow> = conn.query(
        &format!(
            "SELECT f.id, f.number, f.state, f.kind, f.source, f.risk, f.amount_fen,
                    f.registered_on, f.org_path, f.escalated, f.step_deadline
               FROM dispute f{} ORDER BY f.registered_at DESC, f.id DESC LIMIT {limit} OFFSET {offset}",
            w.sql()
        ),
        &w.params(),
        |row| {
            let state: String = row.get(2)?;
            Ok(DisputeRow {
                id: row.get(0)?,
                number: row.get(1)?,
                state: DisputeState::parse(&state)
                    .ok_or_else(|| StoreError::Query(format!("unknown state {state:?}")))?,
                kind: row.get(3)?,
                source: row.get(4)?,
                risk: row.get(5)?,
                amount_fen: row.get(6)?,
                registered_on: row.get(7)?,
                org_path: row.get(8)?,
                escalated: row.get(9)?,
                deadline: row.get(10)?,
                parties: Vec::new(),
            })
        },
    )?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > filter.limit.clamp(1, 10_000);
    if more {
        rows.pop();
    }
    for row in &mut rows {
        row.parties = parties(conn, row.id)?.into_iter().map(|p| p.name).collect();
    }
    Ok((rows, more))
}

/// A party as a dispute's page shows it: who they are, from the registry, and their record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartyLine {
    pub role: PartyRole,
    pub kind: PartyKind,
    pub id: Uuid,
    pub name: String,
    /// 基本情况: sex, birth date, masked document and address of a person; the credit code of
    /// an enterprise.
    pub particulars: Vec<(String, String)>,
    /// How many disputes and cases the party is in (this one included).
    pub involvement: i64,
}

/// How many disputes name a party, and cases the registry links to it.
pub(crate) fn involvement(conn: &mut Conn, party: Uuid) -> Result<i64, StoreError> {
    let disputes: i64 = conn.scalar(
        "SELECT COUNT(*) FROM dispute_party WHERE party_id = $1",
        &[&party],
    )?;
    let cases: i64 = conn.scalar(
        "SELECT COUNT(*) FROM registry_link WHERE record_id = $1",
        &[&party],
    )?;
    Ok(disputes + cases)
}

fn parties(conn: &mut Conn, dispute: Uuid) -> Result<Vec<PartyLine>, StoreError> {
    let found: Vec<(String, String, Uuid)> = conn.query(
        "SELECT role, party_kind, party_id FROM dispute_party WHERE dispute_id = $1 ORDER BY seq",
        &[&dispute],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let mut lines = Vec::with_capacity(found.len());
    for (role, kind, id) in found {
        let role = PartyRole::parse(&role).unwrap_or(PartyRole::ThirdParty);
        let kind = PartyKind::parse(&kind).unwrap_or(PartyKind::Person);
        let (name, particulars) = match kind {
            PartyKind::Person => conn
                .query_opt(
                    "SELECT p.name, p.sex, p.birth_date, p.document_masked, h.address
                       FROM registry_person p LEFT JOIN registry_place h ON h.id = p.house_id
                      WHERE p.id = $1",
                    &[&id],
                    |row| {
                        let birth: Option<NaiveDate> = row.get(2)?;
                        let facts = [
                            ("sex", row.get::<Option<String>>(1)?),
                            ("birth_date", birth.map(|d| d.to_string())),
                            ("document", row.get::<Option<String>>(3)?),
                            ("address", row.get::<Option<String>>(4)?),
                        ];
                        Ok((
                            row.get::<String>(0)?,
                            facts
                                .into_iter()
                                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                                .collect(),
                        ))
                    },
                )?
                .unwrap_or_default(),
            PartyKind::Enterprise => conn
                .query_opt(
                    "SELECT name, credit_code FROM registry_enterprise WHERE id = $1",
                    &[&id],
                    |row| {
                        Ok((
                            row.get::<String>(0)?,
                            vec![("credit_code".to_owned(), row.get::<String>(1)?)],
                        ))
                    },
                )?
                .unwrap_or_default(),
        };
        lines.push(PartyLine {
            role,
            kind,
            id,
            name,
            particulars,
            involvement: involvement(conn, id)?,
        });
    }
    Ok(lines)
}

/// One dispute as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputeDetail {
    pub number: String,
    pub org_path: OrgPath,
    /// The unit's name (the committee's community).
    pub place: String,
    pub dispute: Dispute,
    pub parties: Vec<PartyLine>,
    pub history: Vec<Event>,
    /// Whether the history is whole and folds to the dispute shown.
    pub intact: bool,
    /// What the reader may do to it now.
    pub available: Vec<ActionKind>,
}

/// The dispute `id` as `scope` may see it.
pub fn get(conn: &mut Conn, scope: &Scope, id: Uuid) -> Result<DisputeDetail, StoreError> {
    let (stored, standing) = load_seen(conn, scope, id)?;
    let place: String = conn
        .query_opt(
            "SELECT name FROM org_unit WHERE path = $1",
            &[&stored.org_path],
            |row| row.get(0),
        )?
        .unwrap_or_default();
    Ok(DisputeDetail {
        number: stored.number,
        org_path: stored.org_path,
        place,
        parties: parties(conn, id)?,
        history: history::load(conn, &LEDGER, id)?,
        intact: super::verify(conn, id)?,
        available: jiedao_core::dispute::available(&stored.dispute, &standing),
        dispute: stored.dispute,
    })
}

/// A dispute type of the configured tree (纠纷类型).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kind {
    pub code: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
}

impl Kind {
    pub fn name(&self, lang: jiedao_core::Lang) -> &str {
        match lang {
            jiedao_core::Lang::En => &self.name_en,
            _ => &self.name_zh,
        }
    }
}

/// The type tree, in its order.
pub fn kinds(conn: &mut Conn) -> Result<Vec<Kind>, StoreError> {
    conn.query(
        "SELECT code, parent, name_zh, name_en FROM dispute_kind ORDER BY position",
        &[],
        |row| {
            Ok(Kind {
                code: row.get(0)?,
                parent: row.get(1)?,
                name_zh: row.get(2)?,
                name_en: row.get(3)?,
            })
        },
    )
}
