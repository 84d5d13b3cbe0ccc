//! The report form (report.html) that staff, grid workers and residents each see in their
//! version, what was typed when it comes back refused, and the fields every channel shares:
//! among them the questions a category asks (the same the API and Open311 take), one set per
//! category, shown for the category chosen (`report.js`; all of them without script).

use std::collections::BTreeMap;

use askama::Template;
use jiedao_core::CategoryId;
use jiedao_core::clock::CHINA;
use jiedao_core::question::{Datatype, Question};
use jiedao_store::cases::{Answers, Sent};
use jiedao_store::categories::Catalog;

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
    /// The map to tap the place on, when there is one to draw.
    pub pick_map: Option<crate::widgets::webmap::Embedded>,
    /// The questions of the categories that ask any.
    pub questions: Vec<QuestionSet>,
    /// The form waits in the phone's queue while offline (grid workers), named this there.
    pub queue: Option<&'static str>,
    /// Open reports near the place are listed as it is chosen (residents).
    pub nearby: bool,
}

/// The questions one category asks, as the form shows them.
pub struct QuestionSet {
    /// The category's id, as the category list sends it.
    pub category: String,
    /// Says which category the questions are for.
    pub legend: String,
    /// Questions that take no answer: what the reporter is told.
    pub notices: Vec<String>,
    pub fields: Vec<QuestionField>,
}

/// One question as an input.
pub struct QuestionField {
    /// `answer[{category code}][{question code}]`
    pub name: String,
    pub label: String,
    /// text, number, datetime, area, select or checks
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<Choice>,
}

/// The question sets of every category a reporter may choose (the public ones only for
/// residents), in the reader's language.
pub fn question_sets(catalog: &Catalog, tr: crate::tr::Tr, public_only: bool) -> Vec<QuestionSet> {
    let lang = tr.lang();
    catalog
        .leaves(public_only)
        .filter(|entry| entry.active && !entry.settings.questions.is_empty())
        .map(|entry| {
            let (asked, told): (Vec<&Question>, Vec<&Question>) =
                entry.settings.questions.iter().partition(|q| q.variable);
            QuestionSet {
                category: entry.id.to_string(),
                legend: tr.f(
                    "form.questions_for",
                    &[("category", entry.name_in(lang).to_owned())],
                ),
                notices: told
                    .iter()
                    .map(|q| q.description_in(lang).to_owned())
                    .collect(),
                fields: asked
                    .into_iter()
                    .map(|question| QuestionField {
                        name: format!("answer[{}][{}]", entry.code, question.code),
                        label: question.description_in(lang).to_owned(),
                        kind: match question.datatype {
                            Datatype::String => "text",
                            Datatype::Number => "number",
                            Datatype::Datetime => "datetime",
                            Datatype::Text => "area",
                            Datatype::SingleValueList => "select",
                            Datatype::MultiValueList => "checks",
                        },
                        required: question.required,
                        options: question
                            .values
                            .iter()
                            .map(|choice| Choice::new(&choice.key, choice.name_in(lang), false))
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The answers sent for the category chosen (the other sets' fields are ignored), for the
/// store to check as it checks every face's. A time typed in the form's date-and-time field
/// has no zone: it is China's.
pub fn read_answers(form: &FormData, catalog: &Catalog, category: Option<CategoryId>) -> Sent {
    let Some(entry) = category.and_then(|id| catalog.get(id)) else {
        return Sent::default();
    };
    let prefix = format!("answer[{}][", entry.code);
    let mut given: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in &form.pairs {
        let Some(code) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(']'))
        else {
            continue;
        };
        let datetime = entry
            .settings
            .questions
            .iter()
            .any(|q| q.code == code && q.datatype == Datatype::Datetime);
        let value = match chrono::NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M") {
            Ok(local) if datetime => local
                .and_local_timezone(CHINA)
                .single()
                .map_or_else(|| value.clone(), |at| at.to_rfc3339()),
            _ => value.clone(),
        };
        given.entry(code.to_owned()).or_default().push(value);
    }
    Sent {
        answers: Answers::Given(given),
        ..Sent::default()
    }
}

/// The map a reporter taps the place on: the base map and the grids `viewer` may see.
pub async fn pick_map(
    app: &AppState,
    viewer: Viewer,
    tr: crate::tr::Tr,
) -> Result<Option<crate::widgets::webmap::Embedded>, Failure> {
    let drawing = |areas: &[crate::widgets::map::Area]| {
        crate::widgets::map::picker(areas, tr.t("form.tap_map"))
    };
    crate::widgets::webmap::embed(app, viewer, crate::widgets::webmap::Mode::Pick, drawing, tr)
        .await
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
