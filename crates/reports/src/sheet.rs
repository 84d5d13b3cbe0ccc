//! Reading a table from a spreadsheet: the first row holds the column names, each further row
//! a record. XLSX (through calamine) and CSV, in UTF-8 or in GB18030 (what Chinese Excel writes
//! when it saves "CSV"). Every cell comes back as trimmed text; dates as `YYYY-MM-DD HH:MM`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use jiedao_core::i18n::{Lang, Localized};
use thiserror::Error;

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
}

impl Localized for SheetError {
    fn message_key(&self) -> &'static str {
        match self {
            SheetError::UnknownFormat => "sheet.unknown_format",
            SheetError::Unreadable(_) => "sheet.unreadable",
            SheetError::NoHeader => "sheet.no_header",
            SheetError::TooManyRows(_) => "sheet.too_many_rows",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            SheetError::Unreadable(detail) => vec![("detail", detail.clone())],
            SheetError::TooManyRows(max) => vec![("max", max.to_string())],
            SheetError::UnknownFormat | SheetError::NoHeader => vec![],
        }
    }
}

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 100_000;

impl Sheet {
    /// Reads a file, telling XLSX from CSV by its bytes (a ZIP signature) and not its name.
    pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
        let table = if bytes.starts_with(b"PK\x03\x04") {
            read_xlsx(bytes)?
        } else if !bytes.is_empty() && !bytes.contains(&0) {
            read_csv(bytes)?
        } else {
            return Err(SheetError::UnknownFormat);
        };
        Sheet::from_table(table)
    }

    fn from_table(mut table: Vec<Vec<String>>) -> Result<Sheet, SheetError> {
        table.retain(|row| row.iter().any(|cell| !cell.is_empty()));
        if table.is_empty() {
            return Err(SheetError::NoHeader);
        }
        let headers = table.remove(0);
        if table.len() > MAX_ROWS {
            return Err(SheetError::TooManyRows(MAX_ROWS));
        }
        let width = headers.len();
        let rows = table
            .into_iter()
            .map(|mut row| {
                row.resize(width, String::new());
                row
            })
            .collect();
        Ok(Sheet { headers, rows })
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

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| SheetError::Unreadable(e.to_string()))?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(SheetError::NoHeader)?;
    let range = workbook
        .worksheet_range(&first)
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(SheetError::Unreadable(
                    "neither UTF-8 nor GB18030 text".into(),
                ));
            }
            decoded.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            record
                .map(|r| r.iter().map(|cell| cell.trim().to_owned()).collect())
                .map_err(|e| SheetError::Unreadable(e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever bytes arrive as an "Excel or CSV" upload, reading answers without panicking:
        /// a sheet, or an error that says why.
        #[test]
        fn any_bytes_read_to_a_sheet_or_an_error(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            let _ = Sheet::read(&bytes);
        }

        /// A damaged workbook (a zip whose bytes were changed) is an error, not a panic.
        #[test]
        fn damaged_workbooks_are_refused(flips in proptest::collection::vec((0_usize..4096, proptest::num::u8::ANY), 1..16)) {
            let mut bytes = crate::workbook::xlsx(
                "案件",
                &["工单编号".to_owned()],
                &[vec![crate::workbook::Value::Text("12345-001".to_owned())]],
            )
            .unwrap_or_default();
            for (at, byte) in flips {
                if !bytes.is_empty() {
                    let index = at % bytes.len();
                    bytes[index] = byte;
                }
            }
            let _ = Sheet::read(&bytes);
        }
    }

    #[test]
    fn reads_utf8_and_gb18030_csv() {
        let text = "工单编号,诉求内容\n12345-001,\"路灯不亮, 已两天\"\n\n12345-002,井盖缺失\n";
        let sheet = Sheet::read(text.as_bytes()).expect("utf-8");
        assert_eq!(sheet.headers, ["工单编号", "诉求内容"]);
        assert_eq!(
            sheet.rows,
            [["12345-001", "路灯不亮, 已两天"], ["12345-002", "井盖缺失"]]
        );
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(Sheet::read(&gbk).expect("gb18030"), sheet);
        assert_eq!(sheet.column(" 诉求内容 "), Some(1));
    }

    #[test]
    fn reads_xlsx_with_numbers_and_dates() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "工单编号").expect("write");
        sheet.write_string(0, 1, "来电时间").expect("write");
        sheet.write_number(1, 0, 20_261_122_001.0).expect("write");
        let when =
            rust_xlsxwriter::ExcelDateTime::parse_from_str("2026-11-22 09:30:00").expect("date");
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        sheet
            .write_datetime_with_format(1, 1, &when, &format)
            .expect("write");
        let bytes = book.save_to_buffer().expect("save");
        let read = Sheet::read(&bytes).expect("xlsx");
        assert_eq!(read.rows, [["20261122001", "2026-11-22 09:30"]]);
    }

    #[test]
    fn refuses_what_is_not_a_table() {
        assert_eq!(Sheet::read(b""), Err(SheetError::UnknownFormat));
        assert_eq!(
            Sheet::read(b"\x00\x01binary"),
            Err(SheetError::UnknownFormat)
        );
        assert!(matches!(
            Sheet::read(b"PK\x03\x04broken zip"),
            Err(SheetError::Unreadable(_))
        ));
        assert_eq!(Sheet::read(b"\n \n"), Err(SheetError::NoHeader));
    }
}
