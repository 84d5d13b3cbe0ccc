//! Importing the mediation ledger committees keep in Excel (人民调解登记台账): each row a
//! dispute registered as the importer, its parties found in the registry by their ID number or
//! added to it. Columns are found by their headers, every problem is named by its row and
//! column, and one bad row imports nothing (the registry's import's outcome and machinery).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use jiedao_core::calendar::WorkCalendar;
use jiedao_core::dispute::{DisputeRefusal, PartyKind, PartyRole, Risk, Source};
use jiedao_core::i18n::{self, Lang};
use jiedao_core::money::{Money, Scale};
use jiedao_core::registry::DocumentKind;
use jiedao_reports::Sheet;

use super::write::{NewDispute, NewParty, register};
use crate::Store;
use crate::cases::hotline::RowProblem;
use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::registry::import::Outcome;
use crate::registry::persons::{self, Find, NewPerson};
use crate::scope::Principal;

pub const COMMUNITY: &str = "社区";
pub const KIND: &str = "纠纷类型";
pub const APPLICANT: &str = "申请人";
pub const APPLICANT_ID: &str = "申请人身份证号码";
pub const RESPONDENT: &str = "被申请人";
pub const RESPONDENT_ID: &str = "被申请人身份证号码";
pub const FACTS: &str = "纠纷主要事实";
pub const POINTS: &str = "争议事项";
pub const SOURCE: &str = "纠纷来源";
pub const AMOUNT: &str = "调解标的（元）";
pub const RISK: &str = "风险等级";

/// The headers a ledger must have, and those it may.
pub const REQUIRED: [&str; 8] = [
    COMMUNITY,
    KIND,
    APPLICANT,
    APPLICANT_ID,
    RESPONDENT,
    RESPONDENT_ID,
    FACTS,
    POINTS,
];
pub const OPTIONAL: [&str; 3] = [SOURCE, AMOUNT, RISK];

/// A value by its code or its Chinese name.
fn by_name<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    text: &str,
) -> Option<T> {
    all.iter()
        .copied()
        .find(|v| code(*v) == text || i18n::text(Lang::ZhCn, label(*v)) == text)
}

fn required(field: &'static str) -> Refusal {
    Refusal::Dispute(DisputeRefusal::Required { field })
}

/// One row checked, with its number as the spreadsheet counts rows.
struct Ready {
    number: usize,
    new: NewDispute,
}

fn check(sheet: &Sheet, row: &[String]) -> Result<NewDispute, (&'static str, Refusal)> {
    let get = |header: &str| {
        sheet
            .column(header)
            .and_then(|i| row.get(i))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let need = |header: &'static str| {
        get(header).ok_or((
            header,
            Refusal::EmptyField {
                field: "registry.cell",
            },
        ))
    };
    let person = |role, name: &'static str, id: &'static str| {
        Ok::<_, (&'static str, Refusal)>(NewParty::New {
            role,
            person: Box::new(NewPerson {
                name: need(name)?,
                document_kind: DocumentKind::ResidentId,
                document: need(id)?,
                phone: None,
                house: None,
                community: Some(need(COMMUNITY)?),
                household: None,
                moved_in: None,
            }),
        })
    };
    Ok(NewDispute {
        place: need(COMMUNITY)?,
        source: match get(SOURCE) {
            None => Source::WalkIn,
            Some(text) => by_name(Source::ALL, Source::as_str, Source::label_key, &text)
                .ok_or((SOURCE, required("dispute.source")))?,
        },
        from: None,
        kind: need(KIND)?,
        facts: need(FACTS)?,
        points: need(POINTS)?,
        amount: match get(AMOUNT) {
            None => Money::ZERO,
            Some(text) => {
                Money::parse(&text, Scale::One).map_err(|_| (AMOUNT, required("dispute.amount")))?
            }
        },
        risk: match get(RISK) {
            None => Risk::Low,
            Some(text) => by_name(Risk::ALL, Risk::as_str, Risk::label_key, &text)
                .ok_or((RISK, required("dispute.risk")))?,
        },
        parties: vec![
            person(PartyRole::Applicant, APPLICANT, APPLICANT_ID)?,
            person(PartyRole::Respondent, RESPONDENT, RESPONDENT_ID)?,
        ],
    })
}

