//! Where "now" comes from. Time is read through a [`Clock`] so deadlines and expiries can be
//! tested at any moment; the database never supplies its own `now()`.

use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

/// China Standard Time (UTC+8), in which business dates and working hours are counted.
pub const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The business date (业务日期) of an instant: its calendar date in UTC+8.
pub fn business_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&CHINA).date_naive()
}

/// The instant a business date begins: midnight in UTC+8.
pub fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    (day.and_time(chrono::NaiveTime::MIN) - Duration::hours(8)).and_utc()
}

/// The source of the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: for tests and simulations.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(start))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
    }

    pub fn advance(&self, by: Duration) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_start_at_midnight_in_china() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
        let start = start_of_day(day);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 21, 16, 0, 0).unwrap());
        assert_eq!(business_date(start), day);
        assert_eq!(
            business_date(start - Duration::microseconds(1)),
            day.pred_opt().expect("day")
        );
    }

    #[test]
    fn business_dates_turn_at_midnight_in_china() {
        let late_utc = Utc
            .with_ymd_and_hms(2026, 1, 31, 15, 59, 59)
            .single()
            .expect("time");
        assert_eq!(business_date(late_utc).to_string(), "2026-01-31");
        let next = late_utc + Duration::seconds(1);
        assert_eq!(business_date(next).to_string(), "2026-02-01");
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = Utc
            .with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
            .single()
            .expect("time");
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::hours(3));
        assert_eq!(clock.now(), start + Duration::hours(3));
    }
}
