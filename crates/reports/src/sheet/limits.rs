//! How much of a spreadsheet we agree to hold, and the gathering of its cells within that.
//!
//! A file's own claims (an `.xlsx` sheet's declared dimension, a row's `r` number) are never
//! used to size anything: cells are kept sparsely as they arrive, each checked against the
//! limits, and the table is only laid out once its real size is known to fit. Blank cells cost
//! nothing wherever they sit; a value outside the limits is refused by its cell name, so the
//! person importing can find and delete it.

use std::collections::BTreeMap;

use super::SheetError;

/// Bounds on one file, all checked before anything of their size is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Records (non-blank rows after the header).
    pub rows: usize,
    /// Rows a value may sit in, counted from the top of the sheet (blank rows included).
    pub row_number: u32,
    /// Columns a value may sit in, counted from column A.
    pub columns: u32,
    /// Cells of the table as it is held: its non-blank rows times its width.
    pub cells: usize,
    /// Bytes of the file once unpacked (an `.xlsx` is a zip of XML; a `.csv` is what it is).
    pub bytes: u64,
}

impl Limits {
    /// What a 12345 export may be: a hundred thousand records of up to 256 columns (as far as
    /// column IV), forty columns' worth of cells on average, 256 MB of unpacked XML.
    pub const DEFAULT: Limits = Limits {
        rows: 100_000,
        row_number: 200_000,
        columns: 256,
        cells: 4_000_000,
        bytes: 256 * 1024 * 1024,
    };
}

/// A cell's name as spreadsheets show it: column letters, then the row number (`XFD1048576`).
pub fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut rest = u64::from(column) + 1;
    while rest > 0 {
        let digit = u8::try_from((rest - 1) % 26).unwrap_or(0);
        letters.push(char::from(b'A' + digit));
        rest = (rest - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// The non-blank cells of a file, gathered within [`Limits`].
#[derive(Debug)]
pub(super) struct Gathered<'a> {
    limits: &'a Limits,
    /// Row number → (column, text), in the order the file gave them.
    rows: BTreeMap<u32, Vec<(u32, String)>>,
    cells: usize,
    columns: Option<(u32, u32)>,
}

impl<'a> Gathered<'a> {
    pub(super) fn new(limits: &'a Limits) -> Self {
        Gathered {
            limits,
            rows: BTreeMap::new(),
            cells: 0,
            columns: None,
        }
    }

    /// Takes one cell's text (already trimmed); blank text is dropped wherever it sits.
    pub(super) fn push(&mut self, row: u32, column: u32, text: String) -> Result<(), SheetError> {
        if text.is_empty() {
            return Ok(());
        }
        let limits = self.limits;
        if row >= limits.row_number || column >= limits.columns {
            return Err(SheetError::CellOutside {
                cell: cell_name(row, column),
                rows: limits.row_number,
                columns: limits.columns,
            });
        }
        // The header row is not a record.
        if !self.rows.contains_key(&row) && self.rows.len() > limits.rows {
            return Err(SheetError::TooManyRows(limits.rows));
        }
        self.cells += 1;
        if self.cells > limits.cells {
            return Err(SheetError::TooManyCells(limits.cells));
        }
        self.columns = Some(match self.columns {
            Some((first, last)) => (first.min(column), last.max(column)),
            None => (column, column),
        });
        self.rows.entry(row).or_default().push((column, text));
        Ok(())
    }

    /// The non-blank rows, each as wide as the span of columns that hold a value; where a file
    /// gives one cell twice, the later value stands.
    pub(super) fn into_table(self) -> Result<Vec<Vec<String>>, SheetError> {
        let Some((first, last)) = self.columns else {
            return Ok(Vec::new());
        };
        let width = usize::try_from(last - first)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        if self.rows.len().saturating_mul(width) > self.limits.cells {
            return Err(SheetError::TooManyCells(self.limits.cells));
        }
        Ok(self
            .rows
            .into_values()
            .map(|cells| {
                let mut row = vec![String::new(); width];
                for (column, text) in cells {
                    let at = usize::try_from(column - first).unwrap_or(usize::MAX);
                    if let Some(slot) = row.get_mut(at) {
                        *slot = text;
                    }
                }
                row
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_spreadsheets_name_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(999_999, 25), "Z1000000");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }
}
