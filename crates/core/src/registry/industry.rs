//! Industries (国民经济行业分类, GB/T 4754-2017): the sections A-T (门类) and their divisions
//! 01-97 (大类) as data (`data/industries.toml`), and an enterprise's industry read from the
//! codes people write: "C", "39", "C39", "3911" or "C3911". Groups and classes (3 and 4
//! digits) are kept as written and named by their division, which is as fine as the
//! economy's figures go.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::{Lang, Localized};
use crate::typed;

static SEEDED_INDUSTRIES: &str = include_str!("../../data/industries.toml");

/// A division (大类).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub name_en: String,
}

/// A section (门类) with its divisions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub code: char,
    pub name: String,
    pub name_en: String,
    pub divisions: Vec<Division>,
}

/// The whole classification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Industries {
    #[serde(rename = "section")]
    sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("industry data: {0}")]
pub struct IndustryDataError(pub String);

impl Industries {
    /// The classification as seeded, with its codes checked: sections in order, divisions
    /// two digits and each in one section.
    pub fn seeded() -> Result<Industries, IndustryDataError> {
        let industries: Industries = toml::from_str(SEEDED_INDUSTRIES)
            .map_err(|error| IndustryDataError(error.message().to_owned()))?;
        let mut divisions: Vec<&str> = Vec::new();
        for section in &industries.sections {
            if !section.code.is_ascii_uppercase() {
                return Err(IndustryDataError(format!("section {}", section.code)));
            }
            for division in &section.divisions {
                let two_digits =
                    division.code.len() == 2 && division.code.bytes().all(|b| b.is_ascii_digit());
                if !two_digits || divisions.contains(&division.code.as_str()) {
                    return Err(IndustryDataError(format!("division {}", division.code)));
                }
                divisions.push(&division.code);
            }
        }
        Ok(industries)
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    pub fn section(&self, code: char) -> Option<&Section> {
        self.sections.iter().find(|s| s.code == code)
    }

    /// A division and the section it belongs to.
    pub fn division(&self, code: &str) -> Option<(&Section, &Division)> {
        self.sections.iter().find_map(|section| {
            section
                .divisions
                .iter()
                .find(|d| d.code == code)
                .map(|division| (section, division))
        })
    }
}

/// The seeded classification; empty if the compiled-in data were broken (a test proves
/// they are not), so a bad file shows as unknown codes rather than a crash.
pub fn industries() -> &'static Industries {
    static TABLE: OnceLock<Industries> = OnceLock::new();
    TABLE.get_or_init(|| Industries::seeded().unwrap_or_default())
}

/// Why an industry code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IndustryError {
    #[error("the industry code is empty")]
    Empty,
    #[error("{text:?} is not an industry code (a letter, 2-4 digits, or both)")]
    BadForm { text: String },
    #[error("{found} is not a section of GB/T 4754")]
    UnknownSection { found: char },
    #[error("{found} is not a division of GB/T 4754")]
    UnknownDivision { found: String },
    #[error("division {division} belongs to section {expected}, not {found}")]
    SectionMismatch {
        division: String,
        expected: char,
        found: char,
    },
}

impl Localized for IndustryError {
    fn message_key(&self) -> &'static str {
        match self {
            IndustryError::Empty => "industry.empty",
            IndustryError::BadForm { .. } => "industry.bad_form",
            IndustryError::UnknownSection { .. } => "industry.unknown_section",
            IndustryError::UnknownDivision { .. } => "industry.unknown_division",
            IndustryError::SectionMismatch { .. } => "industry.section_mismatch",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            IndustryError::Empty => vec![],
            IndustryError::BadForm { text } => vec![("text", text.clone())],
            IndustryError::UnknownSection { found } => vec![("found", found.to_string())],
            IndustryError::UnknownDivision { found } => vec![("found", found.clone())],
            IndustryError::SectionMismatch {
                division,
                expected,
                found,
            } => vec![
                ("division", division.clone()),
                ("expected", expected.to_string()),
                ("found", found.to_string()),
            ],
        }
    }
}

/// An enterprise's industry: a section, perhaps narrowed to a division, group or class.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Industry {
    section: char,
    /// Empty, or 2 to 4 digits of which the first two are a division of `section`.
    digits: String,
}

