//! A petition's deadlines as data (信访时限), one profile per rulebook, every period with the
//! article it comes from, so a page can show why a clock runs as it does.
//!
//! - 信访工作条例 (2022, national): art. 22/23 register and within 15 days forward, assign or
//!   notify; art. 23 ¶3 a body that receives a transfer objects within 5 working days; art. 34 a
//!   matter is concluded within 60 days of acceptance, extended by at most 30 with approval and a
//!   notice; art. 35 复查 asked within 30 days of the written answer and answered within 30;
//!   art. 36 复核 likewise, then final.
//! - 浙江省信访条例 (2016): art. 20 decide within 5 working days (a receiver of a transfer too);
//!   art. 23 conclude generally within 30 days of acceptance, extended by at most 60 with
//!   approval; art. 24 复查 and 复核 follow the national rules, so their periods are art. 35/36's.
//!
//! Periods in days are legal periods ([`TimeLimit::legal_days`]): counted from the day after
//! the event, a last day off moving to the next working day (民法典 art. 203). Working days
//! are the calendar's. Nothing here keeps a clock of its own: the periods run on the ledger's
//! timers and the calendar.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, TimeLimit, WorkCalendar};

/// The rulebook a petition's periods follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileCode {
    /// 信访工作条例 (2022)
    National2022,
    /// 浙江省信访条例 (2016)
    Zhejiang2016,
}

impl ProfileCode {
    pub const ALL: [ProfileCode; 2] = [ProfileCode::National2022, ProfileCode::Zhejiang2016];

    pub fn as_str(self) -> &'static str {
        match self {
            ProfileCode::National2022 => "national_2022",
            ProfileCode::Zhejiang2016 => "zhejiang_2016",
        }
    }

    pub fn parse(text: &str) -> Option<ProfileCode> {
        ProfileCode::ALL.into_iter().find(|p| p.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ProfileCode::National2022 => "petition_profile.national_2022",
            ProfileCode::Zhejiang2016 => "petition_profile.zhejiang_2016",
        }
    }

    pub fn profile(self) -> &'static Profile {
        match self {
            ProfileCode::National2022 => &NATIONAL_2022,
            ProfileCode::Zhejiang2016 => &ZHEJIANG_2016,
        }
    }
}

/// Where a period comes from: the rulebook (a locale key naming it) and its article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Basis {
    pub law: &'static str,
    pub article: u32,
}

/// A period and its legal basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub limit: TimeLimit,
    pub basis: Basis,
}

/// The periods of one rulebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub code: ProfileCode,
    /// From registration to the decision: accept, forward, assign, or tell the petitioner.
    pub decide: Period,
    /// A body that received a transfer or an assignment may object within this (异议).
    pub object: Period,
    /// From acceptance to the written answer (办结).
    pub handle: Period,
    /// The most all extensions of the handling period may add together.
    pub max_extension: Period,
    /// The petitioner may ask for 复查 within this of the written answer.
    pub review_request: Period,
    /// 复查 is answered within this of the request.
    pub review_answer: Period,
    /// The petitioner may ask for 复核 within this of the 复查 answer.
    pub reexamination_request: Period,
    /// 复核 is answered within this of the request.
    pub reexamination_answer: Period,
    /// How many representatives a group visit may send, by the group's size.
    pub representatives: Representatives,
}

/// The rule for a group visit's representatives (代表人数).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Representatives {
    /// Groups of up to this many people …
    pub small_group: u32,
    /// … send at most this many;
    pub small_most: u32,
    /// larger ones at most this many.
    pub most: u32,
    pub basis: Basis,
}

impl Representatives {
    /// The most representatives a group of `size` may send.
    pub fn most_for(&self, size: u32) -> u32 {
        if size <= self.small_group {
            self.small_most.min(size)
        } else {
            self.most
        }
    }
}

const NATIONAL: &str = "petition_law.national_2022";
const ZHEJIANG: &str = "petition_law.zhejiang_2016";

const fn basis(law: &'static str, article: u32) -> Basis {
    Basis { law, article }
}

const fn days(amount: u32, basis: Basis) -> Period {
    Period {
        limit: TimeLimit {
            unit: crate::calendar::TimeUnit::LegalDays,
            amount,
        },
        basis,
    }
}

const fn working_days(amount: u32, basis: Basis) -> Period {
    Period {
        limit: TimeLimit {
            unit: crate::calendar::TimeUnit::WorkDays,
            amount,
        },
        basis,
    }
}

/// 信访工作条例 (2022).
pub static NATIONAL_2022: Profile = Profile {
    code: ProfileCode::National2022,
    decide: days(15, basis(NATIONAL, 22)),
    object: working_days(5, basis(NATIONAL, 23)),
    handle: days(60, basis(NATIONAL, 34)),
    max_extension: days(30, basis(NATIONAL, 34)),
    review_request: days(30, basis(NATIONAL, 35)),
    review_answer: days(30, basis(NATIONAL, 35)),
    reexamination_request: days(30, basis(NATIONAL, 36)),
    reexamination_answer: days(30, basis(NATIONAL, 36)),
    // Art. 20: at most five, whatever the group's size.
    representatives: Representatives {
        small_group: 0,
        small_most: 0,
        most: 5,
        basis: basis(NATIONAL, 20),
    },
};

