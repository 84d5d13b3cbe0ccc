//! Evaluation periods (考核周期): a day, a month (月报), a quarter (季考), a year (年评) or any run
//! of days, and the same period a year before for comparison (同比).

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

/// Business days `first..=last`, with how it was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub kind: PeriodKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Month,
    Quarter,
    Year,
    Days,
}

impl Period {
    pub fn day(day: NaiveDate) -> Period {
        Period {
            first: day,
            last: day,
            kind: PeriodKind::Day,
        }
    }

    pub fn month(year: i32, month: u32) -> Option<Period> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let last = first.checked_add_months(Months::new(1))? - Days::new(1);
        Some(Period {
            first,
            last,
            kind: PeriodKind::Month,
        })
    }

    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let first = NaiveDate::from_ymd_opt(year, quarter * 3 - 2, 1)?;
        let last = first.checked_add_months(Months::new(3))? - Days::new(1);
        Some(Period {
            first,
            last,
            kind: PeriodKind::Quarter,
        })
    }

    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            first: NaiveDate::from_ymd_opt(year, 1, 1)?,
            last: NaiveDate::from_ymd_opt(year, 12, 31)?,
            kind: PeriodKind::Year,
        })
    }

    /// Any run of days; `None` when `last` comes before `first`.
    pub fn days(first: NaiveDate, last: NaiveDate) -> Option<Period> {
        (first <= last).then_some(Period {
            first,
            last,
            kind: PeriodKind::Days,
        })
    }

    /// Reads `2026-11-22`, `2026-11`, `2026-Q3`, `2026` or `2026-11-01..2026-11-15`.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        if let Some((first, last)) = text.split_once("..") {
            return Period::days(date(first)?, date(last)?);
        }
        if let Some(day) = date(text) {
            return Some(Period::day(day));
        }
        if let Some((year, quarter)) = text.split_once("-Q") {
            return Period::quarter(year.parse().ok()?, quarter.parse().ok()?);
        }
        if let Some((year, month)) = text.split_once('-') {
            return Period::month(year.parse().ok()?, month.parse().ok()?);
        }
        if text.len() == 4 {
            return Period::year(text.parse().ok()?);
        }
        None
    }

    /// The same period a year before (同比): the same month, quarter or year; a run of days
    /// moves back by a year day for day (29 February becomes the 28th).
    pub fn a_year_before(&self) -> Period {
        let back = |day: NaiveDate| {
            day.checked_sub_months(Months::new(12))
                .unwrap_or(NaiveDate::MIN)
        };
        match self.kind {
            PeriodKind::Month => {
                Period::month(self.first.year() - 1, self.first.month()).unwrap_or(*self)
            }
            _ => Period {
                first: back(self.first),
                last: back(self.last),
                kind: self.kind,
            },
        }
    }

    /// The period just before, of the same kind (环比): the month, quarter or year before, or
    /// as many days before.
    pub fn before(&self) -> Period {
        match self.kind {
            PeriodKind::Month => {
                let day = self.first - Days::new(1);
                Period::month(day.year(), day.month()).unwrap_or(*self)
            }
            PeriodKind::Quarter => {
                let day = self.first - Days::new(1);
                Period::quarter(day.year(), day.month0() / 3 + 1).unwrap_or(*self)
            }
            PeriodKind::Year => Period::year(self.first.year() - 1).unwrap_or(*self),
            PeriodKind::Day | PeriodKind::Days => {
                let length = self.len();
                Period {
                    first: self.first - Days::new(length),
                    last: self.first - Days::new(1),
                    kind: self.kind,
                }
            }
        }
    }

    /// How many days it holds.
    pub fn len(&self) -> u64 {
        u64::try_from((self.last - self.first).num_days() + 1).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        (self.first..=self.last).contains(&day)
    }
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// The form [`Period::parse`] reads back.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Day => write!(f, "{}", self.first.format("%Y-%m-%d")),
            PeriodKind::Month => write!(f, "{}", self.first.format("%Y-%m")),
            PeriodKind::Quarter => {
                write!(f, "{}-Q{}", self.first.year(), self.first.month0() / 3 + 1)
            }
            PeriodKind::Year => write!(f, "{}", self.first.year()),
            PeriodKind::Days => write!(
                f,
                "{}..{}",
                self.first.format("%Y-%m-%d"),
                self.last.format("%Y-%m-%d")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn named_periods_hold_their_days() {
        let february = Period::parse("2028-02").expect("month");
        assert_eq!(february.len(), 29);
        assert_eq!(february.a_year_before().len(), 28);
        let q4 = Period::parse("2026-Q4").expect("quarter");
        assert_eq!((q4.first.month(), q4.last.day()), (10, 31));
        assert_eq!(q4.len(), 92);
        assert_eq!(Period::parse("2026").expect("year").len(), 365);
        assert_eq!(Period::parse("2026-Q5"), None);
        assert_eq!(Period::parse("2026-13"), None);
        assert_eq!(Period::parse("2026-11-30..2026-11-01"), None);
        let leap = Period::parse("2028-02-29").expect("day");
        assert_eq!(leap.a_year_before().first.to_string(), "2027-02-28");
        assert_eq!(q4.before().to_string(), "2026-Q3");
        assert_eq!(
            Period::parse("2026-01").expect("m").before().to_string(),
            "2025-12"
        );
    }

    proptest! {
        #[test]
        fn periods_read_back_from_their_names(
            year in 2000_i32..2100, month in 1_u32..=12, day in 0_u64..400, length in 0_u64..100,
        ) {
            let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("day") + Days::new(day);
            let periods = [
                Period::month(year, month).expect("month"),
                Period::quarter(year, (month - 1) / 3 + 1).expect("quarter"),
                Period::year(year).expect("year"),
                Period::day(first),
                Period::days(first, first + Days::new(length)).expect("days"),
            ];
            for period in periods {
                prop_assert_eq!(Period::parse(&period.to_string()), Some(period));
                let before = period.before();
                prop_assert_eq!(before.last + Days::new(1), period.first);
                let last_year = period.a_year_before();
                prop_assert!(last_year.len().abs_diff(period.len()) <= 1);
                prop_assert_eq!(last_year.first.year(), period.first.year() - 1);
            }
        }
    }
}
