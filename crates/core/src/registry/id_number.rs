//! 公民身份号码 (citizen ID number, GB 11643-1999; 居民身份证法 第三条: unique and lifelong):
//! 18 characters, read once and valid from then on.
//!
//! Digits 1-6 are the address code (GB/T 2260 county where the number was first issued),
//! 7-14 the birth date (YYYYMMDD), 15-17 the sequence (odd for men, even for women), and the
//! 18th the ISO 7064 MOD 11-2 check character, 0-9 or X for 10. The same 18-character form is
//! used by the 港澳台居民居住证 (address code 810000/820000/830000) and the 2023 外国人永久居留
//! 身份证 (first digit 9), so the form's rules live here and those documents reuse them.
//!
//! A parse error names the rule that failed and where, in the reader's language. Display is
//! masked by default (330106********1234: DOMAIN.md section 9; 居民身份证法 第十三条 and
//! 第十九条 oblige whoever holds the number to keep it confidential).

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use thiserror::Error;

use crate::codes::{PROVINCES, RegionCode};
use crate::i18n::{Lang, Localized};
use crate::typed;

use super::mask_middle;

/// ISO 7064 MOD 11-2 weights of positions 1-17: 2^(18-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Address codes of the 港澳台居民居住证 (Hong Kong, Macao, Taiwan), never of a citizen's ID.
pub(crate) const RESIDENCE_PERMIT_PREFIXES: [&str; 3] = ["810000", "820000", "830000"];

/// Provinces of GB/T 2260 that issue no 居民身份证 of their own (Taiwan, Hong Kong, Macao).
const NOT_ISSUING: [&str; 3] = ["71", "81", "82"];

/// The MOD 11-2 check character of 17 digits, `None` if they are not 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    let value = (12 - sum % 11) % 11;
    Some(if value == 10 {
        'X'
    } else {
        char::from_digit(value, 10)?
    })
}

/// Why an 18-character number was refused. Positions are 1-based, as people count.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdNumberError {
    #[error("the number is empty")]
    Empty,
    #[error("the number has {found} characters; 18 are required")]
    WrongLength { found: usize },
    #[error("character {position} ({found:?}) must be a digit")]
    NotDigit { position: usize, found: char },
    #[error("the last character ({found:?}) must be a digit or X")]
    BadCheckCharacter { found: char },
    #[error("digits 1-2 ({found}) are not a province that issues ID cards")]
    UnknownProvince { found: String },
    #[error("{prefix} is the address code of a 港澳台居民居住证, not of an ID card")]
    ResidencePermit { prefix: String },
    #[error("digits 7-14 ({found}) are not a date")]
    BadBirthDate { found: String },
    #[error("the birth date {date} is after {today}")]
    BornInFuture { date: NaiveDate, today: NaiveDate },
    #[error("the check character is {found}; the first 17 digits give {expected}")]
    CheckMismatch { expected: char, found: char },
    #[error("a 15-digit number of the old form must be 15 digits")]
    BadLegacy,
}

impl Localized for IdNumberError {
    fn message_key(&self) -> &'static str {
        match self {
            IdNumberError::Empty => "id_number.empty",
            IdNumberError::WrongLength { .. } => "id_number.wrong_length",
            IdNumberError::NotDigit { .. } => "id_number.not_digit",
            IdNumberError::BadCheckCharacter { .. } => "id_number.bad_check_character",
            IdNumberError::UnknownProvince { .. } => "id_number.unknown_province",
            IdNumberError::ResidencePermit { .. } => "id_number.residence_permit",
            IdNumberError::BadBirthDate { .. } => "id_number.bad_birth_date",
            IdNumberError::BornInFuture { .. } => "id_number.born_in_future",
            IdNumberError::CheckMismatch { .. } => "id_number.check_mismatch",
            IdNumberError::BadLegacy => "id_number.bad_legacy",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            IdNumberError::Empty | IdNumberError::BadLegacy => vec![],
            IdNumberError::WrongLength { found } => vec![("found", found.to_string())],
            IdNumberError::NotDigit { position, found } => vec![
                ("position", position.to_string()),
                ("found", found.to_string()),
            ],
            IdNumberError::BadCheckCharacter { found } => vec![("found", found.to_string())],
            IdNumberError::UnknownProvince { found } | IdNumberError::BadBirthDate { found } => {
                vec![("found", found.clone())]
            }
            IdNumberError::ResidencePermit { prefix } => vec![("prefix", prefix.clone())],
            IdNumberError::BornInFuture { date, today } => {
                vec![("date", date.to_string()), ("today", today.to_string())]
            }
            IdNumberError::CheckMismatch { expected, found } => vec![
                ("expected", expected.to_string()),
                ("found", found.to_string()),
            ],
        }
    }
}

/// 性别, as the sequence gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label_key(self) -> &'static str {
        match self {
            Sex::Male => "sex.male",
            Sex::Female => "sex.female",
        }
    }
}

