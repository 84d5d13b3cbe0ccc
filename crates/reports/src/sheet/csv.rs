//! A `.csv` file in UTF-8 or GB18030 (what Chinese Excel writes when it saves "CSV"), read
//! record by record into the same bounded gathering as a workbook.

use super::SheetError;
use super::limits::{Gathered, Limits};

pub(super) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, SheetError> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limits.bytes {
        return Err(SheetError::TooLarge(limits.bytes));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(SheetError::Unreadable(
                    "neither UTF-8 nor GB18030 text".into(),
                ));
            }
            decoded
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut gathered = Gathered::new(limits);
    let mut record = csv::StringRecord::new();
    let mut row = 0_u32;
    while reader
        .read_record(&mut record)
        .map_err(|e| SheetError::Unreadable(e.to_string()))?
    {
        for (column, cell) in (0_u32..).zip(record.iter()) {
            gathered.push(row, column, cell.trim().to_owned())?;
        }
        row = row.saturating_add(1);
    }
    gathered.into_table()
}
