//! The database layer: one query interface over SQLite and PostgreSQL, a pool of readers, the
//! group-commit writer with its log syncer, and migrations. Private to the store: other crates
//! see only [`Backend`], [`Conn`] (opaque), [`Durability`] and [`Location`], re-exported at
//! the crate root.

pub(crate) mod checkpointer;
pub(crate) mod conn;
pub(crate) mod migrate;
pub(crate) mod open;
pub(crate) mod pool;
pub(crate) mod syncer;
pub(crate) mod value;
pub(crate) mod writer;

pub use conn::{Backend, Conn, Row};
pub use open::{Durability, Location};
pub(crate) use value::ToValue;
