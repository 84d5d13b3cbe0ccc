//! The public face of cases, for Open311 clients and other outside readers: the cases of
//! categories open to the public, without any reporter's details, found by number, category,
//! street, time reported or last changed, open or closed; and the stream of their changes.
//! Every value is a bound parameter; the clauses are fixed fragments.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jiedao_core::case::{Case, CaseState};
use jiedao_core::question::Answer;
use jiedao_core::{AttachmentId, CaseId, CategoryId, OrgUnitId};

use super::intake::Submission;
use super::projection::{self, SELECT_CASE};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::attachments::{self, Purpose};
use crate::ledger::query::Where;

/// The most requests or updates one answer holds (GeoReport v2's limit).
pub const MAX_PAGE: i64 = 1000;

/// What an outside reader asks for. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicQuery {
    pub street: Option<OrgUnitId>,
    pub numbers: Vec<String>,
    /// Public leaf categories to keep; the caller has checked each is public.
    pub categories: Vec<CategoryId>,
    pub reported_from: Option<DateTime<Utc>>,
    pub reported_to: Option<DateTime<Utc>>,
    pub updated_from: Option<DateTime<Utc>>,
    pub updated_to: Option<DateTime<Utc>>,
    /// `Some(true)` open cases only, `Some(false)` closed ones only.
    pub open: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

/// A case as anyone may read it, with what the reporter sent beyond its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCase {
    pub case: Case,
    pub media_url: Option<String>,
    pub answers: Vec<Answer>,
    /// The first photo taken when reporting, served in its public copy.
    pub photo: Option<AttachmentId>,
}

/// One change of a public case.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicUpdate {
    pub case_number: String,
    pub case_id: CaseId,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub action: String,
    pub state: CaseState,
}

/// The public cases matching `query`, newest first. `public` lists every public leaf
/// category; a case outside them is never returned.
pub fn requests(
    conn: &mut Conn,
    query: &PublicQuery,
    public: &[CategoryId],
) -> Result<Vec<PublicCase>, StoreError> {
    let categories = if query.categories.is_empty() {
        public
    } else {
        &query.categories
    };
    if categories.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Where::default();
    w.is_in("f.category_id", categories.iter().cloned());
    if let Some(street) = query.street {
        let p = w.bind(street);
        w.push(format!("f.street_id = {p}"));
    }
    if !query.numbers.is_empty() {
        w.is_in("f.number", query.numbers.iter().cloned());
    }
    for (bound, op, column) in [
        (query.reported_from, ">=", "f.reported_at"),
        (query.reported_to, "<=", "f.reported_at"),
        (query.updated_from, ">=", "f.updated_at"),
        (query.updated_to, "<=", "f.updated_at"),
    ] {
        if let Some(at) = bound {
            let p = w.bind(at);
            w.push(format!("{column} {op} {p}"));
        }
    }
    if let Some(open) = query.open {
        let states = CaseState::ALL.into_iter().filter(|s| s.is_open() == open);
        w.is_in("f.state", states.map(CaseState::as_str));
    }
    let clause = w.sql();
    let (l, o) = (
        w.bind(query.limit.clamp(1, MAX_PAGE)),
        w.bind(query.offset.max(0)),
    );
    let cases: Vec<Case> = conn
        .query(
            &format!(
                "{SELECT_CASE}{clause} ORDER BY f.reported_at DESC, f.number DESC LIMIT {l} OFFSET {o}"
            ),
            &w.params(),
            projection::read,
        )?
        .into_iter()
        .map(|(case, _)| case)
        .collect();
    with_extras(conn, cases)
}

/// One public case by its number or id, whatever its street.
pub fn request(
    conn: &mut Conn,
    key: &str,
    public: &[CategoryId],
) -> Result<Option<PublicCase>, StoreError> {
    let found = match key.parse::<CaseId>() {
        Ok(id) => projection::load(conn, id)?.map(|(case, _)| case),
        Err(_) => conn
            .query_opt(
                &format!("{SELECT_CASE} WHERE f.number = $1"),
                &[&key],
                projection::read,
            )?
            .map(|(case, _)| case),
    };
    let Some(case) = found.filter(|c| c.category.as_ref().is_some_and(|k| public.contains(&k.id)))
    else {
        return Ok(None);
    };
    Ok(with_extras(conn, vec![case])?.pop())
}

/// Adds each case's submission and first report photo, in two queries for the page.
fn with_extras(conn: &mut Conn, cases: Vec<Case>) -> Result<Vec<PublicCase>, StoreError> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    let mut w = Where::default();
    w.is_in("case_id", ids.iter().copied());
    let clause = w.sql();
    let submissions: HashMap<CaseId, (String, Option<String>)> = conn
        .query(
            &format!("SELECT case_id, answers, media_url FROM case_submission{clause}"),
            &w.params(),
            |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))),
        )?
        .into_iter()
        .collect();
    let photos = attachments::images(conn, ids.iter().map(|id| id.uuid()), Purpose::Report)?;
    cases
        .into_iter()
        .map(|case| {
            let submission = match submissions.get(&case.id) {
                Some((answers, url)) => Submission::read(answers, url.clone(), None)?,
                None => Submission::default(),
            };
            let photo = photos
                .iter()
                .find(|(id, _)| *id == case.id.uuid())
                .map(|(_, photo)| *photo);
            Ok(PublicCase {
                case,
                media_url: submission.media_url,
                answers: submission.answers,
                photo,
            })
        })
        .collect()
}

/// The changes of public cases in `[from, to]`, oldest first: Open311's
/// servicerequestupdates feed.
pub fn updates(
    conn: &mut Conn,
    street: Option<OrgUnitId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    public: &[CategoryId],
    limit: i64,
    offset: i64,
) -> Result<Vec<PublicUpdate>, StoreError> {
    if public.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Where::default();
    let (a, b) = (w.bind(from), w.bind(to));
    w.push(format!("e.at >= {a} AND e.at <= {b}"));
    if let Some(street) = street {
        let p = w.bind(street);
        w.push(format!("e.street_id = {p}"));
    }
    w.is_in("f.category_id", public.iter().cloned());
    let clause = w.sql();
    let (l, o) = (w.bind(limit.clamp(1, MAX_PAGE)), w.bind(offset.max(0)));
    conn.query(
        &format!(
            "SELECT f.number, e.case_id, e.seq, e.at, e.action, e.to_state
             FROM case_event e JOIN case_file f ON f.id = e.case_id{clause}
             ORDER BY e.at, e.case_id, e.seq LIMIT {l} OFFSET {o}"
        ),
        &w.params(),
        |row| {
            let state: String = row.get(5)?;
            Ok(PublicUpdate {
                case_number: row.get(0)?,
                case_id: row.get(1)?,
                seq: row.get(2)?,
                at: row.get(3)?,
                action: row.get(4)?,
                state: CaseState::parse(&state).unwrap_or(CaseState::Reported),
            })
        },
    )
}
