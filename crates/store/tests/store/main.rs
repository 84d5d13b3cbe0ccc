//! Store scenarios, each run on SQLite and on PostgreSQL (when TEST_PG_URL is set).
#![expect(
    clippy::expect_used,
    reason = "scenarios panic with a message when a step fails"
)]

mod cases;
mod durable;
mod foundation;
mod jobs;
mod stats;