/// The row's type as a code (a code or a Chinese name of the tree), and its parties found in
/// the registry by ID number where they are there already.
fn resolve(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    mut new: NewDispute,
) -> Result<NewDispute, (&'static str, StoreError)> {
    let code: Option<String> = conn
        .query_opt(
            "SELECT code FROM dispute_kind WHERE code = $1 OR name_zh = $1 OR name_en = $1",
            &[&new.kind.trim()],
            |row| row.get(0),
        )
        .map_err(|e| (KIND, e))?;
    if let Some(code) = code {
        new.kind = code;
    }
    let scope = principal.scope();
    for (party, column) in new.parties.iter_mut().zip([APPLICANT_ID, RESPONDENT_ID]) {
        let NewParty::New { role, person } = party else {
            continue;
        };
        let found = persons::search(
            conn,
            &scope,
            &Find::Document(person.document.clone()),
            jiedao_core::clock::business_date(at),
            1,
            0,
        )
        .map_err(|e| (column, e))?;
        if let Some(existing) = found.first() {
            *party = NewParty::Existing {
                role: *role,
                kind: PartyKind::Person,
                id: existing.id,
            };
        }
    }
    Ok(new)
}

/// The column a refusal of the whole row points at.
fn column_of(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::Dispute(DisputeRefusal::UnknownKind { .. }) => KIND,
        Refusal::UnknownOrgUnit { .. } | Refusal::NotAllowed => COMMUNITY,
        Refusal::Registry(_) => APPLICANT_ID,
        Refusal::TooLong { .. } | Refusal::BadText { .. } => FACTS,
        _ => "",
    }
}

impl Store {
    /// Imports a mediation ledger sheet as `principal`, all or nothing.
    pub async fn import_disputes(
        &self,
        sheet: &Sheet,
        principal: &Principal,
        ip: Option<String>,
    ) -> Result<Outcome, StoreError> {
        principal
            .scope()
            .require(jiedao_core::Capability::RegisterDisputes)?;
        let mut outcome = Outcome {
            rows: sheet.rows.len(),
            ..Outcome::default()
        };
        outcome.problems = REQUIRED
            .iter()
            .filter(|h| sheet.column(h).is_none())
            .map(|name| {
                let refusal = Refusal::MissingColumn {
                    name: (*name).to_owned(),
                };
                RowProblem::new(1, (*name).to_owned(), &refusal)
            })
            .collect();
        if !outcome.problems.is_empty() {
            return Ok(outcome);
        }
        let mut ready = Vec::new();
        for (index, row) in sheet.rows.iter().enumerate() {
            let number = index + 2;
            match check(sheet, row) {
                Ok(new) => ready.push(Ready { number, new }),
                Err((column, refusal)) => {
                    outcome
                        .problems
                        .push(RowProblem::new(number, column.to_owned(), &refusal));
                }
            }
        }
        if !outcome.problems.is_empty() {
            return Ok(outcome);
        }
        let blame: Arc<Mutex<Option<(usize, &'static str)>>> = Arc::default();
        let (principal, at, told) = (principal.clone(), self.now(), blame.clone());
        let calendar: Arc<WorkCalendar> = self.calendar();
        let written = self
            .write(move |conn| {
                for row in &ready {
                    let blamed = |column: &'static str| {
                        if let Ok(mut slot) = told.lock() {
                            *slot = Some((row.number, column));
                        }
                    };
                    let new = match resolve(conn, &principal, at, row.new.clone()) {
                        Ok(new) => new,
                        Err((column, error)) => {
                            blamed(column);
                            return Err(error);
                        }
                    };
                    if let Err(error) = register(conn, &principal, at, ip.clone(), &calendar, new) {
                        if let StoreError::Refused(refusal) = &error {
                            blamed(column_of(refusal));
                        } else {
                            blamed("");
                        }
                        return Err(error);
                    }
                }
                Ok(ready.len())
            })
            .await;
        match written {
            Ok(count) => {
                outcome.imported = count;
                outcome.written = true;
            }
            Err(StoreError::Refused(refusal)) => {
                let (row, column) = blame.lock().ok().and_then(|slot| *slot).unwrap_or((1, ""));
                outcome
                    .problems
                    .push(RowProblem::new(row, column.to_owned(), &refusal));
            }
            Err(fault) => return Err(fault),
        }
        Ok(outcome)
    }
}
