//! Tables of records as pages show them; `templates/table.html` beside this module draws one:
//! a table on a desk, a card per row under 600 px (each cell labelled with its column's heading).

use jiedao_core::evaluation::Rate;
use jiedao_reports::workbook::Value;

/// A table cell; `user` marks text that is user data (names people typed), not interface text.
pub struct Cell {
    pub text: String,
    pub user: bool,
    /// A link from this cell, if any.
    pub href: Option<String>,
    /// CSS classes of the cell (lights, tags).
    pub class: Option<String>,
    /// A checkbox choosing this row for the page's bulk form (`form="bulk"`), with this value.
    pub pick: Option<String>,
    /// What a spreadsheet stores for the cell when it is a figure (a count as a number, a rate
    /// as a fraction with a % format); the text otherwise.
    pub figure: Option<Value>,
}

impl Cell {
    pub fn ui(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            user: false,
            href: None,
            class: None,
            pick: None,
            figure: None,
        }
    }

    /// A count: its digits on a page, a number in a spreadsheet.
    pub fn count(value: u64) -> Cell {
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let number = value as f64;
        Cell {
            figure: Some(Value::Number(number)),
            ..Cell::ui(value.to_string())
        }
    }

    /// A rate: "96.72%" on a page, the fraction 0.9672 with a % format in a spreadsheet, "—"
    /// (text) where it does not apply.
    pub fn rate(rate: Rate) -> Cell {
        Cell {
            figure: rate.percent().map(|p| Value::Percent(p / 100.0)),
            ..Cell::ui(rate.text())
        }
    }

    /// A number with two decimals (a score), "—" when there is none.
    pub fn decimal(value: Option<f64>) -> Cell {
        Cell {
            figure: value.map(Value::Decimal),
            ..Cell::ui(value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}")))
        }
    }

    /// What a spreadsheet stores for the cell.
    pub fn sheet_value(&self) -> Value {
        self.figure
            .clone()
            .unwrap_or_else(|| Value::Text(self.text.clone()))
    }

    /// A checkbox that chooses the row for the page's bulk form.
    pub fn pick(value: impl Into<String>) -> Cell {
        Cell {
            pick: Some(value.into()),
            ..Cell::ui("")
        }
    }

    pub fn user(text: impl Into<String>) -> Cell {
        Cell {
            user: true,
            ..Cell::ui(text)
        }
    }

    pub fn link(mut self, href: impl Into<String>) -> Cell {
        self.href = Some(href.into());
        self
    }

    pub fn class(mut self, class: &str) -> Cell {
        self.class = Some(class.to_owned());
        self
    }
}

pub struct Row {
    pub cells: Vec<Cell>,
    /// Indentation level (tree tables), 0 for none.
    pub depth: usize,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Row {
        Row { cells, depth: 0 }
    }
}

pub struct Table {
    pub head: Vec<&'static str>,
    pub rows: Vec<Row>,
    /// What to say when there are no rows.
    pub empty: &'static str,
}

impl Table {
    pub fn new(head: Vec<&'static str>, rows: Vec<Row>, empty: &'static str) -> Table {
        Table { head, rows, empty }
    }

    /// The heading of column `index`: on a phone each cell of a card is labelled with it.
    /// (Templates pass the index by reference.)
    pub fn label(&self, index: impl std::borrow::Borrow<usize>) -> &'static str {
        self.head.get(*index.borrow()).copied().unwrap_or("")
    }
}
