//! Schema migrations: one folder per backend with the same file names (a test holds them in
//! step), embedded in the binary and applied in name order, each in its own transaction.

use rust_embed::RustEmbed;

use super::conn::{Backend, Conn};
use crate::error::StoreError;

#[derive(RustEmbed)]
#[folder = "migrations/sqlite"]
#[include = "*.sql"]
struct SqliteMigrations;

#[derive(RustEmbed)]
#[folder = "migrations/postgres"]
#[include = "*.sql"]
struct PostgresMigrations;

/// The migration file names for a backend, in the order they apply.
pub fn names(backend: Backend) -> Vec<String> {
    let mut names: Vec<String> = match backend {
        Backend::Sqlite => SqliteMigrations::iter().map(|n| n.into_owned()).collect(),
        Backend::Postgres => PostgresMigrations::iter().map(|n| n.into_owned()).collect(),
    };
    names.sort();
    names
}

fn source(backend: Backend, name: &str) -> Option<String> {
    let file = match backend {
        Backend::Sqlite => SqliteMigrations::get(name),
        Backend::Postgres => PostgresMigrations::get(name),
    }?;
    String::from_utf8(file.data.into_owned()).ok()
}

/// The names of the migrations this database has applied.
pub(crate) fn applied(conn: &mut Conn) -> Result<Vec<String>, StoreError> {
    conn.query("SELECT name FROM schema_migration", &[], |row| row.get(0))
}

/// Applies every migration not yet applied; returns the names it applied.
pub fn run(
    conn: &mut Conn,
    applied_at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<String>, StoreError> {
    let backend = conn.backend();
    let time_type = match backend {
        Backend::Sqlite => "INTEGER",
        Backend::Postgres => "TIMESTAMPTZ",
    };
    conn.batch(&format!(
        "CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at {time_type} NOT NULL)"
    ))?;
    if backend == Backend::Postgres {
        // Several servers starting at once take turns; the lock ends with the session.
        conn.batch("SELECT pg_advisory_lock(7461001)")?;
    }
    let done = applied(conn)?;
    let mut applied = Vec::new();
    for name in names(backend) {
        if done.contains(&name) {
            continue;
        }
        let sql = source(backend, &name).ok_or_else(|| StoreError::Migration {
            name: name.clone(),
            detail: "not readable as UTF-8".into(),
        })?;
        conn.begin_write()?;
        let result = conn.batch(&sql).and_then(|()| {
            conn.execute(
                "INSERT INTO schema_migration (name, applied_at) VALUES ($1, $2)",
                &[&name, &applied_at],
            )
        });
        match result {
            Ok(_) => conn.commit()?,
            Err(error) => {
                let _ = conn.rollback();
                return Err(StoreError::Migration {
                    name,
                    detail: error.to_string(),
                });
            }
        }
        applied.push(name);
    }
    if backend == Backend::Postgres {
        conn.batch("SELECT pg_advisory_unlock(7461001)")?;
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migration_files() {
        let sqlite = names(Backend::Sqlite);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, names(Backend::Postgres));
    }
}
