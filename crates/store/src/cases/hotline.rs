//! Importing 12345 hotline work orders (12345工单导入) from an exported spreadsheet. Each row is
//! checked first; a problem names its row and column. Then either nothing is written (the
//! default) or, if the user chose, every good row is written and the bad ones are listed. All
//! rows are written in one transaction, and a work order already imported is not imported
//! again (its number is the idempotency key). Started from a page, an import is a background
//! job ([`Import`]) its owner follows.

use jiedao_core::case::Channel;
use jiedao_core::i18n::{Lang, Translated};
use jiedao_core::{ClientId, OrgPath, OrgUnitId};
use jiedao_reports::Sheet;
use serde::{Deserialize, Serialize};

use super::history::EventActor;
use super::intake::{Answers, Face, NewReport, Reporter, Sent, normalize_phone, record_report};
use crate::Store;
use crate::error::StoreError;
use crate::jobs::{Context, Failed, Job};
use crate::refusal::Refusal;

/// The client every hotline import reports as: work order numbers are unique under it.
pub fn hotline_client() -> ClientId {
    ClientId::from_uuid(uuid::Uuid::from_u128(
        0x1234_5000_0000_0000_0000_0000_0000_0001,
    ))
}

/// Which column of the export holds what, by header name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub work_order: String,
    pub description: String,
    pub address: Option<String>,
    pub category: Option<String>,
    pub caller: Option<String>,
    pub phone: Option<String>,
    pub received_at: Option<String>,
}

