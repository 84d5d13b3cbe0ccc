//! Queries over a ledger's rows, put together from fixed fragments: a WHERE clause whose
//! values are all bound parameters, and the fragments every ledger asks for (a list of states,
//! only the records still open). Column names come from the code, never from input.

use jiedao_core::ledger::RecordState;

use crate::db::ToValue;

/// A WHERE clause under construction: fragments and the values they bind, numbered in order.
#[derive(Default)]
pub struct Where {
    clauses: Vec<String>,
    values: Vec<Box<dyn ToValue + Send>>,
}

impl Where {
    /// Binds a value and returns its placeholder.
    pub fn bind(&mut self, value: impl ToValue + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.values.len())
    }

    /// Adds a condition (its values bound with [`Where::bind`]).
    pub fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// ` WHERE …` with every condition, or nothing when there is none.
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub fn params(&self) -> Vec<&dyn ToValue> {
        self.values
            .iter()
            .map(|v| v.as_ref() as &dyn ToValue)
            .collect()
    }

    /// `column IN (…)`: one of `values` (none matches nothing).
    pub fn is_in<T: ToValue + Send + 'static>(
        &mut self,
        column: &str,
        values: impl IntoIterator<Item = T>,
    ) {
        let placeholders: Vec<String> = values.into_iter().map(|v| self.bind(v)).collect();
        if placeholders.is_empty() {
            self.push("1 = 0".into());
        } else {
            self.push(format!("{column} IN ({})", placeholders.join(", ")));
        }
    }

    /// `column NOT IN (…)`: none of `values` (none excludes nothing).
    pub fn not_in<T: ToValue + Send + 'static>(
        &mut self,
        column: &str,
        values: impl IntoIterator<Item = T>,
    ) {
        let placeholders: Vec<String> = values.into_iter().map(|v| self.bind(v)).collect();
        if !placeholders.is_empty() {
            self.push(format!("{column} NOT IN ({})", placeholders.join(", ")));
        }
    }

    /// Only records whose state (in `column`) is still open: not one of the ledger's closed
    /// states.
    pub fn open_only<S: RecordState>(&mut self, column: &str) {
        self.not_in(column, S::CLOSED.iter().map(|state| state.as_str()));
    }
}
