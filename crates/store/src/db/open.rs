//! Opening connections: the backend is picked by the database URL, and each connection is set up
//! the same way every time (SQLite pragmas, PostgreSQL search path).

use std::path::PathBuf;
use std::str::FromStr;

use super::conn::Conn;
use crate::error::StoreError;

/// Where the data lives, read from a URL: `sqlite://path/to/file.db` (relative),
/// `sqlite:///absolute/path.db`, or `postgres://user@host:port/database`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl FromStr for Location {
    type Err = StoreError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() || path.contains(":memory:") {
                return Err(StoreError::Config(
                    "SQLite needs a file path (sqlite://jiedao.db); in-memory databases cannot be shared by the writer and readers".into(),
                ));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Location::Postgres(url.to_owned()));
        }
        Err(StoreError::Config(format!(
            "unknown database URL {url:?}: use sqlite://FILE or postgres://..."
        )))
    }
}

/// How hard SQLite works to keep a commit (PRAGMA synchronous).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// fsync at every commit: an acknowledged write survives power loss. The default.
    #[default]
    Full,
    /// fsync at checkpoints only: survives a crash of jiedao, not of the machine.
    Normal,
}

/// Settings for every connection the store opens.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub location: Location,
    pub durability: Durability,
    /// A PostgreSQL schema to work in (created if missing); used to isolate tests.
    pub pg_schema: Option<String>,
    /// The key personal data is sealed with.
    pub data_key: Option<std::sync::Arc<crate::privacy::DataKey>>,
}

/// Whether a connection will write or only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Write,
    Read,
}

/// Four times the checkpointer's restart mark: reached only if that thread stalls.
const BACKSTOP_CHECKPOINT_FRAMES: i64 = 4 * super::checkpointer::RESTART_AT;

pub fn connect(options: &ConnectOptions, purpose: Purpose) -> Result<Conn, StoreError> {
    let mut conn = match &options.location {
        Location::Sqlite(path) => open_sqlite(path, options.durability, purpose),
        Location::Postgres(url) => open_postgres(url, options.pg_schema.as_deref()),
    }?;
    if let Some(key) = &options.data_key {
        conn.set_data_key(key.clone());
    }
    Ok(conn)
}

fn open_sqlite(
    path: &PathBuf,
    durability: Durability,
    purpose: Purpose,
) -> Result<Conn, StoreError> {
    use rusqlite::OpenFlags;
    let flags = match purpose {
        Purpose::Write => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        Purpose::Read => OpenFlags::SQLITE_OPEN_READ_ONLY,
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if purpose == Purpose::Write
        && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)?;
    }
    let conn = rusqlite::Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(256);
    let synchronous = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    let cache_kib = match purpose {
        Purpose::Write => 32 * 1024,
        Purpose::Read => 16 * 1024,
    };
    if purpose == Purpose::Write {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // The checkpointer thread copies the log back, off the write path (see
        // `checkpointer`); the writer's own automatic checkpoint is only a backstop, should
        // that thread fall far behind.
        conn.pragma_update(None, "wal_autocheckpoint", BACKSTOP_CHECKPOINT_FRAMES)?;
    }
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {synchronous};
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -{cache_kib};"
    ))?;
    Ok(Conn::sqlite(conn))
}

/// Refuses a name that is not plain `[A-Za-z0-9_]`: names of schemas, databases and tables go
/// into SQL text (they cannot be parameters), so nothing else may reach it.
pub(crate) fn plain_name(what: &str, name: &str) -> Result<(), StoreError> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(StoreError::Config(format!("bad {what} name {name:?}")));
    }
    Ok(())
}

pub(crate) fn open_postgres(url: &str, schema: Option<&str>) -> Result<Conn, StoreError> {
    let config = postgres::Config::from_str(url)?;
    let mut client = config.connect(postgres::NoTls)?;
    // Notices such as "already exists, skipping" are not worth a log line on every start.
    client.batch_execute("SET client_min_messages TO warning")?;
    if let Some(schema) = schema {
        plain_name("schema", schema)?;
        client.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
        ))?;
    }
    Ok(Conn::postgres(client))
}

/// Single-row commits per second on a fresh SQLite file with the store's own settings (WAL,
/// `synchronous` as `durability`): one row, one transaction, one sync each. The baseline that
/// group commit is measured against.
pub fn single_row_commit_rate(
    path: &std::path::Path,
    durability: Durability,
    for_how_long: std::time::Duration,
) -> Result<f64, StoreError> {
    let mut conn = open_sqlite(&path.to_path_buf(), durability, Purpose::Write)?;
    conn.batch(
        "CREATE TABLE IF NOT EXISTS single_row (n INTEGER PRIMARY KEY, at INTEGER NOT NULL)",
    )?;
    let started = std::time::Instant::now();
    let mut n: i64 = 0;
    while started.elapsed() < for_how_long {
        conn.begin_write()?;
        conn.execute("INSERT INTO single_row (n, at) VALUES ($1, $2)", &[&n, &n])?;
        conn.commit()?;
        n += 1;
    }
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(
            "sqlite://data/jiedao.db".parse::<Location>().ok(),
            Some(Location::Sqlite("data/jiedao.db".into()))
        );
        assert_eq!(
            "sqlite:///var/lib/jiedao.db".parse::<Location>().ok(),
            Some(Location::Sqlite("/var/lib/jiedao.db".into()))
        );
        assert!(matches!(
            "postgres://127.0.0.1/test".parse::<Location>(),
            Ok(Location::Postgres(_))
        ));
        assert!("mysql://x".parse::<Location>().is_err());
        assert!("sqlite://:memory:".parse::<Location>().is_err());
    }
}
