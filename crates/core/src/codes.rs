//! Region codes (统计用区划代码) and grid codes (网格编码), parsed once and valid from then on.
//!
//! A [`RegionCode`] is the 12-digit statistical division code: digits 1-6 the county (GB/T 2260),
//! 7-9 the township, 10-12 the village level. A [`GridCode`] is a community's code followed by a
//! sequence whose width is configuration ([`GridCodeFormat`]): the national length is not settled.
//! Neither type can hold a bad value; the error says which digit rule failed.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::{self, Lang, Localized};

/// Province-level prefixes of GB/T 2260 (digits 1-2).
pub(crate) const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// Why a code was refused. Positions are 1-based, as people count digits.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    #[error("the code is empty")]
    Empty,
    #[error("character {position} ({found:?}) is not a digit")]
    NotDigit { position: usize, found: char },
    #[error("the code has {found} digits; {expected} are required")]
    WrongLength { expected: String, found: usize },
    #[error("digits 1-2 ({found}) are not a province of GB/T 2260")]
    UnknownProvince { found: String },
    #[error("digits 3-4 are 00: a province is not a node of the tree")]
    NoPrefecture,
    #[error("digits 5-6 are 00 (a prefecture) but digits 7-12 are not all zero")]
    PrefectureWithLowerDigits,
    #[error("digits 7-9 ({found}) are not a township number (001-599)")]
    TownshipOutOfRange { found: String },
    #[error("digits 10-12 ({found}) are set but digits 7-9 name no township")]
    VillageWithoutTownship { found: String },
    #[error("digits 10-12 ({found}) are not a village-level number (001-399)")]
    VillageOutOfRange { found: String },
    #[error("{code} is a {found:?} code, not a community code")]
    NotACommunity { code: String, found: RegionLevel },
    #[error("the grid sequence (digits {digits}) is all zeros")]
    SequenceZero { digits: String },
    #[error("a grid sequence must be 1 to 6 digits wide, not {width}")]
    BadSequenceWidth { width: usize },
}

impl Localized for CodeError {
    fn message_key(&self) -> &'static str {
        match self {
            CodeError::Empty => "code.empty",
            CodeError::NotDigit { .. } => "code.not_digit",
            CodeError::WrongLength { .. } => "code.wrong_length",
            CodeError::UnknownProvince { .. } => "code.unknown_province",
            CodeError::NoPrefecture => "code.no_prefecture",
            CodeError::PrefectureWithLowerDigits => "code.prefecture_with_lower_digits",
            CodeError::TownshipOutOfRange { .. } => "code.township_out_of_range",
            CodeError::VillageWithoutTownship { .. } => "code.village_without_township",
            CodeError::VillageOutOfRange { .. } => "code.village_out_of_range",
            CodeError::NotACommunity { .. } => "code.not_a_community",
            CodeError::SequenceZero { .. } => "code.sequence_zero",
            CodeError::BadSequenceWidth { .. } => "code.bad_sequence_width",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            CodeError::Empty | CodeError::NoPrefecture | CodeError::PrefectureWithLowerDigits => {
                vec![]
            }
            CodeError::NotDigit { position, found } => {
                vec![
                    ("position", position.to_string()),
                    ("found", found.to_string()),
                ]
            }
            CodeError::WrongLength { expected, found } => {
                vec![("expected", expected.clone()), ("found", found.to_string())]
            }
            CodeError::UnknownProvince { found }
            | CodeError::TownshipOutOfRange { found }
            | CodeError::VillageWithoutTownship { found }
            | CodeError::VillageOutOfRange { found } => vec![("found", found.clone())],
            CodeError::NotACommunity { code, found } => {
                vec![
                    ("code", code.clone()),
                    ("level", i18n::text(lang, found.label_key()).to_owned()),
                ]
            }
            CodeError::SequenceZero { digits } => vec![("digits", digits.clone())],
            CodeError::BadSequenceWidth { width } => vec![("width", width.to_string())],
        }
    }
}

/// Checks that every character is an ASCII digit, reporting the first that is not.
fn all_digits(code: &str) -> Result<(), CodeError> {
    if code.is_empty() {
        return Err(CodeError::Empty);
    }
    match code.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        Some((index, found)) => Err(CodeError::NotDigit {
            position: index + 1,
            found,
        }),
        None => Ok(()),
    }
}

