//! Values passed into queries and read out of rows, the same way on both backends.
//!
//! A query's parameters are `&[&dyn ToValue]`; each becomes a [`Value`], which knows how to bind
//! itself to SQLite and to PostgreSQL. Reading goes the other way through [`FromColumn`]. The
//! column types differ by backend (timestamps are microseconds in an INTEGER on SQLite and
//! TIMESTAMPTZ on PostgreSQL; ids are 16-byte BLOBs and UUIDs) but the Rust types do not.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::{
    AttachmentId, CaseId, CategoryId, ClientId, DepartmentId, OrgKind, OrgPath, OrgUnitId,
    PlatformId, Role, UserId,
};
use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
use rusqlite::types::{ToSqlOutput, ValueRef};
use uuid::Uuid;

/// One query parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Bool(bool),
    Text(&'a str),
    Blob(&'a [u8]),
    Uuid(Uuid),
    Time(DateTime<Utc>),
    Date(NaiveDate),
}

/// Anything that can be a query parameter.
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

/// Microseconds since the epoch: how SQLite stores a timestamp, and the precision both keep.
pub fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

pub fn from_micros(micros: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
}

macro_rules! to_value {
    ($($ty:ty => |$v:ident| $body:expr;)*) => {
        $(impl ToValue for $ty {
            fn to_value(&self) -> Value<'_> {
                let $v = self;
                $body
            }
        })*
    };
}

to_value! {
    i64 => |v| Value::Int(*v);
    i32 => |v| Value::Int(i64::from(*v));
    u32 => |v| Value::Int(i64::from(*v));
    f64 => |v| Value::Real(*v);
    bool => |v| Value::Bool(*v);
    str => |v| Value::Text(v);
    String => |v| Value::Text(v);
    [u8] => |v| Value::Blob(v);
    Vec<u8> => |v| Value::Blob(v);
    Uuid => |v| Value::Uuid(*v);
    DateTime<Utc> => |v| Value::Time(*v);
    NaiveDate => |v| Value::Date(*v);
    OrgUnitId => |v| Value::Uuid(v.uuid());
    UserId => |v| Value::Uuid(v.uuid());
    DepartmentId => |v| Value::Uuid(v.uuid());
    PlatformId => |v| Value::Uuid(v.uuid());
    CaseId => |v| Value::Uuid(v.uuid());
    CategoryId => |v| Value::Uuid(v.uuid());
    ClientId => |v| Value::Uuid(v.uuid());
    AttachmentId => |v| Value::Uuid(v.uuid());
    Role => |v| Value::Text(v.as_str());
    OrgKind => |v| Value::Text(v.as_str());
    OrgPath => |v| Value::Text(v.as_str());
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        match self {
            Some(inner) => inner.to_value(),
            None => Value::Null,
        }
    }
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Owned;
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Bool(v) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*v))),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Blob(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Value::Uuid(v) => ToSqlOutput::Owned(Owned::Blob(v.as_bytes().to_vec())),
            Value::Time(v) => ToSqlOutput::Owned(Owned::Integer(to_micros(*v))),
            Value::Date(v) => ToSqlOutput::Owned(Owned::Text(v.format("%Y-%m-%d").to_string())),
        })
    }
}

type PgResult = Result<IsNull, Box<dyn StdError + Sync + Send>>;

impl PgToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> PgResult {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => {
                    #[expect(
                        clippy::cast_precision_loss,
                        reason = "an integer compared with a float column"
                    )]
                    let as_float = *v as f64;
                    as_float.to_sql(ty, out)
                }
                _ => v.to_sql(ty, out),
            },
            Value::Real(v) => v.to_sql(ty, out),
            Value::Bool(v) => v.to_sql(ty, out),
            Value::Text(v) => {
                if *ty == Type::JSONB {
                    out.put_u8(1);
                    out.put_slice(v.as_bytes());
                    Ok(IsNull::No)
                } else if *ty == Type::JSON {
                    out.put_slice(v.as_bytes());
                    Ok(IsNull::No)
                } else {
                    v.to_sql(ty, out)
                }
            }
            Value::Blob(v) => v.to_sql(ty, out),
            Value::Uuid(v) => v.to_sql(ty, out),
            Value::Time(v) => v.to_sql(ty, out),
            Value::Date(v) if *ty == Type::TEXT || *ty == Type::VARCHAR => {
                v.format("%Y-%m-%d").to_string().to_sql(ty, out)
            }
            Value::Date(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        // The value adapts to the column type in `to_sql`; PostgreSQL still rejects a mismatch.
        true
    }

    to_sql_checked!();
}

/// Why a column could not be read as the asked-for type.
#[derive(Debug, thiserror::Error)]
#[error("column {column}: {detail}")]
pub struct ColumnError {
    pub column: usize,
    pub detail: String,
}

impl ColumnError {
    pub fn new(column: usize, detail: impl Into<String>) -> Self {
        ColumnError {
            column,
            detail: detail.into(),
        }
    }
}

/// Anything that can be read from a column of either backend.
pub trait FromColumn: Sized {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError>;
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError>;
}

/// The PostgreSQL type of a result column (`None` past the last column, which `pg_get` then
/// reports).
fn pg_type(row: &postgres::Row, column: usize) -> Option<Type> {
    row.columns().get(column).map(|c| c.type_().clone())
}

fn pg_get<'a, T: postgres::types::FromSql<'a>>(
    row: &'a postgres::Row,
    column: usize,
) -> Result<T, ColumnError> {
    row.try_get(column)
        .map_err(|error| ColumnError::new(column, error.to_string()))
}

