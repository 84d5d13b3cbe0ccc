//! Extra questions a category asks a reporter (Open311's service attributes): what they are,
//! in which of the six GeoReport v2 datatypes, and how answers are checked. A report with a
//! wrong answer is refused whole, naming the question.

use std::collections::BTreeMap;

use chrono::DateTime;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::{self, Lang, Localized};

/// The longest `string` answer (characters); `text` answers may be longer.
pub const MAX_STRING: usize = 200;
/// The longest `text` answer (characters).
pub const MAX_TEXT: usize = 2000;

/// An answer's kind, as GeoReport v2 names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    #[serde(rename = "singlevaluelist")]
    SingleValueList,
    #[serde(rename = "multivaluelist")]
    MultiValueList,
}

impl Datatype {
    pub const ALL: [Datatype; 6] = [
        Datatype::String,
        Datatype::Number,
        Datatype::Datetime,
        Datatype::Text,
        Datatype::SingleValueList,
        Datatype::MultiValueList,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
        }
    }

    pub fn is_list(self) -> bool {
        matches!(self, Datatype::SingleValueList | Datatype::MultiValueList)
    }
}

/// One allowed value of a list question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub key: String,
    pub name: String,
    pub name_en: String,
}

/// A question a category asks beyond the description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// A code unique within its category, e.g. `cover_state`.
    pub code: String,
    pub datatype: Datatype,
    #[serde(default)]
    pub required: bool,
    /// False for a notice shown to the reporter that takes no answer.
    #[serde(default = "answered")]
    pub variable: bool,
    /// The question (中文).
    pub description: String,
    pub description_en: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Choice>,
}

fn answered() -> bool {
    true
}

impl Question {
    pub fn description_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.description,
            Lang::En => &self.description_en,
        }
    }
}

impl Choice {
    pub fn name_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.name,
            Lang::En => &self.name_en,
        }
    }
}

/// A checked answer: one value, or several for a multi-value list (keys in the order given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub code: String,
    pub values: Vec<String>,
}

/// Why answers were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerError {
    #[error("no question {code}")]
    Unknown { code: String },
    #[error("{code} needs an answer")]
    Missing { code: String },
    #[error("{code} takes one value")]
    OneValue { code: String },
    #[error("{code}: not a number")]
    NotNumber { code: String },
    #[error("{code}: not a date and time with a zone")]
    NotDatetime { code: String },
    #[error("{code}: {value} is not a choice")]
    NotAChoice { code: String, value: String },
    #[error("{code}: longer than {limit}")]
    TooLong { code: String, limit: usize },
}

impl Localized for AnswerError {
    fn message_key(&self) -> &'static str {
        match self {
            AnswerError::Unknown { .. } => "question.unknown",
            AnswerError::Missing { .. } => "question.missing",
            AnswerError::OneValue { .. } => "question.one_value",
            AnswerError::NotNumber { .. } => "question.not_number",
            AnswerError::NotDatetime { .. } => "question.not_datetime",
            AnswerError::NotAChoice { .. } => "question.not_a_choice",
            AnswerError::TooLong { .. } => "question.too_long",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            AnswerError::Unknown { code }
            | AnswerError::Missing { code }
            | AnswerError::OneValue { code }
            | AnswerError::NotNumber { code }
            | AnswerError::NotDatetime { code } => vec![("code", code.clone())],
            AnswerError::NotAChoice { code, value } => {
                vec![("code", code.clone()), ("value", value.clone())]
            }
            AnswerError::TooLong { code, limit } => {
                vec![("code", code.clone()), ("limit", limit.to_string())]
            }
        }
    }
}

/// Checks what a reporter answered (`code` → the values given) against the questions;
/// returns the answers in the questions' order. A blank value counts as no answer, for any
/// code (clients send every field of their form, filled or not).
pub fn check(
    questions: &[Question],
    given: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Answer>, AnswerError> {
    if let Some(code) = given
        .iter()
        .filter(|(_, values)| values.iter().any(|v| !v.trim().is_empty()))
        .map(|(code, _)| code)
        .find(|code| !questions.iter().any(|q| q.variable && &q.code == *code))
    {
        return Err(AnswerError::Unknown { code: code.clone() });
    }
    let mut answers = Vec::new();
    for question in questions.iter().filter(|q| q.variable) {
        let code = || question.code.clone();
        let values: Vec<&str> = given
            .get(&question.code)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if values.is_empty() {
            if question.required {
                return Err(AnswerError::Missing { code: code() });
            }
            continue;
        }
        if question.datatype != Datatype::MultiValueList && values.len() > 1 {
            return Err(AnswerError::OneValue { code: code() });
        }
        for value in &values {
            check_value(question, value)?;
        }
        let mut kept: Vec<String> = Vec::with_capacity(values.len());
        for value in values {
            if !kept.iter().any(|k| k == value) {
                kept.push(value.to_owned());
            }
        }
        answers.push(Answer {
            code: code(),
            values: kept,
        });
    }
    Ok(answers)
}

fn check_value(question: &Question, value: &str) -> Result<(), AnswerError> {
    let code = || question.code.clone();
    let within = |limit: usize| {
        if value.chars().count() > limit {
            Err(AnswerError::TooLong {
                code: code(),
                limit,
            })
        } else {
            Ok(())
        }
    };
    match question.datatype {
        Datatype::String => within(MAX_STRING),
        Datatype::Text => within(MAX_TEXT),
        Datatype::Number => match value.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(()),
            _ => Err(AnswerError::NotNumber { code: code() }),
        },
        Datatype::Datetime => DateTime::parse_from_rfc3339(value)
            .map(|_| ())
            .map_err(|_| AnswerError::NotDatetime { code: code() }),
        Datatype::SingleValueList | Datatype::MultiValueList => {
            if question.values.iter().any(|c| c.key == value) {
                Ok(())
            } else {
                Err(AnswerError::NotAChoice {
                    code: code(),
                    value: value.chars().take(MAX_STRING).collect(),
                })
            }
        }
    }
}

