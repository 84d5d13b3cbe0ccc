//! Errors of the store.
//!
//! Policy: [`StoreError::Refused`] carries a [`Refusal`], a reason written for people (in their
//! language, through [`jiedao_core::Localized`]) that the web layer shows as it is. Every other
//! variant is a fault: the web layer logs it and shows a generic apology, never its text.

use jiedao_core::i18n::Localized;
use thiserror::Error;

use crate::db::value::ColumnError;
use crate::refusal::Refusal;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0:?}")]
    Refused(Refusal),
    #[error("not found")]
    NotFound,
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {}", postgres_detail(.0))]
    Postgres(#[from] postgres::Error),
    #[error(transparent)]
    Column(#[from] ColumnError),
    #[error("query: {0}")]
    Query(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("migration {name}: {detail}")]
    Migration { name: String, detail: String },
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("the write was not carried out")]
    WriteAborted,
    #[error("the store is closed")]
    Closed,
    #[error("no database connection came free in time")]
    Busy,
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// The server's own message and SQLSTATE, which the driver's `Display` leaves out.
fn postgres_detail(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({}): {}", db.severity(), db.code().code(), db.message()),
        None => error.to_string(),
    }
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        StoreError::Refused(refusal)
    }
}

impl StoreError {
    /// True when a unique constraint stopped the write (a race the explicit checks missed).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(error, _)) => {
                error.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || error.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            StoreError::Postgres(error) => {
                error.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }

    /// The refusal, if this error is one people should read.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            StoreError::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }

    /// The message for people: the refusal's, or `None` for faults.
    pub fn localize(&self, lang: jiedao_core::Lang) -> Option<String> {
        self.refusal().map(|refusal| refusal.localize(lang))
    }
}
