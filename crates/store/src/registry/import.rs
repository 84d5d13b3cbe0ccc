//! Importing the registry from the Excel ledgers communities keep (人口台账, 房屋台账, 企业台账,
//! 楼宇税收台账) with the hotline import's machinery: columns found by their headers, every
//! problem named by its row and column ([`RowProblem`]), and all or nothing: one bad row and
//! nothing is written. Rows are checked (and persons sealed) before the write; what only the
//! database can tell (a duplicate, an unknown community) fails the whole write and is named
//! by the row that caused it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::money::{Money, Scale};
use jiedao_core::registry::{DocumentKind, TagSource};
use jiedao_reports::Sheet;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RegistryRefusal;
use super::enterprises::{self, NewEnterprise};
use super::persons::{self, NewPerson, Sealed};
use super::places::{self, NewPlace, PlaceKind};
use crate::Store;
use crate::cases::hotline::RowProblem;
use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::scope::Principal;

/// Which ledger a sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ledger {
    Persons,
    Houses,
    Enterprises,
    BuildingTax,
}

impl Ledger {
    pub const ALL: [Ledger; 4] = [
        Ledger::Persons,
        Ledger::Houses,
        Ledger::Enterprises,
        Ledger::BuildingTax,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Ledger::Persons => "persons",
            Ledger::Houses => "houses",
            Ledger::Enterprises => "enterprises",
            Ledger::BuildingTax => "building_tax",
        }
    }

    pub fn parse(text: &str) -> Option<Ledger> {
        Ledger::ALL.into_iter().find(|l| l.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Ledger::Persons => "registry.ledger_persons",
            Ledger::Houses => "registry.ledger_houses",
            Ledger::Enterprises => "registry.ledger_enterprises",
            Ledger::BuildingTax => "registry.ledger_building_tax",
        }
    }

    /// The headers the ledger's sheet has (the first ones are required).
    pub fn headers(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Ledger::Persons => (
                &[COMMUNITY, NAME, DOCUMENT],
                &[DOCUMENT_KIND, PHONE, ADDRESS, HOUSEHOLD, MOVED_IN, TAGS],
            ),
            Ledger::Houses => (
                &[COMMUNITY, ESTATE, BUILDING, ROOM],
                &[UNIT, RENTED, LON, LAT],
            ),
            Ledger::Enterprises => (
                &[COMMUNITY, CREDIT_CODE, ENTERPRISE, INDUSTRY],
                &[CAPITAL, TOWER, FLOOR, MOVED_IN, MOVED_OUT],
            ),
            Ledger::BuildingTax => (&[TOWER, YEAR, TAX], &[]),
        }
    }
}

const COMMUNITY: &str = "社区";
const NAME: &str = "姓名";
const DOCUMENT_KIND: &str = "证件类型";
const DOCUMENT: &str = "证件号码";
const PHONE: &str = "联系电话";
const ADDRESS: &str = "住址";
const HOUSEHOLD: &str = "户号";
const MOVED_IN: &str = "迁入日期";
const MOVED_OUT: &str = "迁出日期";
const TAGS: &str = "标签";
const ESTATE: &str = "小区";
const BUILDING: &str = "楼幢";
const UNIT: &str = "单元";
const ROOM: &str = "房号";
const RENTED: &str = "是否出租";
const LON: &str = "经度";
const LAT: &str = "纬度";
const CREDIT_CODE: &str = "统一社会信用代码";
const ENTERPRISE: &str = "企业名称";
const INDUSTRY: &str = "行业代码";
const CAPITAL: &str = "注册资本（万元）";
const TOWER: &str = "楼宇";
const FLOOR: &str = "楼层";
const YEAR: &str = "年度";
const TAX: &str = "税收（万元）";

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub rows: usize,
    pub imported: usize,
    pub problems: Vec<RowProblem>,
    /// Whether anything was written.
    pub written: bool,
}

/// One row, checked, ready to be written.
#[derive(Debug, Clone)]
enum Ready {
    Person {
        new: NewPerson,
        sealed: Box<Sealed>,
        address: Option<String>,
        tags: Vec<String>,
    },
    House {
        community: String,
        path: Vec<(PlaceKind, String)>,
        rented: bool,
        lon: Option<f64>,
        lat: Option<f64>,
    },
    Enterprise {
        new: NewEnterprise,
        tower: Option<String>,
    },
    Tax {
        tower: String,
        year: i32,
        tax: Money,
    },
}

