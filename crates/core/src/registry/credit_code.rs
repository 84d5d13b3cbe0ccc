//! 统一社会信用代码 (unified social credit code, GB 32100-2015): read once, valid from then on.
//!
//! 18 characters from 31 (0-9 and the capitals without I, O, Z, S, V): position 1 the
//! registration authority (登记管理部门), 2 the organisation class within it (机构类别),
//! 3-8 the authority's region (GB/T 2260; 100000 for the national registry), 9-17 the
//! organisation code (组织机构代码, GB 11714, whose 9th character is its own check), and 18 the
//! check character (GB/T 17710 MOD 31: weights 3^(i-1) mod 31). Both checks are verified.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

use crate::codes::{PROVINCES, RegionCode};
use crate::i18n::{self, Lang, Localized};
use crate::typed;

/// The code's character set in value order: a character's value is its index.
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB/T 17710 weights of positions 1-17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714 weights of the organisation code's 8 body characters.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

fn value(c: char) -> Option<u32> {
    CHARSET.find(c).and_then(|index| u32::try_from(index).ok())
}

/// The MOD 31 check character of the first 17 characters, `None` if any is outside the set.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, weight) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    CHARSET.chars().nth(usize::try_from(check).ok()?)
}

/// The GB 11714 check character of an organisation code's 8 body characters (digits and
/// capitals, A = 10 ... Z = 35): 11 - (Σ mod 11), where 10 is written X and 11 is 0.
pub fn organisation_check(body: &str) -> Option<char> {
    if body.chars().count() != 8 {
        return None;
    }
    let mut sum = 0;
    for (c, weight) in body.chars().zip(ORG_WEIGHTS) {
        sum += c.to_digit(36)? * weight;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        digit => char::from_digit(digit, 10)?,
    })
}

/// The registration authority of position 1, with the organisation classes it registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    /// 1 机构编制
    Staffing,
    /// 2 外交
    ForeignAffairs,
    /// 3 司法行政
    Justice,
    /// 4 文化
    Culture,
    /// 5 民政
    CivilAffairs,
    /// 6 旅游
    Tourism,
    /// 7 宗教
    Religion,
    /// 8 工会
    TradeUnion,
    /// 9 工商 (now 市场监管)
    MarketRegulation,
    /// A 中央军委改革和编制办公室
    MilitaryStaffing,
    /// N 农业
    Agriculture,
    /// Y 其他
    Other,
}

impl Authority {
    pub const ALL: [Authority; 12] = [
        Authority::Staffing,
        Authority::ForeignAffairs,
        Authority::Justice,
        Authority::Culture,
        Authority::CivilAffairs,
        Authority::Tourism,
        Authority::Religion,
        Authority::TradeUnion,
        Authority::MarketRegulation,
        Authority::MilitaryStaffing,
        Authority::Agriculture,
        Authority::Other,
    ];

    pub fn code(self) -> char {
        match self {
            Authority::Staffing => '1',
            Authority::ForeignAffairs => '2',
            Authority::Justice => '3',
            Authority::Culture => '4',
            Authority::CivilAffairs => '5',
            Authority::Tourism => '6',
            Authority::Religion => '7',
            Authority::TradeUnion => '8',
            Authority::MarketRegulation => '9',
            Authority::MilitaryStaffing => 'A',
            Authority::Agriculture => 'N',
            Authority::Other => 'Y',
        }
    }

    pub fn from_code(code: char) -> Option<Authority> {
        Authority::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The organisation classes (position 2) this authority registers (GB 32100 表 2).
    pub fn classes(self) -> &'static [char] {
        match self {
            Authority::Staffing => &['1', '2', '3', '9'],
            Authority::Justice => &['1', '2', '3', '4', '5', '9'],
            Authority::CivilAffairs | Authority::Agriculture => &['1', '2', '3', '9'],
            Authority::Tourism | Authority::Religion => &['1', '2', '9'],
            Authority::MarketRegulation => &['1', '2', '3'],
            Authority::ForeignAffairs
            | Authority::Culture
            | Authority::TradeUnion
            | Authority::MilitaryStaffing => &['1', '9'],
            Authority::Other => &['1'],
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Authority::Staffing => "credit_code.authority_1",
            Authority::ForeignAffairs => "credit_code.authority_2",
            Authority::Justice => "credit_code.authority_3",
            Authority::Culture => "credit_code.authority_4",
            Authority::CivilAffairs => "credit_code.authority_5",
            Authority::Tourism => "credit_code.authority_6",
            Authority::Religion => "credit_code.authority_7",
            Authority::TradeUnion => "credit_code.authority_8",
            Authority::MarketRegulation => "credit_code.authority_9",
            Authority::MilitaryStaffing => "credit_code.authority_a",
            Authority::Agriculture => "credit_code.authority_n",
            Authority::Other => "credit_code.authority_y",
        }
    }
}

