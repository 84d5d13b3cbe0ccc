//! Evaluation periods (考核周期): a day, a month (月报), a quarter (季考), a year (年评) or any run
//! of days, and the same period a year before for comparison (同比).

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use crate::i18n::{self, Lang};

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

    /// The part of the period up to `today` when the period is still running (a run of days
    /// from its first to `today`), the whole period otherwise.
    pub fn so_far(&self, today: NaiveDate) -> Period {
        if self.first <= today && today < self.last {
            Period {
                first: self.first,
                last: today,
                kind: PeriodKind::Days,
            }
        } else {
            *self
        }
    }

    /// Whether the period is still running on `today` (it has days after `today`).
    pub fn is_running(&self, today: NaiveDate) -> bool {
        self.first <= today && today < self.last
    }

    /// The same period a year before, like with like (同比): for a period still running on
    /// `today`, its first day to the same day a year before (2026 to 2 December against
    /// 1 January to 2 December 2025), not the whole of last year's period.
    pub fn a_year_before_on(&self, today: NaiveDate) -> Period {
        self.so_far(today).a_year_before()
    }

    /// The period as people write it: 2026年, 2026年第四季度, 2026年12月, 2026年12月1日,
    /// 2026年12月1日至2日 (in English: 2026, Q4 2026, December 2026, December 1, 2026,
    /// December 1–2, 2026).
    pub fn words(&self, lang: Lang) -> String {
        let year = |day: NaiveDate| day.year().to_string();
        let month = |day: NaiveDate| month_name(lang, day.month()).to_owned();
        let date = |day: NaiveDate| {
            i18n::format(
                lang,
                "period.day",
                &[
                    ("year", year(day)),
                    ("month", month(day)),
                    ("day", day.day().to_string()),
                ],
            )
        };
        match self.kind {
            PeriodKind::Year => i18n::format(lang, "period.year", &[("year", year(self.first))]),
            PeriodKind::Quarter => {
                let key = match self.first.month0() / 3 {
                    0 => "period.q1",
                    1 => "period.q2",
                    2 => "period.q3",
                    _ => "period.q4",
                };
                i18n::format(
                    lang,
                    "period.quarter",
                    &[
                        ("year", year(self.first)),
                        ("quarter", i18n::text(lang, key).to_owned()),
                    ],
                )
            }
            PeriodKind::Month => i18n::format(
                lang,
                "period.month",
                &[("year", year(self.first)), ("month", month(self.first))],
            ),
            PeriodKind::Day | PeriodKind::Days if self.first == self.last => date(self.first),
            PeriodKind::Day | PeriodKind::Days => {
                let (first, last) = (self.first, self.last);
                if first.year() != last.year() {
                    i18n::format(
                        lang,
                        "period.days_across_years",
                        &[("first", date(first)), ("last", date(last))],
                    )
                } else if first.month() != last.month() {
                    i18n::format(
                        lang,
                        "period.days_across_months",
                        &[
                            ("year", year(first)),
                            ("month", month(first)),
                            ("day", first.day().to_string()),
                            ("last_month", month(last)),
                            ("last_day", last.day().to_string()),
                        ],
                    )
                } else {
                    i18n::format(
                        lang,
                        "period.days_in_month",
                        &[
                            ("year", year(first)),
                            ("month", month(first)),
                            ("day", first.day().to_string()),
                            ("last_day", last.day().to_string()),
                        ],
                    )
                }
            }
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

/// A month's name as dates write it: 12 in Chinese (12月), December in English.
fn month_name(lang: Lang, month: u32) -> &'static str {
    const KEYS: [&str; 12] = [
        "period.m1",
        "period.m2",
        "period.m3",
        "period.m4",
        "period.m5",
        "period.m6",
        "period.m7",
        "period.m8",
        "period.m9",
        "period.m10",
        "period.m11",
        "period.m12",
    ];
    let key = usize::try_from(month)
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|m| KEYS.get(m))
        .copied()
        .unwrap_or("period.m1");
    i18n::text(lang, key)
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

    #[test]
    fn periods_are_written_as_people_write_them() {
        let words = |text: &str, lang| Period::parse(text).expect(text).words(lang);
        assert_eq!(words("2026", Lang::ZhCn), "2026年");
        assert_eq!(words("2026-Q4", Lang::ZhCn), "2026年第四季度");
        assert_eq!(words("2026-12", Lang::ZhCn), "2026年12月");
        assert_eq!(words("2026-12-01", Lang::ZhCn), "2026年12月1日");
        assert_eq!(
            words("2026-12-01..2026-12-02", Lang::ZhCn),
            "2026年12月1日至2日"
        );
        assert_eq!(
            words("2026-11-30..2026-12-02", Lang::ZhCn),
            "2026年11月30日至12月2日"
        );
        assert_eq!(
            words("2026-12-30..2027-01-02", Lang::ZhCn),
            "2026年12月30日至2027年1月2日"
        );
        assert_eq!(words("2026", Lang::En), "2026");
        assert_eq!(words("2026-Q4", Lang::En), "Q4 2026");
        assert_eq!(words("2026-12", Lang::En), "December 2026");
        assert_eq!(
            words("2026-12-01..2026-12-02", Lang::En),
            "December 1–2, 2026"
        );
    }

    #[test]
    fn a_running_period_is_compared_with_the_same_days_last_year() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("day");
        let year = Period::parse("2026").expect("year");
        assert!(year.is_running(today));
        assert_eq!(
            year.a_year_before_on(today).to_string(),
            "2025-01-01..2025-12-02"
        );
        let month = Period::parse("2026-12").expect("month");
        assert_eq!(
            month.a_year_before_on(today).to_string(),
            "2025-12-01..2025-12-02"
        );
        // A finished period is compared whole.
        let november = Period::parse("2026-11").expect("month");
        assert_eq!(november.a_year_before_on(today).to_string(), "2025-11");
        // The last day itself: the period has run its course.
        assert_eq!(
            Period::parse("2026-12-01..2026-12-02")
                .expect("days")
                .a_year_before_on(today)
                .to_string(),
            "2025-12-01..2025-12-02"
        );
    }

    proptest! {
        #[test]
        fn a_year_before_on_any_day_covers_as_many_days_as_have_run(
            year in 2001_i32..2100, start in 0_u64..366, length in 0_u64..400, run in 0_u64..400,
        ) {
            let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("day") + Days::new(start);
            let period = Period::days(first, first + Days::new(length)).expect("days");
            let today = first + Days::new(run);
            let before = period.a_year_before_on(today);
            let compared = period.so_far(today);
            prop_assert!(compared.last <= today || !period.is_running(today));
            prop_assert!(before.len().abs_diff(compared.len()) <= 1);
            prop_assert_eq!(before.first.year(), first.year() - 1);
        }

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