/// The row (as a spreadsheet numbers it) and column of a failed write.
type Blame = Arc<Mutex<Option<(usize, String)>>>;

/// A row's cells by header.
struct Cells<'a> {
    sheet: &'a Sheet,
    row: &'a [String],
}

impl Cells<'_> {
    fn get(&self, header: &str) -> Option<String> {
        self.sheet
            .column(header)
            .and_then(|i| self.row.get(i))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn need(&self, header: &'static str) -> Result<String, (&'static str, Refusal)> {
        self.get(header).ok_or((
            header,
            Refusal::EmptyField {
                field: "registry.cell",
            },
        ))
    }
}

fn money(text: &str) -> Result<Money, RegistryRefusal> {
    Money::parse(text, Scale::Wan).map_err(RegistryRefusal::Money)
}

fn whole(text: &str) -> Result<i64, RegistryRefusal> {
    text.trim()
        .trim_end_matches(".0")
        .parse()
        .map_err(|_| RegistryRefusal::BadNumber {
            text: text.to_owned(),
        })
}

fn real(text: &str) -> Result<f64, RegistryRefusal> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| RegistryRefusal::BadNumber {
            text: text.to_owned(),
        })
}

fn yes(text: &str) -> bool {
    matches!(
        text.trim(),
        "是" | "出租" | "Y" | "y" | "yes" | "1" | "true"
    )
}

fn document_kind(text: Option<String>) -> Result<DocumentKind, RegistryRefusal> {
    let Some(text) = text else {
        return Ok(DocumentKind::ResidentId);
    };
    DocumentKind::ALL
        .into_iter()
        .find(|k| {
            k.as_str() == text
                || jiedao_core::i18n::text(jiedao_core::Lang::ZhCn, k.label_key()) == text
        })
        .ok_or(RegistryRefusal::UnknownDocumentKind { text })
}

