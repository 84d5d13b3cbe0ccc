//! Phone numbers (联系电话) as people type them, and as they appear inside free text.
//!
//! People write "139 0000 1111", "139-0000-1111", "１３８１２３４５６７８" (a full-width input
//! method), "+86.138.1234.5678", "0086 138..." and "(0571) 8765 4321". [`Phone::parse`] reads one
//! field into its national digits: a mobile number (11 digits, 1 then 3-9) or a landline with
//! its area code (010 and 02x take 8 local digits, other 0xxx codes 7 or 8). The country code
//! 86 is dropped, and a landline written after it gets its 0 back. That canonical form is what
//! the store seals and blind-indexes, so a look-up finds the phone however it was typed.
//!
//! [`find_phones`] finds the same numbers inside text (a case description, a petition), and
//! [`mask_phones`] hides their middle digits where they stand, keeping the writer's layout.
//! Local numbers written without an area code are not found: in free text they cannot be told
//! from amounts and counts.

use std::fmt;
use std::ops::Range;

use serde::Serialize;
use thiserror::Error;

use crate::i18n::{Lang, Localized};
use crate::typed;

use super::mask_middle;

/// What kind of number a phone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// 手机
    Mobile,
    /// 固定电话, with its area code
    Landline,
}

/// Why a phone field was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhoneError {
    #[error("the phone is empty")]
    Empty,
    #[error("{found:?} does not belong in a phone number")]
    BadCharacter { found: char },
    #[error("{digits} is neither a mobile number nor a landline with its area code")]
    NotAPhone { digits: String },
}

impl Localized for PhoneError {
    fn message_key(&self) -> &'static str {
        match self {
            PhoneError::Empty => "phone.empty",
            PhoneError::BadCharacter { .. } => "phone.bad_character",
            PhoneError::NotAPhone { .. } => "phone.not_a_phone",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            PhoneError::Empty => vec![],
            PhoneError::BadCharacter { found } => vec![("found", found.to_string())],
            PhoneError::NotAPhone { digits } => vec![("digits", digits.clone())],
        }
    }
}

/// A phone in its national digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Phone {
    digits: String,
    kind: PhoneKind,
}

/// Characters people put between the digits of a phone (after full-width folding).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '(' | ')' | '_' | '\u{a0}' | '\u{2013}' | '\u{2014}' | '\u{2212}' | '·'
    )
}

/// The kind of a national number, if it is one.
fn national_kind(digits: &str) -> Option<PhoneKind> {
    let bytes = digits.as_bytes();
    match bytes {
        [b'1', b'3'..=b'9', ..] if bytes.len() == 11 => Some(PhoneKind::Mobile),
        [b'0', b'1', b'0', ..] | [b'0', b'2', ..] => {
            landline(bytes, 3, 8..=8).then_some(PhoneKind::Landline)
        }
        [b'0', b'3'..=b'9', ..] => landline(bytes, 4, 7..=8).then_some(PhoneKind::Landline),
        _ => None,
    }
}

/// An area code of `area` digits (the 0 included), then a local number of `local` digits that
/// does not start with 0 or 1.
fn landline(bytes: &[u8], area: usize, local: std::ops::RangeInclusive<usize>) -> bool {
    bytes.len() >= area
        && local.contains(&(bytes.len() - area))
        && bytes.get(area).is_some_and(|b| (b'2'..=b'9').contains(b))
}

/// Reads digits as written: national, or after the country code (`+86`, `0086`, `86`). Gives
/// the phone and how many written digits were the country code.
fn from_written(digits: &str, plus: bool) -> Option<(Phone, usize)> {
    if !plus && let Some(kind) = national_kind(digits) {
        return Some((
            Phone {
                digits: digits.to_owned(),
                kind,
            },
            0,
        ));
    }
    let prefixes: &[&str] = if plus { &["86"] } else { &["0086", "86"] };
    for prefix in prefixes {
        let Some(rest) = digits.strip_prefix(prefix) else {
            continue;
        };
        for national in [rest.to_owned(), format!("0{rest}")] {
            if let Some(kind) = national_kind(&national) {
                return Some((
                    Phone {
                        digits: national,
                        kind,
                    },
                    prefix.len(),
                ));
            }
        }
    }
    None
}

impl Phone {
    /// Reads one phone field as typed: digits (any width), the separators people use, and a
    /// leading `+` before the country code.
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        let folded = typed::folded(text);
        let (plus, body) = match folded.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, folded.as_str()),
        };
        if let Some(found) = body
            .chars()
            .find(|c| !c.is_ascii_digit() && !is_separator(*c))
        {
            return Err(PhoneError::BadCharacter { found });
        }
        let digits: String = body.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        from_written(&digits, plus)
            .map(|(phone, _)| phone)
            .ok_or(PhoneError::NotAPhone { digits })
    }

    /// The national digits: what is sealed and looked up.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// 138****5678: the first 3 and last 4 digits.
    pub fn masked(&self) -> String {
        mask_middle(&self.digits, 3, 4)
    }
}

