//! Open311 answers in both of GeoReport v2's formats from one tree: JSON as the spec's examples
//! write it (lists at the top, ids as strings, flags as booleans) and XML with a UTF-8
//! declaration, each list item in an element named for it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiedao_core::RefusalKind;

/// The format a path asked for by its suffix (`services.json`, `requests/17.xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `name.json` / `name.xml` into the name and its format.
    pub fn split(segment: &str) -> Option<(&str, Format)> {
        if let Some(name) = segment.strip_suffix(".json") {
            Some((name, Format::Json))
        } else {
            segment.strip_suffix(".xml").map(|name| (name, Format::Xml))
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// A value in an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Integer(i64),
    Flag(bool),
    /// Written as JSON null and as an empty element.
    Nothing,
    Record(Vec<(&'static str, Value)>),
    /// A list whose items are each written in an element with this name.
    List(&'static str, Vec<Value>),
}

impl Value {
    pub fn text(text: impl Into<String>) -> Value {
        Value::Text(text.into())
    }

    pub fn maybe(text: Option<impl Into<String>>) -> Value {
        text.map_or(Value::Nothing, |t| Value::Text(t.into()))
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Value::Text(text) => serde_json::Value::String(text.clone()),
            Value::Number(n) => serde_json::Number::from_f64(*n)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Integer(n) => serde_json::Value::from(*n),
            Value::Flag(b) => serde_json::Value::Bool(*b),
            Value::Nothing => serde_json::Value::Null,
            Value::Record(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), value.json()))
                    .collect(),
            ),
            Value::List(_, items) => {
                serde_json::Value::Array(items.iter().map(Value::json).collect())
            }
        }
    }

    fn xml(&self, name: &str, out: &mut String) {
        match self {
            Value::Nothing => {
                out.push('<');
                out.push_str(name);
                out.push_str("/>");
                return;
            }
            _ => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
        }
        match self {
            Value::Text(text) => out.push_str(&jiedao_reports::xml::escape(text)),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::Integer(n) => out.push_str(&n.to_string()),
            Value::Flag(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Nothing => {}
            Value::Record(fields) => {
                for (field, value) in fields {
                    value.xml(field, out);
                }
            }
            Value::List(item, items) => {
                for value in items {
                    value.xml(item, out);
                }
            }
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }

    /// The whole document: in XML `root` is the outer element.
    pub fn render(&self, format: Format, root: &str) -> String {
        match format {
            Format::Json => self.json().to_string(),
            Format::Xml => {
                let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
                self.xml(root, &mut out);
                out
            }
        }
    }
}

/// An answer ready to send.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub format: Format,
    pub root: &'static str,
    pub body: Value,
}

impl Reply {
    pub fn ok(format: Format, root: &'static str, body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            format,
            root,
            body,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body.render(self.format, self.root)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.format.content_type()),
        );
        response
    }
}

/// A GeoReport v2 error: a list of code and description, with the code as the HTTP status
/// (the status of the refusal's kind, [`crate::errors`]).
#[derive(Debug)]
pub struct Open311Error {
    pub status: StatusCode,
    pub format: Format,
    pub description: String,
    /// Seconds to wait, for 429.
    pub retry_after: Option<u64>,
}

impl Open311Error {
    pub fn new(kind: RefusalKind, format: Format, description: impl Into<String>) -> Self {
        Open311Error {
            status: crate::errors::status(kind),
            format,
            description: description.into(),
            retry_after: None,
        }
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let body = Value::List(
            "error",
            vec![Value::Record(vec![
                ("code", Value::Integer(i64::from(self.status.as_u16()))),
                ("description", Value::Text(self.description)),
            ])],
        );
        let mut response = Reply {
            status: self.status,
            format: self.format,
            root: "errors",
            body,
        }
        .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tree_writes_both_formats() {
        let tree = Value::List(
            "service",
            vec![Value::Record(vec![
                ("service_code", Value::text("B0101")),
                ("service_name", Value::text("上水井盖 <&>")),
                ("metadata", Value::Flag(true)),
                ("lat", Value::Number(30.25)),
                ("address_id", Value::Nothing),
            ])],
        );
        assert_eq!(
            tree.render(Format::Json, "services"),
            r#"[{"address_id":null,"lat":30.25,"metadata":true,"service_code":"B0101","service_name":"上水井盖 <&>"}]"#
        );
        assert_eq!(
            tree.render(Format::Xml, "services"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><service_code>B0101</service_code>\
             <service_name>上水井盖 &lt;&amp;&gt;</service_name><metadata>true</metadata><lat>30.25</lat>\
             <address_id/></service></services>"
        );
        assert_eq!(
            Format::split("requests.xml"),
            Some(("requests", Format::Xml))
        );
        assert_eq!(Format::split("17.json"), Some(("17", Format::Json)));
        assert_eq!(Format::split("17.csv"), None);
    }
}
