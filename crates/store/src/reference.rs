//! Reference data that every request reads from memory (categories, the working calendar,
//! intake clients, grid shapes) and the one mark that says it changed.
//!
//! A command run from the command line, or a second server, changes the database under a
//! running server's caches. So every write that changes reference data also stamps a new
//! mark in `setting` in its own transaction, and a server compares the mark it last read
//! with the stored one ([`crate::Store::refresh`]): each second, and at once when a client's
//! token is unknown (a client added a moment ago must not be refused).

use chrono::{DateTime, Utc};

use crate::db::Conn;
use crate::error::StoreError;

/// The `setting` key of the mark.
const KEY: &str = "reference.version";

/// Stamps a new mark: reference data changed in this transaction.
pub(crate) fn changed(conn: &mut Conn, at: DateTime<Utc>) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        &[&KEY, &uuid::Uuid::now_v7().to_string(), &at],
    )?;
    Ok(())
}

/// The stored mark (`None` before the first change).
pub(crate) fn mark(conn: &mut Conn) -> Result<Option<String>, StoreError> {
    conn.query_opt("SELECT value FROM setting WHERE key = $1", &[&KEY], |row| {
        row.get(0)
    })
}
