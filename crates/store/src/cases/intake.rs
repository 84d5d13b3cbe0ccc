//! Intake (受理): a report from any channel becomes a case. Everything that can be worked out
//! without the database (checking, locating, deadlines) is done before the write; the write
//! numbers the case, records it and its first history record, and is idempotent under a
//! client's key: a retried report returns the case the first one made.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use jiedao_core::case::{
    ActionKind, Case, Channel, GridPlace, Location, Report, decide_report, open,
};
use jiedao_core::category::Urgency;
use jiedao_core::clock::business_date;
use jiedao_core::evaluation::tally::{Involved, Tally, tally};
use jiedao_core::question::{self, Answer};
use jiedao_core::{CaseId, CategoryId, ClientId, OrgPath, OrgUnitId, UserId, limits};
use serde::Serialize;

use super::history::{self, EventActor, GENESIS};
use super::projection;
use crate::Store;
use crate::auth::random_token;
use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;

/// The longest description kept (characters): GeoReport v2's limit, for every face (the row
/// of [`jiedao_core::limits`]).
pub const MAX_DESCRIPTION: usize = jiedao_core::limits::DESCRIPTION.max;

/// Who reported, as far as they said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reporter {
    pub user_id: Option<UserId>,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The reporter asked not to be named to the departments.
    pub anonymous: bool,
    /// Give a private link to follow the case and rate it (residents without a login).
    pub follow_link: bool,
}

/// A report as it arrives, before checking.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub channel: Channel,
    pub category: Option<CategoryId>,
    pub urgency: Option<Urgency>,
    pub description: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub address: Option<String>,
    /// The street to file it under when it has no point in a grid (an API client's street, a
    /// member of staff's street), with that street's path.
    pub street: Option<(OrgUnitId, OrgPath)>,
    pub external_ref: Option<String>,
    pub reporter: Reporter,
    /// An API client and its idempotency key: the same pair always means the same case. A
    /// grid worker's phone form keys by the person's account in the client's place (ids are
    /// UUIDs, so an account's never equals a client's).
    pub idempotency: Option<(ClientId, String)>,
    /// Only categories open to the public may be chosen (residents, Open311).
    pub public_only: bool,
    pub submission: Sent,
    pub face: Face,
}

/// The kind of face a report came through, for the rules that differ by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Face {
    /// A person at a form (staff, grid workers, residents) or an import they run: told of a
    /// mistake, they mend it.
    #[default]
    Person,
    /// Another system reporting with a client's token (the API, Open311), registered for one
    /// street (`NewReport::street`). A phone number that does not read as one is kept aside,
    /// masked, rather than losing the report; a point is taken only within that street: one
    /// in another street's grid, or outside every boundary drawn for the street, is refused
    /// rather than filed where the client has no say (docs/DOMAIN.md, "Reports from other
    /// systems").
    Client,
}

/// What a reporter sent beyond the case's columns, as sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sent {
    pub answers: Answers,
    /// A photo held elsewhere (Open311's `media_url`).
    pub media_url: Option<String>,
}

/// The answers to the category's questions, as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Answers {
    /// The reporter was asked: each question's code with the values given. Checked against
    /// the category's questions when the report is, whichever face it came through, so a
    /// required question without an answer refuses the report everywhere.
    Given(BTreeMap<String, Vec<String>>),
    /// A record taken over from another system that never asked them (a 12345 work order).
    NotAsked,
}

impl Default for Answers {
    fn default() -> Answers {
        Answers::Given(BTreeMap::new())
    }
}

/// What a reporter sent beyond the case's columns, checked, as it is kept beside the case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Submission {
    /// Answers to the category's questions, checked against them.
    pub answers: Vec<Answer>,
    /// A photo held elsewhere (Open311's `media_url`).
    pub media_url: Option<String>,
    /// A phone number sent that did not read as one, with its digits masked.
    pub phone_as_sent: Option<String>,
}

