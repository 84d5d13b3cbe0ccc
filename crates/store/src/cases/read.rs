//! Reading cases: who may see which (a department sees what is dispatched to it, a resident
//! what they reported, other staff everything within their part of the tree), lists with
//! filters, one case with its history, and each role's inbox.
//!
//! Filters are put together from fixed SQL fragments; every value is a bound parameter.

use chrono::{DateTime, Utc};
use jiedao_core::case::{Case, CaseState, Channel, Light};
use jiedao_core::{Capability, CaseId, DepartmentId, OrgPath, OrgUnitId, Role};
use serde::Serialize;

use super::LEDGER;
use super::history::{self, EventRecord};
use super::intake::Submission;
use super::projection::{self, SELECT_CASE};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::attachments::{self, Attachment};
use crate::ledger::query::Where;
use crate::ledger::{access, clocks};
use crate::refusal::Refusal;
use crate::scope::Principal;

/// Limits a query to the cases `principal` may see (the ledger's one rule).
pub(super) fn visible_to(principal: &Principal, filter: &mut Where) -> Result<(), StoreError> {
    access::restrict(&principal.scope(), &LEDGER, Capability::ViewCases, filter)?;
    Ok(())
}

/// Limits a query to the cases `principal` may see, naming the street too when the reader's
/// whole reach lies in one: the street's indexes then serve the query, instead of a walk
/// over every street's cases filtered by place.
pub(super) fn visible_in_street(
    conn: &mut Conn,
    principal: &Principal,
    filter: &mut Where,
) -> Result<(), StoreError> {
    visible_to(principal, filter)?;
    if principal.role() == Role::Resident {
        return Ok(());
    }
    if let Some(path) = principal.org_path()
        && let Some(street) = crate::org::street_of(conn, path)?
    {
        let p = filter.bind(street.id);
        filter.push(format!("f.street_id = {p}"));
    }
    Ok(())
}

/// Only open cases, named as the open states (not "none of the closed"), so the state index
/// finds them.
pub(super) fn open_states(w: &mut Where) {
    w.is_in(
        "f.state",
        CaseState::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(CaseState::as_str),
    );
}

/// Whether `principal` may see `case` (the same rule as [`visible_to`], for one case).
pub fn can_see(conn: &mut Conn, principal: &Principal, case: &Case) -> Result<bool, StoreError> {
    access::sees(
        conn,
        &LEDGER,
        &principal.scope(),
        Capability::ViewCases,
        &super::facts(case),
    )
}

/// What to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    pub states: Vec<CaseState>,
    pub open_only: bool,
    pub light: Option<Light>,
    /// A category code or the code of a class above it (`E01` takes every 市容环境 event).
    pub category: Option<String>,
    pub department: Option<DepartmentId>,
    /// A node within the reader's reach: a community or a grid.
    pub within: Option<OrgPath>,
    pub channel: Option<Channel>,
    pub reported_from: Option<DateTime<Utc>>,
    pub reported_to: Option<DateTime<Utc>>,
    /// A case number, or words of the description.
    pub keyword: Option<String>,
    pub supervised: Option<bool>,
    pub overdue: Option<bool>,
    pub unlocated: bool,
    pub verification_requested: bool,
    pub extension_requested: bool,
    /// Soonest deadline first, instead of newest first.
    pub by_deadline: bool,
    /// Newest first, only the cases after this one (keyset paging: the last case of the page
    /// before). Ignored when listing by deadline.
    pub after: Option<PageKey>,
}

/// Where a page of the newest-first list starts: the last case of the page before, by the
/// list's order (reported at, then number). Written into page links as `<time>|<number>`.
#[derive(Debug, Clone, PartialEq)]
pub struct PageKey {
    pub reported_at: DateTime<Utc>,
    pub number: String,
}

impl PageKey {
    /// The key after `case` in the newest-first list.
    pub fn of(case: &Case) -> PageKey {
        PageKey {
            reported_at: case.reported_at,
            number: case.number.clone(),
        }
    }

    /// As a page link carries it.
    pub fn to_text(&self) -> String {
        format!(
            "{}|{}",
            self.reported_at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            self.number
        )
    }

