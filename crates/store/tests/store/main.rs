//! Store scenarios, each run on SQLite and on PostgreSQL (when TEST_PG_URL is set).
#![expect(
    clippy::expect_used,
    reason = "scenarios panic with a message when a step fails"
)]
#![expect(
    clippy::indexing_slicing,
    reason = "a test indexes what it has just asserted is there; a panic fails it"
)]

mod cases;
mod disputes;
mod durable;
mod economy;
mod foundation;
mod inspections;
mod jobs;
mod maps;
mod petitions;
mod reference;
mod registry;
mod stats;
