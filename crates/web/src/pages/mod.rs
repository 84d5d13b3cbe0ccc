//! The pages, one module per feature.

pub mod audit;
pub mod home;
pub mod lang;
pub mod login;
pub mod org;
pub mod users;