/// Why a row could not be checked.
enum Failed {
    /// A problem in a cell.
    Cell(&'static str, Refusal),
    /// Not the row's doing.
    Fault(StoreError),
}

impl From<(&'static str, Refusal)> for Failed {
    fn from((column, refusal): (&'static str, Refusal)) -> Self {
        Failed::Cell(column, refusal)
    }
}

/// Checks one row of `ledger`.
fn check(
    ledger: Ledger,
    cells: &Cells<'_>,
    key: &crate::privacy::DataKey,
    today: NaiveDate,
) -> Result<Ready, Failed> {
    let at = |header: &'static str| move |refusal: RegistryRefusal| (header, refusal.into());
    match ledger {
        Ledger::Persons => {
            let new = NewPerson {
                name: cells.need(NAME)?,
                document_kind: document_kind(cells.get(DOCUMENT_KIND))
                    .map_err(at(DOCUMENT_KIND))?,
                document: cells.need(DOCUMENT)?,
                phone: cells.get(PHONE),
                house: None,
                community: Some(cells.need(COMMUNITY)?),
                household: cells.get(HOUSEHOLD),
                moved_in: cells
                    .get(MOVED_IN)
                    .map(|d| super::day(&d))
                    .transpose()
                    .map_err(at(MOVED_IN))?,
            };
            let sealed = persons::seal(key, &new, today).map_err(|error| match error {
                StoreError::Refused(refusal) => {
                    let column = match &refusal {
                        Refusal::Registry(RegistryRefusal::Phone(_)) => PHONE,
                        Refusal::EmptyField { .. } | Refusal::TooLong { .. } => NAME,
                        _ => DOCUMENT,
                    };
                    Failed::Cell(column, refusal)
                }
                // Sealing fails only on a broken key or no randomness: not the row's fault.
                fault => Failed::Fault(fault),
            })?;
            let tags = cells
                .get(TAGS)
                .map(|text| {
                    text.split(['、', ',', '，', ' '])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(|t| tag_code(t).map_err(at(TAGS)))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            Ok(Ready::Person {
                new,
                sealed: Box::new(sealed),
                address: cells.get(ADDRESS),
                tags,
            })
        }
        Ledger::Houses => {
            let mut path = vec![
                (PlaceKind::Estate, cells.need(ESTATE)?),
                (PlaceKind::Building, cells.need(BUILDING)?),
            ];
            if let Some(unit) = cells.get(UNIT) {
                path.push((PlaceKind::Unit, unit));
            }
            path.push((PlaceKind::Room, cells.need(ROOM)?));
            Ok(Ready::House {
                community: cells.need(COMMUNITY)?,
                path,
                rented: cells.get(RENTED).is_some_and(|t| yes(&t)),
                lon: cells
                    .get(LON)
                    .map(|t| real(&t))
                    .transpose()
                    .map_err(at(LON))?,
                lat: cells
                    .get(LAT)
                    .map(|t| real(&t))
                    .transpose()
                    .map_err(at(LAT))?,
            })
        }
        Ledger::Enterprises => {
            let code = cells.need(CREDIT_CODE)?;
            jiedao_core::registry::CreditCode::parse(&code)
                .map_err(|e| at(CREDIT_CODE)(RegistryRefusal::CreditCode(e)))?;
            let industry = cells.need(INDUSTRY)?;
            jiedao_core::registry::Industry::parse(&industry)
                .map_err(|e| at(INDUSTRY)(RegistryRefusal::Industry(e)))?;
            let new = NewEnterprise {
                credit_code: code,
                name: cells.need(ENTERPRISE)?,
                industry,
                capital: cells
                    .get(CAPITAL)
                    .map(|t| money(&t))
                    .transpose()
                    .map_err(at(CAPITAL))?
                    .unwrap_or(Money::ZERO),
                building: None,
                floor: cells
                    .get(FLOOR)
                    .map(|t| whole(&t))
                    .transpose()
                    .map_err(at(FLOOR))?,
                community: Some(cells.need(COMMUNITY)?),
                moved_in: cells
                    .get(MOVED_IN)
                    .map(|d| super::day(&d))
                    .transpose()
                    .map_err(at(MOVED_IN))?,
                moved_out: cells
                    .get(MOVED_OUT)
                    .map(|d| super::day(&d))
                    .transpose()
                    .map_err(at(MOVED_OUT))?,
            };
            Ok(Ready::Enterprise {
                new,
                tower: cells.get(TOWER),
            })
        }
        Ledger::BuildingTax => {
            let year = whole(&cells.need(YEAR)?).map_err(at(YEAR))?;
            Ok(Ready::Tax {
                tower: cells.need(TOWER)?,
                year: i32::try_from(year).map_err(|_| {
                    at(YEAR)(RegistryRefusal::BadNumber {
                        text: year.to_string(),
                    })
                })?,
                tax: money(&cells.need(TAX)?).map_err(at(TAX))?,
            })
        }
    }
}

fn tag_code(text: &str) -> Result<String, RegistryRefusal> {
    persons::tag_kinds()
        .into_iter()
        .find(|k| k.code == text || k.name == text || k.name_en == text)
        .map(|k| k.code)
        .ok_or_else(|| RegistryRefusal::UnknownTag {
            code: text.to_owned(),
        })
}

impl Store {
    /// Imports one ledger sheet, all or nothing, as `principal`.
    pub async fn import_registry(
        &self,
        sheet: &Sheet,
        ledger: Ledger,
        principal: &Principal,
        ip: Option<String>,
    ) -> Result<Outcome, StoreError> {
        principal
            .scope()
            .require(jiedao_core::Capability::ManageRegistry)?;
        let mut outcome = Outcome {
            rows: sheet.rows.len(),
            ..Outcome::default()
        };
        let (required, _) = ledger.headers();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|h| sheet.column(h).is_none())
            .collect();
        if !missing.is_empty() {
            outcome.problems = missing
                .into_iter()
                .map(|name| {
                    let refusal = Refusal::MissingColumn {
                        name: name.to_owned(),
                    };
                    RowProblem::new(1, name.to_owned(), &refusal)
                })
                .collect();
            return Ok(outcome);
        }
        let key = self.sealing_key().await?;
        let today = self.now().date_naive();
        let mut ready = Vec::new();
        for (index, row) in sheet.rows.iter().enumerate() {
            let number = index + 2;
            match check(ledger, &Cells { sheet, row }, &key, today) {
                Ok(checked) => ready.push((number, checked)),
                Err(Failed::Cell(column, refusal)) => {
                    outcome
                        .problems
                        .push(RowProblem::new(number, column.to_owned(), &refusal));
                }
                Err(Failed::Fault(fault)) => return Err(fault),
            }
        }
        if !outcome.problems.is_empty() {
            return Ok(outcome);
        }
        let blame: Blame = Arc::default();
        let (principal, at, told) = (principal.clone(), self.now(), blame.clone());
        let written = self
            .write(move |conn| {
                for (number, row) in &ready {
                    if let Err((column, error)) = write_row(conn, &principal, at, ip.clone(), row) {
                        if let Ok(mut slot) = told.lock() {
                            *slot = Some((*number, column.to_owned()));
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
                let (row, column) = blame
                    .lock()
                    .ok()
                    .and_then(|slot| slot.clone())
                    .unwrap_or((1, String::new()));
                outcome
                    .problems
                    .push(RowProblem::new(row, column, &refusal));
            }
            Err(fault) => return Err(fault),
        }
        Ok(outcome)
    }
}

fn write_row(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    ip: Option<String>,
    row: &Ready,
) -> Result<(), (&'static str, StoreError)> {
    let scope = principal.scope();
    match row {
        Ready::Person {
            new,
            sealed,
            address,
            tags,
        } => {
            let mut new = new.clone();
            if let Some(address) = address {
                let house = places::by_address(conn, &scope, address)
                    .map_err(|e| (ADDRESS, e))?
                    .ok_or_else(|| {
                        (
                            ADDRESS,
                            StoreError::from(Refusal::NotFound {
                                what: "noun.place",
                                key: address.clone(),
                            }),
                        )
                    })?;
                new.house = Some(house);
            }
            new.community = Some(
                places::community_code(conn, &scope, new.community.as_deref().unwrap_or(""))
                    .map_err(|e| (COMMUNITY, e))?,
            );
            let id = persons::add_sealed(conn, principal, at, ip.clone(), &new, sealed)
                .map_err(|e| (DOCUMENT, e))?;
            for tag in tags {
                let first = new.moved_in.unwrap_or(at.date_naive());
                persons::tag(
                    conn,
                    principal,
                    at,
                    ip.clone(),
                    id,
                    tag,
                    TagSource::Import,
                    first,
                    None,
                )
                .map_err(|e| (TAGS, e))?;
            }
            Ok(())
        }
        Ready::House {
            community,
            path,
            rented,
            lon,
            lat,
        } => {
            let code =
                places::community_code(conn, &scope, community).map_err(|e| (COMMUNITY, e))?;
            let mut parent: Option<Uuid> = None;
            let last = path.len().saturating_sub(1);
            for (index, (kind, name)) in path.iter().enumerate() {
                let found =
                    places::child_named(conn, parent, &code, *kind, name).map_err(|e| (ROOM, e))?;
                let id = match found {
                    Some(id) if index != last => id,
                    _ => {
                        let new = NewPlace {
                            kind: Some(*kind),
                            parent,
                            community: Some(code.clone()),
                            name: name.clone(),
                            lon: *lon,
                            lat: *lat,
                            ..NewPlace::default()
                        };
                        places::add(conn, principal, at, ip.clone(), &new).map_err(|e| (ROOM, e))?
                    }
                };
                parent = Some(id);
            }
            if *rented && let Some(room) = parent {
                places::mark_rented(conn, room).map_err(|e| (RENTED, e))?;
            }
            Ok(())
        }
        Ready::Enterprise { new, tower } => {
            let mut new = new.clone();
            new.community = Some(
                places::community_code(conn, &scope, new.community.as_deref().unwrap_or(""))
                    .map_err(|e| (COMMUNITY, e))?,
            );
            if let Some(tower) = tower {
                new.building = Some(find_tower(conn, principal, tower).map_err(|e| (TOWER, e))?);
            }
            enterprises::add(conn, principal, at, ip, &new)
                .map(|_| ())
                .map_err(|e| (CREDIT_CODE, e))
        }
        Ready::Tax { tower, year, tax } => {
            let building = find_tower(conn, principal, tower).map_err(|e| (TOWER, e))?;
            places::set_tax(conn, principal, at, ip, building, *year, *tax).map_err(|e| (TAX, e))
        }
    }
}

fn find_tower(conn: &mut Conn, principal: &Principal, name: &str) -> Result<Uuid, StoreError> {
    places::tower_named(conn, &principal.scope(), name)?.ok_or_else(|| {
        Refusal::NotFound {
            what: "noun.place",
            key: name.to_owned(),
        }
        .into()
    })
}
