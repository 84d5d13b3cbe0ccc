//! Writing lists out as an Excel workbook (.xlsx) that opens in Excel and WPS: a sheet per list,
//! a bold header row frozen at the top, text as text, numbers as numbers and times as real Excel
//! dates (so a reader can sort and filter them), columns wide enough for their Chinese text.
//! Every cell is in a CJK face (宋体, which WPS and Excel in China have, falling back to any
//! installed CJK font), and each sheet prints on A4: landscape when wide, one page across, its
//! header (and title) repeated on every page, "第 1 页，共 3 页" in the footer.

use chrono::NaiveDateTime;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    /// A fraction shown as a percentage with two decimals (0.9672 is 96.72%).
    Percent(f64),
    /// A number shown with two decimals (a score).
    Decimal(f64),
    /// Local (Beijing) time, written as an Excel date-time.
    Time(NaiveDateTime),
    Empty,
}

/// The widest a column is made, in Excel's character units.
const MAX_WIDTH: f64 = 60.0;

/// Display width of text in Excel's units: CJK characters take two.
fn width_of(text: &str) -> f64 {
    let units: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    #[expect(clippy::cast_precision_loss, reason = "a column width")]
    let units = units as f64;
    units
}

fn width(value: &Value) -> f64 {
    match value {
        Value::Text(text) => width_of(text),
        Value::Number(number) => width_of(&number.to_string()),
        Value::Percent(_) | Value::Decimal(_) => 9.0,
        Value::Time(_) => 16.0,
        Value::Empty => 0.0,
    }
}

/// The CJK face of every cell.
const FONT: &str = "宋体";

/// One sheet of a workbook: its name, an optional title row over the header, its header row
/// and its rows.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    pub name: &'a str,
    /// A title (a bulletin's "明湖街道2026年12月城市治理工作通报"), merged across the columns.
    pub title: Option<&'a str>,
    pub headers: &'a [String],
    pub rows: &'a [Vec<Value>],
}

/// The workbook's bytes: `headers` over `rows`, on a sheet named `sheet`.
pub fn xlsx(sheet: &str, headers: &[String], rows: &[Vec<Value>]) -> Result<Vec<u8>, XlsxError> {
    workbook(&[Sheet {
        name: sheet,
        title: None,
        headers,
        rows,
    }])
}

