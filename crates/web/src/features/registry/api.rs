//! `/api/v1/registry/...`: the registry as the pages allow and no more: persons masked (found
//! by name prefix, address, the whole ID number or phone, a tag), one person's file, the
//! audited reveal, adding a person, places, office buildings with their tax bands, enterprises,
//! and naming a registry record in a case.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use jiedao_core::RefusalKind;
use jiedao_core::registry::{DocumentKind, TaxBands};
use jiedao_store::registry::enterprises::{self, FindEnterprise};
use jiedao_store::registry::links;
use jiedao_store::registry::persons::{self, Find, NewPerson, PersonRow};
use jiedao_store::registry::places::{self, PlaceQuery};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiError, Body, ErrorBody, Params, Staff};

/// A person, masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: String,
    pub name: String,
    /// `resident_id`, `passport`…
    pub document_kind: String,
    /// Masked: `330106********1234`.
    pub document: String,
    /// Masked: `138****1234`.
    pub phone: Option<String>,
    /// `male` or `female`, from the ID number.
    pub sex: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub address: Option<String>,
    pub household: Option<String>,
    /// Codes of the tags in force that the caller may see.
    pub tags: Vec<String>,
}

impl From<PersonRow> for PersonView {
    fn from(p: PersonRow) -> Self {
        PersonView {
            id: p.id.to_string(),
            name: p.name,
            document_kind: p.document_kind,
            document: p.document,
            phone: p.phone,
            sex: p.sex,
            birth_date: p.birth_date,
            address: p.address,
            household: p.household,
            tags: p.tags,
        }
    }
}

/// How to find persons: one of the search fields (the first given wins).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// Names starting with this.
    pub name: Option<String>,
    /// The whole document number.
    pub document: Option<String>,
    /// The whole phone number.
    pub phone: Option<String>,
    /// Part of the address.
    pub address: Option<String>,
    /// A tag code in force today.
    pub tag: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

fn scoped(lang: jiedao_core::Lang) -> impl Fn(jiedao_store::StoreError) -> ApiError {
    move |error| ApiError::from_store(error, lang)
}

fn id_of(text: &str, lang: jiedao_core::Lang) -> Result<Uuid, ApiError> {
    text.parse()
        .map_err(|_| ApiError::new(RefusalKind::NotFound, "not_found", lang, "api.no_record"))
}

/// The persons within the caller's reach, masked.
#[utoipa::path(get, path = "/api/v1/registry/persons", tag = "registry", params(PersonQuery),
    responses(
        (status = 200, description = "Persons, masked", body = Vec<PersonView>),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the registry, or the tag", body = ErrorBody),
        (status = 422, description = "A phone that does not read", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn persons(
    State(app): State<AppState>,
    me: Staff,
    Params(query): Params<PersonQuery>,
) -> Result<Json<Vec<PersonView>>, ApiError> {
    let find = if let Some(name) = query.name {
        Find::NamePrefix(name)
    } else if let Some(document) = query.document {
        Find::Document(document)
    } else if let Some(phone) = query.phone {
        Find::Phone(phone)
    } else if let Some(address) = query.address {
        Find::Address(address)
    } else if let Some(tag) = query.tag {
        Find::Tag(tag)
    } else {
        Find::All
    };
    let (scope, today) = (me.principal.scope(), app.store.now().date_naive());
    let (limit, offset) = (query.limit.unwrap_or(50), query.offset.unwrap_or(0));
    let found = app
        .store
        .read(move |conn| persons::search(conn, &scope, &find, today, limit, offset))
        .await
        .map_err(scoped(me.lang))?;
    Ok(Json(found.into_iter().map(PersonView::from).collect()))
}

/// A new person.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub name: String,
    /// `resident_id` (the default), `hk_macao_taiwan_residence`, `hk_macao_permit`,
    /// `taiwan_permit`, `foreign_permanent_resident`, `passport`.
    pub document_kind: Option<String>,
    pub document: String,
    pub phone: Option<String>,
    /// The id of the house (a room) they live in …
    pub house: Option<String>,
    /// … or the code of their community.
    pub community: Option<String>,
    pub household: Option<String>,
    pub moved_in: Option<NaiveDate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: String,
}

/// Adds a person to the registry.
#[utoipa::path(post, path = "/api/v1/registry/persons", tag = "registry", request_body = PersonBody,
    responses(
        (status = 201, description = "Added", body = Created),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not keep the registry, there", body = ErrorBody),
        (status = 404, description = "The house named is not in the registry", body = ErrorBody),
        (status = 409, description = "The document is already in the registry", body = ErrorBody),
        (status = 422, description = "Refused, with the reason (a check digit…)", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn add_person(
    State(app): State<AppState>,
    me: Staff,
    Body(body): Body<PersonBody>,
) -> Result<Response, ApiError> {
    let lang = me.lang;
    let document_kind = match body.document_kind.as_deref() {
        None => DocumentKind::ResidentId,
        Some(text) => {
            DocumentKind::parse(text).ok_or_else(|| ApiError::bad_request(lang, "document_kind"))?
        }
    };
    let house = body.house.as_deref().map(|h| id_of(h, lang)).transpose()?;
    let new = NewPerson {
        name: body.name,
        document_kind,
        document: body.document,
        phone: body.phone,
        house,
        community: body.community,
        household: body.household,
        moved_in: body.moved_in,
    };
    let (principal, at) = (me.principal.clone(), app.store.now());
    let id = app
        .store
        .write(move |conn| persons::add(conn, &principal, at, None, &new))
        .await
        .map_err(scoped(lang))?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })).into_response())
}