impl Submission {
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty() && self.media_url.is_none() && self.phone_as_sent.is_none()
    }

    /// Reads the stored answers (JSON), link and phone.
    pub(crate) fn read(
        answers: &str,
        media_url: Option<String>,
        phone_as_sent: Option<String>,
    ) -> Result<Submission, StoreError> {
        Ok(Submission {
            answers: serde_json::from_str(answers)
                .map_err(|error| StoreError::Query(error.to_string()))?,
            media_url,
            phone_as_sent,
        })
    }

    /// What was sent with one case (empty when nothing was).
    pub(crate) fn of(conn: &mut Conn, case: CaseId) -> Result<Submission, StoreError> {
        let row: Option<(String, Option<String>, Option<String>)> = conn.query_opt(
            "SELECT answers, media_url, phone_as_sent FROM case_submission WHERE case_id = $1",
            &[&case],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        match row {
            Some((answers, url, phone)) => Submission::read(&answers, url, phone),
            None => Ok(Submission::default()),
        }
    }
}

/// A phone number that did not read as one, as it is kept: every digit masked but the first
/// three and the last two.
fn mask_unreadable_phone(text: &str) -> String {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    text.trim()
        .chars()
        .take(40)
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= 3 || seen + 2 > digits {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// What the reporter gets back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub id: CaseId,
    pub number: String,
    /// False when this was a retry of a report already taken.
    pub created: bool,
    /// The private link's token, when asked for (shown once; only its hash is kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_token: Option<String>,
    /// True when the case still needs an operator to place it on the map.
    pub unlocated: bool,
}

fn checked_text(text: Option<String>, limit: usize) -> Option<String> {
    text.map(|t| t.trim().chars().take(limit).collect::<String>())
        .filter(|t| !t.is_empty())
}

/// A phone number as people type it: digits, spaces, dashes and a leading +; 7-20 digits.
pub fn normalize_phone(text: &str) -> Result<String, Refusal> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || " -+()".contains(c));
    if allowed && (7..=20).contains(&digits.len()) {
        Ok(digits)
    } else {
        Err(Refusal::BadPhone {
            phone: text.trim().to_owned(),
        })
    }
}

/// A checked report with everything its write needs except its number: the new case, its
/// columns and its first record.
pub(crate) struct Prepared {
    case: Case,
    columns: projection::Columns,
    first: history::Entry,
    /// What the report adds to the figures (受理, and a grid worker's 上报).
    tally: Vec<Tally>,
    unlocated: bool,
    submission: Submission,
}

impl Store {
    pub(crate) async fn prepare(
        &self,
        new: &NewReport,
        actor: &EventActor,
        now: DateTime<Utc>,
    ) -> Result<Prepared, StoreError> {
        let description = new.description.trim();
        if description.is_empty() {
            return Err(Refusal::EmptyField {
                field: "field.description",
            }
            .into());
        }
        Refusal::check_length(description, limits::DESCRIPTION)?;
        if let Some(name) = &new.reporter.name {
            Refusal::check_length(name, limits::PERSON_NAME)?;
        }
        let catalog = self.catalog();
        let category = match new.category {
            Some(id) => {
                let entry = catalog.get(id).filter(|e| e.active).ok_or_else(|| {
                    Refusal::UnknownCategory {
                        key: id.to_string(),
                    }
                })?;
                if !entry.is_leaf {
                    return Err(
                        Refusal::Case(jiedao_core::case::CaseRefusal::NotALeafCategory).into(),
                    );
                }
                if new.public_only && !entry.settings.public {
                    return Err(Refusal::UnknownCategory {
                        key: entry.code.clone(),
                    }
                    .into());
                }
                Some(entry)
            }
            None => None,
        };
        let answers = match &new.submission.answers {
            Answers::NotAsked => Vec::new(),
            // Without a category there is no question to answer: anything sent is unknown.
            Answers::Given(given) => {
                let questions = category.map_or(&[][..], |e| &e.settings.questions[..]);
                question::check(questions, given).map_err(Refusal::Answer)?
            }
        };
        let point = match (new.lon, new.lat) {
            (Some(lon), Some(lat)) if jiedao_geo::on_earth(lon, lat) => Some((lon, lat)),
            (None, None) => None,
            _ => return Err(Refusal::BadPoint.into()),
        };
        let grid = match point {
            Some((lon, lat)) => self.locate(lon, lat).await?,
            None => None,
        };
        if new.face == Face::Client
            && let (Some((lon, lat)), Some((street, _))) = (point, &new.street)
        {
            self.within_street(grid.as_ref(), *street, lon, lat).await?;
        }
        let (street, org_path, place) = match (&grid, &new.street) {
            (Some(grid), _) => (
                grid.street,
                grid.path.clone(),
                Some(GridPlace {
                    id: grid.id,
                    code: grid.code.clone(),
                    name: grid.name.clone(),
                }),
            ),
            (None, Some((street, path))) => (*street, path.clone(), None),
            (None, None) if point.is_some() => return Err(Refusal::OutsideEveryGrid.into()),
            (None, None) => return Err(Refusal::LocationRequired.into()),
        };
        let settings = catalog.settings(new.category);
        let unlocated = place.is_none();
        let report = Report {
            channel: new.channel,
            category: category.map(|e| e.as_ref()),
            urgency: new.urgency.unwrap_or(settings.urgency),
            description: description.to_owned(),
            location: Location {
                lon: point.map(|p| p.0),
                lat: point.map(|p| p.1),
                address: checked_text(new.address.clone(), limits::ADDRESS.max),
                grid: place,
            },
            street,
            org_path,
            external_ref: checked_text(new.external_ref.clone(), 64),
        };
        let change = decide_report(report, &settings, now, &self.calendar());
        let id = CaseId::new();
        // Numbered when written, by the street's count of the day.
        let case = open(id, String::new(), &change, now)
            .ok_or_else(|| StoreError::Query("a report change opens a case".into()))?;
        let first = history::Entry::new(
            &super::LEDGER,
            id.uuid(),
            1,
            &GENESIS,
            now,
            actor,
            None,
            case.state,
            &change,
        )?;
        let involved = Involved {
            actor: actor.user_id,
            reporter: None,
        };
        Ok(Prepared {
            tally: tally(None, &change, &case, involved, now),
            columns: projection::Columns::of(&case)?,
            case,
            first,
            unlocated,
            submission: Submission {
                answers,
                media_url: new.submission.media_url.clone(),
                phone_as_sent: None,
            },
        })
    }

