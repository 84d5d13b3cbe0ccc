//! Importing the statistics office's spreadsheet (统计报表): one row per street and month, one
//! column per indicator, found by its name (or code) in the header, the header's unit (万元,
//! 亿元) the scale of bare cells. Every problem is named by its row and column, and it is all
//! or nothing: one bad cell and nothing is written. A cell equal to the latest version
//! records nothing; a different one is a new version (a revision).

use chrono::{DateTime, Utc};
use jiedao_core::economy::{Indicator, Month};
use jiedao_core::money::Scale;
use jiedao_core::{Capability, OrgKind, OrgPath, OrgUnitId};
use jiedao_reports::Sheet;

use super::EconomyRefusal;
use super::indicators::{self, indicators};
use crate::Store;
use crate::cases::hotline::RowProblem;
use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::registry::import::Outcome;
use crate::scope::{Actor, Principal, Scope};

const STREET: &str = "街道";
const MONTH: &str = "月份";

/// The scale a header's unit gives its bare cells.
fn scale_of(header: &str) -> Scale {
    if header.contains("亿") {
        Scale::Yi
    } else if header.contains("万") {
        Scale::Wan
    } else {
        Scale::One
    }
}

/// The indicator columns of the sheet: (column, indicator, scale of bare cells).
fn indicator_columns(sheet: &Sheet, known: &[Indicator]) -> Vec<(usize, Indicator, Scale)> {
    sheet
        .headers
        .iter()
        .enumerate()
        .filter_map(|(column, header)| {
            let header = header.trim();
            let indicator = known
                .iter()
                .find(|i| header == i.code || header.starts_with(i.name.as_str()))?;
            Some((column, indicator.clone(), scale_of(header)))
        })
        .collect()
}

/// One checked row: the street, the month and each indicator's amount.
struct Ready {
    street: OrgUnitId,
    month: Month,
    amounts: Vec<(String, i64)>,
}

fn find_street(conn: &mut Conn, text: &str) -> Result<Option<(OrgUnitId, OrgPath)>, StoreError> {
    conn.query_opt(
        "SELECT id, path FROM org_unit
         WHERE kind = $1 AND valid_to IS NULL AND (code = $2 OR name = $2)",
        &[&OrgKind::Street, &text],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// Checks every row; the rows ready to write, or the problems found.
fn check(
    conn: &mut Conn,
    scope: &Scope,
    sheet: &Sheet,
    columns: &[(usize, Indicator, Scale)],
) -> Result<(Vec<Ready>, Vec<RowProblem>), StoreError> {
    let street_column = sheet.column(STREET).ok_or_else(|| Refusal::MissingColumn {
        name: STREET.to_owned(),
    })?;
    let month_column = sheet.column(MONTH).ok_or_else(|| Refusal::MissingColumn {
        name: MONTH.to_owned(),
    })?;
    let (mut ready, mut problems) = (Vec::new(), Vec::new());
    for (index, row) in sheet.rows.iter().enumerate() {
        // The header is row 1.
        let number = index + 2;
        let cell = |column: usize| row.get(column).map_or("", |v| v.trim());
        let mut problem = |column: &str, refusal: Refusal| {
            problems.push(RowProblem::new(number, column.to_owned(), &refusal));
        };
        let street_text = cell(street_column);
        let street = match find_street(conn, street_text)? {
            None => {
                problem(
                    STREET,
                    EconomyRefusal::UnknownStreet {
                        text: street_text.to_owned(),
                    }
                    .into(),
                );
                None
            }
            Some((_, path)) if !scope.covers(&path) => {
                problem(STREET, Refusal::OutOfScope);
                None
            }
            Some((id, _)) => Some(id),
        };
        let month_text = cell(month_column);
        let month = Month::parse(month_text);
        if month.is_none() {
            problem(
                MONTH,
                EconomyRefusal::BadMonth {
                    text: month_text.to_owned(),
                }
                .into(),
            );
        }
        let mut amounts = Vec::new();
        for (column, indicator, scale) in columns {
            let text = cell(*column);
            if text.is_empty() {
                continue;
            }
            match indicator.unit.parse(text, *scale) {
                Ok(amount) => amounts.push((indicator.code.clone(), amount)),
                Err(error) => problem(
                    sheet.headers.get(*column).map_or("", String::as_str),
                    EconomyRefusal::Amount(error).into(),
                ),
            }
        }
        if let (Some(street), Some(month)) = (street, month) {
            ready.push(Ready {
                street,
                month,
                amounts,
            });
        }
    }
    Ok((ready, problems))
}

fn import(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    sheet: &Sheet,
    source: &str,
) -> Result<Outcome, StoreError> {
    let known = indicators()?;
    let columns = indicator_columns(sheet, &known);
    let (ready, problems) = check(conn, scope, sheet, &columns)?;
    let mut outcome = Outcome {
        rows: sheet.rows.len(),
        ..Outcome::default()
    };
    if !problems.is_empty() {
        outcome.problems = problems;
        return Ok(outcome);
    }
    for row in &ready {
        for (indicator, amount) in &row.amounts {
            indicators::record(
                conn, scope, actor, at, row.street, indicator, row.month, *amount, source,
            )?;
        }
    }
    outcome.imported = ready.len();
    outcome.written = true;
    Ok(outcome)
}

impl Store {
    /// Imports a statistics sheet from the file `file_name`, all or nothing, as `who`.
    pub async fn import_indicators(
        &self,
        sheet: Sheet,
        file_name: &str,
        who: &Principal,
        ip: Option<String>,
    ) -> Result<Outcome, StoreError> {
        let scope = who.scope();
        scope.require(Capability::KeepEconomy)?;
        let (actor, at) = (who.actor(ip), self.now());
        let source = format!("import:{file_name}");
        self.write(move |conn| import(conn, &scope, &actor, at, &sheet, &source))
            .await
    }
}