fn sqlite_mismatch(column: usize, wanted: &str, found: ValueRef<'_>) -> ColumnError {
    ColumnError::new(
        column,
        format!("wanted {wanted}, found {:?}", found.data_type()),
    )
}

impl FromColumn for i64 {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        match value {
            ValueRef::Integer(v) => Ok(v),
            other => Err(sqlite_mismatch(column, "integer", other)),
        }
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        match pg_type(row, column) {
            Some(Type::INT2) => pg_get::<i16>(row, column).map(i64::from),
            Some(Type::INT4) => pg_get::<i32>(row, column).map(i64::from),
            _ => pg_get::<i64>(row, column),
        }
    }
}

impl FromColumn for f64 {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        match value {
            ValueRef::Real(v) => Ok(v),
            #[expect(
                clippy::cast_precision_loss,
                reason = "SQLite may store a whole float as an integer"
            )]
            ValueRef::Integer(v) => Ok(v as f64),
            other => Err(sqlite_mismatch(column, "real", other)),
        }
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        match pg_type(row, column) {
            Some(Type::FLOAT4) => pg_get::<f32>(row, column).map(f64::from),
            _ => pg_get::<f64>(row, column),
        }
    }
}

impl FromColumn for bool {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        i64::from_sqlite(value, column).map(|v| v != 0)
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        pg_get(row, column)
    }
}

impl FromColumn for String {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        match value {
            ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec())
                .map_err(|error| ColumnError::new(column, error.to_string())),
            other => Err(sqlite_mismatch(column, "text", other)),
        }
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        match pg_type(row, column) {
            Some(Type::JSONB | Type::JSON) => pg_get::<JsonText>(row, column).map(|json| json.0),
            _ => pg_get(row, column),
        }
    }
}

impl FromColumn for Vec<u8> {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        match value {
            ValueRef::Blob(bytes) => Ok(bytes.to_vec()),
            other => Err(sqlite_mismatch(column, "blob", other)),
        }
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        pg_get(row, column)
    }
}

impl FromColumn for Uuid {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        match value {
            ValueRef::Blob(bytes) => {
                Uuid::from_slice(bytes).map_err(|error| ColumnError::new(column, error.to_string()))
            }
            other => Err(sqlite_mismatch(column, "uuid blob", other)),
        }
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        pg_get(row, column)
    }
}

impl FromColumn for DateTime<Utc> {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        let micros = i64::from_sqlite(value, column)?;
        from_micros(micros).ok_or_else(|| ColumnError::new(column, "timestamp out of range"))
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        pg_get(row, column)
    }
}

impl FromColumn for NaiveDate {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        let text = String::from_sqlite(value, column)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|error| ColumnError::new(column, error.to_string()))
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        pg_get(row, column)
    }
}

impl<T: FromColumn> FromColumn for Option<T> {
    fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_sqlite(other, column).map(Some),
        }
    }
    fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
        let is_null = pg_get::<Option<RawValue>>(row, column)?.is_none();
        if is_null {
            Ok(None)
        } else {
            T::from_pg(row, column).map(Some)
        }
    }
}

/// JSON or JSONB read as its text (JSONB's binary form is a version byte, then the text).
struct JsonText(String);

impl<'a> postgres::types::FromSql<'a> for JsonText {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let text = match (*ty == Type::JSONB, raw.split_first()) {
            (true, Some((1, rest))) => rest,
            (true, _) => return Err("unknown JSONB version".into()),
            (false, _) => raw,
        };
        Ok(JsonText(std::str::from_utf8(text)?.to_owned()))
    }
    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSON || *ty == Type::JSONB
    }
}

/// Accepts any PostgreSQL value without decoding it: used to test a column for NULL.
struct RawValue;

impl<'a> postgres::types::FromSql<'a> for RawValue {
    fn from_sql(_: &Type, _: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(RawValue)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Reads a domain type through another column type and a fallible conversion.
macro_rules! from_column_via {
    ($ty:ty, $via:ty, |$v:ident| $convert:expr) => {
        impl FromColumn for $ty {
            fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
                let $v = <$via>::from_sqlite(value, column)?;
                $convert.map_err(|error| ColumnError::new(column, error.to_string()))
            }
            fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
                let $v = <$via>::from_pg(row, column)?;
                $convert.map_err(|error| ColumnError::new(column, error.to_string()))
            }
        }
    };
}

/// Identifiers read as the UUID they wrap.
macro_rules! id_from_column {
    ($($id:ident),+) => {
        $(impl FromColumn for $id {
            fn from_sqlite(value: ValueRef<'_>, column: usize) -> Result<Self, ColumnError> {
                Uuid::from_sqlite(value, column).map($id::from_uuid)
            }
            fn from_pg(row: &postgres::Row, column: usize) -> Result<Self, ColumnError> {
                Uuid::from_pg(row, column).map($id::from_uuid)
            }
        })+
    };
}

id_from_column!(
    OrgUnitId,
    UserId,
    DepartmentId,
    PlatformId,
    CaseId,
    CategoryId,
    ClientId,
    AttachmentId
);
from_column_via!(Role, String, |v| Role::parse(&v));
from_column_via!(OrgPath, String, |v| OrgPath::parse(&v));
from_column_via!(OrgKind, String, |v| OrgKind::parse(&v)
    .ok_or_else(|| format!("unknown organisation kind {v:?}")));
