//! One connection to either backend, with the query methods every store module uses. Outside
//! the store a [`Conn`] is opaque: something a store function is handed inside
//! [`crate::Store::read`] or [`crate::Store::write`], never a way to run SQL of one's own.
//!
//! SQL is written once with `$N` placeholders. SQLite gets them as `?N`, its own numbered form;
//! a parameter count that PostgreSQL would refuse is refused here too, so a query that passes on
//! SQLite does not fail later on PostgreSQL for that reason.

use std::collections::HashMap;
use std::sync::Arc;

use postgres::types::ToSql as PgToSql;

use super::value::{FromColumn, ToValue, Value};
use crate::error::StoreError;
use crate::privacy::DataKey;

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A PostgreSQL client with its prepared statements kept by query text.
pub(crate) struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
    data_key: Option<Arc<DataKey>>,
}

impl PgConn {
    fn new(client: postgres::Client) -> Self {
        PgConn {
            client,
            statements: HashMap::new(),
            data_key: None,
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

    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

/// A SQLite connection with the SQLite text of each query it has seen (see [`sqlite_text`]).
pub(crate) struct SqliteConn {
    conn: rusqlite::Connection,
    texts: HashMap<String, String, foldhash::fast::FixedState>,
    data_key: Option<Arc<DataKey>>,
}

impl SqliteConn {
    fn new(conn: rusqlite::Connection) -> Self {
        SqliteConn {
            conn,
            texts: HashMap::default(),
            data_key: None,
        }
    }

    /// The prepared statement for `sql`, from the connection's cache when it has one.
    fn statement(&mut self, sql: &str) -> Result<rusqlite::CachedStatement<'_>, StoreError> {
        let text = match self.texts.get(sql) {
            Some(text) => text,
            None => self
                .texts
                .entry(sql.to_owned())
                .or_insert_with(|| sqlite_text(sql).into_owned()),
        };
        Ok(self.conn.prepare_cached(text)?)
    }
}

/// A connection to SQLite or PostgreSQL.
pub struct Conn(Backing);

enum Backing {
    /// Boxed, as the PostgreSQL side is.
    Sqlite(Box<SqliteConn>),
    /// Boxed: a PostgreSQL client with its statement cache is several times a SQLite handle.
    Pg(Box<PgConn>),
}

/// One result row, read by column index. Other crates meet it only in the store's own
/// scenario tests, through `testing::sql`.
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

/// The query text as SQLite should see it: `$N` becomes `?N`, which SQLite binds by number, so
/// binding needs no lookup of parameter names. Quoted text and comments are left alone.
fn sqlite_text(sql: &str) -> std::borrow::Cow<'_, str> {
    let bytes = sql.as_bytes();
    if !bytes.contains(&b'$') {
        return std::borrow::Cow::Borrowed(sql);
    }
    // Every byte looked at is ASCII; the bytes of other characters are copied as they are.
    let mut text = Vec::with_capacity(bytes.len());
    let mut quote: Option<u8> = None;
    let mut comment = false;
    for (at, &byte) in bytes.iter().enumerate() {
        let next = bytes.get(at + 1).copied();
        match (quote, comment, byte) {
            (None, false, b'\'' | b'"') => quote = Some(byte),
            (Some(open), _, _) if byte == open => quote = None,
            (None, false, b'-') if next == Some(b'-') => comment = true,
            (None, true, b'\n') => comment = false,
            (None, false, b'$') if next.is_some_and(|n| n.is_ascii_digit()) => {
                text.push(b'?');
                continue;
            }
            _ => {}
        }
        text.push(byte);
    }
    // Only ASCII bytes were replaced by ASCII bytes, so the text is still UTF-8.
    String::from_utf8(text).map_or(std::borrow::Cow::Borrowed(sql), std::borrow::Cow::Owned)
}

/// Binds the `?N` parameters of a statement prepared from [`sqlite_text`]. A query must use
/// exactly as many parameters as it is given, as PostgreSQL requires.
fn bind_sqlite(
    statement: &mut rusqlite::CachedStatement<'_>,
    params: &[&dyn ToValue],
) -> Result<(), StoreError> {
    let highest = statement.parameter_count();
    if highest != params.len() {
        return Err(StoreError::Query(format!(
            "query uses {highest} parameters but {} were given",
            params.len()
        )));
    }
    for (index, param) in params.iter().enumerate() {
        statement.raw_bind_parameter(index + 1, param.to_value())?;
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
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Conn {
        Conn(Backing::Sqlite(Box::new(SqliteConn::new(conn))))
    }

    pub(crate) fn postgres(client: postgres::Client) -> Conn {
        Conn(Backing::Pg(Box::new(PgConn::new(client))))
    }

    /// Gives the connection the key personal data is sealed with.
    pub(crate) fn set_data_key(&mut self, key: Arc<DataKey>) {
        match &mut self.0 {
            Backing::Sqlite(conn) => conn.data_key = Some(key),
            Backing::Pg(conn) => conn.data_key = Some(key),
        }
    }

    /// The key personal data is sealed with (see [`crate::privacy`]).
    pub(crate) fn data_key(&self) -> Result<&DataKey, StoreError> {
        match &self.0 {
            Backing::Sqlite(conn) => conn.data_key.as_deref(),
            Backing::Pg(conn) => conn.data_key.as_deref(),
        }
        .ok_or_else(|| StoreError::Config("no data key for personal data".into()))
    }

    pub fn backend(&self) -> Backend {
        match &self.0 {
            Backing::Sqlite(_) => Backend::Sqlite,
            Backing::Pg(_) => Backend::Postgres,
        }
    }

    /// Runs a statement that returns no rows; gives the number of rows changed.
    pub(crate) fn execute(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
    ) -> Result<u64, StoreError> {
        match &mut self.0 {
            Backing::Sqlite(conn) => {
                let mut statement = conn.statement(sql)?;
                bind_sqlite(&mut statement, params)?;
                Ok(statement.raw_execute()? as u64)
            }
            Backing::Pg(pg) => {
                let statement = pg.statement(sql)?;
                let values = pg_values(params);
                Ok(pg.client.execute(&statement, &pg_refs(&values))?)
            }
        }
    }

    /// Inserts many rows with few statements: `head` is `INSERT INTO t (a, b, …)` (and `tail`
    /// what follows the values, e.g. an `ON CONFLICT` clause), `params` the rows' values one
    /// row after another, `width` values a row. Rows go in chunks that stay under the smallest
    /// parameter limit (SQLite's 999), so the statement texts repeat and stay prepared.
    pub(crate) fn insert_many(
        &mut self,
        head: &str,
        width: usize,
        params: &[&dyn ToValue],
    ) -> Result<u64, StoreError> {
        if width == 0 {
            return Ok(0);
        }
        let per = (999 / width).max(1);
        let mut changed = 0;
        for chunk in params.chunks(per * width) {
            let rows = chunk.len() / width;
            let mut sql = String::with_capacity(head.len() + rows * width * 6);
            sql.push_str(head);
            sql.push_str(" VALUES ");
            for row in 0..rows {
                if row > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for column in 0..width {
                    if column > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("${}", row * width + column + 1));
                }
                sql.push(')');
            }
            changed += self.execute(&sql, chunk)?;
        }
        Ok(changed)
    }

    /// Runs a query and reads every row with `read`.
    pub(crate) fn query<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
        mut read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        match &mut self.0 {
            Backing::Sqlite(conn) => {
                let mut statement = conn.statement(sql)?;
                bind_sqlite(&mut statement, params)?;
                let mut rows = statement.raw_query();
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(read(&Row::Sqlite(row))?);
                }
                Ok(out)
            }
            Backing::Pg(pg) => {
                let statement = pg.statement(sql)?;
                let values = pg_values(params);
                let rows = pg.client.query(&statement, &pg_refs(&values))?;
                rows.iter().map(|row| read(&Row::Pg(row))).collect()
            }
        }
    }

    /// The first row, if any.
    pub(crate) fn query_opt<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
        read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.query(sql, params, read)?.into_iter().next())
    }

    /// The first row; [`StoreError::NotFound`] when there is none.
    pub(crate) fn query_one<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
        read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.query_opt(sql, params, read)?
            .ok_or(StoreError::NotFound)
    }

    /// A single value from the first column of the first row.
    pub(crate) fn scalar<T: FromColumn>(
        &mut self,
        sql: &str,
        params: &[&dyn ToValue],
    ) -> Result<T, StoreError> {
        self.query_one(sql, params, |row| row.get(0))
    }

    /// Runs several statements without parameters (schema changes, transaction control).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match &mut self.0 {
            Backing::Sqlite(sqlite) => sqlite.conn.execute_batch(sql)?,
            Backing::Pg(pg) => pg.client.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Starts the transaction a write runs in. SQLite takes its write lock at once.
    pub(crate) fn begin_write(&mut self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite => self.batch("BEGIN IMMEDIATE"),
            Backend::Postgres => self.batch("BEGIN"),
        }
    }

    /// Starts a read-only transaction: every query in it sees one snapshot.
    pub(crate) fn begin_read(&mut self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite => self.batch("BEGIN"),
            Backend::Postgres => self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        }
    }

    pub(crate) fn commit(&mut self) -> Result<(), StoreError> {
        self.batch("COMMIT")
    }

    pub(crate) fn rollback(&mut self) -> Result<(), StoreError> {
        self.batch("ROLLBACK")
    }

    /// Marks a point a failed piece of work can be rolled back to without losing the rest.
    pub(crate) fn savepoint(&mut self, name: &str) -> Result<(), StoreError> {
        self.transaction_control(&format!("SAVEPOINT {name}"))
    }

    pub(crate) fn release(&mut self, name: &str) -> Result<(), StoreError> {
        self.transaction_control(&format!("RELEASE SAVEPOINT {name}"))
    }

    pub(crate) fn rollback_to(&mut self, name: &str) -> Result<(), StoreError> {
        self.transaction_control(&format!("ROLLBACK TO SAVEPOINT {name}"))
    }

    /// SQLite keeps the parsed statement; PostgreSQL takes these through the simple protocol.
    fn transaction_control(&mut self, sql: &str) -> Result<(), StoreError> {
        match self.0 {
            Backing::Sqlite(_) => self.execute(sql, &[]).map(|_| ()),
            Backing::Pg(_) => self.batch(sql),
        }
    }

    /// Whether the connection can still be used (a PostgreSQL socket may have closed).
    pub(crate) fn is_healthy(&self) -> bool {
        match &self.0 {
            Backing::Sqlite(_) => true,
            Backing::Pg(pg) => !pg.is_closed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_text;

    #[test]
    fn placeholders_become_numbered_and_quoted_text_stays() {
        assert_eq!(
            sqlite_text("SELECT a FROM t WHERE b = $1 AND c IN ($2, $10)"),
            "SELECT a FROM t WHERE b = ?1 AND c IN (?2, ?10)"
        );
        assert_eq!(
            sqlite_text("SELECT '$1', \"$2\", 'it''s $3' -- $4\nWHERE x = $5"),
            "SELECT '$1', \"$2\", 'it''s $3' -- $4\nWHERE x = ?5"
        );
        assert_eq!(sqlite_text("SELECT price$ FROM t"), "SELECT price$ FROM t");
    }
}
