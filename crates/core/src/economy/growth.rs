//! Year-on-year growth (同比增长) and plan completion (完成年度计划), with their edge cases said
//! rather than hidden: growth needs last year's figure and a non-zero one; a zero or missing
//! base is its own outcome, never 0% or 100%, and never ranked.
//!
//! Growth is (this year - last year) / |last year|, so a loss that shrinks reads as growth.

use serde::Serialize;

use crate::i18n::{self, Lang};

use super::percent::Percent;

/// A year-on-year comparison's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "percent")]
pub enum Growth {
    /// Both figures known, last year's not zero.
    Rate(Percent),
    /// Last year was zero and this year is not (上年同期为零): no rate exists.
    FromZero,
    /// Both zero.
    BothZero,
    /// Last year's figure is missing.
    NoBase,
    /// This period's figure is missing.
    NoCurrent,
}

/// The growth of `current` over `previous` (the same period a year before).
pub fn growth(current: Option<i64>, previous: Option<i64>) -> Growth {
    match (current, previous) {
        (None, _) => Growth::NoCurrent,
        (Some(_), None) => Growth::NoBase,
        (Some(0), Some(0)) => Growth::BothZero,
        (Some(_), Some(0)) => Growth::FromZero,
        (Some(current), Some(previous)) => {
            let change = i128::from(current) - i128::from(previous);
            // The difference of two i64 fits i128; as i64 it could overflow only for amounts
            // beyond any statistic, where saturation keeps the sign.
            let change =
                i64::try_from(change).unwrap_or(if change < 0 { i64::MIN } else { i64::MAX });
            Percent::ratio(change, previous.saturating_abs()).map_or(Growth::NoBase, Growth::Rate)
        }
    }
}

impl Growth {
    /// The rate, when there is one: what a ranking by growth ranks.
    pub fn rate(self) -> Option<Percent> {
        match self {
            Growth::Rate(rate) => Some(rate),
            _ => None,
        }
    }

    /// "同比增长57.97%", "同比下降13.60%", "同比持平", or what is missing.
    pub fn text(self, lang: Lang) -> String {
        let (key, percent) = match self {
            Growth::Rate(rate) if rate > Percent::ZERO => ("economy.growth_up", Some(rate)),
            Growth::Rate(rate) if rate < Percent::ZERO => ("economy.growth_down", Some(rate.abs())),
            Growth::Rate(_) => ("economy.growth_flat", None),
            Growth::FromZero => ("economy.growth_from_zero", None),
            Growth::BothZero => ("economy.growth_both_zero", None),
            Growth::NoBase => ("economy.growth_no_base", None),
            Growth::NoCurrent => ("economy.growth_no_current", None),
        };
        let args: Vec<(&str, String)> = percent
            .map(|p| vec![("percent", p.text())])
            .unwrap_or_default();
        i18n::format(lang, key, &args)
    }
}

/// Plan completion (完成率): `actual` as a percentage of `target`; `None` without a positive
/// target. Over 100% is kept as it is ("完成年度计划336.36%").
pub fn completion(actual: i64, target: i64) -> Option<Percent> {
    (target > 0)
        .then(|| Percent::ratio(actual, target))
        .flatten()
}

/// "完成年度计划336.36%".
pub fn completion_text(completion: Percent, lang: Lang) -> String {
    i18n::format(
        lang,
        "economy.completion",
        &[("percent", completion.text())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seeds_growth_figures() {
        // 望江 2017: "1-9月，实现税收10.86亿元，同比增长57.97%", in 万元; the report does not
        // give last year's figure, so 6.8747亿元 stands for one that gives its growth.
        let this_year = 108_600;
        let last_year = 68_747;
        let g = growth(Some(this_year), Some(last_year));
        assert_eq!(g, Growth::Rate(Percent::from_hundredths(5797)));
        assert_eq!(g.text(Lang::ZhCn), "同比增长57.97%");
        assert_eq!(
            growth(Some(864), Some(1000)).text(Lang::ZhCn),
            "同比下降13.60%"
        );
        assert_eq!(growth(Some(5), Some(5)).text(Lang::ZhCn), "同比持平");
        assert_eq!(
            growth(Some(864), Some(1000)).text(Lang::En),
            "down 13.60% year on year"
        );
    }

    #[test]
    fn edge_cases_are_outcomes_of_their_own() {
        assert_eq!(growth(Some(10), Some(0)), Growth::FromZero);
        assert_eq!(growth(Some(0), Some(0)), Growth::BothZero);
        assert_eq!(growth(Some(10), None), Growth::NoBase);
        assert_eq!(growth(None, Some(10)), Growth::NoCurrent);
        assert_eq!(growth(Some(10), Some(0)).rate(), None);
        // A loss that shrinks is growth: -50 to -20 is up 60%.
        assert_eq!(
            growth(Some(-20), Some(-50)).rate(),
            Some(Percent::from_hundredths(6000))
        );
        for g in [
            Growth::FromZero,
            Growth::BothZero,
            Growth::NoBase,
            Growth::NoCurrent,
        ] {
            for lang in Lang::ALL {
                assert!(!g.text(lang).starts_with("economy."), "{g:?}");
            }
        }
    }

    #[test]
    fn completion_is_against_a_positive_target() {
        // 清波 2011: 完成内资53.8亿元，完成年度计划336.36%.
        let done = completion(538_000, 159_947).expect("target");
        assert_eq!(completion_text(done, Lang::ZhCn), "完成年度计划336.36%");
        assert_eq!(completion(5, 0), None);
        assert_eq!(completion(5, -3), None);
        assert_eq!(completion(0, 7), Some(Percent::ZERO));
    }

    proptest! {
        #[test]
        fn growth_has_the_sign_of_the_change(current in -1_000_000_i64..1_000_000, previous in -1_000_000_i64..1_000_000) {
            match growth(Some(current), Some(previous)) {
                Growth::Rate(rate) => {
                    prop_assert!(previous != 0);
                    let change = current - previous;
                    prop_assert!(rate.hundredths().signum() == change.signum() || rate == Percent::ZERO);
                }
                Growth::FromZero => prop_assert!(previous == 0 && current != 0),
                Growth::BothZero => prop_assert!(previous == 0 && current == 0),
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
