//! Record numbers (编号): readable, unique across a deployment, and telling the day and the
//! order. A number is the ledger's prefix (none for cases), the street's code, the business day
//! and the day's count in that street and ledger: `330106008-20261122-00017`, or
//! `TJ-330106008-20261122-00003` for a ledger whose prefix is `TJ`. The street's code keeps
//! two streets' numbers apart; the count comes from the store's counter.

use chrono::NaiveDate;

/// The `n`-th number of `day` in the street whose code (its path segment) is `street`.
pub fn format(prefix: &str, street: &str, day: NaiveDate, n: u64) -> String {
    let day = day.format("%Y%m%d");
    if prefix.is_empty() {
        format!("{street}-{day}-{n:05}")
    } else {
        format!("{prefix}-{street}-{day}-{n:05}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_street_day_and_count() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).expect("day");
        assert_eq!(format("", "330106008", day, 17), "330106008-20261122-00017");
        assert_eq!(
            format("TJ", "330106008", day, 3),
            "TJ-330106008-20261122-00003"
        );
        assert_eq!(
            format("", "330106008", day, 123_456),
            "330106008-20261122-123456",
            "a busy day widens the count rather than wrapping"
        );
    }
}
