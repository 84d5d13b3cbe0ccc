//! Reading spreadsheets: ordinary 12345 exports, damaged and hostile files, and the limits.

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

/// A 12345 export's header and one record, with one more value at `(row, column)`.
fn workbook_with_a_value_at(row: u32, column: u16) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (index, header) in ["工单编号", "诉求内容", "来电时间"].iter().enumerate() {
        let index = u16::try_from(index).expect("three columns");
        sheet.write_string(0, index, *header).expect("write");
    }
    sheet.write_string(1, 0, "12345-001").expect("write");
    sheet.write_string(row, column, "远处").expect("write");
    book.save_to_buffer().expect("save")
}

#[test]
fn a_value_in_the_last_cell_of_a_sheet_is_refused_not_allocated() {
    // One cell at XFD1048576 made calamine allocate 512 GB and the server die.
    let bytes = workbook_with_a_value_at(1_048_575, 16_383);
    assert!(bytes.len() < 10_000, "a small file: {}", bytes.len());
    let refusal = Sheet::read(&bytes).expect_err("refused");
    let message = refusal.localize(Lang::ZhCn);
    assert!(message.contains("XFD1048576"), "{message}");
    assert!(refusal.localize(Lang::En).contains("XFD1048576"));
}

#[test]
fn a_value_a_million_rows_down_is_refused() {
    // One cell at Z1000000 cost 1.26 GB and 1.3 s on an async thread.
    let bytes = workbook_with_a_value_at(999_999, 25);
    let refusal = Sheet::read(&bytes).expect_err("refused");
    assert!(
        refusal.localize(Lang::En).contains("Z1000000"),
        "{refusal:?}"
    );
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
    let when = rust_xlsxwriter::ExcelDateTime::parse_from_str("2026-11-22 09:30:00").expect("date");
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

/// The workbook with its first sheet's XML changed by `edit` (as a hand-made or hostile file
/// would have it).
fn with_sheet_xml(bytes: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        let name = entry.name().expect("name").into_owned();
        let mut content = String::new();
        entry.read_to_string(&mut content).expect("text");
        if name == "xl/worksheets/sheet1.xml" {
            content = edit(content);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(content.as_bytes()).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

#[test]
fn a_declared_dimension_is_not_trusted() {
    let bytes = workbook_with_a_value_at(2, 1);
    // The sheet claims the whole grid of Excel; its cells are a few.
    let claims_all = with_sheet_xml(&bytes, |xml| {
        let start = xml.find("<dimension ref=\"").expect("dimension") + 16;
        let end = start + xml[start..].find('"').expect("end");
        format!("{}A1:XFD1048576{}", &xml[..start], &xml[end..])
    });
    let sheet = Sheet::read(&claims_all).expect("read by its cells");
    assert_eq!(sheet.headers, ["工单编号", "诉求内容", "来电时间"]);
    assert_eq!(sheet.rows, [["12345-001", "", ""], ["", "远处", ""]]);
    // A blank (styled) cell far away costs nothing and is not refused.
    let styled_blank = with_sheet_xml(&bytes, |xml| {
        xml.replace(
            "</sheetData>",
            r#"<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>"#,
        )
    });
    assert_eq!(Sheet::read(&styled_blank), Ok(sheet));
}

/// A small file that unpacks to about 1.2 MB: forty different long descriptions.
fn workbook_of_long_texts() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "诉求内容").expect("write");
    for row in 1..=40 {
        let text = format!("{row}{}", "重复".repeat(5_000));
        sheet.write_string(row, 0, text).expect("write");
    }
    book.save_to_buffer().expect("save")
}

#[test]
fn a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read() {
    let bytes = workbook_of_long_texts();
    assert!(bytes.len() < 100_000, "{}", bytes.len());
    let limits = Limits {
        bytes: 1 << 20,
        ..Limits::DEFAULT
    };
    let refusal = Sheet::read_within(&bytes, &limits);
    assert_eq!(refusal, Err(SheetError::TooLarge(1 << 20)));
    let message = refusal.expect_err("refused").localize(Lang::ZhCn);
    assert!(message.contains("1 MB"), "{message}");
    assert_eq!(
        Sheet::read(&bytes).expect("within the default").rows.len(),
        40
    );
}

/// `bytes` with the unpacked size the zip declares for `name` changed to `size`, in its local
/// header and in the central directory (a zip bomb's lie).
fn declare_size(bytes: &mut [u8], name: &str, size: u32) {
    let name = name.as_bytes();
    let size = size.to_le_bytes();
    let mut patched = 0;
    for at in 0..bytes.len().saturating_sub(46 + name.len()) {
        let (size_at, name_at) = match &bytes[at..at + 4] {
            b"PK\x03\x04" => (at + 22, at + 30),
            b"PK\x01\x02" => (at + 24, at + 46),
            _ => continue,
        };
        if bytes.get(name_at..name_at + name.len()) == Some(name) {
            bytes[size_at..size_at + 4].copy_from_slice(&size);
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "a local header and a central directory entry");
}

#[test]
fn a_zip_that_lies_about_its_unpacked_size_is_held_to_its_word() {
    let mut bytes = workbook_of_long_texts();
    declare_size(&mut bytes, "xl/sharedStrings.xml", 1_000);
    let limits = Limits {
        bytes: 100_000,
        ..Limits::DEFAULT
    };
    let read = Sheet::read_within(&bytes, &limits);
    assert!(
        matches!(&read, Err(SheetError::Unreadable(detail)) if detail.contains("declared")),
        "the strings stop at the size declared: {read:?}"
    );
}

#[test]
fn a_csv_value_far_to_the_right_is_refused_by_its_cell() {
    let text = format!(
        "工单编号,诉求内容\n12345-001,井盖缺失{}远处\n",
        ",".repeat(300)
    );
    assert_eq!(
        Sheet::read(text.as_bytes()),
        Err(SheetError::CellOutside {
            cell: "KP2".into(),
            rows: Limits::DEFAULT.row_number,
            columns: Limits::DEFAULT.columns
        })
    );
    let message = Sheet::read(text.as_bytes())
        .expect_err("refused")
        .localize(Lang::En);
    assert!(
        message.contains("KP2") && message.contains("IV200000"),
        "{message}"
    );
}

/// A sheet drawn at random: values (maybe blank) at positions, later ones over earlier ones.
type Drawn = Vec<(u32, u32, String)>;

/// What reading `drawn` within `limits` must give, worked out on a dense grid.
fn expected(drawn: &Drawn, limits: &Limits) -> Result<Sheet, SheetError> {
    let mut grid = std::collections::BTreeMap::new();
    for (row, column, text) in drawn {
        grid.insert((*row, *column), text.clone());
    }
    grid.retain(|_, text| !text.is_empty());
    if let Some((row, column)) = grid
        .keys()
        .find(|(row, column)| *row >= limits.row_number || *column >= limits.columns)
    {
        return Err(SheetError::CellOutside {
            cell: limits::cell_name(*row, *column),
            rows: limits.row_number,
            columns: limits.columns,
        });
    }
    let rows: std::collections::BTreeSet<u32> = grid.keys().map(|(row, _)| *row).collect();
    let first = grid.keys().map(|(_, column)| *column).min();
    let last = grid.keys().map(|(_, column)| *column).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Err(SheetError::NoHeader);
    };
    if rows.len() > limits.rows + 1 {
        return Err(SheetError::TooManyRows(limits.rows));
    }
    let width = usize::try_from(last - first + 1).expect("narrow");
    if rows.len() * width > limits.cells {
        return Err(SheetError::TooManyCells(limits.cells));
    }
    let mut table = rows.iter().map(|row| {
        (first..=last)
            .map(|column| grid.get(&(*row, column)).cloned().unwrap_or_default())
            .collect::<Vec<_>>()
    });
    let headers = table.next().expect("a row");
    Ok(Sheet {
        headers,
        rows: table.collect(),
    })
}

/// Whether `got` is what reading `drawn` within `limits` may answer: the exact table when every
/// limit holds, otherwise a refusal whose reason is true of the file. (Which reason comes
/// first depends on the order the file gives its cells in.)
fn answers_within(got: &Result<Sheet, SheetError>, drawn: &Drawn, limits: &Limits) -> bool {
    let unbounded = Limits {
        rows: usize::MAX - 1,
        row_number: u32::MAX,
        columns: u32::MAX,
        cells: usize::MAX,
        bytes: u64::MAX,
    };
    let whole = expected(drawn, &unbounded);
    let blank_free: Vec<_> = drawn.iter().filter(|(_, _, t)| !t.is_empty()).collect();
    match got {
        Ok(_) | Err(SheetError::NoHeader) => *got == expected(drawn, limits),
        Err(SheetError::CellOutside { cell, .. }) => drawn
            .iter()
            .filter(|(row, column, _)| *row >= limits.row_number || *column >= limits.columns)
            .any(|(row, column, text)| {
                !text.is_empty() && limits::cell_name(*row, *column) == *cell
            }),
        Err(SheetError::TooManyRows(max)) => {
            *max == limits.rows
                && whole
                    .as_ref()
                    .is_ok_and(|sheet| sheet.rows.len() > limits.rows)
        }
        Err(SheetError::TooManyCells(max)) => {
            *max == limits.cells
                && (blank_free.len() > limits.cells
                    || whole.as_ref().is_ok_and(|sheet| {
                        (sheet.rows.len() + 1) * sheet.headers.len() > limits.cells
                    }))
        }
        Err(_) => false,
    }
}

fn drawn_xlsx(drawn: &Drawn) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (row, column, text) in drawn {
        let column = u16::try_from(*column).expect("narrow");
        if text.is_empty() {
            sheet.write_blank(*row, column, &rust_xlsxwriter::Format::new().set_bold())
        } else {
            sheet.write_string(*row, column, text)
        }
        .expect("write");
    }
    book.save_to_buffer().expect("save")
}

