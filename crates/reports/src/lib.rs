//! Files people exchange with jiedao: spreadsheets coming in (12345 work-order exports), and
//! Excel workbooks and Word documents going out. Pure transformation of bytes; no database.

pub mod docx;
pub mod sheet;
pub mod workbook;
pub mod xml;

pub use sheet::{Sheet, SheetError};
