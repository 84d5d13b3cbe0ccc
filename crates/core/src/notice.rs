//! Outbound notices (通知): the text a deployment's SMS gateway or 浙政钉 work-notice service
//! is sent when a case is dispatched (派遣) or supervised (督办). A notice is a webhook
//! subscription with a template: the body the receiver expects, written by the deployment,
//! with `{{name}}` where a fact of the case goes. Single braces are the body's own (a JSON
//! template's objects), so only double braces are places. Each fact is written escaped for a
//! JSON string, so a fact holding quotes, backslashes or line breaks cannot change the body's
//! shape; templates are checked when they are set, so a misspelt place is refused then, not
//! sent as it stands.

use crate::i18n::Localized;
use crate::refusal::RefusalKind;

/// The facts a template may name, in the order the refusal lists them.
pub const FACTS: [&str; 9] = [
    "number",
    "event",
    "action",
    "state",
    "category",
    "department",
    "address",
    "deadline",
    "at",
];

/// The longest template kept.
pub const MAX_TEMPLATE: usize = 2000;

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{{name}}` names no fact.
    UnknownFact {
        name: String,
    },
    /// A `{{` without its `}}`.
    Unclosed,
    TooLong,
}

impl TemplateError {
    pub fn kind(&self) -> RefusalKind {
        RefusalKind::Invalid
    }
}

impl Localized for TemplateError {
    fn message_key(&self) -> &'static str {
        match self {
            TemplateError::UnknownFact { .. } => "notice.unknown_fact",
            TemplateError::Unclosed => "notice.unclosed",
            TemplateError::TooLong => "notice.too_long",
        }
    }

    fn message_args(&self, _lang: crate::Lang) -> Vec<(&'static str, String)> {
        match self {
            TemplateError::UnknownFact { name } => {
                let places: Vec<String> = FACTS.iter().map(|f| format!("{{{{{f}}}}}")).collect();
                vec![
                    ("name", format!("{{{{{name}}}}}")),
                    ("facts", places.join(" ")),
                ]
            }
            TemplateError::TooLong => vec![("max", MAX_TEMPLATE.to_string())],
            TemplateError::Unclosed => vec![],
        }
    }
}

/// The template's pieces: text as it stands, and the places of facts.
enum Piece<'a> {
    Text(&'a str),
    Fact(&'a str),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let (text, after) = rest.split_at(open);
        found.push(Piece::Text(text));
        let inside = after.get(2..).unwrap_or_default();
        let close = inside.find("}}").ok_or(TemplateError::Unclosed)?;
        let (name, tail) = inside.split_at(close);
        let name = name.trim();
        if !FACTS.contains(&name) {
            return Err(TemplateError::UnknownFact {
                name: name.to_owned(),
            });
        }
        found.push(Piece::Fact(name));
        rest = tail.get(2..).unwrap_or_default();
    }
    found.push(Piece::Text(rest));
    Ok(found)
}

/// Refuses a template that names an unknown fact, leaves a place open, or is too long.
pub fn check(template: &str) -> Result<(), TemplateError> {
    if template.chars().count() > MAX_TEMPLATE {
        return Err(TemplateError::TooLong);
    }
    pieces(template).map(|_| ())
}

/// `text` escaped to stand inside a JSON string.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// The template with every place filled by `fact(name)` (empty when the case has none).
pub fn fill(
    template: &str,
    fact: impl Fn(&str) -> Option<String>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + 64);
    for piece in pieces(template)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Fact(name) => out.push_str(&escaped(&fact(name).unwrap_or_default())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn places_are_filled_and_the_bodys_own_braces_kept() {
        let template =
            r#"{"msgtype":"text","text":{"content":"案件{{ number }}已派遣至{{department}}"}}"#;
        let filled = fill(template, |name| match name {
            "number" => Some("330106008-20261205-00001".into()),
            "department" => Some("城管中队".into()),
            _ => None,
        })
        .expect("filled");
        assert_eq!(
            filled,
            r#"{"msgtype":"text","text":{"content":"案件330106008-20261205-00001已派遣至城管中队"}}"#
        );
    }

    #[test]
    fn misspelt_or_open_places_are_refused() {
        assert_eq!(
            check("{{numbr}}"),
            Err(TemplateError::UnknownFact {
                name: "numbr".into()
            })
        );
        assert_eq!(check("案件{{number"), Err(TemplateError::Unclosed));
        assert_eq!(
            check(&"x".repeat(MAX_TEMPLATE + 1)),
            Err(TemplateError::TooLong)
        );
        assert_eq!(
            check("{}{ number }"),
            Ok(()),
            "single braces are the body's"
        );
    }

    proptest! {
        /// Whatever a fact holds, a JSON template stays JSON and the fact reads back whole.
        #[test]
        fn facts_cannot_change_a_json_bodys_shape(address in any::<String>(), number in "[0-9-]{0,30}") {
            let template = r#"{"to":"cgzd","text":"{{number}} {{address}}"}"#;
            let filled = fill(template, |name| match name {
                "number" => Some(number.clone()),
                "address" => Some(address.clone()),
                _ => None,
            }).expect("filled");
            let body: serde_json::Value = serde_json::from_str(&filled).expect("still JSON");
            let expected = format!("{number} {address}");
            prop_assert_eq!(body["text"].as_str(), Some(expected.as_str()));
            prop_assert_eq!(body.as_object().map(serde_json::Map::len), Some(2));
        }
    }
}