    /// Refuses a client's point that lies in another street's grid, or in no grid and outside
    /// every boundary drawn for the client's street (a street with nothing drawn takes any
    /// point, and the case waits to be placed).
    async fn within_street(
        &self,
        grid: Option<&crate::GridRef>,
        street: OrgUnitId,
        lon: f64,
        lat: f64,
    ) -> Result<(), StoreError> {
        match grid {
            Some(grid) if grid.street == street => Ok(()),
            Some(grid) => {
                let other = grid.street;
                let name = self
                    .read(move |conn| crate::org::name_of(conn, other))
                    .await?
                    .unwrap_or_default();
                Err(Refusal::InAnotherStreet { street: name }.into())
            }
            None => {
                let inside = self
                    .read(move |conn| crate::org::street_covers(conn, street, lon, lat))
                    .await?;
                match inside {
                    Some(false) => Err(Refusal::OutsideStreet.into()),
                    Some(true) | None => Ok(()),
                }
            }
        }
    }

    /// Takes a report from any channel and makes it a case (or finds the one a retry made).
    /// Photos in `files` were stored before and are recorded with the case's first record;
    /// those of a report refused at any step, or of a retry of one already taken, are removed.
    pub async fn report(
        &self,
        new: NewReport,
        actor: EventActor,
        files: Vec<super::StoredFile>,
    ) -> Result<Receipt, StoreError> {
        let kept = files.clone();
        let result = self.take_report(new, actor, files).await;
        if result.as_ref().is_ok_and(|r| r.created) {
            self.cases_changed();
        } else {
            kept.iter().for_each(super::StoredFile::discard);
        }
        result
    }