impl fmt::Display for Phone {
    /// The masked form: a phone is never written whole by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A phone found in text: where it stands (a byte range of the text) and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneMatch {
    pub range: Range<usize>,
    pub phone: Phone,
    /// Written digits of the country code at the start of the range.
    country_digits: usize,
}

/// A run of digits in text, as byte offsets.
struct Group {
    start: usize,
    end: usize,
    digits: String,
}

/// The runs of digit groups joined by at most three separators, each with the offset of a `+`
/// written just before its first digit.
fn runs(text: &str) -> Vec<(Option<usize>, Vec<Group>)> {
    let chars: Vec<(usize, char)> = text
        .char_indices()
        .map(|(at, c)| (at, typed::fold(c)))
        .collect();
    let end_of = |index: usize| chars.get(index).map_or(text.len(), |(at, _)| *at);
    let mut runs = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        if !chars.get(index).is_some_and(|(_, c)| c.is_ascii_digit()) {
            index += 1;
            continue;
        }
        let plus = index
            .checked_sub(1)
            .and_then(|before| chars.get(before))
            .filter(|(_, c)| *c == '+')
            .map(|(at, _)| *at);
        let mut groups = Vec::new();
        loop {
            let start = index;
            let mut digits = String::new();
            while let Some((_, c)) = chars.get(index).filter(|(_, c)| c.is_ascii_digit()) {
                digits.push(*c);
                index += 1;
            }
            groups.push(Group {
                start: end_of(start),
                end: end_of(index),
                digits,
            });
            let mut gap = index;
            while chars.get(gap).is_some_and(|(_, c)| is_separator(*c)) && gap - index < 3 {
                gap += 1;
            }
            if gap == index || !chars.get(gap).is_some_and(|(_, c)| c.is_ascii_digit()) {
                break;
            }
            index = gap;
        }
        runs.push((plus, groups));
    }
    runs
}

/// Every phone in `text`, in order. Within a run of digit groups the longest run of whole
/// groups that reads as a phone wins, so "139 0000 1111" is one phone and "13812345678
/// 13912345678" two; digits are never split inside a group.
pub fn find_phones(text: &str) -> Vec<PhoneMatch> {
    let mut found = Vec::new();
    for (plus, groups) in runs(text) {
        let mut first = 0;
        while first < groups.len() {
            let matched = (first..groups.len()).rev().find_map(|last| {
                let digits: String = groups
                    .iter()
                    .take(last + 1)
                    .skip(first)
                    .map(|g| g.digits.as_str())
                    .collect();
                let plus = if first == 0 { plus } else { None };
                // 0086 and 12 local digits is the longest form.
                (digits.len() <= 16)
                    .then(|| from_written(&digits, plus.is_some()))
                    .flatten()
                    .map(|(phone, country_digits)| {
                        let start = plus.or(groups.get(first).map(|g| g.start));
                        (last, start, phone, country_digits)
                    })
            });
            match matched {
                Some((last, Some(start), phone, country_digits)) => {
                    let end = groups.get(last).map_or(start, |g| g.end);
                    found.push(PhoneMatch {
                        range: start..end,
                        phone,
                        country_digits,
                    });
                    first = last + 1;
                }
                _ => first += 1,
            }
        }
    }
    found
}