/// The level a region code names (区划级别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 地级 (city): digits 5-12 zero.
    Prefecture,
    /// 县级 (district or county): digits 7-12 zero.
    County,
    /// 乡级 (街道, 镇, 乡): digits 10-12 zero.
    Township,
    /// 村级 (社区, 村).
    Village,
}

impl RegionLevel {
    /// The locale key of the level's name.
    pub fn label_key(self) -> &'static str {
        match self {
            RegionLevel::Prefecture => "region_level.prefecture",
            RegionLevel::County => "region_level.county",
            RegionLevel::Township => "region_level.township",
            RegionLevel::Village => "region_level.village",
        }
    }
}

/// What kind of township digits 7-9 name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TownshipKind {
    /// 街道 (001-099)
    Subdistrict,
    /// 镇 (100-199)
    Town,
    /// 乡 (200-399)
    Township,
    /// 其他乡级单位, e.g. development zones (400-599)
    Other,
}

/// What kind of village-level unit digits 10-12 name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VillageKind {
    /// 社区 / 居委会 (001-199)
    Community,
    /// 村委会 (200-399)
    Village,
}

/// A 12-digit statistical division code (统计用区划代码), e.g. `330106008001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(code: &str) -> Result<Self, CodeError> {
        all_digits(code)?;
        if code.len() != 12 {
            return Err(CodeError::WrongLength {
                expected: "12".to_owned(),
                found: code.len(),
            });
        }
        let (province, prefecture, county) = (&code[0..2], &code[2..4], &code[4..6]);
        let (township, village) = (&code[6..9], &code[9..12]);
        if !PROVINCES.contains(&province) {
            return Err(CodeError::UnknownProvince {
                found: province.to_owned(),
            });
        }
        if prefecture == "00" {
            return Err(CodeError::NoPrefecture);
        }
        if county == "00" && &code[6..12] != "000000" {
            return Err(CodeError::PrefectureWithLowerDigits);
        }
        let township_number: u16 = township.parse().unwrap_or(0);
        let village_number: u16 = village.parse().unwrap_or(0);
        if township_number == 0 && village_number != 0 {
            return Err(CodeError::VillageWithoutTownship {
                found: village.to_owned(),
            });
        }
        if township_number > 599 {
            return Err(CodeError::TownshipOutOfRange {
                found: township.to_owned(),
            });
        }
        if village_number > 399 {
            return Err(CodeError::VillageOutOfRange {
                found: village.to_owned(),
            });
        }
        Ok(RegionCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        if &self.0[4..6] == "00" {
            RegionLevel::Prefecture
        } else if &self.0[6..9] == "000" {
            RegionLevel::County
        } else if &self.0[9..12] == "000" {
            RegionLevel::Township
        } else {
            RegionLevel::Village
        }
    }

    /// The significant digits: 4 for a prefecture, 6 for a county, 9 for a township, 12 for a
    /// village. They make the node's segment of an [`crate::org::OrgPath`].
    pub fn significant(&self) -> &str {
        let digits = match self.level() {
            RegionLevel::Prefecture => 4,
            RegionLevel::County => 6,
            RegionLevel::Township => 9,
            RegionLevel::Village => 12,
        };
        &self.0[..digits]
    }

    /// The code of the level above, if that level is a node of our tree (prefecture and below).
    pub fn parent(&self) -> Option<RegionCode> {
        let zeros = match self.level() {
            RegionLevel::Prefecture => return None,
            RegionLevel::County => 8,
            RegionLevel::Township => 6,
            RegionLevel::Village => 3,
        };
        let parent = format!("{}{}", &self.0[..12 - zeros], "0".repeat(zeros));
        RegionCode::parse(&parent).ok()
    }

    pub fn township_kind(&self) -> Option<TownshipKind> {
        let number: u16 = self.0[6..9].parse().ok()?;
        match number {
            0 => None,
            1..=99 => Some(TownshipKind::Subdistrict),
            100..=199 => Some(TownshipKind::Town),
            200..=399 => Some(TownshipKind::Township),
            _ => Some(TownshipKind::Other),
        }
    }

    pub fn village_kind(&self) -> Option<VillageKind> {
        let number: u16 = self.0[9..12].parse().ok()?;
        match number {
            0 => None,
            1..=199 => Some(VillageKind::Community),
            _ => Some(VillageKind::Village),
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.0
    }
}

