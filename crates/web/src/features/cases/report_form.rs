//! The report form (report.html) that staff, grid workers and residents each see in their
//! version, what was typed when it comes back refused, and the fields every channel shares.

use askama::Template;
use jiedao_core::CategoryId;

use crate::AppState;
use crate::failure::Failure;
use crate::upload::FormData;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused};
use crate::widgets::map::Viewer;

/// The report form, as staff, grid workers and residents each see it.
#[derive(Template)]
#[template(path = "cases/report.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub action: String,
    pub error: Option<Refused>,
    pub categories: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub urgencies: Vec<Choice>,
    pub communities: Vec<Choice>,
    pub values: FormValues,
    /// Staff take the reporter's name and phone; residents may give theirs or stay anonymous.
    pub ask_reporter: bool,
    pub ask_anonymity: bool,
    pub hint: &'static str,
    /// The grids to tap the place on, when they are drawn.
    pub pick_map: Option<String>,
}

/// The map a reporter taps the place on: the grids `viewer` may see.
pub async fn pick_map(
    app: &AppState,
    viewer: Viewer,
    tr: crate::tr::Tr,
) -> Result<Option<String>, Failure> {
    let areas = app.areas.get(&app.store, viewer).await?;
    Ok(crate::widgets::map::picker(&areas, tr.t("form.tap_map")))
}

/// What was typed, kept when the form comes back with an error.
#[derive(Debug, Default, Clone)]
pub struct FormValues {
    pub description: String,
    pub address: String,
    pub lon: String,
    pub lat: String,
    pub name: String,
    pub phone: String,
}

impl FormValues {
    pub fn from(form: &FormData) -> FormValues {
        FormValues {
            description: form.text("description"),
            address: form.text("address"),
            lon: form.text("lon"),
            lat: form.text("lat"),
            name: form.text("name"),
            phone: form.text("phone"),
        }
    }
}

/// The parts of a report form every channel shares.
pub fn read_common(
    form: &FormData,
) -> (
    Option<CategoryId>,
    String,
    Option<f64>,
    Option<f64>,
    Option<String>,
) {
    (
        form.optional("category").and_then(|c| c.parse().ok()),
        form.text("description"),
        form.number("lon"),
        form.number("lat"),
        form.optional("address"),
    )
}