/// The bytes of a workbook of several sheets, in order.
pub fn workbook(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let plain = Format::new().set_font_name(FONT);
    let bold = plain.clone().set_bold();
    let heading = bold
        .clone()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let time = plain.clone().set_num_format("yyyy-mm-dd hh:mm");
    let percent = plain.clone().set_num_format("0.00%");
    let decimal = plain.clone().set_num_format("0.00");
    for sheet in sheets {
        let page = book.add_worksheet();
        page.set_name(sheet.name)?;
        let columns = sheet
            .headers
            .len()
            .max(sheet.rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        let top: u32 = match sheet.title {
            Some(title) => {
                let last = column_index(columns - 1)?;
                if last == 0 {
                    page.write_string_with_format(0, 0, title, &heading)?;
                } else {
                    page.merge_range(0, 0, 0, last, title, &heading)?;
                }
                page.set_row_height(0, 30)?;
                1
            }
            None => 0,
        };
        let mut widths: Vec<f64> = sheet.headers.iter().map(|h| width_of(h)).collect();
        for (column, header) in sheet.headers.iter().enumerate() {
            page.write_string_with_format(top, column_index(column)?, header, &bold)?;
        }
        for (index, row) in sheet.rows.iter().enumerate() {
            let line = u32::try_from(index + 1)
                .ok()
                .and_then(|line| line.checked_add(top))
                .ok_or(XlsxError::RowColumnLimitError)?;
            for (column, value) in row.iter().enumerate() {
                let at = column_index(column)?;
                match value {
                    Value::Text(text) => {
                        page.write_string_with_format(line, at, text, &plain)?;
                    }
                    Value::Number(number) => {
                        page.write_number_with_format(line, at, *number, &plain)?;
                    }
                    Value::Percent(number) => {
                        page.write_number_with_format(line, at, *number, &percent)?;
                    }
                    Value::Decimal(number) => {
                        page.write_number_with_format(line, at, *number, &decimal)?;
                    }
                    Value::Time(moment) => {
                        page.write_datetime_with_format(
                            line,
                            at,
                            &ExcelDateTime::from_timestamp(moment.and_utc().timestamp())?,
                            &time,
                        )?;
                    }
                    Value::Empty => {}
                }
                if let Some(known) = widths.get_mut(column) {
                    *known = known.max(width(value));
                }
            }
        }
        for (column, units) in widths.iter().enumerate() {
            page.set_column_width(column_index(column)?, (units + 2.0).min(MAX_WIDTH))?;
        }
        page.set_freeze_panes(top + 1, 0)?;
        // Print: A4 (paper 9), landscape when the columns are wide, one page across, the
        // header repeated, page numbers in the footer.
        page.set_paper_size(9);
        if widths.iter().sum::<f64>() > 100.0 {
            page.set_landscape();
        }
        page.set_print_fit_to_pages(1, 0);
        page.set_print_center_horizontally(true);
        page.set_repeat_rows(0, top)?;
        page.set_footer("&C第 &P 页，共 &N 页");
    }
    book.save_to_buffer()
}

fn column_index(column: usize) -> Result<u16, XlsxError> {
    u16::try_from(column).map_err(|_| XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn a_written_list_reads_back_with_dates_as_dates() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .expect("time");
        let headers = vec![
            "案件编号".to_owned(),
            "数量".to_owned(),
            "上报时间".to_owned(),
            "满意率".to_owned(),
        ];
        let rows = vec![
            vec![
                Value::Text("20261122-00001".into()),
                Value::Number(3.0),
                Value::Time(at),
                Value::Percent(0.9672),
            ],
            vec![Value::Text("占道经营".into()), Value::Empty, Value::Empty],
        ];
        let bytes = xlsx("案件列表", &headers, &rows).expect("write");
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
        let range = book.worksheet_range("案件列表").expect("sheet");
        assert_eq!(range.get((0, 0)), Some(&Data::String("案件编号".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(3.0)));
        match range.get((1, 2)) {
            Some(Data::DateTime(value)) => {
                assert_eq!(value.as_datetime(), Some(at));
            }
            other => panic!("the time is not a date: {other:?}"),
        }
        assert_eq!(range.get((1, 3)), Some(&Data::Float(0.9672)));
        assert_eq!(range.get((2, 0)), Some(&Data::String("占道经营".into())));
        assert_eq!(range.get((2, 1)), Some(&Data::Empty));
    }

    #[test]
    fn a_titled_sheet_has_its_title_over_the_header_and_prints_on_a4() {
        let headers = vec!["社区".to_owned(), "结案率".to_owned()];
        let rows = vec![vec![Value::Text("青枫社区".into()), Value::Percent(0.5)]];
        let bytes = workbook(&[Sheet {
            name: "排名",
            title: Some("明湖街道2026年12月城市治理工作通报"),
            headers: &headers,
            rows: &rows,
        }])
        .expect("write");
        let mut book = Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("open");
        let range = book.worksheet_range("排名").expect("sheet");
        assert_eq!(
            range.get((0, 0)),
            Some(&Data::String("明湖街道2026年12月城市治理工作通报".into()))
        );
        assert_eq!(range.get((1, 1)), Some(&Data::String("结案率".into())));
        assert_eq!(range.get((2, 1)), Some(&Data::Float(0.5)));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut archive
                .by_name("xl/worksheets/sheet1.xml")
                .expect("sheet part"),
            &mut xml,
        )
        .expect("utf-8");
        assert!(xml.contains(r#"paperSize="9""#), "{xml}");
        assert!(xml.contains("<mergeCell ref=\"A1:B1\"/>"), "{xml}");
        let mut styles = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("xl/styles.xml").expect("styles"),
            &mut styles,
        )
        .expect("utf-8");
        assert!(styles.contains("宋体"), "a CJK face: {styles}");
        assert!(styles.contains("0.00%"), "{styles}");
    }
}
