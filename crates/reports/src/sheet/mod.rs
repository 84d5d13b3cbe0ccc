//! Reading a table from a spreadsheet: the first row holds the column names, each further row
//! a record. XLSX (through calamine) and CSV, in UTF-8 or in GB18030 (what Chinese Excel writes
//! when it saves "CSV"). Every cell comes back as trimmed text; dates as `YYYY-MM-DD HH:MM`.
//! Files come from outside (a 12345 export), so they are read within [`Limits`]: past them the
//! import is refused with the reason, never attempted.

mod csv;
pub mod limits;
mod xlsx;

use calamine::Data;
use jiedao_core::i18n::{Lang, Localized};
use thiserror::Error;

pub use limits::Limits;

/// A table read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    /// Records, each as long as `headers`.
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SheetError {
    #[error("not a spreadsheet this reads (.xlsx or .csv)")]
    UnknownFormat,
    #[error("the file could not be read: {0}")]
    Unreadable(String),
    #[error("the file has no header row")]
    NoHeader,
    #[error("the file has more than {0} rows")]
    TooManyRows(usize),
    /// A value lies beyond the rows or columns a sheet may use (named as `XFD1048576`).
    #[error("cell {cell} lies outside the first {rows} rows and {columns} columns")]
    CellOutside {
        cell: String,
        rows: u32,
        columns: u32,
    },
    #[error("the table has more than {0} cells")]
    TooManyCells(usize),
    /// The file unpacks to more than this many bytes.
    #[error("the file unpacks to more than {0} bytes")]
    TooLarge(u64),
}

impl Localized for SheetError {
    fn message_key(&self) -> &'static str {
        match self {
            SheetError::UnknownFormat => "sheet.unknown_format",
            SheetError::Unreadable(_) => "sheet.unreadable",
            SheetError::NoHeader => "sheet.no_header",
            SheetError::TooManyRows(_) => "sheet.too_many_rows",
            SheetError::CellOutside { .. } => "sheet.cell_outside",
            SheetError::TooManyCells(_) => "sheet.too_many_cells",
            SheetError::TooLarge(_) => "sheet.too_large",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            SheetError::Unreadable(detail) => vec![("detail", detail.clone())],
            SheetError::TooManyRows(max) | SheetError::TooManyCells(max) => {
                vec![("max", max.to_string())]
            }
            SheetError::CellOutside {
                cell,
                rows,
                columns,
            } => vec![
                ("cell", cell.clone()),
                ("rows", rows.to_string()),
                ("columns", columns.to_string()),
                (
                    "last",
                    limits::cell_name(rows.saturating_sub(1), columns.saturating_sub(1)),
                ),
            ],
            SheetError::TooLarge(bytes) => vec![("max", (bytes / (1024 * 1024)).to_string())],
            SheetError::UnknownFormat | SheetError::NoHeader => vec![],
        }
    }
}

impl Sheet {
    /// Reads a file within [`Limits::DEFAULT`], telling XLSX from CSV by its bytes (a ZIP
    /// signature) and not its name. Work and memory grow with the file's real content, never
    /// with what it claims; it still takes seconds for a large file, so callers on an async
    /// runtime run it on a blocking thread.
    pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
        Sheet::read_within(bytes, &Limits::DEFAULT)
    }

    /// [`Sheet::read`] within other limits.
    pub fn read_within(bytes: &[u8], limits: &Limits) -> Result<Sheet, SheetError> {
        let table = if bytes.starts_with(b"PK\x03\x04") {
            xlsx::read(bytes, limits)?
        } else if !bytes.is_empty() && !bytes.contains(&0) {
            csv::read(bytes, limits)?
        } else {
            return Err(SheetError::UnknownFormat);
        };
        Sheet::from_table(table)
    }

    /// The first row of a gathered table (whose rows are all non-blank and equally wide) names
    /// the columns; the others are the records.
    fn from_table(mut table: Vec<Vec<String>>) -> Result<Sheet, SheetError> {
        if table.is_empty() {
            return Err(SheetError::NoHeader);
        }
        let headers = table.remove(0);
        Ok(Sheet {
            headers,
            rows: table,
        })
    }

    /// The index of the column whose header is `name` (ignoring surrounding space).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name.trim())
    }
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_owned(),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{number:.0}")
        }
        Data::Float(number) => number.to_string(),
        Data::Int(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(value) => value
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(error) => format!("#{error:?}"),
    }
}

#[cfg(test)]
mod tests;
