//! Money (金额) as whole fen (分) in an `i64`, never a float, and its reading and writing.
//!
//! Why integer fen rather than a decimal type: every amount in scope (a building's tax for a
//! year, a street's 1-N月 revenue, a district's total) is a whole number of fen, far below the
//! 9.2e16 yuan an `i64` holds; sums are then exact and order-independent; the only divisions
//! (ratios, display in 万元/亿元) go through [`crate::decimal`]'s exact rounding; and nothing
//! is added to the build. A decimal crate would buy arbitrary scale we never need.
//!
//! Amounts are written as the street reports write them: in 亿元 from one 亿 up, else in 万元
//! from one 万 up, with up to two decimals and no trailing zeros ("10.86亿元", "3925万元",
//! "4744.89万元"). English pages use millions and billions instead.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decimal;
use crate::i18n::{self, Lang, Localized};
use crate::typed;

/// Minor units (分, cents) in one major unit (元, dollar).
const MINOR_PER_MAJOR: i64 = 100;

/// An amount of yuan, held as fen. Arithmetic saturates rather than wraps: no real amount
/// comes near the limit, and a saturated sum is visibly absurd where a wrapped one is not.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    /// Whole yuan; `None` past the `i64` range of fen.
    pub fn from_yuan(yuan: i64) -> Option<Money> {
        yuan.checked_mul(MINOR_PER_MAJOR).map(Money)
    }

    /// `amount` of `scale` (e.g. 1000 万元); `None` past the range.
    pub fn of(amount: i64, scale: Scale) -> Option<Money> {
        amount
            .checked_mul(scale.factor())
            .and_then(Money::from_yuan)
    }

    /// Reads "10.86亿元", "3925万", "1,234.56元", "¥12" or, with no unit written, a number of
    /// `bare` (the unit a spreadsheet column states in its header).
    pub fn parse(text: &str, bare: Scale) -> Result<Money, MoneyError> {
        parse_minor(text, bare).map(Money)
    }

    /// As the reports write it in `lang` ("10.86亿元", "3925万元").
    pub fn text(self, lang: Lang) -> String {
        amount_text(self.0, Currency::Cny, lang)
    }

    /// In a fixed `scale` with up to two decimals ("0.39亿元").
    pub fn text_in(self, scale: Scale, lang: Lang) -> String {
        scaled_text(self.0, Currency::Cny, scale, lang)
    }

    pub fn abs(self) -> Money {
        Money(self.0.saturating_abs())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        *self = *self + other;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0))
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    /// Plain yuan with two decimals ("1234.50"), for logs and exports; people get [`Money::text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&decimal::fixed(i128::from(self.0), 2, false))
    }
}

/// The currency of an amount held in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Currency {
    /// 人民币 (元, 分)
    Cny,
    /// 美元, in which 实际利用外资 is reported
    Usd,
}

impl Currency {
    pub fn label_key(self) -> &'static str {
        match self {
            Currency::Cny => "money.currency_cny",
            Currency::Usd => "money.currency_usd",
        }
    }
}

/// The unit an amount is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 元
    One,
    /// 万元
    Wan,
    /// million
    Million,
    /// 亿元
    Yi,
    /// billion
    Billion,
}

impl Scale {
    /// Major units (元) in one of this scale.
    pub fn factor(self) -> i64 {
        match self {
            Scale::One => 1,
            Scale::Wan => 10_000,
            Scale::Million => 1_000_000,
            Scale::Yi => 100_000_000,
            Scale::Billion => 1_000_000_000,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Scale::One => "money.one",
            Scale::Wan => "money.wan",
            Scale::Million => "money.million",
            Scale::Yi => "money.yi",
            Scale::Billion => "money.billion",
        }
    }

    /// The scales a language writes amounts in, largest first.
    fn ladder(lang: Lang) -> [Scale; 3] {
        match lang {
            Lang::ZhCn => [Scale::Yi, Scale::Wan, Scale::One],
            Lang::En => [Scale::Billion, Scale::Million, Scale::One],
        }
    }
}