impl Default for Mapping {
    /// The headers of the usual 12345 export.
    fn default() -> Self {
        Mapping {
            work_order: "工单编号".into(),
            description: "诉求内容".into(),
            address: Some("诉求地址".into()),
            category: Some("诉求分类".into()),
            caller: Some("联系人".into()),
            phone: Some("联系电话".into()),
            received_at: Some("来电时间".into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// One bad row and nothing is imported.
    AllOrNothing,
    /// Import the good rows, list the bad ones.
    SkipBadRows,
}

/// A problem in one cell (or, for a missing column, the header row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowProblem {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: usize,
    pub column: String,
    /// What is wrong, in every language: an import's outcome is kept for its owner to read.
    pub problem: Translated,
}

impl RowProblem {
    pub(crate) fn new(row: usize, column: String, refusal: &Refusal) -> RowProblem {
        RowProblem {
            row,
            column,
            problem: Translated::of(refusal),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        self.problem.get(lang).to_owned()
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub rows: usize,
    /// (row, case number) of the cases created.
    pub imported: Vec<(usize, String)>,
    /// (row, work order) already imported before.
    pub already: Vec<(usize, String)>,
    pub problems: Vec<RowProblem>,
    /// Whether anything was written.
    pub written: bool,
}

/// Where the import goes and who does it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Target {
    pub street: OrgUnitId,
    pub street_path: OrgPath,
    pub actor: EventActor,
}

impl Store {
    /// Imports a work-order export; `progress` hears (rows checked, rows in all).
    pub async fn import_hotline(
        &self,
        sheet: &Sheet,
        mapping: &Mapping,
        mode: Mode,
        target: Target,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<Outcome, StoreError> {
        let mut outcome = Outcome {
            rows: sheet.rows.len(),
            ..Outcome::default()
        };
        fn column(name: &Option<String>) -> Option<&str> {
            name.as_deref().filter(|n| !n.trim().is_empty())
        }
        let mut missing = Vec::new();
        let mut find = |name: &str| {
            let index = sheet.column(name);
            if index.is_none() {
                missing.push(name.to_owned());
            }
            index
        };
        let work_order = find(&mapping.work_order);
        let description = find(&mapping.description);
        let address = column(&mapping.address).map(&mut find);
        let category = column(&mapping.category).map(&mut find);
        let caller = column(&mapping.caller).map(&mut find);
        let phone = column(&mapping.phone).map(&mut find);
        let received_at = column(&mapping.received_at).map(&mut find);
        if !missing.is_empty() {
            outcome.problems = missing
                .into_iter()
                .map(|name| {
                    let refusal = Refusal::MissingColumn { name: name.clone() };
                    RowProblem::new(1, name, &refusal)
                })
                .collect();
            return Ok(outcome);
        }
        let (work_order, description) = (work_order.unwrap_or(0), description.unwrap_or(0));
        let cell = |row: &[String], index: Option<Option<usize>>| -> Option<String> {
            index
                .flatten()
                .and_then(|i| row.get(i).cloned())
                .filter(|v| !v.is_empty())
        };
        let header = |index: usize| sheet.headers.get(index).cloned().unwrap_or_default();
        let catalog = self.catalog();
        let now = self.now();
        let actor = target.actor;
        let mut prepared = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (index, row) in sheet.rows.iter().enumerate() {
            let number = index + 2;
            progress(index, sheet.rows.len());
            let problem =
                |column: usize, refusal: Refusal| RowProblem::new(number, header(column), &refusal);
            let order = row.get(work_order).cloned().unwrap_or_default();
            if order.is_empty() {
                outcome.problems.push(problem(
                    work_order,
                    Refusal::EmptyField {
                        field: "field.work_order",
                    },
                ));
                continue;
            }
            if !seen.insert(order.clone()) {
                outcome.problems.push(problem(
                    work_order,
                    Refusal::DuplicateWorkOrder { number: order },
                ));
                continue;
            }
            let category_id = match cell(row, category) {
                Some(text) => match catalog
                    .leaves(false)
                    .find(|e| e.name == text || e.code == text)
                {
                    Some(entry) => Some(entry.id),
                    None => {
                        let at = category.flatten().unwrap_or(0);
                        outcome
                            .problems
                            .push(problem(at, Refusal::UnknownCategory { key: text }));
                        continue;
                    }
                },
                None => None,
            };
            let phone_text = cell(row, phone);
            if let Some(text) = &phone_text
                && let Err(refusal) = normalize_phone(text)
            {
                outcome
                    .problems
                    .push(problem(phone.flatten().unwrap_or(0), refusal));
                continue;
            }
            let mut text = row.get(description).cloned().unwrap_or_default();
            if text.is_empty() {
                outcome.problems.push(problem(
                    description,
                    Refusal::EmptyField {
                        field: "field.description",
                    },
                ));
                continue;
            }
            if let Some(when) = cell(row, received_at) {
                text = format!("{text}（来电时间：{when}）");
            }
            let new = NewReport {
                channel: Channel::Hotline,
                category: category_id,
                urgency: None,
                description: text,
                lon: None,
                lat: None,
                address: cell(row, address),
                street: Some((target.street, target.street_path.clone())),
                external_ref: Some(order.clone()),
                reporter: Reporter {
                    name: cell(row, caller),
                    phone: phone_text.map(|p| normalize_phone(&p).unwrap_or(p)),
                    ..Reporter::default()
                },
                idempotency: Some((hotline_client(), order)),
                public_only: false,
                // The hotline's system asks its own questions, not the category's.
                submission: Sent {
                    answers: Answers::NotAsked,
                    ..Sent::default()
                },
                face: Face::Person,
            };
            match self.prepare(&new, &actor, now).await {
                Ok(ready) => prepared.push((number, ready, new.reporter, new.idempotency)),
                Err(StoreError::Refused(refusal)) => {
                    outcome.problems.push(problem(description, refusal))
                }
                Err(fault) => return Err(fault),
            }
        }
        progress(sheet.rows.len(), sheet.rows.len());
        if !outcome.problems.is_empty() && mode == Mode::AllOrNothing {
            return Ok(outcome);
        }
        let receipts = self
            .write(move |conn| {
                prepared
                    .iter()
                    .map(|(number, ready, reporter, idempotency)| {
                        record_report(conn, ready, reporter, None, idempotency.as_ref(), now)
                            .map(|r| (*number, r))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()
            })
            .await?;
        outcome.written = true;
        self.cases_changed();
        for (row, receipt) in receipts {
            if receipt.created {
                outcome.imported.push((row, receipt.number));
            } else {
                outcome.already.push((row, receipt.number));
            }
        }
        Ok(outcome)
    }
}

/// An import as a background job, followed by whoever started it: the sheet as read, and how
/// to read it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Import {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub mapping: Mapping,
    pub mode: Mode,
    pub target: Target,
}

impl Job for Import {
    const NAME: &'static str = "hotline.import";
}

/// What an import job leaves its owner: what it did, or why it could not start.
pub type Imported = Result<Outcome, Translated>;

/// Runs an import job, telling its owner how far it got.
pub(crate) async fn run_import(context: Context, job: Import) -> Result<Imported, Failed> {
    let sheet = Sheet {
        headers: job.headers,
        rows: job.rows,
    };
    let progress = |done: usize, total: usize| context.progress(done, total);
    let store = context.store().clone();
    match store
        .import_hotline(&sheet, &job.mapping, job.mode, job.target, &progress)
        .await
    {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(StoreError::Refused(refusal)) => Ok(Err(Translated::of(&refusal))),
        Err(fault) => Err(fault.into()),
    }
}
