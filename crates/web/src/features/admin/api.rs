//! The category tree (事项分类) for staff systems: each leaf's settings and questions.

use axum::Json;
use axum::extract::State;
use jiedao_core::category::limit_text;
use serde::Serialize;

use crate::AppState;
use crate::api::{ErrorBody, Staff};

/// One allowed answer of a list question.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChoiceView {
    pub key: String,
    pub name: String,
}

/// A question a category asks reporters (Open311's attribute).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionView {
    pub code: String,
    /// string, number, datetime, text, singlevaluelist or multivaluelist
    pub datatype: String,
    pub required: bool,
    pub variable: bool,
    pub description: String,
    pub values: Vec<ChoiceView>,
}

/// A category (事项分类).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub parent: Option<String>,
    pub leaf: bool,
    pub active: bool,
    /// Residents and Open311 clients may choose it.
    pub public: bool,
    pub urgency: String,
    /// The whole case's time limit, e.g. `5 work_days`.
    pub case_limit: String,
    pub keywords: Vec<String>,
    pub questions: Vec<QuestionView>,
}

/// The category tree, parents before children.
#[utoipa::path(get, path = "/api/v1/categories", tag = "reference",
    responses(
        (status = 200, description = "Every category", body = Vec<CategoryView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn categories(State(app): State<AppState>, me: Staff) -> Json<Vec<CategoryView>> {
    let catalog = app.store.catalog();
    let views = catalog
        .all()
        .iter()
        .map(|entry| {
            let settings = &entry.settings;
            CategoryView {
                id: entry.id.to_string(),
                code: entry.code.clone(),
                name: entry.name.clone(),
                name_en: entry.name_en.clone(),
                parent: entry
                    .parent
                    .and_then(|id| catalog.get(id))
                    .map(|p| p.code.clone()),
                leaf: entry.is_leaf,
                active: entry.active,
                public: settings.public,
                urgency: settings.urgency.as_str().to_owned(),
                case_limit: limit_text(&settings.limits.case),
                keywords: settings.keywords.clone(),
                questions: settings
                    .questions
                    .iter()
                    .map(|q| QuestionView {
                        code: q.code.clone(),
                        datatype: q.datatype.as_str().to_owned(),
                        required: q.required,
                        variable: q.variable,
                        description: q.description_in(me.lang).to_owned(),
                        values: q
                            .values
                            .iter()
                            .map(|c| ChoiceView {
                                key: c.key.clone(),
                                name: c.name_in(me.lang).to_owned(),
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    Json(views)
}