/// `minor` units in hundredths of `scale`, rounded.
fn hundredths(minor: i64, scale: Scale) -> i128 {
    let divisor = i128::from(scale.factor()) * i128::from(MINOR_PER_MAJOR);
    decimal::div_round(i128::from(minor) * 100, divisor).unwrap_or(0)
}

fn scaled_text(minor: i64, currency: Currency, scale: Scale, lang: Lang) -> String {
    i18n::format(
        lang,
        scale.key(),
        &[
            ("amount", decimal::fixed(hundredths(minor, scale), 2, true)),
            (
                "currency",
                i18n::text(lang, currency.label_key()).to_owned(),
            ),
        ],
    )
}

/// An amount of `currency` held in minor units, in the largest of the language's scales that
/// it reaches once rounded to two decimals (so 99,999,999.99 元 is "1亿元", not "10000万元").
pub fn amount_text(minor: i64, currency: Currency, lang: Lang) -> String {
    let ladder = Scale::ladder(lang);
    let scale = ladder
        .into_iter()
        .find(|scale| hundredths(minor, *scale).abs() >= 100)
        .unwrap_or(Scale::One);
    scaled_text(minor, currency, scale, lang)
}

/// Why an amount was not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("the amount is empty")]
    Empty,
    #[error("{text:?} is not an amount")]
    NotANumber { text: String },
    #[error("{text:?} has more decimals than a fen")]
    TooPrecise { text: String },
    #[error("{text:?} is too large")]
    TooLarge { text: String },
}

impl Localized for MoneyError {
    fn message_key(&self) -> &'static str {
        match self {
            MoneyError::Empty => "money.empty",
            MoneyError::NotANumber { .. } => "money.not_a_number",
            MoneyError::TooPrecise { .. } => "money.too_precise",
            MoneyError::TooLarge { .. } => "money.too_large",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            MoneyError::Empty => vec![],
            MoneyError::NotANumber { text }
            | MoneyError::TooPrecise { text }
            | MoneyError::TooLarge { text } => vec![("text", text.clone())],
        }
    }
}