impl Industry {
    pub fn parse(text: &str) -> Result<Industry, IndustryError> {
        let code = typed::folded(text).to_ascii_uppercase();
        if code.is_empty() {
            return Err(IndustryError::Empty);
        }
        let bad_form = || IndustryError::BadForm { text: code.clone() };
        let (letter, digits) = match code.chars().next() {
            Some(first) if first.is_ascii_uppercase() => (Some(first), &code[1..]),
            _ => (None, code.as_str()),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 0 | 2..=4) {
            return Err(bad_form());
        }
        let table = industries();
        let section = match (letter, digits.get(..2)) {
            (None, None) => return Err(bad_form()),
            (Some(found), None) => {
                table
                    .section(found)
                    .ok_or(IndustryError::UnknownSection { found })?
                    .code
            }
            (letter, Some(division)) => {
                let (section, _) =
                    table
                        .division(division)
                        .ok_or_else(|| IndustryError::UnknownDivision {
                            found: division.to_owned(),
                        })?;
                if let Some(found) = letter.filter(|l| *l != section.code) {
                    return Err(IndustryError::SectionMismatch {
                        division: division.to_owned(),
                        expected: section.code,
                        found,
                    });
                }
                section.code
            }
        };
        Ok(Industry {
            section,
            digits: digits.to_owned(),
        })
    }

    /// The section letter (门类).
    pub fn section(&self) -> char {
        self.section
    }

    /// The division's two digits (大类), when the code names one.
    pub fn division(&self) -> Option<&str> {
        self.digits.get(..2)
    }

    /// The full code with its section letter: "C", "C39", "C3911".
    pub fn code(&self) -> String {
        format!("{}{}", self.section, self.digits)
    }

    /// The name of the division if the code gives one, else of the section.
    pub fn name(&self, lang: Lang) -> &'static str {
        let table = industries();
        let (name, name_en) = match self.division().and_then(|d| table.division(d)) {
            Some((_, division)) => (&division.name, &division.name_en),
            None => match table.section(self.section) {
                Some(section) => (&section.name, &section.name_en),
                None => return "",
            },
        };
        match lang {
            Lang::ZhCn => name,
            Lang::En => name_en,
        }
    }

    /// The section's name.
    pub fn section_name(&self, lang: Lang) -> &'static str {
        match (industries().section(self.section), lang) {
            (Some(section), Lang::ZhCn) => &section.name,
            (Some(section), Lang::En) => &section.name_en,
            (None, _) => "",
        }
    }
}

impl From<Industry> for String {
    fn from(industry: Industry) -> String {
        industry.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_has_twenty_sections_and_ninety_seven_divisions() {
        let table = Industries::seeded().expect("seeded industries");
        let letters: String = table.sections().iter().map(|s| s.code).collect();
        assert_eq!(letters, "ABCDEFGHIJKLMNOPQRST");
        let divisions: Vec<&str> = table
            .sections()
            .iter()
            .flat_map(|s| s.divisions.iter().map(|d| d.code.as_str()))
            .collect();
        let expected: Vec<String> = (1..=97).map(|n| format!("{n:02}")).collect();
        assert_eq!(divisions, expected);
        assert_eq!(
            table.section('I').map(|s| s.name.as_str()),
            Some("信息传输、软件和信息技术服务业")
        );
        assert_eq!(
            table.division("65").map(|(s, d)| (s.code, d.name.as_str())),
            Some(('I', "软件和信息技术服务业"))
        );
    }

    #[test]
    fn codes_read_in_every_written_form() {
        for (text, section, division, code) in [
            ("C", 'C', None, "C"),
            ("39", 'C', Some("39"), "C39"),
            ("c39", 'C', Some("39"), "C39"),
            ("3911", 'C', Some("39"), "C3911"),
            ("Ｉ６５", 'I', Some("65"), "I65"),
            ("K701", 'K', Some("70"), "K701"),
        ] {
            let industry = Industry::parse(text).expect(text);
            assert_eq!(industry.section(), section, "{text}");
            assert_eq!(industry.division(), division, "{text}");
            assert_eq!(industry.code(), code, "{text}");
        }
        let software = Industry::parse("I65").expect("division");
        assert_eq!(software.name(Lang::ZhCn), "软件和信息技术服务业");
        assert_eq!(
            software.name(Lang::En),
            "Software and information technology services"
        );
        assert_eq!(
            software.section_name(Lang::ZhCn),
            "信息传输、软件和信息技术服务业"
        );
        assert_eq!(
            Industry::parse("F").expect("section").name(Lang::ZhCn),
            "批发和零售业"
        );
    }

    #[test]
    fn bad_codes_name_their_fault() {
        assert_eq!(Industry::parse(""), Err(IndustryError::Empty));
        assert_eq!(
            Industry::parse("U"),
            Err(IndustryError::UnknownSection { found: 'U' })
        );
        assert_eq!(
            Industry::parse("98"),
            Err(IndustryError::UnknownDivision { found: "98".into() })
        );
        assert_eq!(
            Industry::parse("C01"),
            Err(IndustryError::SectionMismatch {
                division: "01".into(),
                expected: 'A',
                found: 'C'
            })
        );
        for text in ["3", "C39111", "CC", "3A"] {
            assert!(
                matches!(Industry::parse(text), Err(IndustryError::BadForm { .. })),
                "{text}"
            );
        }
        let message = Industry::parse("C01")
            .expect_err("mismatch")
            .localize(Lang::ZhCn);
        assert!(message.contains("01") && message.contains('A'), "{message}");
    }
}