/// `text` with the middle digits of every phone in it replaced by `*` where they stand
/// ("电话 139 **** 1111", "+86.138.****.5678"): the first 3 and last 4 national digits stay.
pub fn mask_phones(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for found in find_phones(text) {
        out.push_str(&text[copied..found.range.start]);
        let written = &text[found.range.clone()];
        let digits = written
            .chars()
            .filter(|c| typed::fold(*c).is_ascii_digit())
            .count();
        let national = digits - found.country_digits;
        let hidden = (found.country_digits + 3)..(found.country_digits + national - 4);
        let mut seen = 0;
        for c in written.chars() {
            if typed::fold(c).is_ascii_digit() {
                out.push(if hidden.contains(&seen) { '*' } else { c });
                seen += 1;
            } else {
                out.push(c);
            }
        }
        copied = found.range.end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> Result<String, PhoneError> {
        Phone::parse(text).map(|p| p.as_str().to_owned())
    }

    #[test]
    fn typed_phones_read_as_their_national_digits() {
        for text in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "１３８１２３４５６７８",
            "+86.138.1234.5678",
            "+86 138 1234 5678",
            "０086-13812345678",
            "8613812345678",
        ] {
            assert_eq!(parse(text), Ok("13812345678".into()), "{text}");
        }
        assert_eq!(parse("(0571) 8765 4321"), Ok("057187654321".into()));
        assert_eq!(parse("+86 571 8765 4321"), Ok("057187654321".into()));
        assert!(
            parse("010-12345678").is_err(),
            "local numbers do not start with 1"
        );
        assert_eq!(parse("010-22345678"), Ok("01022345678".into()));
        assert_eq!(parse("0574-2345678"), Ok("05742345678".into()));
        let mobile = Phone::parse("13812345678").expect("mobile");
        assert_eq!(mobile.kind(), PhoneKind::Mobile);
        assert_eq!(mobile.masked(), "138****5678");
        assert_eq!(mobile.to_string(), "138****5678");
        assert_eq!(
            Phone::parse("0571-87654321").expect("landline").kind(),
            PhoneKind::Landline
        );
    }

    #[test]
    fn what_is_not_a_phone_is_refused_with_its_reason() {
        assert_eq!(parse("  "), Err(PhoneError::Empty));
        assert_eq!(
            parse("138 1234 567x"),
            Err(PhoneError::BadCharacter { found: 'x' })
        );
        assert_eq!(
            parse("12812345678"),
            Err(PhoneError::NotAPhone {
                digits: "12812345678".into()
            })
        );
        assert!(parse("87654321").is_err(), "no area code");
        assert!(parse("+1 555 123 4567").is_err(), "not a Chinese number");
        let message = Phone::parse("12812345678")
            .expect_err("not a phone")
            .localize(Lang::ZhCn);
        assert!(message.contains("12812345678"), "{message}");
    }

    #[test]
    fn phones_are_found_and_masked_inside_text() {
        let cases = [
            ("电话 139 0000 1111，请回电", "电话 139 **** 1111，请回电"),
            ("１３８１２３４５６７８", "１３８****５６７８"),
            ("+86.138.1234.5678", "+86.138.****.5678"),
            (
                "联系13812345678 13912345678两位",
                "联系138****5678 139****5678两位",
            ),
            ("座机（0571）8765-4321转分机", "座机（057*）****-4321转分机"),
            ("+86 571 8765 4321", "+86 571 **** 4321"),
            ("共3 138 1234 5678", "共3 138 **** 5678"),
            (
                "身份证110105194912310021不是电话",
                "身份证110105194912310021不是电话",
            ),
            (
                "面积 1234.5 平方米，金额 13800 元",
                "面积 1234.5 平方米，金额 13800 元",
            ),
        ];
        for (text, masked) in cases {
            assert_eq!(mask_phones(text), masked, "{text}");
        }
        let found = find_phones("甲13812345678乙0571-87654321");
        let digits: Vec<&str> = found.iter().map(|m| m.phone.as_str()).collect();
        assert_eq!(digits, ["13812345678", "057187654321"]);
        assert_eq!(
            &"甲13812345678乙0571-87654321"[found[1].range.clone()],
            "0571-87654321"
        );
    }

    fn mobile() -> impl Strategy<Value = String> {
        "1[3-9][0-9]{9}"
    }

    proptest! {
        #[test]
        fn a_mobile_however_written_is_found_and_masked(
            digits in mobile(),
            separator in proptest::sample::select(vec!["", " ", "-", ".", "　", " - "]),
            prefix in proptest::sample::select(vec!["", "+86 ", "0086", "+86."]),
            wide in any::<bool>(),
            before in "[a-z\\p{Han}，。：]{0,4}",
            after in "[a-z\\p{Han}，。：]{0,4}",
        ) {
            let mut written = format!("{prefix}{}{separator}{}{separator}{}", &digits[..3], &digits[3..7], &digits[7..]);
            if wide {
                written = written.chars().map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(0xff10 + d).unwrap_or(c))).collect();
            }
            prop_assert_eq!(Phone::parse(&written).map(|p| p.as_str().to_owned()), Ok(digits.clone()));
            let text = format!("{before}{written}{after}");
            let found = find_phones(&text);
            prop_assert_eq!(found.len(), 1, "{}", text);
            prop_assert_eq!(found[0].phone.as_str(), digits.as_str());
            let masked = mask_phones(&text);
            let remaining: String = masked.chars().map(typed::fold).filter(char::is_ascii_digit).collect();
            let country = if prefix.contains("0086") { "0086" } else if prefix.contains("86") { "86" } else { "" };
            prop_assert_eq!(remaining, format!("{country}{}{}", &digits[..3], &digits[7..]));
            prop_assert_eq!(masked.chars().filter(|c| *c == '*').count(), 4);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,40}") {
            let _ = Phone::parse(&text);
            let _ = mask_phones(&text);
        }
    }
}
