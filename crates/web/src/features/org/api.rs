//! The organisation units and the handling departments within the caller's reach, for staff
//! systems.

use axum::Json;
use axum::extract::State;
use jiedao_core::{OrgKind, i18n};
use jiedao_store::{departments, org};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{ApiError, ErrorBody, Params, Staff};

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

/// A handling department (处置部门): what dispatch and redispatch name by its id, code or name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    pub id: String,
    /// A short code unique in its street, if it has one.
    pub code: Option<String>,
    pub name: String,
    /// office, stationed or community
    pub kind: String,
    pub kind_label: String,
    pub street_id: String,
    pub street_name: String,
    /// Its platforms in the active set, by name …
    pub platforms: Vec<String>,
    /// … and as `SET:PLATFORM` codes.
    pub platform_codes: Vec<String>,
}

/// The departments in use within the caller's reach and of the street above it, by street.
#[utoipa::path(get, path = "/api/v1/departments", tag = "reference",
    responses(
        (status = 200, description = "The departments", body = Vec<DepartmentView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the organisation", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn departments(
    State(app): State<AppState>,
    me: Staff,
) -> Result<Json<Vec<DepartmentView>>, ApiError> {
    let lang = me.lang;
    let scope = me.principal.scope();
    let found = app
        .store
        .read(move |conn| departments::list(conn, &scope))
        .await
        .map_err(|error| ApiError::from_store(error, lang))?;
    Ok(Json(
        found
            .into_iter()
            .map(|d| DepartmentView {
                id: d.id.to_string(),
                code: d.code,
                name: d.name,
                kind: d.kind.as_str().to_owned(),
                kind_label: i18n::text(lang, d.kind.label_key()).to_owned(),
                street_id: d.street_id.to_string(),
                street_name: d.street_name,
                platforms: d.platforms,
                platform_codes: d.platform_codes,
            })
            .collect(),
    ))
}