/// A stay at a place.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StayView {
    pub place: String,
    pub address: String,
    /// `resident`, `owner`, `landlord` or `tenant`.
    pub role: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// A case naming the person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseLink {
    pub id: String,
    pub number: String,
    pub state: String,
}

/// A person's file (一人一档), masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonFile {
    pub person: PersonView,
    pub stays: Vec<StayView>,
    pub cases: Vec<CaseLink>,
}

/// One person's file: who they are (masked), where they lived, the cases naming them.
#[utoipa::path(get, path = "/api/v1/registry/persons/{id}", tag = "registry",
    params(("id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person's file", body = PersonFile),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the registry", body = ErrorBody),
        (status = 404, description = "No such person within reach", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn person(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
) -> Result<Json<PersonFile>, ApiError> {
    let lang = me.lang;
    let id = id_of(&id, lang)?;
    let (principal, today) = (me.principal.clone(), app.store.now().date_naive());
    let (person, stays, cases) = app
        .store
        .read(move |conn| {
            let person = persons::get(conn, &principal.scope(), id, today)?;
            Ok((
                person,
                places::stays_of(conn, id)?,
                links::cases_naming(conn, &principal, id)?,
            ))
        })
        .await
        .map_err(scoped(lang))?;
    Ok(Json(PersonFile {
        person: person.into(),
        stays: stays
            .into_iter()
            .map(|s| StayView {
                place: s.place_id.to_string(),
                address: s.address,
                role: s.role,
                from: s.from,
                to: s.to,
            })
            .collect(),
        cases: cases
            .into_iter()
            .map(|c| CaseLink {
                id: c.id.to_string(),
                number: c.number,
                state: c.state,
            })
            .collect(),
    }))
}

/// A person's whole document number and phone.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevealedView {
    pub document: String,
    pub phone: Option<String>,
}

/// The whole document number and phone, for a role that needs them; written to the audit log.
#[utoipa::path(post, path = "/api/v1/registry/persons/{id}/reveal", tag = "registry",
    params(("id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The whole values (the view is logged)", body = RevealedView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see whole numbers", body = ErrorBody),
        (status = 404, description = "No such person within reach", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn reveal(
    State(app): State<AppState>,
    me: Staff,
    Path(id): Path<String>,
) -> Result<Json<RevealedView>, ApiError> {
    let lang = me.lang;
    let id = id_of(&id, lang)?;
    let (principal, at) = (me.principal.clone(), app.store.now());
    let whole = app
        .store
        .write(move |conn| persons::reveal(conn, &principal, id, at, None))
        .await
        .map_err(scoped(lang))?;
    Ok(Json(RevealedView {
        document: whole.document,
        phone: whole.phone,
    }))
}

/// A place.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlaceView {
    pub id: String,
    /// `estate`, `building`, `unit` or `room`.
    pub kind: String,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub rented: bool,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceParams {
    /// Part of the address.
    pub address: Option<String>,
    /// Only houses let (出租房屋).
    pub rented: Option<bool>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// Places within reach, by address.
#[utoipa::path(get, path = "/api/v1/registry/places", tag = "registry", params(PlaceParams),
    responses(
        (status = 200, description = "Places", body = Vec<PlaceView>),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the registry", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn places(
    State(app): State<AppState>,
    me: Staff,
    Params(query): Params<PlaceParams>,
) -> Result<Json<Vec<PlaceView>>, ApiError> {
    let scope = me.principal.scope();
    let search = PlaceQuery {
        address: query.address,
        rented: query.rented.filter(|r| *r),
        limit: query.limit.unwrap_or(50),
        offset: query.offset.unwrap_or(0),
        ..PlaceQuery::default()
    };
    let found = app
        .store
        .read(move |conn| places::search(conn, &scope, &search))
        .await
        .map_err(scoped(me.lang))?;
    Ok(Json(
        found
            .into_iter()
            .map(|p| PlaceView {
                id: p.id.to_string(),
                kind: p.kind.as_str().to_owned(),
                address: p.address,
                lon: p.lon,
                lat: p.lat,
                rented: p.rented,
            })
            .collect(),
    ))
}

/// An office building (楼宇) with a year's tax.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BuildingView {
    pub id: String,
    pub name: String,
    pub floors: Option<i64>,
    pub area_m2: Option<f64>,
    pub enterprises: i64,
    /// Tax paid in the year, in fen.
    pub tax_fen: i64,
    /// `hundred_million` (亿元楼), `ten_million` (千万元楼) or none.
    pub band: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The tax year (last year when not given).
    pub year: Option<i32>,
}

/// Office buildings within reach with a year's tax and band, most tax first.
#[utoipa::path(get, path = "/api/v1/registry/buildings", tag = "registry", params(YearParams),
    responses(
        (status = 200, description = "Buildings", body = Vec<BuildingView>),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the registry", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn buildings(
    State(app): State<AppState>,
    me: Staff,
    Params(query): Params<YearParams>,
) -> Result<Json<Vec<BuildingView>>, ApiError> {
    let scope = me.principal.scope();
    let year = query
        .year
        .unwrap_or_else(|| app.store.now().date_naive().year() - 1);
    let found = app
        .store
        .read(move |conn| places::buildings(conn, &scope, year, &TaxBands::default()))
        .await
        .map_err(scoped(me.lang))?;
    Ok(Json(
        found
            .into_iter()
            .map(|b| BuildingView {
                id: b.id.to_string(),
                name: b.name,
                floors: b.floors,
                area_m2: b.area_m2,
                enterprises: b.enterprises,
                tax_fen: b.tax.fen(),
                band: b.band.map(|band| {
                    match band {
                        jiedao_core::registry::TaxBand::HundredMillion => "hundred_million",
                        jiedao_core::registry::TaxBand::TenMillion => "ten_million",
                    }
                    .to_owned()
                }),
            })
            .collect(),
    ))
}

/// An enterprise.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnterpriseView {
    pub id: String,
    pub credit_code: String,
    pub name: String,
    /// GB/T 4754 code.
    pub industry: String,
    pub capital_fen: i64,
    pub building: Option<String>,
    pub floor: Option<i64>,
    pub moved_in: Option<NaiveDate>,
    pub moved_out: Option<NaiveDate>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseParams {
    /// Names starting with this.
    pub name: Option<String>,
    /// The whole unified social credit code.
    pub credit_code: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// Enterprises within reach.
#[utoipa::path(get, path = "/api/v1/registry/enterprises", tag = "registry", params(EnterpriseParams),
    responses(
        (status = 200, description = "Enterprises", body = Vec<EnterpriseView>),
        (status = 400, description = "The query does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the registry", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn enterprises(
    State(app): State<AppState>,
    me: Staff,
    Params(query): Params<EnterpriseParams>,
) -> Result<Json<Vec<EnterpriseView>>, ApiError> {
    let scope = me.principal.scope();
    let find = match (query.credit_code, query.name) {
        (Some(code), _) => FindEnterprise::CreditCode(code),
        (None, Some(name)) => FindEnterprise::NamePrefix(name),
        (None, None) => FindEnterprise::All,
    };
    let (limit, offset) = (query.limit.unwrap_or(50), query.offset.unwrap_or(0));
    let found = app
        .store
        .read(move |conn| enterprises::search(conn, &scope, &find, limit, offset))
        .await
        .map_err(scoped(me.lang))?;
    Ok(Json(
        found
            .into_iter()
            .map(|e| EnterpriseView {
                id: e.id.to_string(),
                credit_code: e.credit_code,
                name: e.name,
                industry: e.industry,
                capital_fen: e.capital.fen(),
                building: e.building,
                floor: e.floor,
                moved_in: e.moved_in,
                moved_out: e.moved_out,
            })
            .collect(),
    ))
}

/// A case naming a registry record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The case's number.
    pub case: String,
    /// `person`, `place`, `enterprise` or `component`.
    pub kind: String,
    /// The record's id.
    pub record: String,
}

/// Names a person, place, enterprise or component in a case.
#[utoipa::path(post, path = "/api/v1/registry/links", tag = "registry", request_body = LinkBody,
    responses(
        (status = 204, description = "Named"),
        (status = 400, description = "The body does not read", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not see the registry", body = ErrorBody),
        (status = 404, description = "No such case or record within reach", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn link(
    State(app): State<AppState>,
    me: Staff,
    Body(body): Body<LinkBody>,
) -> Result<StatusCode, ApiError> {
    let lang = me.lang;
    let record = id_of(&body.record, lang)?;
    let (principal, at) = (me.principal.clone(), app.store.now());
    app.store
        .write(move |conn| {
            links::link_by_number(conn, &principal, at, None, &body.case, &body.kind, record)
        })
        .await
        .map_err(scoped(lang))?;
    Ok(StatusCode::NO_CONTENT)
}
