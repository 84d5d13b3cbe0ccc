//! A calendar month (统计月份), the unit the statistics office reports indicators in, and the
//! months that make up a year to date (1-N月).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{self, Lang};

/// A year and a month 1-12, e.g. `2017-09`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// Reads `2017-09` (or `2017-9`).
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        Month::new(year.parse().ok()?, month.parse().ok()?)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 to 12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The month before, within the same year: `None` for January (the year to date restarts).
    pub fn previous_in_year(self) -> Option<Month> {
        Month::new(self.year, self.month - 1)
    }

    /// The same month a year before (上年同期).
    pub fn a_year_before(self) -> Month {
        Month {
            year: self.year - 1,
            month: self.month,
        }
    }

    /// January to this month: the months a 1-N月 figure covers.
    pub fn year_to_date(self) -> impl Iterator<Item = Month> {
        let year = self.year;
        (1..=self.month).map(move |month| Month { year, month })
    }

    /// "2017年9月" / "Sep 2017".
    pub fn label(self, lang: Lang) -> String {
        i18n::format(lang, "economy.month", &self.args(lang))
    }

    /// "2017年1-9月" / "Jan-Sep 2017"; January alone is written as its month.
    pub fn year_to_date_label(self, lang: Lang) -> String {
        if self.month == 1 {
            return self.label(lang);
        }
        i18n::format(lang, "economy.year_to_date", &self.args(lang))
    }

    fn args(self, lang: Lang) -> Vec<(&'static str, String)> {
        let name = |month: u32| match lang {
            Lang::ZhCn => month.to_string(),
            Lang::En => MONTHS_EN
                .get(usize::try_from(month).unwrap_or(0).saturating_sub(1))
                .copied()
                .unwrap_or_default()
                .to_owned(),
        };
        vec![
            ("year", self.year.to_string()),
            ("month", name(self.month)),
            ("first", name(1)),
        ]
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Month {
    type Error = String;
    fn try_from(text: String) -> Result<Month, String> {
        Month::parse(&text).ok_or_else(|| format!("{text:?} is not a month (YYYY-MM)"))
    }
}

impl From<Month> for String {
    fn from(month: Month) -> String {
        month.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_write_and_count_the_year_to_date() {
        let september = Month::parse("2017-9").expect("month");
        assert_eq!(september.to_string(), "2017-09");
        assert_eq!(Month::parse("2017-13"), None);
        assert_eq!(Month::parse("2017"), None);
        assert_eq!(september.a_year_before().to_string(), "2016-09");
        assert_eq!(september.year_to_date().count(), 9);
        assert_eq!(Month::new(2017, 1).and_then(Month::previous_in_year), None);
        assert_eq!(september.year_to_date_label(Lang::ZhCn), "2017年1-9月");
        assert_eq!(september.year_to_date_label(Lang::En), "Jan-Sep 2017");
        assert_eq!(september.label(Lang::ZhCn), "2017年9月");
        let january = Month::new(2017, 1).expect("month");
        assert_eq!(january.year_to_date_label(Lang::En), "Jan 2017");
        let json = serde_json::to_string(&september).expect("json");
        assert_eq!(json, "\"2017-09\"");
        assert_eq!(
            serde_json::from_str::<Month>(&json).expect("back"),
            september
        );
    }
}