/// The number as people typed it, folded and upper-cased, without its region checked.
/// Shared by every document of the 18-character form.
pub(crate) fn parse_form(text: &str, today: NaiveDate) -> Result<String, IdNumberError> {
    let number = typed::folded(text).to_ascii_uppercase();
    let chars: Vec<char> = number.chars().collect();
    if chars.is_empty() {
        return Err(IdNumberError::Empty);
    }
    if let Some((index, &found)) = chars
        .iter()
        .enumerate()
        .take(17)
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(IdNumberError::NotDigit {
            position: index + 1,
            found,
        });
    }
    let chars: [char; 18] = chars
        .try_into()
        .map_err(|chars: Vec<char>| IdNumberError::WrongLength { found: chars.len() })?;
    let [.., last] = chars;
    if !last.is_ascii_digit() && last != 'X' {
        return Err(IdNumberError::BadCheckCharacter { found: last });
    }
    birth_date(&number, today)?;
    let expected = check_character(&number[..17]).unwrap_or('?');
    if expected != last {
        return Err(IdNumberError::CheckMismatch {
            expected,
            found: last,
        });
    }
    Ok(number)
}

/// Digits 7-14 as a date no later than `today`.
fn birth_date(number: &str, today: NaiveDate) -> Result<NaiveDate, IdNumberError> {
    let digits = &number[6..14];
    let date =
        NaiveDate::parse_from_str(digits, "%Y%m%d").map_err(|_| IdNumberError::BadBirthDate {
            found: digits.to_owned(),
        })?;
    if date > today {
        return Err(IdNumberError::BornInFuture { date, today });
    }
    Ok(date)
}

/// Reads the birth date and sex of a number that passed [`parse_form`].
pub(crate) fn form_birth_date(number: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&number[6..14], "%Y%m%d").unwrap_or_default()
}

pub(crate) fn form_sex(number: &str) -> Sex {
    if number
        .as_bytes()
        .get(16)
        .is_some_and(|digit| digit % 2 == 1)
    {
        Sex::Male
    } else {
        Sex::Female
    }
}

/// A valid 公民身份号码.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Reads a number as typed (full-width digits and a lower-case x are accepted). The birth
    /// date may not be after `today`, the caller's business day.
    pub fn parse(text: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let folded = typed::folded(text);
        if let Some(prefix) = RESIDENCE_PERMIT_PREFIXES
            .into_iter()
            .find(|prefix| folded.starts_with(prefix))
        {
            return Err(IdNumberError::ResidencePermit {
                prefix: prefix.to_owned(),
            });
        }
        let number = parse_form(text, today)?;
        let province = &number[..2];
        if !PROVINCES.contains(&province) || NOT_ISSUING.contains(&province) {
            return Err(IdNumberError::UnknownProvince {
                found: province.to_owned(),
            });
        }
        Ok(IdNumber(number))
    }

    /// Upgrades a 15-digit number of the first-generation card (issued before 1999: address
    /// code, YYMMDD, sequence, no check character) to its 18-character form, as GB 11643
    /// prescribes: the century 19 inserted and the check character appended.
    pub fn from_legacy(text: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let digits = typed::folded(text);
        if digits.len() != 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdNumberError::BadLegacy);
        }
        let first17 = format!("{}19{}", &digits[..6], &digits[6..]);
        let check = check_character(&first17).ok_or(IdNumberError::BadLegacy)?;
        IdNumber::parse(&format!("{first17}{check}"), today)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1-6: the address code where the number was first issued.
    pub fn address_code(&self) -> &str {
        &self.0[..6]
    }

    /// The address code as a county-level [`RegionCode`], when it is one of today's form
    /// (codes of abolished counties still parse; codes ending in 00 name no county).
    pub fn birth_region(&self) -> Option<RegionCode> {
        RegionCode::parse(&format!("{}000000", self.address_code())).ok()
    }

    pub fn birth_date(&self) -> NaiveDate {
        form_birth_date(&self.0)
    }

    pub fn sex(&self) -> Sex {
        form_sex(&self.0)
    }

    /// 330106********1234: the first 6 and last 4 characters.
    pub fn masked(&self) -> String {
        mask_middle(&self.0, 6, 4)
    }
}

impl fmt::Display for IdNumber {
    /// The masked form: a number is never written whole by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl From<IdNumber> for String {
    fn from(number: IdNumber) -> String {
        number.0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
    }

    /// An ID number for `region`, `birth` (YYYYMMDD) and `sequence`, with its check character.
    pub(crate) fn make(region: &str, birth: &str, sequence: u16) -> String {
        let first17 = format!("{region}{birth}{sequence:03}");
        format!("{first17}{}", check_character(&first17).expect("17 digits"))
    }

