//! Tables of records as pages show them; `templates/table.html` beside this module draws one.

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
}

impl Cell {
    pub fn ui(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            user: false,
            href: None,
            class: None,
            pick: None,
        }
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
}