/// The answers as lines a person reads ("井盖状况：丢失"), choices by their names.
pub fn describe(questions: &[Question], answers: &[Answer], lang: Lang) -> Vec<String> {
    let separator = i18n::text(lang, "question.separator");
    answers
        .iter()
        .filter_map(|answer| {
            let question = questions.iter().find(|q| q.code == answer.code)?;
            let values: Vec<&str> = answer
                .values
                .iter()
                .map(|value| {
                    question
                        .values
                        .iter()
                        .find(|c| &c.key == value)
                        .map_or(value.as_str(), |c| c.name_in(lang))
                })
                .collect();
            Some(format!(
                "{}{separator}{}",
                question.description_in(lang),
                values.join("、")
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn question(code: &str, datatype: Datatype, required: bool) -> Question {
        Question {
            code: code.into(),
            datatype,
            required,
            variable: true,
            description: format!("问题{code}"),
            description_en: format!("Question {code}"),
            values: if datatype.is_list() {
                ["a", "b", "c"]
                    .iter()
                    .map(|k| Choice {
                        key: (*k).into(),
                        name: format!("选项{k}"),
                        name_en: format!("Choice {k}"),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    fn all_six() -> Vec<Question> {
        Datatype::ALL
            .iter()
            .map(|d| question(d.as_str(), *d, false))
            .collect()
    }

    fn given(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), v.iter().map(|s| (*s).into()).collect()))
            .collect()
    }

    #[test]
    fn each_datatype_takes_its_own_values() {
        let answers = check(
            &all_six(),
            &given(&[
                ("string", &["短"]),
                ("number", &["2.5"]),
                ("datetime", &["2026-11-22T08:30:00+08:00"]),
                ("text", &["长一些的说明"]),
                ("singlevaluelist", &["b"]),
                ("multivaluelist", &["c", "a", "c"]),
            ]),
        )
        .expect("valid");
        assert_eq!(answers.len(), 6);
        assert_eq!(answers[5].values, vec!["c", "a"], "duplicates dropped");
        let lines = describe(&all_six(), &answers, Lang::ZhCn);
        assert_eq!(lines[4], "问题singlevaluelist：选项b");
        assert_eq!(lines[5], "问题multivaluelist：选项c、选项a");
    }

    #[test]
    fn wrong_answers_name_the_question() {
        let six = all_six();
        let wrong = [
            (given(&[("number", &["two"])]), "question.not_number"),
            (given(&[("number", &["NaN"])]), "question.not_number"),
            (
                given(&[("datetime", &["2026-11-22 08:30"])]),
                "question.not_datetime",
            ),
            (
                given(&[("singlevaluelist", &["z"])]),
                "question.not_a_choice",
            ),
            (
                given(&[("singlevaluelist", &["a", "b"])]),
                "question.one_value",
            ),
            (given(&[("nope", &["x"])]), "question.unknown"),
        ];
        for (answers, key) in wrong {
            let error = check(&six, &answers).expect_err("refused");
            assert_eq!(error.message_key(), key, "{answers:?}");
        }
        let long = "长".repeat(MAX_STRING + 1);
        assert!(matches!(
            check(&six, &given(&[("string", &[long.as_str()])])),
            Err(AnswerError::TooLong { .. })
        ));
        let required = vec![question("must", Datatype::Text, true)];
        assert_eq!(
            check(&required, &given(&[("must", &["  "])])),
            Err(AnswerError::Missing {
                code: "must".into()
            })
        );
    }

    #[test]
    fn a_blank_value_is_no_answer_whatever_its_code() {
        let six = all_six();
        assert_eq!(
            check(&six, &given(&[("nope", &[""]), ("number", &[" "])])),
            Ok(Vec::new()),
            "an empty field of an unknown code is absent, not unknown"
        );
        let answers = check(&six, &given(&[("nope", &["", " "]), ("string", &["x"])]))
            .expect("the one answer");
        assert_eq!(answers.len(), 1);
    }

    #[test]
    fn notices_take_no_answer() {
        let mut notice = question("notice", Datatype::String, true);
        notice.variable = false;
        assert_eq!(check(&[notice.clone()], &BTreeMap::new()), Ok(Vec::new()));
        assert!(matches!(
            check(&[notice], &given(&[("notice", &["x"])])),
            Err(AnswerError::Unknown { .. })
        ));
    }

    proptest! {
        /// Whatever is sent, checking never panics, and what it accepts are only known
        /// codes with values from the question's list.
        #[test]
        fn any_input_is_refused_or_well_formed(
            pairs in proptest::collection::btree_map(
                prop_oneof![Just("number".to_owned()), Just("singlevaluelist".to_owned()),
                    Just("multivaluelist".to_owned()), "[a-z]{1,8}"],
                proptest::collection::vec(".{0,12}", 0..4), 0..4)
        ) {
            let six = all_six();
            if let Ok(answers) = check(&six, &pairs) {
                for answer in answers {
                    let q = six.iter().find(|q| q.code == answer.code).expect("known");
                    prop_assert!(!answer.values.is_empty());
                    if q.datatype.is_list() {
                        prop_assert!(answer.values.iter().all(|v| q.values.iter().any(|c| &c.key == v)));
                    }
                }
            }
        }
    }
}
