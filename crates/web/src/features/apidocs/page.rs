//! The API reference (`/api/docs`): the OpenAPI document rendered as pages people read —
//! every operation with its parameters, body and answers, then every type's fields. Drawn
//! from the same document `/api/openapi.json` serves, so the two always agree.

use std::sync::Arc;

use askama::Template;
use axum::response::Response;
use axum::{Extension, Json};
use serde_json::Value;
use utoipa::openapi::OpenApi;

use crate::context::Ctx;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Row, Table};

/// One titled table of the reference.
struct Section {
    title: String,
    anchor: String,
    table: Table,
}

#[derive(Template)]
#[template(path = "apidocs/apidocs.html")]
struct ApiDocsPage {
    chrome: Chrome,
    sections: Vec<Section>,
}

/// A schema's name from `#/components/schemas/Name`, or its type written out.
fn type_of(schema: &Value) -> String {
    if let Some(name) = schema["$ref"].as_str() {
        return name.rsplit('/').next().unwrap_or(name).to_owned();
    }
    if let Some(options) = schema["oneOf"].as_array() {
        return options.iter().map(type_of).collect::<Vec<_>>().join(" | ");
    }
    let kind = match &schema["type"] {
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    };
    if kind.starts_with("array") {
        return format!("[{}]", type_of(&schema["items"]));
    }
    match schema["format"].as_str() {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn operations(doc: &Value, tr: crate::tr::Tr) -> Section {
    let mut rows = Vec::new();
    for (path, methods) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in methods.as_object().into_iter().flatten() {
            let parameters: Vec<String> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    format!(
                        "{} ({}{}): {}",
                        text(&p["name"]),
                        text(&p["in"]),
                        if p["required"].as_bool() == Some(true) {
                            ", required"
                        } else {
                            ""
                        },
                        type_of(&p["schema"])
                    )
                })
                .collect();
            let body = type_of(at(op, "/requestBody/content/application~1json/schema"));
            let answers: Vec<String> = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, answer)| {
                    let schema = type_of(at(answer, "/content/application~1json/schema"));
                    format!("{status} {} {schema}", text(&answer["description"]))
                })
                .collect();
            rows.push(Row::new(vec![
                Cell::user(method.to_uppercase()).class("mono"),
                Cell::user(path.clone()).class("mono"),
                Cell::user(format!(
                    "{} {}",
                    text(&op["summary"]),
                    text(&op["description"])
                )),
                Cell::user(parameters.join("; ")),
                Cell::user(body),
                Cell::user(answers.join("; ")),
            ]));
        }
    }
    Section {
        title: tr.t("apidocs.operations").to_owned(),
        anchor: "operations".to_owned(),
        table: Table::new(
            vec![
                tr.t("apidocs.method"),
                tr.t("apidocs.path"),
                tr.t("apidocs.summary"),
                tr.t("apidocs.parameters"),
                tr.t("apidocs.body"),
                tr.t("apidocs.answers"),
            ],
            rows,
            tr.t("apidocs.none"),
        ),
    }
}

/// The value at a JSON pointer (RFC 6901), or null where the document has none.
fn at<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}

fn schemas(doc: &Value, tr: crate::tr::Tr) -> Vec<Section> {
    at(doc, "/components/schemas")
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let rows = schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(field, property)| {
                    Row::new(vec![
                        Cell::user(field.clone()).class("mono"),
                        Cell::user(type_of(property)),
                        Cell::ui(if required.contains(&field.as_str()) {
                            tr.t("apidocs.required")
                        } else {
                            ""
                        }),
                        Cell::user(text(&property["description"])),
                    ])
                })
                .collect();
            Section {
                title: name.clone(),
                anchor: name.clone(),
                table: Table::new(
                    vec![
                        tr.t("apidocs.field"),
                        tr.t("apidocs.type"),
                        tr.t("apidocs.required"),
                        tr.t("apidocs.description"),
                    ],
                    rows,
                    tr.t("apidocs.none"),
                ),
            }
        })
        .collect()
}

/// `GET /api/openapi.json`
pub async fn openapi(Extension(document): Extension<Arc<OpenApi>>) -> Json<OpenApi> {
    Json(OpenApi::clone(&document))
}

/// `GET /api/docs`
pub async fn show(
    ctx: Ctx,
    Extension(document): Extension<Arc<OpenApi>>,
) -> Result<Response, Failure> {
    let tr = ctx.tr();
    let doc = serde_json::to_value(&*document).map_err(|_| Failure::Internal)?;
    let mut sections = vec![operations(&doc, tr)];
    sections.extend(schemas(&doc, tr));
    render(&ApiDocsPage {
        chrome: Chrome::new(&ctx, tr.t("apidocs.title")),
        sections,
    })
}
