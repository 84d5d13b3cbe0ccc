//! What the command line, the benchmarks, the harness and tests ask of a database beside its
//! domain: how many rows a table holds, how many migrations are applied, the raw single-row
//! commit rate that group commit is measured against, and PostgreSQL schemas and databases
//! made and dropped by name for throwaway places. Other crates hold no SQL; this is where
//! such plumbing goes instead.

use crate::db::open::{open_postgres, plain_name};
use crate::db::{Conn, migrate};
use crate::error::StoreError;

pub use crate::db::open::single_row_commit_rate;

/// The rows `table` holds. The name goes into the SQL text, so it must be a plain name.
pub fn count_rows(conn: &mut Conn, table: &str) -> Result<i64, StoreError> {
    plain_name("table", table)?;
    conn.scalar(&format!("SELECT COUNT(*) FROM {table}"), &[])
}

/// How many migrations this database has applied.
pub fn migrations_applied(conn: &mut Conn) -> Result<usize, StoreError> {
    Ok(migrate::applied(conn)?.len())
}

/// Drops the PostgreSQL schema `schema` at `url` with everything in it, if it is there.
pub fn drop_pg_schema(url: &str, schema: &str) -> Result<(), StoreError> {
    plain_name("schema", schema)?;
    on_postgres(url, format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
}

/// Makes a new, empty PostgreSQL database `name` on the server at `url`.
pub fn create_pg_database(url: &str, name: &str) -> Result<(), StoreError> {
    plain_name("database", name)?;
    on_postgres(url, format!("CREATE DATABASE {name}"))
}

/// Drops the PostgreSQL database `name` on the server at `url`, if it is there.
pub fn drop_pg_database(url: &str, name: &str) -> Result<(), StoreError> {
    plain_name("database", name)?;
    on_postgres(url, format!("DROP DATABASE IF EXISTS {name}"))
}

/// Runs `sql` on a connection of its own to `url`, on a plain thread: the synchronous client
/// blocks on a runtime of its own, which must not be an async thread's (callers may be async).
fn on_postgres(url: &str, sql: String) -> Result<(), StoreError> {
    let url = url.to_owned();
    std::thread::spawn(move || open_postgres(&url, None)?.batch(&sql))
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