/// As a spreadsheet saves CSV: every line as wide as the widest (at least two fields, so no
/// line is empty and every row keeps its number).
fn drawn_csv(drawn: &Drawn) -> Vec<u8> {
    let mut grid = std::collections::BTreeMap::new();
    for (row, column, text) in drawn {
        grid.insert((*row, *column), text.clone());
    }
    let rows = drawn.iter().map(|(row, _, _)| row + 1).max().unwrap_or(0);
    let width = drawn
        .iter()
        .map(|(_, column, _)| column + 1)
        .max()
        .unwrap_or(0)
        .max(2);
    let mut text = String::new();
    for row in 0..rows {
        let line: Vec<String> = (0..width)
            .map(|column| grid.get(&(row, column)).cloned().unwrap_or_default())
            .collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    text.into_bytes()
}

fn any_limits() -> impl proptest::strategy::Strategy<Value = Limits> {
    (1_usize..6, 1_u32..12, 1_u32..7, 1_usize..30).prop_map(|(rows, row_number, columns, cells)| {
        Limits {
            rows,
            row_number,
            columns,
            cells,
            bytes: Limits::DEFAULT.bytes,
        }
    })
}

fn any_drawn() -> impl proptest::strategy::Strategy<Value = Drawn> {
    proptest::collection::vec((0_u32..14, 0_u32..8, "[a-z0-9]{0,2}"), 0..25)
}

use proptest::strategy::Strategy;

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(96))]

    /// Within any limits, a workbook reads to exactly its table when it fits, and is refused
    /// for a reason true of it when it does not; the same for the sheet saved as CSV.
    #[test]
    fn sheets_read_exactly_within_any_limits_and_are_refused_past_them(
        drawn in any_drawn(),
        limits in any_limits(),
    ) {
        let from_xlsx = Sheet::read_within(&drawn_xlsx(&drawn), &limits);
        proptest::prop_assert!(answers_within(&from_xlsx, &drawn, &limits), "xlsx: {from_xlsx:?}");
        let csv = drawn_csv(&drawn);
        if !csv.is_empty() {
            let from_csv = Sheet::read_within(&csv, &limits);
            proptest::prop_assert!(answers_within(&from_csv, &drawn, &limits), "csv: {from_csv:?}");
        }
    }

    /// A file past its byte limit is refused whatever it holds.
    #[test]
    fn files_past_their_byte_limit_are_refused(drawn in any_drawn(), bytes in 0_u64..64) {
        let limits = Limits { bytes, ..Limits::DEFAULT };
        let csv = drawn_csv(&drawn);
        let size = u64::try_from(csv.len()).expect("small");
        if size > bytes {
            proptest::prop_assert_eq!(Sheet::read_within(&csv, &limits), Err(SheetError::TooLarge(bytes)));
        }
        proptest::prop_assert_eq!(
            Sheet::read_within(&drawn_xlsx(&drawn), &limits),
            Err(SheetError::TooLarge(bytes))
        );
    }
}
