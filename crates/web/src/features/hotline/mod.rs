//! Importing 12345 work orders from a spreadsheet (12345工单导入) and following the import.

pub mod pages;

use axum::routing::get;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/import/hotline", get(pages::form).post(pages::submit))
        .page("/import/jobs/{id}", get(pages::job))
}
