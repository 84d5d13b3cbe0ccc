//! One connection to either backend, with the query methods every store module uses.
//!
//! SQL is written once with `$N` placeholders. SQLite reads `$1` as a named parameter, so values
//! are bound by name, not position; a parameter count that PostgreSQL would refuse is refused here
//! too, so a query that passes on SQLite does not fail later on PostgreSQL for that reason.

use std::collections::HashMap;

use postgres::types::ToSql as PgToSql;

use super::value::{FromColumn, ToValue, Value};
use crate::error::StoreError;

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A PostgreSQL client with its prepared statements kept by query text.
pub struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl PgConn {
    pub fn new(client: postgres::Client) -> Self {
        PgConn {
            client,
            statements: HashMap::new(),
        }
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

/// A connection to SQLite or PostgreSQL.
pub enum Conn {
    Sqlite(rusqlite::Connection),
    /// Boxed: a PostgreSQL client with its statement cache is several times a SQLite handle.
    Pg(Box<PgConn>),
}

/// One result row, read by column index.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    pub fn get<T: FromColumn>(&self, column: usize) -> Result<T, StoreError> {
        Ok(match self {
            Row::Sqlite(row) => T::from_sqlite(row.get_ref(column)?, column)?,
            Row::Pg(row) => {
                if column >= row.len() {
                    return Err(StoreError::Query(format!("no column {column}")));
                }
                T::from_pg(row, column)?
            }
        })
    }
}

/// Binds `$N` parameters of a prepared SQLite statement by name.
fn bind_sqlite(
    statement: &mut rusqlite::CachedStatement<'_>,
    params: &[&dyn ToValue],
) -> Result<(), StoreError> {
    let mut numbers = Vec::with_capacity(statement.parameter_count());
    for index in 1..=statement.parameter_count() {
        let name = statement.parameter_name(index).unwrap_or("?");
        let number = name
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| StoreError::Query(format!("parameter {name} is not of the form $N")))?;
        numbers.push((index, number));
    }
    let highest = numbers.iter().map(|(_, n)| *n).max().unwrap_or(0);
    if highest != params.len() {
        return Err(StoreError::Query(format!(
            "query uses {highest} parameters but {} were given",
            params.len()
        )));
    }
    for (index, number) in numbers {
        statement.raw_bind_parameter(index, params[number - 1].to_value())?;
    }
    Ok(())
}

fn pg_values<'a>(params: &'a [&'a dyn ToValue]) -> Vec<Value<'a>> {
    params.iter().map(|p| p.to_value()).collect()
}

fn pg_refs<'a>(values: &'a [Value<'a>]) -> Vec<&'a (dyn PgToSql + Sync)> {
    values.iter().map(|v| v as &(dyn PgToSql + Sync)).collect()
}

impl Conn {
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Pg(_) => Backend::Postgres,
        }
    }

    /// Runs a statement that returns no rows; gives the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, StoreError> {
        match self {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                bind_sqlite(&mut statement, params)?;
                Ok(statement.raw_execute()? as u64)
            }
            Conn::Pg(pg) => {
                let statement = pg.statement(sql)?;
                let values = pg_values(params);
                Ok(pg.client.execute(&statement, &pg_refs(&values))?)
            }
        }
    }

    /// Runs a query and reads every row with `read`.
    pub fn query<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
        mut read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        match self {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                bind_sqlite(&mut statement, params)?;
                let mut rows = statement.raw_query();
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(read(&Row::Sqlite(row))?);
                }
                Ok(out)
            }
            Conn::Pg(pg) => {
                let statement = pg.statement(sql)?;
                let values = pg_values(params);
                let rows = pg.client.query(&statement, &pg_refs(&values))?;
                rows.iter().map(|row| read(&Row::Pg(row))).collect()
            }
        }
    }

    /// The first row, if any.
    pub fn query_opt<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
        read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.query(sql, params, read)?.into_iter().next())
    }

    /// The first row; [`StoreError::NotFound`] when there is none.
    pub fn query_one<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
        read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.query_opt(sql, params, read)?
            .ok_or(StoreError::NotFound)
    }

    /// A single value from the first column of the first row.
    pub fn scalar<T: FromColumn>(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
    ) -> Result<T, StoreError> {
        self.query_one(sql, params, |row| row.get(0))
    }

    /// Runs several statements without parameters (schema changes, transaction control).
    pub fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(conn) => conn.execute_batch(sql)?,
            Conn::Pg(pg) => pg.client.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Starts the transaction a write runs in. SQLite takes its write lock at once.
    pub fn begin_write(&mut self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite => self.batch("BEGIN IMMEDIATE"),
            Backend::Postgres => self.batch("BEGIN"),
        }
    }

    /// Starts a read-only transaction: every query in it sees one snapshot.
    pub fn begin_read(&mut self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite => self.batch("BEGIN"),
            Backend::Postgres => self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        }
    }

    pub fn commit(&mut self) -> Result<(), StoreError> {
        self.batch("COMMIT")
    }

    pub fn rollback(&mut self) -> Result<(), StoreError> {
        self.batch("ROLLBACK")
    }

    /// Marks a point a failed piece of work can be rolled back to without losing the rest.
    pub fn savepoint(&mut self, name: &str) -> Result<(), StoreError> {
        self.transaction_control(&format!("SAVEPOINT {name}"))
    }

    pub fn release(&mut self, name: &str) -> Result<(), StoreError> {
        self.transaction_control(&format!("RELEASE SAVEPOINT {name}"))
    }

    pub fn rollback_to(&mut self, name: &str) -> Result<(), StoreError> {
        self.transaction_control(&format!("ROLLBACK TO SAVEPOINT {name}"))
    }

    /// SQLite keeps the parsed statement; PostgreSQL takes these through the simple protocol.
    fn transaction_control(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(_) => self.execute(sql, &[]).map(|_| ()),
            Conn::Pg(_) => self.batch(sql),
        }
    }

    /// Whether the connection can still be used (a PostgreSQL socket may have closed).
    pub fn is_healthy(&self) -> bool {
        match self {
            Conn::Sqlite(_) => true,
            Conn::Pg(pg) => !pg.is_closed(),
        }
    }
}