    /// From a page link; `None` when it is not one.
    pub fn parse(text: &str) -> Option<PageKey> {
        let (at, number) = text.trim().split_once('|')?;
        let reported_at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        (!number.is_empty()).then(|| PageKey {
            reported_at,
            number: number.to_owned(),
        })
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn apply_filter(filter: &CaseFilter, now: DateTime<Utc>, w: &mut Where) {
    if !filter.states.is_empty() {
        w.is_in("f.state", filter.states.iter().map(|s| s.as_str()));
    }
    if filter.open_only {
        open_states(w);
    }
    if let Some(light) = filter.light {
        clocks::step_light(w, light, now);
    }
    if let Some(code) = &filter.category {
        let (low, high) = (w.bind(code.clone()), w.bind(format!("{code}~")));
        w.push(format!("k.code >= {low} AND k.code < {high}"));
    }
    if let Some(department) = filter.department {
        let p = w.bind(department);
        w.push(format!("f.department_id = {p}"));
    }
    if let Some(within) = &filter.within {
        let (low, high) = within.subtree_range();
        let (l, h) = (w.bind(low), w.bind(high));
        w.push(format!("f.org_path >= {l} AND f.org_path < {h}"));
    }
    if let Some(channel) = filter.channel {
        let p = w.bind(channel.as_str());
        w.push(format!("f.channel = {p}"));
    }
    if let Some(from) = filter.reported_from {
        let p = w.bind(from);
        w.push(format!("f.reported_at >= {p}"));
    }
    if let Some(to) = filter.reported_to {
        let p = w.bind(to);
        w.push(format!("f.reported_at < {p}"));
    }
    if let Some(keyword) = filter
        .keyword
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        let (number, words) = (
            w.bind(keyword.to_owned()),
            w.bind(format!("%{}%", escape_like(keyword))),
        );
        w.push(format!(
            "(f.number = {number} OR f.description LIKE {words} ESCAPE '\\' OR f.address LIKE {words} ESCAPE '\\')"
        ));
    }
    if let Some(supervised) = filter.supervised {
        let p = w.bind(supervised);
        w.push(format!("f.supervised = {p}"));
    }
    if let Some(overdue) = filter.overdue {
        let p = w.bind(overdue);
        w.push(format!("f.step_overdue = {p}"));
    }
    if filter.unlocated {
        w.push("f.grid_id IS NULL".into());
    }
    if filter.verification_requested {
        let p = w.bind(true);
        w.push(format!("f.verification_requested = {p}"));
    }
    if filter.extension_requested {
        w.push("f.extension_request IS NOT NULL".into());
    }
    if let Some(key) = filter.after.as_ref().filter(|_| !filter.by_deadline) {
        let (at, number) = (w.bind(key.reported_at), w.bind(key.number.clone()));
        w.push(format!(
            "(f.reported_at < {at} OR (f.reported_at = {at} AND f.number < {number}))"
        ));
    }
}

/// A page of cases and how many match in all, counted up to a cap: a list over a city does
/// not count its millions.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePage {
    pub cases: Vec<Case>,
    /// How many match, at most the cap; see [`CasePage::capped`].
    pub total: i64,
    /// More match than `total` says (shown as "10,000+").
    pub capped: bool,
}