/// The widths of the grid and micro-grid sequences (configuration: 网格编码位数).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridCodeFormat {
    /// Digits after the community code for a grid; 3 by DOMAIN.md, configurable.
    pub grid_digits: usize,
    /// Further digits for a micro-grid (微网格).
    pub micro_grid_digits: usize,
}

impl Default for GridCodeFormat {
    fn default() -> Self {
        GridCodeFormat {
            grid_digits: 3,
            micro_grid_digits: 2,
        }
    }
}

impl GridCodeFormat {
    pub fn new(grid_digits: usize, micro_grid_digits: usize) -> Result<Self, CodeError> {
        for width in [grid_digits, micro_grid_digits] {
            if !(1..=6).contains(&width) {
                return Err(CodeError::BadSequenceWidth { width });
            }
        }
        Ok(GridCodeFormat {
            grid_digits,
            micro_grid_digits,
        })
    }

    /// The code of the `sequence`-th grid of `community`, zero-padded to the configured width.
    pub fn grid_code(&self, community: &RegionCode, sequence: u32) -> Result<GridCode, CodeError> {
        let width = self.grid_digits;
        GridCode::parse(&format!("{community}{sequence:0width$}"), self)
    }
}

/// Whether a [`GridCode`] names a grid or a micro-grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridLevel {
    /// 网格 (unit grid)
    Grid,
    /// 微网格
    MicroGrid,
}

/// A grid or micro-grid code: the community's 12 digits, then the grid sequence, then for a
/// micro-grid its own sequence (网格编码).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GridCode(String);