/// 浙江省信访条例 (2016); 复查 and 复核 by art. 24 follow the national rules.
pub static ZHEJIANG_2016: Profile = Profile {
    code: ProfileCode::Zhejiang2016,
    decide: working_days(5, basis(ZHEJIANG, 20)),
    object: working_days(5, basis(ZHEJIANG, 20)),
    handle: days(30, basis(ZHEJIANG, 23)),
    max_extension: days(60, basis(ZHEJIANG, 23)),
    review_request: days(30, basis(NATIONAL, 35)),
    review_answer: days(30, basis(NATIONAL, 35)),
    reexamination_request: days(30, basis(NATIONAL, 36)),
    reexamination_answer: days(30, basis(NATIONAL, 36)),
    // Art. 15: up to ten people send at most three, more than ten at most five.
    representatives: Representatives {
        small_group: 10,
        small_most: 3,
        most: 5,
        basis: basis(ZHEJIANG, 15),
    },
};

/// Where a period that starts at `from` ends, by the calendar.
pub fn ends(
    calendar: &WorkCalendar,
    period: &Period,
    from: DateTime<Utc>,
) -> Result<DateTime<Utc>, CalendarError> {
    calendar.deadline(from, period.limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::TimeUnit;
    use crate::clock::CHINA;
    use crate::ledger::Timer;
    use chrono::{Datelike, Duration, NaiveDateTime, TimeZone};
    use proptest::prelude::*;

    fn calendar() -> WorkCalendar {
        WorkCalendar::seeded().expect("calendar")
    }

    fn at(text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time");
        CHINA
            .from_local_datetime(&naive)
            .single()
            .expect("local")
            .with_timezone(&Utc)
    }

    fn show(at: DateTime<Utc>) -> String {
        at.with_timezone(&CHINA)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    #[test]
    fn the_profiles_hold_the_statutes_numbers_and_articles() {
        let n = &NATIONAL_2022;
        assert_eq!(n.decide.limit, TimeLimit::legal_days(15));
        assert_eq!(n.decide.basis.article, 22);
        assert_eq!(n.object.limit, TimeLimit::work_days(5));
        assert_eq!(n.handle.limit, TimeLimit::legal_days(60));
        assert_eq!(n.max_extension.limit, TimeLimit::legal_days(30));
        assert_eq!(n.review_request.basis.article, 35);
        assert_eq!(n.reexamination_answer.basis.article, 36);
        let z = &ZHEJIANG_2016;
        assert_eq!(z.decide.limit, TimeLimit::work_days(5));
        assert_eq!(z.handle.limit, TimeLimit::legal_days(30));
        assert_eq!(z.max_extension.limit, TimeLimit::legal_days(60));
        assert_eq!(z.handle.basis, basis(ZHEJIANG, 23));
        for code in ProfileCode::ALL {
            assert_eq!(ProfileCode::parse(code.as_str()), Some(code));
            assert_eq!(code.profile().code, code);
        }
    }

    #[test]
    fn representatives_follow_each_rulebook() {
        assert_eq!(NATIONAL_2022.representatives.most_for(3), 5);
        assert_eq!(NATIONAL_2022.representatives.most_for(40), 5);
        assert_eq!(ZHEJIANG_2016.representatives.most_for(2), 2);
        assert_eq!(ZHEJIANG_2016.representatives.most_for(10), 3);
        assert_eq!(ZHEJIANG_2016.representatives.most_for(11), 5);
    }

    /// The statutes' periods on dates of 2026, holidays included (the seeded notice for 2026:
    /// 劳动节 05-01..05-05, 国庆 10-01..10-07 with makeup days).
    #[test]
    fn the_statutes_periods_end_where_the_law_counts_them() {
        let calendar = calendar();
        let end =
            |period: &Period, from: &str| show(ends(&calendar, period, at(from)).expect("end"));
        let n = &NATIONAL_2022;
        // 15 days from Monday 03-02: the last day is Tuesday 03-17.
        assert_eq!(end(&n.decide, "2026-03-02 09:00"), "2026-03-18 00:00");
        // 15 days from 09-16 end on 10-01, National Day: the last day moves to 10-08.
        assert_eq!(end(&n.decide, "2026-09-16 09:00"), "2026-10-09 00:00");
        // 60 days from 03-02 end on 05-01, Labour Day: moved to 05-06.
        assert_eq!(end(&n.handle, "2026-03-02 09:00"), "2026-05-07 00:00");
        // 5 working days to object from Thursday 04-30 afternoon: the break (05-01..05-05)
        // does not count; 05-09 is a makeup Saturday.
        assert_eq!(end(&n.object, "2026-04-30 15:00"), "2026-05-11 15:00");
        // 30 days for 复查 from an answer received 01-10: 02-09.
        assert_eq!(
            end(&n.review_request, "2026-01-10 10:00"),
            "2026-02-10 00:00"
        );
        let z = &ZHEJIANG_2016;
        // Zhejiang decides in 5 working days: from Thursday 09-24, past the Mid-autumn and
        // National Day breaks, to Friday 10-09.
        assert_eq!(end(&z.decide, "2026-09-24 10:00"), "2026-10-09 10:00");
        // Zhejiang's 30 days from 09-01 end on 10-01: moved to 10-08.
        assert_eq!(end(&z.handle, "2026-09-01 10:00"), "2026-10-09 00:00");
    }

    #[test]
    fn a_thirty_day_extension_adds_to_the_sixty_as_ninety_would() {
        let calendar = calendar();
        let start = at("2026-03-02 09:00");
        let mut timer = Timer::start(&calendar, NATIONAL_2022.handle.limit, start);
        // 60 days end 05-01 → 05-06 (art. 203).
        assert_eq!(timer.deadline.map(show), Some("2026-05-07 00:00".into()));
        timer.extend(&calendar, NATIONAL_2022.max_extension.limit);
        // 30 more from the moved end 05-06 run to 06-05 (Friday).
        assert_eq!(timer.deadline.map(show), Some("2026-06-06 00:00".into()));
    }

    fn arbitrary_start() -> impl Strategy<Value = DateTime<Utc>> {
        let first = at("2012-01-01 00:00").timestamp() / 60;
        // Late enough for the longest period (60 + 60 days) to end in a year the calendar knows.
        let last = at("2026-08-31 00:00").timestamp() / 60;
        (first..last).prop_map(|minute| DateTime::from_timestamp(minute * 60, 0).expect("instant"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Every day period of either profile ends at midnight after a working day, no earlier
        /// than its plain calendar end and with only days off in between; working-day periods
        /// end on a working day after that many working days.
        #[test]
        fn every_period_ends_as_the_law_counts(start in arbitrary_start(), which in 0_usize..8, zhejiang in any::<bool>()) {
            let calendar = calendar();
            let profile = if zhejiang { &ZHEJIANG_2016 } else { &NATIONAL_2022 };
            let period = [
                profile.decide, profile.object, profile.handle, profile.max_extension,
                profile.review_request, profile.review_answer, profile.reexamination_request,
                profile.reexamination_answer,
            ][which];
            let end = ends(&calendar, &period, start).expect("end");
            let local_end = end.with_timezone(&CHINA);
            let local_start = start.with_timezone(&CHINA);
            match period.limit.unit {
                TimeUnit::LegalDays => {
                    prop_assert_eq!(local_end.time(), chrono::NaiveTime::MIN);
                    let last = local_end.date_naive() - Duration::days(1);
                    let plain = local_start.date_naive() + Duration::days(i64::from(period.limit.amount));
                    prop_assert!(last >= plain);
                    prop_assert!(calendar.off_days_off(last).expect("known") == last);
                    let mut day = plain;
                    while day < last {
                        prop_assert!(calendar.off_days_off(day).expect("known") != day, "{} skipped", day);
                        day += Duration::days(1);
                    }
                }
                TimeUnit::WorkDays => {
                    let last = local_end.date_naive();
                    prop_assert!(calendar.off_days_off(last).expect("known") == last);
                    prop_assert!(end > start);
                    // At least the working days asked lie between.
                    let span = last.num_days_from_ce() - local_start.date_naive().num_days_from_ce();
                    prop_assert!(span >= 4, "{} working days in {} days", period.limit.amount, span);
                }
                _ => prop_assert!(false, "petition periods are legal or working days"),
            }
        }

        /// An approved extension never lets the handling period end later than the longest
        /// period the rulebook allows, nor before the plain one.
        #[test]
        fn extensions_stay_within_the_maximum(start in arbitrary_start(), extra in 1_u32..=60, zhejiang in any::<bool>()) {
            let calendar = calendar();
            let profile = if zhejiang { &ZHEJIANG_2016 } else { &NATIONAL_2022 };
            let extra = extra.min(profile.max_extension.limit.amount);
            let mut timer = Timer::start(&calendar, profile.handle.limit, start);
            let plain = timer.deadline.expect("known");
            timer.extend(&calendar, TimeLimit::legal_days(extra));
            let extended = timer.deadline.expect("known");
            let longest = Timer::start(&calendar, profile.handle.limit, start);
            let mut longest = longest;
            longest.extend(&calendar, profile.max_extension.limit);
            prop_assert!(extended > plain);
            prop_assert!(extended <= longest.deadline.expect("known"));
        }
    }
}