/// Reads an amount into minor units (fen, cents): see [`Money::parse`]. Currency words and
/// signs (元, 美元, ¥, $) are dropped: the column says which currency it holds.
pub fn parse_minor(text: &str, bare: Scale) -> Result<i64, MoneyError> {
    let original = text.trim().to_owned();
    let mut body: String = typed::folded(text)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '，' | '¥' | '￥' | '$'))
        .collect();
    if body.is_empty() {
        return Err(MoneyError::Empty);
    }
    let mut scale = bare;
    for currency in ["美元", "元"] {
        if let Some(rest) = body.strip_suffix(currency) {
            body = rest.to_owned();
            scale = Scale::One;
            break;
        }
    }
    for (suffix, named) in [("亿", Scale::Yi), ("万", Scale::Wan)] {
        if let Some(rest) = body.strip_suffix(suffix) {
            body = rest.to_owned();
            scale = named;
            break;
        }
    }
    let not_a_number = || MoneyError::NotANumber {
        text: original.clone(),
    };
    let (negative, digits) = match body.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest),
        None => (false, body.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let is_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !is_digits(whole) || !is_digits(fraction) {
        return Err(not_a_number());
    }
    let too_large = || MoneyError::TooLarge {
        text: original.clone(),
    };
    // value = whole.fraction × factor × 100 fen, which must be a whole number of fen.
    let places = u32::try_from(fraction.len()).map_err(|_| too_large())?;
    let denominator = 10_i128.checked_pow(places).ok_or_else(too_large)?;
    let numerator: i128 = format!("{whole}{fraction}")
        .parse::<i128>()
        .map_err(|_| too_large())?
        .checked_mul(i128::from(scale.factor()) * i128::from(MINOR_PER_MAJOR))
        .ok_or_else(too_large)?;
    if numerator % denominator != 0 {
        return Err(MoneyError::TooPrecise { text: original });
    }
    let minor = i64::try_from(numerator / denominator).map_err(|_| too_large())?;
    Ok(if negative { -minor } else { minor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(amount: i64) -> Money {
        Money::from_yuan(amount).expect("in range")
    }

    #[test]
    fn amounts_read_as_the_seeds_write_them() {
        let zh = |m: Money| m.text(Lang::ZhCn);
        assert_eq!(zh(yuan(1_086_000_000)), "10.86亿元");
        assert_eq!(zh(yuan(1_085_960_000)), "10.86亿元");
        assert_eq!(zh(yuan(39_250_000)), "3925万元");
        assert_eq!(zh(yuan(47_448_900)), "4744.89万元");
        assert_eq!(zh(yuan(870_000_000)), "8.7亿元");
        assert_eq!(zh(yuan(5_100_000_000)), "51亿元");
        assert_eq!(zh(yuan(995_000)), "99.5万元");
        assert_eq!(zh(yuan(-39_250_000)), "-3925万元");
        assert_eq!(zh(Money::from_fen(123_456)), "1234.56元");
        assert_eq!(zh(Money::ZERO), "0元");
        assert_eq!(zh(Money::from_fen(9_999_999_999)), "1亿元");
        assert_eq!(yuan(39_250_000).text_in(Scale::Yi, Lang::ZhCn), "0.39亿元");
    }

    #[test]
    fn english_uses_millions_and_billions() {
        assert_eq!(yuan(1_086_000_000).text(Lang::En), "1.09 billion yuan");
        assert_eq!(yuan(39_250_000).text(Lang::En), "39.25 million yuan");
        assert_eq!(Money::from_fen(1250).text(Lang::En), "12.5 yuan");
        assert_eq!(
            amount_text(895_000_000, Currency::Usd, Lang::ZhCn),
            "895万美元"
        );
    }

    #[test]
    fn parsing_reads_units_and_refuses_what_is_not_an_amount() {
        let parse = |text: &str| Money::parse(text, Scale::One);
        assert_eq!(parse("10.86亿元"), Ok(yuan(1_086_000_000)));
        assert_eq!(parse("3925万"), Ok(yuan(39_250_000)));
        assert_eq!(parse("1,234.56元"), Ok(Money::from_fen(123_456)));
        assert_eq!(parse("￥１２"), Ok(yuan(12)));
        assert_eq!(parse("-0.5"), Ok(Money::from_fen(-50)));
        assert_eq!(Money::parse("3925", Scale::Wan), Ok(yuan(39_250_000)));
        assert_eq!(Money::parse("3925元", Scale::Wan), Ok(yuan(3925)));
        assert_eq!(parse(" "), Err(MoneyError::Empty));
        assert!(matches!(parse("12a"), Err(MoneyError::NotANumber { .. })));
        assert!(matches!(parse(".5"), Err(MoneyError::NotANumber { .. })));
        assert!(matches!(parse("1.234"), Err(MoneyError::TooPrecise { .. })));
        assert!(matches!(
            parse("99999999999999999999亿"),
            Err(MoneyError::TooLarge { .. })
        ));
        let message = parse("1.234")
            .expect_err("too precise")
            .localize(Lang::ZhCn);
        assert!(message.contains("1.234"), "{message}");
    }

    proptest! {
        #[test]
        fn plain_yuan_text_reads_back_exactly(fen in -1_000_000_000_000_i64..1_000_000_000_000) {
            let money = Money::from_fen(fen);
            prop_assert_eq!(Money::parse(&money.to_string(), Scale::One), Ok(money));
        }

        #[test]
        fn written_amounts_read_back_within_the_rounding(fen in -1_000_000_000_000_i64..1_000_000_000_000) {
            let money = Money::from_fen(fen);
            let text = money.text(Lang::ZhCn);
            let back = Money::parse(&text, Scale::One).expect("what we write, we read");
            let unit = if text.contains('亿') { Scale::Yi } else if text.contains('万') { Scale::Wan } else { Scale::One };
            // Two decimals of the unit: off by at most half a hundredth, i.e. factor / 2 fen.
            prop_assert!((back.fen() - fen).abs() <= unit.factor() / 2, "{} read back as {}", text, back);
        }
    }
}
