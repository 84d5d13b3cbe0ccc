//! The one integration-test binary of the `jiedao` crate: black-box tests through HTTP and
//! through the command line.
#![expect(
    clippy::expect_used,
    reason = "tests panic with a message when a step fails"
)]
#![expect(
    clippy::indexing_slicing,
    reason = "a test indexes what it has just asserted is there; a panic fails it"
)]

mod accounts;
mod api;
mod authorization;
mod browser;
mod cases;
mod cli;
mod disputes;
mod economy;
mod faces;
mod figures;
mod hardening;
mod http;
mod interop;
mod live;
mod maps;
mod open311;
mod open311_clients;
mod petitions;
mod phone_pages;
mod phones;
mod privacy;
mod refusals;
mod registry;
mod setup;
mod sql;
mod stats;
mod support;
