//! A percentage held exactly as hundredths of a per cent (57.97% is 5797), the precision the
//! reports publish ("同比增长57.97%", "完成年度计划336.36%"). Computed from integers with one
//! rounding, so two streets whose growth reads the same on paper rank as tied.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::decimal;

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Percent(i64);

impl Percent {
    pub const ZERO: Percent = Percent(0);

    pub const fn from_hundredths(hundredths: i64) -> Percent {
        Percent(hundredths)
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// `part` as a percentage of `whole`, rounded half away from zero to hundredths; `None`
    /// when `whole` is 0.
    pub fn ratio(part: i64, whole: i64) -> Option<Percent> {
        let hundredths = decimal::div_round(i128::from(part) * 10_000, i128::from(whole))?;
        Some(Percent(
            i64::try_from(hundredths).unwrap_or(if hundredths < 0 { i64::MIN } else { i64::MAX }),
        ))
    }

    pub fn abs(self) -> Percent {
        Percent(self.0.saturating_abs())
    }

    /// "57.97%", "-13.60%".
    pub fn text(self) -> String {
        format!("{}%", decimal::fixed(i128::from(self.0), 2, false))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ratios_round_to_hundredths() {
        assert_eq!(
            Percent::ratio(1, 3).map(Percent::text),
            Some("33.33%".into())
        );
        assert_eq!(
            Percent::ratio(2, 3).map(Percent::text),
            Some("66.67%".into())
        );
        assert_eq!(
            Percent::ratio(-136, 1000).map(Percent::text),
            Some("-13.60%".into())
        );
        assert_eq!(Percent::ratio(5, 0), None);
        assert_eq!(Percent::from_hundredths(33636).to_string(), "336.36%");
    }

    proptest! {
        #[test]
        fn a_ratio_is_within_half_a_hundredth(part in -1_000_000_000_i64..1_000_000_000, whole in 1_i64..1_000_000_000) {
            let percent = Percent::ratio(part, whole).expect("non-zero whole");
            // |percent/10000 - part/whole| <= 1/20000, in integers.
            let error = (i128::from(percent.hundredths()) * i128::from(whole) - i128::from(part) * 10_000).abs() * 2;
            prop_assert!(error <= i128::from(whole));
        }
    }
}