impl CasePage {
    /// The count as a page shows it: `10,000+` when capped.
    pub fn shown_total(&self) -> String {
        let digits = self.total.to_string();
        let mut grouped = String::new();
        for (n, digit) in digits.chars().enumerate() {
            if n > 0 && (digits.len() - n).is_multiple_of(3) && digit.is_ascii_digit() {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if self.capped {
            grouped.push('+');
        }
        grouped
    }
}

/// The most a list counts ([`CasePage::total`]); beyond it the count says "10,000+".
pub const COUNT_CAP: i64 = 10_000;

/// The most a page of [`list`] holds.
pub const PAGE_MAX: i64 = 500;

/// The most rows an export holds ([`export`]); the list says so when more match.
pub const EXPORT_MAX: i64 = 100_000;

/// The cases `principal` may see that match `filter`, a page at a time (at most
/// [`PAGE_MAX`]).
pub fn list(
    conn: &mut Conn,
    principal: &Principal,
    filter: &CaseFilter,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<CasePage, StoreError> {
    listed(
        conn,
        principal,
        filter,
        now,
        (limit.clamp(1, PAGE_MAX), offset),
        COUNT_CAP,
    )
}

/// Every case `principal` may see that matches `filter`, for a file: up to [`EXPORT_MAX`],
/// in one read (one snapshot), with how many match in all.
pub fn export(
    conn: &mut Conn,
    principal: &Principal,
    filter: &CaseFilter,
    now: DateTime<Utc>,
) -> Result<CasePage, StoreError> {
    listed(conn, principal, filter, now, (EXPORT_MAX, 0), EXPORT_MAX)
}

fn listed(
    conn: &mut Conn,
    principal: &Principal,
    filter: &CaseFilter,
    now: DateTime<Utc>,
    (limit, offset): (i64, i64),
    cap: i64,
) -> Result<CasePage, StoreError> {
    let mut w = Where::default();
    visible_in_street(conn, principal, &mut w)?;
    apply_filter(filter, now, &mut w);
    let clause = w.sql();
    // Counted up to one past the cap (a number from the code, not from the reader).
    let over = cap.saturating_add(1);
    let found: i64 = conn.scalar(
        &format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM case_file f LEFT JOIN category k ON k.id = f.category_id{clause} LIMIT {over}) AS capped"
        ),
        &w.params(),
    )?;
    let order = if filter.by_deadline {
        "ORDER BY CASE WHEN f.step_deadline IS NULL THEN 1 ELSE 0 END, f.step_deadline, f.reported_at"
    } else {
        "ORDER BY f.reported_at DESC, f.number DESC"
    };
    let (l, o) = (w.bind(limit.max(1)), w.bind(offset.max(0)));
    let cases = conn
        .query(
            &format!("{SELECT_CASE}{clause} {order} LIMIT {l} OFFSET {o}"),
            &w.params(),
            projection::read,
        )?
        .into_iter()
        .map(|(case, _)| case)
        .collect();
    Ok(CasePage {
        cases,
        total: found.min(cap),
        capped: found > cap,
    })
}

/// How many of the cases `principal` may see match `filter`, street by street: the map of a
/// city draws these counts, not pins. Served by the state index when `filter` names states
/// (or only the open ones).
pub fn count_by_street(
    conn: &mut Conn,
    principal: &Principal,
    filter: &CaseFilter,
    now: DateTime<Utc>,
) -> Result<Vec<(jiedao_core::OrgUnitId, i64)>, StoreError> {
    let mut w = Where::default();
    visible_in_street(conn, principal, &mut w)?;
    apply_filter(filter, now, &mut w);
    let clause = w.sql();
    conn.query(
        &format!(
            "SELECT f.street_id, COUNT(*) FROM case_file f LEFT JOIN category k ON k.id = f.category_id{clause}
             GROUP BY f.street_id"
        ),
        &w.params(),
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// A reporter as the reader may see them: name and phone masked unless the reader may know.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReporterView {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub anonymous: bool,
    pub channel: String,
    pub reported_at: DateTime<Utc>,
    /// The case this reporter first reported (differs after a merge).
    pub original_case: CaseId,
}

/// 138****1234
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars.iter().take(3).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// 张** (the family name only).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

/// One case with everything its page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    pub case: Case,
    pub history: Vec<EventRecord>,
    pub reporters: Vec<ReporterView>,
    pub attachments: Vec<Attachment>,
    /// The history's hash chain is whole and ends at the case row.
    pub history_intact: bool,
    /// The reporter's answers to the category's questions, and a photo link they gave.
    pub submission: Submission,
}

fn reporters(
    conn: &mut Conn,
    case: CaseId,
    unmasked: bool,
) -> Result<Vec<ReporterView>, StoreError> {
    let rows = conn.query(
        "SELECT name, phone, anonymous, channel, reported_at, original_case_id FROM case_reporter
         WHERE case_id = $1 ORDER BY reported_at",
        &[&case],
        |row| {
            Ok((
                row.get::<Option<String>>(0)?,
                row.get::<Option<String>>(1)?,
                ReporterView {
                    name: None,
                    phone: None,
                    anonymous: row.get(2)?,
                    channel: row.get(3)?,
                    reported_at: row.get(4)?,
                    original_case: row.get(5)?,
                },
            ))
        },
    )?;
    let key = conn.data_key()?;
    rows.into_iter()
        .map(|(name, sealed_phone, mut view)| {
            if !view.anonymous {
                view.name = name.map(|n| if unmasked { n } else { mask_name(&n) });
                view.phone = match sealed_phone {
                    Some(sealed) => {
                        let phone = key.open(&sealed)?;
                        Some(if unmasked { phone } else { mask_phone(&phone) })
                    }
                    None => None,
                };
            }
            Ok(view)
        })
        .collect()
}

/// Loads one case's detail without checking who asks (callers have).
pub(crate) fn detail_of(
    conn: &mut Conn,
    case: Case,
    head: &[u8],
    unmasked: bool,
) -> Result<CaseDetail, StoreError> {
    let history_intact = history::verify(conn, case.id, head, case.event_count)?;
    Ok(CaseDetail {
        history: history::load(conn, case.id)?,
        reporters: reporters(conn, case.id, unmasked)?,
        attachments: attachments::of_record(conn, case.id.uuid())?,
        submission: Submission::of(conn, case.id)?,
        history_intact,
        case,
    })
}

/// One case, if `principal` may see it.
pub fn detail(
    conn: &mut Conn,
    principal: &Principal,
    id: CaseId,
) -> Result<CaseDetail, StoreError> {
    let (case, head) = visible(conn, principal, id)?;
    let mut detail = detail_of(conn, case, &head, false)?;
    if principal.role() == Role::Resident {
        let own: Vec<CaseId> = conn.query(
            "SELECT original_case_id FROM case_reporter WHERE case_id = $1 AND user_id = $2
              ORDER BY reported_at",
            &[&id, &principal.user_id()],
            |row| row.get(0),
        )?;
        own_view(conn, &mut detail, &own)?;
    }
    Ok(detail)
}

/// What one reporter sees of a case others' reports were merged with, or that was merged into
/// another: the case's own fields (state, category, clocks, history, handling photos) and, of
/// the reports, only their own (`own`: the cases they first reported): their description,
/// address, answers and photos, and their own reporter line. Nothing another resident wrote
/// or sent reaches them.
fn own_view(conn: &mut Conn, detail: &mut CaseDetail, own: &[CaseId]) -> Result<(), StoreError> {
    detail.reporters.retain(|r| own.contains(&r.original_case));
    let Some(first) = own.first().copied() else {
        return Ok(());
    };
    if own.contains(&detail.case.id) {
        return Ok(());
    }
    if let Some((mine, _)) = projection::load(conn, first)? {
        detail.case.description = mine.description;
        detail.case.location = mine.location;
    }
    // The history's report record is the other resident's words and name: their own report's
    // record stands in its place.
    let is_report =
        |record: &EventRecord| matches!(record.change, jiedao_core::case::Change::Report { .. });
    let own_report = history::load(conn, first)?.into_iter().find(is_report);
    detail.history = detail
        .history
        .drain(..)
        .filter_map(|record| {
            if is_report(&record) {
                own_report.clone()
            } else {
                Some(record)
            }
        })
        .collect();
    detail.submission = Submission::of(conn, first)?;
    let mut photos = attachments::of_record(conn, first.uuid())?;
    photos.extend(
        detail
            .attachments
            .drain(..)
            .filter(|a| a.purpose != attachments::Purpose::Report),
    );
    detail.attachments = photos;
    Ok(())
}

/// The case and its history head, if `principal` may see it.
fn visible(
    conn: &mut Conn,
    principal: &Principal,
    id: CaseId,
) -> Result<(Case, Vec<u8>), StoreError> {
    let (case, head) = projection::load(conn, id)?.ok_or_else(|| Refusal::NotFound {
        what: "noun.case",
        key: id.to_string(),
    })?;
    if !can_see(conn, principal, &case)? {
        return Err(match principal.role() {
            // A resident is not told that someone else's case exists.
            Role::Resident => Refusal::NotFound {
                what: "noun.case",
                key: id.to_string(),
            },
            _ => Refusal::OutOfScope,
        }
        .into());
    }
    Ok((case, head))
}

/// Whether `role` may see reporters whole: intake staff and the centre's shift lead, who call
/// them back.
pub fn may_reveal(role: Role) -> bool {
    matches!(role, Role::IntakeOperator | Role::ShiftLead)
}

/// The case's reporters whole, for a person whose role calls them back; the view is written
/// to the audit log (个人信息查看留痕). Everyone else sees them masked in [`detail`].
pub fn reveal(
    conn: &mut Conn,
    principal: &Principal,
    id: CaseId,
    at: DateTime<Utc>,
    ip: Option<String>,
) -> Result<Vec<ReporterView>, StoreError> {
    let (case, _) = visible(conn, principal, id)?;
    if !may_reveal(principal.role()) {
        return Err(Refusal::NotAllowed.into());
    }
    let whole = reporters(conn, case.id, true)?;
    crate::audit::record(
        conn,
        &principal.actor(ip),
        at,
        "personal.reveal",
        &format!("case:{}", case.number),
        &serde_json::json!({ "reporters": whole.iter().filter(|r| !r.anonymous).count() }),
    )?;
    Ok(whole)
}

/// A case by the hash of its follow link, for the reporter holding it.
pub fn by_follow_token(
    conn: &mut Conn,
    token_hash: &[u8],
) -> Result<Option<CaseDetail>, StoreError> {
    let found: Option<(CaseId, CaseId)> = conn.query_opt(
        "SELECT case_id, original_case_id FROM case_reporter WHERE follow_token_hash = $1",
        &[&token_hash],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let Some((id, original)) = found else {
        return Ok(None);
    };
    let Some((case, head)) = projection::load(conn, id)? else {
        return Ok(None);
    };
    let mut detail = detail_of(conn, case, &head, false)?;
    own_view(conn, &mut detail, &[original])?;
    Ok(Some(detail))
}

/// Metres between two points on the earth (haversine, mean radius).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1, lon2, lat2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// Open cases of the same category reported near `case` in place and time: likely the same
/// problem (疑似重复), offered for merging. Nearest first.
pub fn likely_duplicates(
    conn: &mut Conn,
    case: &Case,
    radius_m: f64,
    window: chrono::Duration,
) -> Result<Vec<Case>, StoreError> {
    let (Some(category), Some(lon), Some(lat)) =
        (&case.category, case.location.lon, case.location.lat)
    else {
        return Ok(Vec::new());
    };
    let mut w = Where::default();
    let (street, category, id) = (w.bind(case.street), w.bind(category.id), w.bind(case.id));
    let (from, to) = (
        w.bind(case.reported_at - window),
        w.bind(case.reported_at + window),
    );
    w.push(format!(
        "f.street_id = {street} AND f.category_id = {category} AND f.id <> {id}
            AND f.reported_at >= {from} AND f.reported_at <= {to} AND f.lon IS NOT NULL"
    ));
    w.open_only::<CaseState>("f.state");
    let rows = conn.query(
        &format!(
            "{SELECT_CASE}{} ORDER BY f.reported_at DESC LIMIT 200",
            w.sql()
        ),
        &w.params(),
        projection::read,
    )?;
    let mut near: Vec<(f64, Case)> = rows
        .into_iter()
        .filter_map(|(other, _)| {
            let d = distance_m((lon, lat), (other.location.lon?, other.location.lat?));
            (d <= radius_m).then_some((d, other))
        })
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(near.into_iter().map(|(_, case)| case).collect())
}

/// Open cases reported in `street` since `since` within `radius_m` of a point, nearest first
/// with their distance in metres, at most `limit`: what a resident is shown before reporting
/// (附近已有的上报), so a problem already reported is not reported again. Read through the
/// state index within the street; a box around the point keeps far cases out before the
/// distance is measured.
pub fn open_near(
    conn: &mut Conn,
    street: OrgUnitId,
    (lon, lat): (f64, f64),
    radius_m: f64,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<(Case, f64)>, StoreError> {
    // A degree of latitude is about 111 km; a degree of longitude shrinks with the latitude.
    let dlat = radius_m / 111_000.0;
    let dlon = dlat / lat.to_radians().cos().abs().max(0.01);
    let mut w = Where::default();
    let (street, since) = (w.bind(street), w.bind(since));
    let (west, east) = (w.bind(lon - dlon), w.bind(lon + dlon));
    let (south, north) = (w.bind(lat - dlat), w.bind(lat + dlat));
    w.push(format!(
        "f.street_id = {street} AND f.reported_at >= {since}
            AND f.lon >= {west} AND f.lon <= {east} AND f.lat >= {south} AND f.lat <= {north}"
    ));
    w.open_only::<CaseState>("f.state");
    let rows = conn.query(
        &format!(
            "{SELECT_CASE}{} ORDER BY f.reported_at DESC LIMIT 500",
            w.sql()
        ),
        &w.params(),
        projection::read,
    )?;
    let mut near: Vec<(Case, f64)> = rows
        .into_iter()
        .filter_map(|(case, _)| {
            let d = distance_m((lon, lat), (case.location.lon?, case.location.lat?));
            (d <= radius_m).then_some((case, d))
        })
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    near.truncate(limit);
    Ok(near)
}

/// A section of an inbox: what it holds and the first of them.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxSection {
    /// The locale key of its title.
    pub title: &'static str,
    pub filter: CaseFilter,
    pub page: CasePage,
}

/// What waits for each role (待办).
fn sections(role: Role) -> Vec<(&'static str, CaseFilter)> {
    use CaseState::*;
    let states = |states: &[CaseState]| CaseFilter {
        states: states.to_vec(),
        ..CaseFilter::default()
    };
    let due_soon = CaseFilter {
        open_only: true,
        light: Some(Light::Yellow),
        by_deadline: true,
        ..CaseFilter::default()
    };
    let mut list: Vec<(&'static str, CaseFilter)> = match role {
        Role::IntakeOperator => vec![
            ("inbox.to_file", states(&[Reported, Verified])),
            (
                "inbox.unlocated",
                CaseFilter {
                    open_only: true,
                    unlocated: true,
                    ..CaseFilter::default()
                },
            ),
        ],
        Role::ShiftLead => vec![
            ("inbox.to_file", states(&[Reported, Verified])),
            (
                "inbox.extension_requests",
                CaseFilter {
                    extension_requested: true,
                    ..states(&[Handling])
                },
            ),
            ("inbox.to_close", states(&[Checked])),
            ("inbox.parked", states(&[Parked])),
        ],
        Role::Dispatcher => vec![
            ("inbox.to_dispatch", states(&[Filed])),
            ("inbox.unaccepted", states(&[Dispatched])),
        ],
        Role::DepartmentHandler | Role::CommunityStaff => vec![
            ("inbox.to_accept", states(&[Dispatched])),
            ("inbox.handling", states(&[Handling, Parked])),
        ],
        Role::GridWorker => vec![
            (
                "inbox.to_verify",
                CaseFilter {
                    verification_requested: true,
                    ..states(&[Reported])
                },
            ),
            ("inbox.to_check", states(&[Handled])),
        ],
        Role::Leader => vec![
            (
                "inbox.supervised",
                CaseFilter {
                    open_only: true,
                    supervised: Some(true),
                    ..CaseFilter::default()
                },
            ),
            (
                "inbox.overdue",
                CaseFilter {
                    open_only: true,
                    light: Some(Light::Red),
                    by_deadline: true,
                    ..CaseFilter::default()
                },
            ),
        ],
        Role::Resident => vec![("inbox.my_reports", CaseFilter::default())],
        Role::Administrator => vec![],
    };
    if !matches!(role, Role::Resident | Role::Administrator) {
        list.push(("inbox.due_soon", due_soon));
        list.push((
            "inbox.supervised",
            CaseFilter {
                open_only: true,
                supervised: Some(true),
                ..CaseFilter::default()
            },
        ));
        list.dedup_by_key(|(title, _)| *title);
    }
    list
}

/// The inbox of `principal`: each section's count and first cases.
pub fn inbox(
    conn: &mut Conn,
    principal: &Principal,
    now: DateTime<Utc>,
    per_section: i64,
) -> Result<Vec<InboxSection>, StoreError> {
    let mut out = Vec::new();
    for (title, filter) in sections(principal.role()) {
        let mut filter = filter;
        // A community's staff act for their community: their inbox is what is dispatched to it.
        if principal.role() == Role::CommunityStaff
            && title != "inbox.due_soon"
            && title != "inbox.supervised"
        {
            let Some(department) = principal.scope().acts_for() else {
                continue;
            };
            filter.department = Some(department);
        }
        let page = list(conn, principal, &filter, now, per_section, 0)?;
        out.push(InboxSection {
            title,
            filter,
            page,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_masked() {
        assert_eq!(mask_phone("13800001234"), "138****1234");
        assert_eq!(mask_phone("12345"), "*****");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李*");
    }

    #[test]
    fn distances_are_in_metres() {
        // 0.001 degree of latitude is about 111 m.
        let d = distance_m((120.1, 30.25), (120.1, 30.251));
        assert!((110.0..112.0).contains(&d), "{d}");
        assert!(distance_m((120.1, 30.25), (120.1, 30.25)) < 1e-6);
    }

    #[test]
    fn like_wildcards_in_keywords_are_taken_literally() {
        assert_eq!(escape_like("100%_done\\"), "100\\%\\_done\\\\");
    }
}