    #[test]
    fn the_examples_of_gb_11643_parse() {
        // The standard's own examples (GB 11643-1999, 附录 A).
        let beijing = IdNumber::parse("11010519491231002X", today()).expect("example 1");
        assert_eq!(beijing.sex(), Sex::Female);
        assert_eq!(
            beijing.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).expect("date")
        );
        assert_eq!(beijing.address_code(), "110105");
        let shantou = IdNumber::parse("440524188001010014", today()).expect("example 2");
        assert_eq!(shantou.sex(), Sex::Male);
        assert_eq!(shantou.birth_date().to_string(), "1880-01-01");
        assert_eq!(
            shantou.birth_region().map(|r| r.to_string()),
            Some("440524000000".into())
        );
    }

    #[test]
    fn typed_forms_are_accepted_and_normalised() {
        let number = IdNumber::parse(" １１０１０５１９４９１２３１００２ｘ ", today())
            .expect("full-width with a lower-case x");
        assert_eq!(number.as_str(), "11010519491231002X");
    }

    #[test]
    fn masking_keeps_the_first_six_and_last_four() {
        let number = IdNumber::parse(&make("330106", "19800101", 123), today()).expect("valid");
        assert_eq!(
            number.masked(),
            format!("330106********{}", &number.as_str()[14..])
        );
        assert_eq!(number.to_string(), number.masked());
    }

    #[test]
    fn each_rule_names_itself() {
        let good = make("330106", "19800101", 123);
        let cases = [
            ("", IdNumberError::Empty),
            ("3301061980", IdNumberError::WrongLength { found: 10 }),
            (
                "33010619800101123A",
                IdNumberError::BadCheckCharacter { found: 'A' },
            ),
            (
                "3301061980O101123X",
                IdNumberError::NotDigit {
                    position: 11,
                    found: 'O',
                },
            ),
            (
                &make("990106", "19800101", 123),
                IdNumberError::UnknownProvince { found: "99".into() },
            ),
            (
                &make("810000", "19800101", 123),
                IdNumberError::ResidencePermit {
                    prefix: "810000".into(),
                },
            ),
            (
                &make("330106", "19800230", 123),
                IdNumberError::BadBirthDate {
                    found: "19800230".into(),
                },
            ),
            (
                &make("330106", "20260102", 123),
                IdNumberError::BornInFuture {
                    date: NaiveDate::from_ymd_opt(2026, 1, 2).expect("date"),
                    today: today(),
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(IdNumber::parse(text, today()), Err(expected), "{text:?}");
        }
        let wrong_check = format!("{}0", &good[..17]);
        if !good.ends_with('0') {
            assert!(matches!(
                IdNumber::parse(&wrong_check, today()),
                Err(IdNumberError::CheckMismatch { found: '0', .. })
            ));
        }
    }

    #[test]
    fn errors_read_in_both_languages() {
        let error = IdNumber::parse("11010519491231002Y", today()).expect_err("bad last char");
        assert!(error.localize(Lang::ZhCn).contains('Y'));
        let error = IdNumber::parse("110105194912310021", today()).expect_err("check");
        let zh = error.localize(Lang::ZhCn);
        let en = error.localize(Lang::En);
        assert!(zh.contains('X') && zh.contains('1'), "{zh}");
        assert!(en.contains('X'), "{en}");
    }

    #[test]
    fn a_legacy_number_gains_its_century_and_check_character() {
        let number = IdNumber::from_legacy("110105491231002", today()).expect("legacy");
        assert_eq!(number.as_str(), "11010519491231002X");
        assert_eq!(
            IdNumber::from_legacy("11010549123100", today()),
            Err(IdNumberError::BadLegacy)
        );
    }

    fn valid_number() -> impl Strategy<Value = String> {
        let provinces: Vec<&str> = PROVINCES
            .into_iter()
            .filter(|p| !NOT_ISSUING.contains(p))
            .collect();
        (
            proptest::sample::select(provinces),
            0_u16..100,
            0_u16..100,
            NaiveDate::from_ymd_opt(1900, 1, 1)
                .expect("date")
                .num_days_from_ce()..=today().num_days_from_ce(),
            0_u16..1000,
        )
            .prop_map(|(province, prefecture, county, day, sequence)| {
                let birth = NaiveDate::from_num_days_from_ce_opt(day).expect("in range");
                make(
                    &format!("{province}{prefecture:02}{county:02}"),
                    &birth.format("%Y%m%d").to_string(),
                    sequence,
                )
            })
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip_with_their_sex_and_birth(text in valid_number()) {
            let number = IdNumber::parse(&text, today()).expect("constructed valid");
            prop_assert_eq!(number.as_str(), text.as_str());
            let odd = (text.as_bytes()[16] - b'0') % 2 == 1;
            prop_assert_eq!(number.sex() == Sex::Male, odd);
            prop_assert_eq!(number.birth_date().format("%Y%m%d").to_string(), &text[6..14]);
            prop_assert_eq!(number.masked().chars().filter(|c| *c == '*').count(), 8);
        }

        #[test]
        fn any_single_character_change_is_caught(
            text in valid_number(),
            position in 0_usize..18,
            replacement in proptest::sample::select("0123456789X".chars().collect::<Vec<_>>()),
        ) {
            let mut chars: Vec<char> = text.chars().collect();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(IdNumber::parse(&changed, today()).is_err(), "{} passed", changed);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,24}") {
            let _ = IdNumber::parse(&text, today());
            let _ = IdNumber::from_legacy(&text, today());
        }
    }
}
