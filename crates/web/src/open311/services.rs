//! Discovery, the service list (the leaf categories open to the public, grouped by their
//! class, with keywords) and service definitions (the category's questions as attributes).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use jiedao_core::question::Question;
use jiedao_core::{RefusalKind, i18n};
use jiedao_store::categories::{Catalog, CategoryEntry};
use serde::Deserialize;

use super::reply::{Format, Open311Error, Reply, Value};
use super::{BASE, Call, jurisdiction};
use crate::AppState;

/// When this interface last changed in a way clients would notice.
const CHANGESET: &str = "2026-11-22T00:00:00+08:00";

/// The extensions to GeoReport v2 this server takes, announced in discovery.
pub const EXTENSIONS: [&str; 6] = [
    "page",
    "page_size",
    "updated_after",
    "updated_before",
    "extensions",
    "servicerequestupdates",
];

#[derive(Debug, Default, Deserialize)]
pub struct JurisdictionQuery {
    pub jurisdiction_id: Option<String>,
}

/// `GET /open311/v2/{discovery|services|requests|servicerequestupdates}.{json|xml}`.
pub async fn top(
    State(app): State<AppState>,
    call: Call,
    Path(file): Path<String>,
    query: axum::extract::RawQuery,
) -> Result<Response, Open311Error> {
    let Some((name, format)) = Format::split(&file) else {
        return Err(call.error(RefusalKind::NotFound, Format::Json, "open311.no_such_path"));
    };
    call.limit(&app, format, None)?;
    let pairs = super::requests::query_pairs(query.0.as_deref());
    let jurisdiction_id = pairs
        .iter()
        .find(|(k, _)| k == "jurisdiction_id")
        .map(|(_, v)| v.as_str());
    match name {
        "discovery" => Ok(discovery(&call, format).into_response()),
        "services" => {
            jurisdiction(&app, &call, format, jurisdiction_id).await?;
            Ok(services(&app, &call, format).into_response())
        }
        "requests" => super::requests::list(&app, &call, format, &pairs).await,
        "servicerequestupdates" => super::requests::updates(&app, &call, format, &pairs).await,
        _ => Err(call.error(RefusalKind::NotFound, format, "open311.no_such_path")),
    }
}

fn discovery(call: &Call, format: Format) -> Reply {
    let endpoint = Value::Record(vec![
        (
            "specification",
            Value::text("http://wiki.open311.org/GeoReport_v2"),
        ),
        ("url", Value::text(format!("{}{BASE}", call.origin))),
        ("changeset", Value::text(CHANGESET)),
        ("type", Value::text("production")),
        (
            "formats",
            Value::List(
                "format",
                vec![Value::text("text/xml"), Value::text("application/json")],
            ),
        ),
        (
            "extensions",
            Value::List(
                "extension",
                EXTENSIONS.iter().map(|e| Value::text(*e)).collect(),
            ),
        ),
    ]);
    Reply::ok(
        format,
        "discovery",
        Value::Record(vec![
            ("changeset", Value::text(CHANGESET)),
            (
                "contact",
                Value::text(i18n::text(call.lang, "open311.contact")),
            ),
            (
                "key_service",
                Value::text(i18n::text(call.lang, "open311.key_service")),
            ),
            ("endpoints", Value::List("endpoint", vec![endpoint])),
        ]),
    )
}

/// The class a leaf belongs to (its parent's name), Open311's `group`.
fn group(catalog: &Catalog, entry: &CategoryEntry, call: &Call) -> String {
    entry
        .parent
        .and_then(|id| catalog.get(id))
        .map(|parent| parent.name_in(call.lang).to_owned())
        .unwrap_or_default()
}

fn services(app: &AppState, call: &Call, format: Format) -> Reply {
    let catalog = app.store.catalog();
    let items = catalog
        .leaves(true)
        .filter(|e| e.active)
        .map(|entry| {
            let settings = &entry.settings;
            let limit = &settings.limits.case;
            Value::Record(vec![
                ("service_code", Value::text(&entry.code)),
                ("service_name", Value::text(entry.name_in(call.lang))),
                (
                    "description",
                    Value::text(if settings.filing_condition.is_empty() {
                        entry.name_in(call.lang).to_owned()
                    } else {
                        settings.filing_condition.clone()
                    }),
                ),
                ("metadata", Value::Flag(!settings.questions.is_empty())),
                ("type", Value::text("realtime")),
                ("keywords", Value::text(settings.keywords.join(","))),
                ("group", Value::text(group(&catalog, entry, call))),
                (
                    "service_notice",
                    Value::text(i18n::format(
                        call.lang,
                        "open311.service_notice",
                        &[(
                            "limit",
                            format!(
                                "{} {}",
                                limit.amount_text(),
                                i18n::text(call.lang, limit.unit.label_key())
                            ),
                        )],
                    )),
                ),
            ])
        })
        .collect();
    Reply::ok(format, "services", Value::List("service", items))
}

fn attribute(question: &Question, order: usize, call: &Call) -> Value {
    Value::Record(vec![
        ("variable", Value::Flag(question.variable)),
        ("code", Value::text(&question.code)),
        ("datatype", Value::text(question.datatype.as_str())),
        ("required", Value::Flag(question.required)),
        ("datatype_description", Value::Nothing),
        (
            "order",
            Value::Integer(i64::try_from(order).unwrap_or(i64::MAX)),
        ),
        (
            "description",
            Value::text(question.description_in(call.lang)),
        ),
        (
            "values",
            Value::List(
                "value",
                question
                    .values
                    .iter()
                    .map(|choice| {
                        Value::Record(vec![
                            ("key", Value::text(&choice.key)),
                            ("name", Value::text(choice.name_in(call.lang))),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

/// `GET /open311/v2/services/{code}.{json|xml}`: the category's questions.
pub async fn definition(
    State(app): State<AppState>,
    call: Call,
    Path(file): Path<String>,
    Query(query): Query<JurisdictionQuery>,
) -> Result<Response, Open311Error> {
    let Some((code, format)) = Format::split(&file) else {
        return Err(call.error(RefusalKind::NotFound, Format::Json, "open311.no_such_path"));
    };
    call.limit(&app, format, None)?;
    jurisdiction(&app, &call, format, query.jurisdiction_id.as_deref()).await?;
    let catalog = app.store.catalog();
    let entry = catalog
        .by_code(code)
        .filter(|e| e.is_leaf && e.active && e.settings.public)
        .ok_or_else(|| call.error(RefusalKind::NotFound, format, "open311.no_service"))?;
    let attributes = entry
        .settings
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| attribute(q, i + 1, &call))
        .collect();
    Ok(Reply::ok(
        format,
        "service_definition",
        Value::Record(vec![
            ("service_code", Value::text(&entry.code)),
            ("attributes", Value::List("attribute", attributes)),
        ]),
    )
    .into_response())
}