/// Why a credit code was refused. Positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CreditCodeError {
    #[error("the code is empty")]
    Empty,
    #[error("the code has {found} characters; 18 are required")]
    WrongLength { found: usize },
    #[error("character {position} ({found:?}) is not one of the code's 31 characters")]
    BadCharacter { position: usize, found: char },
    #[error("character 1 ({found}) is not a registration authority")]
    UnknownAuthority { found: char },
    #[error("character 2 ({found}) is not an organisation class of that authority")]
    UnknownClass { authority: Authority, found: char },
    #[error("characters 3-8 ({found}) are not a region code")]
    BadRegion { found: String },
    #[error(
        "the organisation code's check (character 17) is {found}; characters 9-16 give {expected}"
    )]
    OrganisationCheckMismatch { expected: char, found: char },
    #[error("the check character is {found}; the first 17 give {expected}")]
    CheckMismatch { expected: char, found: char },
}

impl Localized for CreditCodeError {
    fn message_key(&self) -> &'static str {
        match self {
            CreditCodeError::Empty => "credit_code.empty",
            CreditCodeError::WrongLength { .. } => "credit_code.wrong_length",
            CreditCodeError::BadCharacter { .. } => "credit_code.bad_character",
            CreditCodeError::UnknownAuthority { .. } => "credit_code.unknown_authority",
            CreditCodeError::UnknownClass { .. } => "credit_code.unknown_class",
            CreditCodeError::BadRegion { .. } => "credit_code.bad_region",
            CreditCodeError::OrganisationCheckMismatch { .. } => {
                "credit_code.organisation_check_mismatch"
            }
            CreditCodeError::CheckMismatch { .. } => "credit_code.check_mismatch",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            CreditCodeError::Empty => vec![],
            CreditCodeError::WrongLength { found } => vec![("found", found.to_string())],
            CreditCodeError::BadCharacter { position, found } => vec![
                ("position", position.to_string()),
                ("found", found.to_string()),
            ],
            CreditCodeError::UnknownAuthority { found } => vec![("found", found.to_string())],
            CreditCodeError::UnknownClass { authority, found } => vec![
                ("found", found.to_string()),
                (
                    "authority",
                    i18n::text(lang, authority.label_key()).to_owned(),
                ),
            ],
            CreditCodeError::BadRegion { found } => vec![("found", found.clone())],
            CreditCodeError::OrganisationCheckMismatch { expected, found }
            | CreditCodeError::CheckMismatch { expected, found } => vec![
                ("expected", expected.to_string()),
                ("found", found.to_string()),
            ],
        }
    }
}