    async fn take_report(
        &self,
        new: NewReport,
        actor: EventActor,
        files: Vec<super::StoredFile>,
    ) -> Result<Receipt, StoreError> {
        let sent_phone = new
            .reporter
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let (phone, phone_as_sent) = match sent_phone.map(normalize_phone) {
            None => (None, None),
            Some(Ok(digits)) => (Some(digits), None),
            Some(Err(_)) if new.face == Face::Client => {
                (None, sent_phone.map(mask_unreadable_phone))
            }
            Some(Err(refusal)) => return Err(refusal.into()),
        };
        let now = self.now();
        let mut prepared = self.prepare(&new, &actor, now).await?;
        prepared.submission.phone_as_sent = phone_as_sent;
        let follow_token = new.reporter.follow_link.then(random_token).transpose()?;
        let follow_hash = follow_token.as_deref().map(crate::clients::token_hash);
        let reporter = Reporter {
            phone,
            ..new.reporter
        };
        let idempotency = new.idempotency;
        self.write(move |conn| {
            let mut receipt = record_report(
                conn,
                &prepared,
                &reporter,
                follow_hash.as_deref(),
                idempotency.as_ref(),
                now,
            )?;
            if receipt.created {
                receipt.follow_token = follow_token.clone();
                let owner = super::owner(prepared.case.street, receipt.id);
                for file in &files {
                    file.record(conn, owner, 1, &actor.name, now)?;
                }
            }
            Ok(receipt)
        })
        .await
    }
}

/// The write of a report: one case, its first record, its reporter.
pub(crate) fn record_report(
    conn: &mut Conn,
    prepared: &Prepared,
    reporter: &Reporter,
    follow_hash: Option<&[u8]>,
    idempotency: Option<&(ClientId, String)>,
    now: DateTime<Utc>,
) -> Result<Receipt, StoreError> {
    let street = prepared.case.street;
    if let Some((client, key)) = idempotency {
        let existing: Option<(CaseId, String, Option<OrgUnitId>)> = conn.query_opt(
            "SELECT id, number, grid_id FROM case_file WHERE street_id = $1 AND client_id = $2 AND intake_key = $3",
            &[&street, client, key],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        if let Some((id, number, grid)) = existing {
            return Ok(Receipt {
                id,
                number,
                created: false,
                follow_token: None,
                unlocated: grid.is_none(),
            });
        }
    }
    let case = Case {
        number: crate::ledger::numbers::next(conn, &super::LEDGER, street, business_date(now))?,
        ..prepared.case.clone()
    };
    prepared.first.insert(conn, street)?;
    let (client, key) = match idempotency {
        Some((client, key)) => (Some(*client), Some(key.as_str())),
        None => (None, None),
    };
    projection::insert(
        conn,
        &case,
        &prepared.columns,
        &prepared.first.hash,
        client,
        key,
    )?;
    let sealed_phone = match &reporter.phone {
        Some(phone) => Some(conn.data_key()?.seal(phone)?),
        None => None,
    };
    conn.execute(
        "INSERT INTO case_reporter (street_id, id, case_id, original_case_id, user_id, name, phone, anonymous,
             channel, follow_token_hash, reported_at)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &street,
            &uuid::Uuid::now_v7(),
            &case.id,
            &reporter.user_id,
            &reporter.name,
            &sealed_phone,
            &reporter.anonymous,
            &case.channel.as_str(),
            &follow_hash,
            &now,
        ],
    )?;
    super::effects::follow(
        conn,
        &case,
        ActionKind::Report.as_str(),
        &prepared.tally,
        now,
    )?;
    let submission = &prepared.submission;
    if !submission.is_empty() {
        let answers = serde_json::to_string(&submission.answers)
            .map_err(|error| StoreError::Query(error.to_string()))?;
        conn.execute(
            "INSERT INTO case_submission (street_id, case_id, answers, media_url, phone_as_sent)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &street,
                &case.id,
                &answers,
                &submission.media_url,
                &submission.phone_as_sent,
            ],
        )?;
    }
    Ok(Receipt {
        id: case.id,
        number: case.number,
        created: true,
        follow_token: None,
        unlocated: prepared.unlocated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_digits_of_a_sane_length() {
        assert_eq!(
            normalize_phone("138-0000-1234"),
            Ok("13800001234".to_owned())
        );
        assert_eq!(
            normalize_phone("+86 571 8888 0000"),
            Ok("8657188880000".to_owned())
        );
        assert!(normalize_phone("12").is_err());
        assert!(normalize_phone("call me").is_err());
    }

    #[test]
    fn an_unreadable_phone_keeps_only_its_ends() {
        assert_eq!(
            mask_unreadable_phone("138-0000-1234 转 5"),
            "138-****-***4 转 5"
        );
        assert_eq!(mask_unreadable_phone(" 12 "), "12");
        assert_eq!(
            mask_unreadable_phone("tel:13800001234x"),
            "tel:138******34x"
        );
    }
}
