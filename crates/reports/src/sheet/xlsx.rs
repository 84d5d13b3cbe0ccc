//! The first sheet of an `.xlsx` workbook, read as a stream of cells (calamine's cell reader),
//! never as calamine's dense range: a range is allocated from the cells' extent, so one value
//! at `XFD1048576` asked for 512 GB. The zip's unpacked size is checked before calamine opens
//! it (calamine reads the shared strings whole); the zip reader holds every entry to the size
//! the archive declares for it, so a file cannot unpack to more than we agreed to.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::limits::{Gathered, Limits};
use super::{SheetError, cell_text};

fn unreadable(error: impl ToString) -> SheetError {
    SheetError::Unreadable(error.to_string())
}

/// The unpacked size of every entry of the zip, as its central directory declares them.
fn unpacked_size(bytes: &[u8]) -> Result<u64, SheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut total = 0_u64;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(unreadable)?;
        total = total.saturating_add(entry.size());
    }
    Ok(total)
}

pub(super) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, SheetError> {
    if unpacked_size(bytes)? > limits.bytes {
        return Err(SheetError::TooLarge(limits.bytes));
    }
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(SheetError::NoHeader)?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(unreadable)?;
    let mut gathered = Gathered::new(limits);
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, column) = cell.get_position();
        gathered.push(
            row,
            column,
            cell_text(&Data::from(cell.get_value().clone())),
        )?;
    }
    gathered.into_table()
}