/// A valid 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Reads a code as typed (full-width and lower-case letters are accepted).
    pub fn parse(text: &str) -> Result<CreditCode, CreditCodeError> {
        let code = typed::folded(text).to_ascii_uppercase();
        let chars: Vec<char> = code.chars().collect();
        if chars.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        if let Some((index, &found)) = chars.iter().enumerate().find(|(_, c)| value(**c).is_none())
        {
            return Err(CreditCodeError::BadCharacter {
                position: index + 1,
                found,
            });
        }
        let chars: [char; 18] = chars
            .try_into()
            .map_err(|chars: Vec<char>| CreditCodeError::WrongLength { found: chars.len() })?;
        let authority = Authority::from_code(chars[0])
            .ok_or(CreditCodeError::UnknownAuthority { found: chars[0] })?;
        if !authority.classes().contains(&chars[1]) {
            return Err(CreditCodeError::UnknownClass {
                authority,
                found: chars[1],
            });
        }
        // All 31 characters are ASCII, so byte offsets are character offsets from here on.
        let region = &code[2..8];
        let province = &region[..2];
        let national = region == "100000";
        if !region.bytes().all(|b| b.is_ascii_digit())
            || !(national || PROVINCES.contains(&province))
        {
            return Err(CreditCodeError::BadRegion {
                found: region.to_owned(),
            });
        }
        let expected = organisation_check(&code[8..16]).unwrap_or('?');
        if expected != chars[16] {
            return Err(CreditCodeError::OrganisationCheckMismatch {
                expected,
                found: chars[16],
            });
        }
        let expected = check_character(&code[..17]).unwrap_or('?');
        if expected != chars[17] {
            return Err(CreditCodeError::CheckMismatch {
                expected,
                found: chars[17],
            });
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn authority(&self) -> Authority {
        self.0
            .chars()
            .next()
            .and_then(Authority::from_code)
            .unwrap_or(Authority::Other)
    }

    /// Position 2, the organisation class within the authority.
    pub fn class(&self) -> char {
        self.0.chars().nth(1).unwrap_or('1')
    }

    /// The locale key of the organisation class's name (企业, 个体工商户, 社会团体...).
    pub fn class_label_key(&self) -> String {
        format!(
            "credit_code.class_{}{}",
            self.authority().code().to_ascii_lowercase(),
            self.class()
        )
    }

    /// Characters 3-8: the registering authority's region code.
    pub fn region_digits(&self) -> &str {
        &self.0[2..8]
    }

    /// The region as a county-level [`RegionCode`], when it names one.
    pub fn region(&self) -> Option<RegionCode> {
        RegionCode::parse(&format!("{}000000", self.region_digits())).ok()
    }

    /// Characters 9-17, the 组织机构代码, written as it was on the old certificates
    /// ("19220382-1").
    pub fn organisation_code(&self) -> String {
        format!("{}-{}", &self.0[8..16], &self.0[16..17])
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<CreditCode> for String {
    fn from(code: CreditCode) -> String {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_worked_example_of_gb_32100_checks() {
        // The standard's worked example: 91350100M000100Y4 gives check character 3, so the
        // example's "…Y4Z" is refused (Z is not even in the set) and "…Y43" is a valid code.
        assert_eq!(check_character("91350100M000100Y4"), Some('3'));
        assert_eq!(
            CreditCode::parse("91350100M000100Y4Z"),
            Err(CreditCodeError::BadCharacter {
                position: 18,
                found: 'Z'
            })
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::CheckMismatch {
                expected: '3',
                found: '4'
            })
        );
        let code = CreditCode::parse("91350100M000100Y43").expect("valid");
        assert_eq!(code.authority(), Authority::MarketRegulation);
        assert_eq!(code.class(), '1');
        assert_eq!(code.class_label_key(), "credit_code.class_91");
        assert_eq!(code.region_digits(), "350100");
        assert_eq!(code.organisation_code(), "M000100Y-4");
    }

    #[test]
    fn published_codes_pass_both_checks() {
        for text in ["91512081MA62K0260E", "914403001922038216"] {
            let code = CreditCode::parse(text).expect(text);
            assert_eq!(code.as_str(), text);
        }
        assert_eq!(organisation_check("19220382"), Some('1'));
        assert_eq!(organisation_check("MA62K026"), Some('0'));
        let code = CreditCode::parse("914403001922038216").expect("valid");
        assert_eq!(
            code.region().map(|r| r.to_string()),
            Some("440300000000".into())
        );
    }

    #[test]
    fn each_rule_names_itself() {
        let cases = [
            ("", CreditCodeError::Empty),
            ("9135010", CreditCodeError::WrongLength { found: 7 }),
            (
                "91350100M000100I43",
                CreditCodeError::BadCharacter {
                    position: 16,
                    found: 'I',
                },
            ),
            (
                "B1350100M000100Y43",
                CreditCodeError::UnknownAuthority { found: 'B' },
            ),
            (
                "94350100M000100Y43",
                CreditCodeError::UnknownClass {
                    authority: Authority::MarketRegulation,
                    found: '4',
                },
            ),
            (
                "91990100M000100Y43",
                CreditCodeError::BadRegion {
                    found: "990100".into(),
                },
            ),
            (
                "91350100M000100Y53",
                CreditCodeError::OrganisationCheckMismatch {
                    expected: '4',
                    found: '5',
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(CreditCode::parse(text), Err(expected), "{text:?}");
        }
        assert!(
            CreditCode::parse("91350100m000100y43").is_ok(),
            "lower case"
        );
        let message = CreditCode::parse("94350100M000100Y43")
            .expect_err("class")
            .localize(Lang::ZhCn);
        assert!(message.contains("工商"), "{message}");
    }

    #[test]
    fn every_authority_and_class_is_named_in_both_languages() {
        for authority in Authority::ALL {
            for lang in Lang::ALL {
                assert_ne!(
                    i18n::text(lang, authority.label_key()),
                    authority.label_key()
                );
            }
            for class in authority.classes() {
                let key = format!(
                    "credit_code.class_{}{class}",
                    authority.code().to_ascii_lowercase()
                );
                for lang in Lang::ALL {
                    assert_ne!(i18n::text(lang, &key), key);
                }
            }
        }
    }

    /// A valid code from its parts: the two check characters computed.
    fn valid_code() -> impl Strategy<Value = String> {
        let authorities: Vec<(char, char)> = Authority::ALL
            .into_iter()
            .flat_map(|a| a.classes().iter().map(move |c| (a.code(), *c)))
            .collect();
        let body_chars: Vec<char> = CHARSET.chars().collect();
        (
            proptest::sample::select(authorities),
            proptest::sample::select(PROVINCES.to_vec()),
            0_u16..10_000,
            proptest::collection::vec(proptest::sample::select(body_chars), 8),
        )
            .prop_filter_map(
                "organisation check outside the set",
                |((a, c), p, rest, body)| {
                    let body: String = body.into_iter().collect();
                    let org_check = organisation_check(&body)?;
                    let first17 = format!("{a}{c}{p}{rest:04}{body}{org_check}");
                    Some(format!("{first17}{}", check_character(&first17)?))
                },
            )
    }

    proptest! {
        #[test]
        fn valid_codes_round_trip(text in valid_code()) {
            let code = CreditCode::parse(&text).expect("constructed valid");
            prop_assert_eq!(code.as_str(), text.as_str());
            prop_assert!(code.authority().classes().contains(&code.class()));
        }

        #[test]
        fn any_single_character_change_is_caught(
            text in valid_code(),
            position in 0_usize..18,
            replacement in proptest::sample::select(CHARSET.chars().chain("IOZSV".chars()).collect::<Vec<_>>()),
        ) {
            let mut chars: Vec<char> = text.chars().collect();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err(), "{} passed", changed);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,24}") {
            let _ = CreditCode::parse(&text);
        }
    }
}
