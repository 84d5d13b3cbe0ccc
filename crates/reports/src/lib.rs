//! Files people exchange with jiedao: spreadsheets coming in (12345 work-order exports),
//! and later Excel, Word and charts going out. Pure transformation of bytes; no database.

pub mod sheet;
pub mod workbook;

pub use sheet::{Sheet, SheetError};
