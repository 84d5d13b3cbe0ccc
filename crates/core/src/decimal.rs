//! Exact fixed-point arithmetic for figures people read: integer division rounded half away
//! from zero (四舍五入, as the statistics offices round), and writing a scaled integer with a
//! fixed number of decimals. Money and percentages use it so no figure passes through `f64`.

/// `numerator / denominator` rounded half away from zero; `None` when `denominator` is 0.
pub(crate) fn div_round(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator == 0 {
        return None;
    }
    let (numerator, denominator) = if denominator < 0 {
        (-numerator, -denominator)
    } else {
        (numerator, denominator)
    };
    // floor((2|n| + d) / 2d) is |n|/d rounded with halves going up; the sign goes back after.
    let magnitude = (2 * numerator.abs() + denominator) / (2 * denominator);
    Some(magnitude * numerator.signum())
}

/// Writes `value / 10^decimals` with exactly `decimals` digits after the point ("57.97"), or
/// with trailing zeros (and a bare point) dropped when `trim` ("10.86", "8.7", "51").
pub(crate) fn fixed(value: i128, decimals: u32, trim: bool) -> String {
    let scale = 10_i128.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let whole = value.abs() / scale;
    let fraction = value.abs() % scale;
    let width = decimals as usize;
    let mut digits = if decimals == 0 {
        String::new()
    } else {
        format!("{fraction:0width$}")
    };
    if trim {
        digits.truncate(digits.trim_end_matches('0').len());
    }
    if digits.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn halves_round_away_from_zero() {
        assert_eq!(div_round(5, 10), Some(1));
        assert_eq!(div_round(-5, 10), Some(-1));
        assert_eq!(div_round(4, 10), Some(0));
        assert_eq!(div_round(15, 10), Some(2));
        assert_eq!(div_round(7, 3), Some(2));
        assert_eq!(div_round(8, 3), Some(3));
        assert_eq!(div_round(-8, 3), Some(-3));
        assert_eq!(div_round(3, -2), Some(-2));
        assert_eq!(div_round(1, 0), None);
    }

    #[test]
    fn fixed_writes_as_the_reports_do() {
        assert_eq!(fixed(5797, 2, false), "57.97");
        assert_eq!(fixed(-1360, 2, false), "-13.60");
        assert_eq!(fixed(1086, 2, true), "10.86");
        assert_eq!(fixed(870, 2, true), "8.7");
        assert_eq!(fixed(5100, 2, true), "51");
        assert_eq!(fixed(5, 2, false), "0.05");
        assert_eq!(fixed(-5, 2, true), "-0.05");
        assert_eq!(fixed(42, 0, false), "42");
    }

    proptest! {
        #[test]
        fn rounding_is_within_half_and_ties_go_outwards(n in -1_000_000_i128..1_000_000, d in 1_i128..1000) {
            let q = div_round(n, d).expect("non-zero denominator");
            let error = (q * d - n).abs() * 2;
            prop_assert!(error <= d, "{n}/{d} gave {q}");
            if error == d {
                prop_assert!(q.abs() * d >= n.abs(), "tie {n}/{d} went inwards to {q}");
            }
            prop_assert_eq!(div_round(-n, d), Some(-q));
            prop_assert_eq!(div_round(n, -d), Some(-q));
        }
    }
}
