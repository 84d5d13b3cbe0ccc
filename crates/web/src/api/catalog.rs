//! Reference data for staff systems: the category tree with each leaf's settings and
//! questions, and the organisation units within the caller's reach.

use axum::Json;
use axum::extract::State;
use jiedao_core::category::limit_text;
use jiedao_core::{OrgKind, i18n};
use jiedao_store::org;
use serde::{Deserialize, Serialize};

use super::{ApiError, ErrorBody, Params, Staff};
use crate::AppState;

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

/// An organisation unit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    pub id: String,
    /// The region or grid code.
    pub code: String,
    /// district, street, community, grid or micro_grid
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    /// The materialised path of codes, e.g. `/330106/330106008/`.
    pub path: String,
    pub area_m2: Option<f64>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// Only units of this kind: district, street, community, grid or micro_grid.
    pub kind: Option<String>,
}

/// The units within the caller's reach, in tree order.
#[utoipa::path(get, path = "/api/v1/org", tag = "reference", params(OrgQuery),
    responses(
        (status = 200, description = "The units", body = Vec<UnitView>),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the organisation", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn org(
    State(app): State<AppState>,
    me: Staff,
    Params(query): Params<OrgQuery>,
) -> Result<Json<Vec<UnitView>>, ApiError> {
    let lang = me.lang;
    let kind = match query.kind.as_deref() {
        Some(text) => {
            Some(OrgKind::parse(text).ok_or_else(|| ApiError::bad_request(lang, "kind"))?)
        }
        None => None,
    };
    let scope = me.principal.scope();
    let units = app
        .store
        .read(move |conn| org::list(conn, &scope, kind))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(
        units
            .into_iter()
            .map(|unit| UnitView {
                id: unit.id.to_string(),
                kind_label: i18n::text(lang, unit.kind.label_key()).to_owned(),
                kind: unit.kind.as_str().to_owned(),
                code: unit.code,
                name: unit.name,
                path: unit.path.as_str().to_owned(),
                area_m2: unit.area_m2,
            })
            .collect(),
    ))
}
