//! The database layer: one query interface over SQLite and PostgreSQL, a pool of readers, the
//! group-commit writer with its log syncer, and migrations.

pub mod checkpointer;
pub mod conn;
pub mod migrate;
pub mod open;
pub mod pool;
pub mod syncer;
pub mod value;
pub mod writer;

pub use conn::{Backend, Conn, Row};
pub use open::{ConnectOptions, Durability, Location};
pub use value::{FromColumn, Json, ToValue, Value};