impl GridCode {
    pub fn parse(code: &str, format: &GridCodeFormat) -> Result<Self, CodeError> {
        all_digits(code)?;
        let grid_len = 12 + format.grid_digits;
        let micro_len = grid_len + format.micro_grid_digits;
        if code.len() != grid_len && code.len() != micro_len {
            return Err(CodeError::WrongLength {
                expected: format!("{grid_len} / {micro_len}"),
                found: code.len(),
            });
        }
        let community = RegionCode::parse(&code[..12])?;
        if community.level() != RegionLevel::Village {
            return Err(CodeError::NotACommunity {
                code: community.to_string(),
                found: community.level(),
            });
        }
        let sequences = [(12, grid_len), (grid_len, micro_len)];
        for (start, end) in sequences {
            if end <= code.len() && code[start..end].bytes().all(|b| b == b'0') {
                return Err(CodeError::SequenceZero {
                    digits: format!("{}-{}", start + 1, end),
                });
            }
        }
        Ok(GridCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The community this grid belongs to (digits 1-12).
    pub fn community(&self) -> RegionCode {
        RegionCode(self.0[..12].to_owned())
    }

    pub fn level(&self, format: &GridCodeFormat) -> GridLevel {
        if self.0.len() > 12 + format.grid_digits {
            GridLevel::MicroGrid
        } else {
            GridLevel::Grid
        }
    }

    /// For a micro-grid, the code of the grid it belongs to.
    pub fn parent_grid(&self, format: &GridCodeFormat) -> Option<GridCode> {
        match self.level(format) {
            GridLevel::Grid => None,
            GridLevel::MicroGrid => Some(GridCode(self.0[..12 + format.grid_digits].to_owned())),
        }
    }
}

impl fmt::Display for GridCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_domain_example_parses_as_a_community() {
        let code = RegionCode::parse("320508019044").expect("valid code");
        assert_eq!(code.level(), RegionLevel::Village);
        assert_eq!(code.township_kind(), Some(TownshipKind::Subdistrict));
        assert_eq!(code.village_kind(), Some(VillageKind::Community));
        assert_eq!(code.significant(), "320508019044");
        let street = code.parent().expect("street");
        assert_eq!(street.as_str(), "320508019000");
        assert_eq!(street.level(), RegionLevel::Township);
        let district = street.parent().expect("district");
        assert_eq!(district.as_str(), "320508000000");
        assert_eq!(district.significant(), "320508");
        let city = district.parent().expect("city");
        assert_eq!(city.level(), RegionLevel::Prefecture);
        assert_eq!(city.parent(), None);
    }

    #[test]
    fn each_digit_rule_names_itself() {
        let cases = [
            ("", CodeError::Empty),
            (
                "33010600800a",
                CodeError::NotDigit {
                    position: 12,
                    found: 'a',
                },
            ),
            (
                "3301060080",
                CodeError::WrongLength {
                    expected: "12".into(),
                    found: 10,
                },
            ),
            (
                "990106008001",
                CodeError::UnknownProvince { found: "99".into() },
            ),
            ("330006008001", CodeError::NoPrefecture),
            ("330100008001", CodeError::PrefectureWithLowerDigits),
            (
                "330106700001",
                CodeError::TownshipOutOfRange {
                    found: "700".into(),
                },
            ),
            (
                "330106000001",
                CodeError::VillageWithoutTownship {
                    found: "001".into(),
                },
            ),
            (
                "330106008400",
                CodeError::VillageOutOfRange {
                    found: "400".into(),
                },
            ),
        ];
        for (code, expected) in cases {
            assert_eq!(RegionCode::parse(code), Err(expected), "code {code:?}");
        }
    }

    #[test]
    fn errors_read_in_chinese_with_the_digits_named() {
        let error = RegionCode::parse("330106700001").expect_err("township 700 is out of range");
        let message = error.localize(Lang::ZhCn);
        assert!(message.contains("第7-9位"), "{message}");
        assert!(message.contains("700"), "{message}");
        let english = error.localize(Lang::En);
        assert!(english.contains("7-9"), "{english}");
    }

    #[test]
    fn grid_codes_follow_the_configured_width() {
        let three = GridCodeFormat::default();
        let grid = GridCode::parse("330106008001005", &three).expect("grid");
        assert_eq!(grid.community().as_str(), "330106008001");
        assert_eq!(grid.level(&three), GridLevel::Grid);
        let micro = GridCode::parse("33010600800100501", &three).expect("micro-grid");
        assert_eq!(micro.level(&three), GridLevel::MicroGrid);
        assert_eq!(micro.parent_grid(&three), Some(grid));

        let four = GridCodeFormat::new(4, 2).expect("format");
        assert!(GridCode::parse("3301060080010005", &four).is_ok());
        assert!(matches!(
            GridCode::parse("330106008001005", &four),
            Err(CodeError::WrongLength { .. })
        ));
    }

    #[test]
    fn grid_codes_refuse_non_communities_and_zero_sequences() {
        let format = GridCodeFormat::default();
        assert!(matches!(
            GridCode::parse("330106008000001", &format),
            Err(CodeError::NotACommunity { .. })
        ));
        assert_eq!(
            GridCode::parse("330106008001000", &format),
            Err(CodeError::SequenceZero {
                digits: "13-15".into()
            })
        );
        assert_eq!(
            GridCode::parse("33010600800100100", &format),
            Err(CodeError::SequenceZero {
                digits: "16-17".into()
            })
        );
        assert_eq!(
            GridCodeFormat::new(0, 2),
            Err(CodeError::BadSequenceWidth { width: 0 })
        );
    }

    proptest! {
        #[test]
        fn any_valid_code_round_trips_and_its_parents_are_valid(
            province in proptest::sample::select(PROVINCES.to_vec()),
            prefecture in 1u16..=99,
            county in 1u16..=99,
            township in 1u16..=599,
            village in 1u16..=399,
        ) {
            let text = format!("{province}{prefecture:02}{county:02}{township:03}{village:03}");
            let code = RegionCode::parse(&text).expect("constructed valid");
            prop_assert_eq!(code.as_str(), text.as_str());
            let mut level = code.level();
            let mut current = code;
            while let Some(parent) = current.parent() {
                prop_assert!(parent.level() < level);
                prop_assert!(current.as_str().starts_with(parent.significant()));
                level = parent.level();
                current = parent;
            }
            prop_assert_eq!(level, RegionLevel::Prefecture);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,20}") {
            let _ = RegionCode::parse(&text);
            let _ = GridCode::parse(&text, &GridCodeFormat::default());
        }
    }
}
