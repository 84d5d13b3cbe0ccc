//! The pages, one module per feature.

pub mod admin;
pub mod apidocs;
pub mod attachments;
pub mod audit;
pub mod boundaries;
pub mod cases;
pub mod dashboard;
pub mod home;
pub mod hotline;
pub mod inbox;
pub mod lang;
pub mod login;
pub mod map;
pub mod org;
pub mod platforms;
pub mod public;
pub mod stats;
pub mod users;
pub mod visits;
