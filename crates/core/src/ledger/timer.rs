//! A ledger's clocks (计时): a step's or a whole record's limit, when it started, when it was
//! paused (挂账) and extended (延期), and what the calendar made of that: the budget, the point
//! where the light turns yellow (80%) and the deadline. Every ledger's deadlines run on these
//! (a case's steps today; a mediation's, a petition's or a rectification's next).
//!
//! The inputs are kept so the outputs can always be worked out again, e.g. after the holidays
//! of a new year are imported. The outputs are stored so lights and overdue lists are plain
//! comparisons with "now".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, TimeLimit, WorkCalendar};

/// Yellow from this share of the limit used (per mille).
const WARN_PER_MILLE: i64 = 800;

/// The light of a clock (红黄绿灯).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
    /// The calendar cannot say yet (a year without a holiday notice).
    Unknown,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
            Light::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Light> {
        [Light::Green, Light::Yellow, Light::Red, Light::Unknown]
            .into_iter()
            .find(|l| l.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Light::Green => "light.green",
            Light::Yellow => "light.yellow",
            Light::Red => "light.red",
            Light::Unknown => "light.unknown",
        }
    }
}

/// A stretch during which the clock stood still.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub limit: TimeLimit,
    /// Approved extensions, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<TimeLimit>,
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<Pause>,
    /// The whole allowance in the unit's measure (seconds); `None` when the calendar cannot say.
    pub budget: Option<i64>,
    /// When the light turns yellow; `None` while paused or unknown.
    pub warn_at: Option<DateTime<Utc>>,
    /// When the limit runs out; `None` while paused or unknown. A pause moves it on by the
    /// time paused, unless the clock had run past it before the pause: then it stays where
    /// it was, and the clock stays red (its overrun, [`Timer::overrun_at`], leaves the paused
    /// time out).
    pub deadline: Option<DateTime<Utc>>,
    /// The light a paused clock holds: the one it showed when it stopped. `None` while running
    /// or unknown (and in timers stored before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Light>,
}

impl Timer {
    /// A clock for `limit`, running from `at`.
    pub fn start(calendar: &WorkCalendar, limit: TimeLimit, at: DateTime<Utc>) -> Timer {
        let mut timer = Timer {
            limit,
            extensions: Vec::new(),
            started_at: at,
            pauses: Vec::new(),
            budget: None,
            warn_at: None,
            deadline: None,
            held: None,
        };
        timer.reckon(calendar);
        timer
    }

    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.to.is_none())
    }

    /// True when the calendar could not work the clock out.
    pub fn is_pending(&self) -> bool {
        self.budget.is_none()
    }

    pub fn pause(&mut self, calendar: &WorkCalendar, at: DateTime<Utc>) {
        if !self.is_paused() {
            self.pauses.push(Pause { from: at, to: None });
            self.reckon(calendar);
        }
    }

    pub fn resume(&mut self, calendar: &WorkCalendar, at: DateTime<Utc>) {
        if let Some(pause) = self.pauses.last_mut().filter(|p| p.to.is_none()) {
            pause.to = Some(at.max(pause.from));
            self.reckon(calendar);
        }
    }

    pub fn extend(&mut self, calendar: &WorkCalendar, extra: TimeLimit) {
        self.extensions.push(extra);
        self.reckon(calendar);
    }

    /// Works the outputs out again from the inputs.
    pub fn reckon(&mut self, calendar: &WorkCalendar) {
        match self.schedule(calendar) {
            Ok(outputs) => {
                self.budget = Some(outputs.budget);
                self.warn_at = outputs.warn_at;
                self.deadline = outputs.deadline;
                self.held = outputs.held;
            }
            Err(_) => {
                self.budget = None;
                self.warn_at = None;
                self.deadline = None;
                self.held = None;
            }
        }
    }

    fn schedule(&self, calendar: &WorkCalendar) -> Result<Outputs, CalendarError> {
        let unit = self.limit.unit;
        // The allowance is measured along the unpaused schedule: the limit, then each extension
        // from where the previous allowance ended.
        let mut end = calendar.deadline(self.started_at, self.limit)?;
        let mut budget = calendar.elapsed(unit, self.started_at, end)?;
        for extra in &self.extensions {
            let next = calendar.extended(end, *extra)?;
            budget += calendar.elapsed(unit, end, next)?;
            end = next;
        }
        let warn = budget * WARN_PER_MILLE / 1000;
        let Some(last) = self.pauses.last() else {
            return Ok(Outputs {
                budget,
                warn_at: Some(calendar.advance(unit, self.started_at, warn)?),
                deadline: Some(calendar.advance(unit, self.started_at, budget)?),
                held: None,
            });
        };
        // The clock as it ran up to the last pause.
        let mut before = self.clone();
        before.pauses.pop();
        let prior = before.schedule(calendar)?;
        let (Some(prior_warn), Some(prior_deadline)) = (prior.warn_at, prior.deadline) else {
            return Err(CalendarError::NoWorkingTime);
        };
        let Some(resumed) = last.to else {
            // Paused: it holds the light it had when it stopped.
            return Ok(Outputs {
                budget,
                warn_at: None,
                deadline: None,
                held: Some(light_of(prior_warn, prior_deadline, last.from)),
            });
        };
        // A point the clock passed before it stopped stays where it was passed (an overdue
        // clock stays overdue, its overrun counted on after the pause, not forgiven); a point
        // still ahead moves on by the pause.
        let used = self.used_at(calendar, resumed)?;
        let deadline = if prior_deadline < last.from {
            prior_deadline
        } else {
            calendar.shift(unit, resumed, budget - used)?
        };
        let warn_at = if prior_warn < last.from {
            prior_warn
        } else {
            calendar.shift(unit, resumed, warn - used)?
        };
        Ok(Outputs {
            budget,
            warn_at: Some(warn_at),
            deadline: Some(deadline),
            held: None,
        })
    }

    /// How far past its limit the clock has run by `now`, in the unit's measure (seconds;
    /// working seconds for units on the schedule), paused stretches excluded: zero within it.
    pub fn overrun_at(
        &self,
        calendar: &WorkCalendar,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, CalendarError> {
        let Some(budget) = self.budget else {
            return Ok(None);
        };
        Ok(Some((self.used_at(calendar, now)? - budget).max(0)))
    }

    /// How much of the allowance was used by `now` (paused stretches excluded).
    pub fn used_at(
        &self,
        calendar: &WorkCalendar,
        now: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        let unit = self.limit.unit;
        let mut used = calendar.elapsed(unit, self.started_at, now)?;
        for pause in &self.pauses {
            let until = pause.to.unwrap_or(now).min(now);
            used -= calendar.elapsed(unit, pause.from, until)?;
        }
        Ok(used.max(0))
    }

    /// The light at `now`. A paused clock shows the light it had when it stopped (red when it
    /// stopped past its deadline, even outside working hours).
    pub fn light(&self, calendar: &WorkCalendar, now: DateTime<Utc>) -> Light {
        if let (Some(warn_at), Some(deadline)) = (self.warn_at, self.deadline) {
            return light_of(warn_at, deadline, now);
        }
        if !self.is_paused() || self.budget.is_none() {
            return Light::Unknown;
        }
        match self.held {
            Some(held) => held,
            // Stored before the held light was kept: work it out.
            None => self
                .schedule(calendar)
                .ok()
                .and_then(|outputs| outputs.held)
                .unwrap_or(Light::Unknown),
        }
    }

    /// Whether a step finished at `at` finished within its limit (`None` if unknowable).
    pub fn on_time_at(&self, at: DateTime<Utc>) -> Option<bool> {
        self.deadline.map(|deadline| at <= deadline)
    }
}

/// What the calendar makes of a clock's inputs.
struct Outputs {
    budget: i64,
    warn_at: Option<DateTime<Utc>>,
    deadline: Option<DateTime<Utc>>,
    held: Option<Light>,
}

/// A running clock's light at `now`.
fn light_of(warn_at: DateTime<Utc>, deadline: DateTime<Utc>, now: DateTime<Utc>) -> Light {
    if now > deadline {
        Light::Red
    } else if now >= warn_at {
        Light::Yellow
    } else {
        Light::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::TimeUnit;
    use crate::clock::CHINA;
    use chrono::{Duration, NaiveDateTime, TimeZone};
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

    #[test]
    fn lights_turn_at_eighty_percent_and_past_the_deadline() {
        let calendar = calendar();
        // 10 working hours from Monday 08:30: deadline Tuesday 10:00 (7.5h + 2.5h... Monday has 7.5h).
        let timer = Timer::start(&calendar, TimeLimit::work_hours(10), at("2026-03-02 08:30"));
        assert_eq!(timer.budget, Some(10 * 3600));
        assert_eq!(timer.deadline, Some(at("2026-03-03 11:00")));
        // 8 working hours in: Tuesday 09:00.
        assert_eq!(timer.warn_at, Some(at("2026-03-03 09:00")));
        assert_eq!(timer.light(&calendar, at("2026-03-03 08:59")), Light::Green);
        assert_eq!(
            timer.light(&calendar, at("2026-03-03 09:00")),
            Light::Yellow
        );
        assert_eq!(
            timer.light(&calendar, at("2026-03-03 11:00")),
            Light::Yellow
        );
        assert_eq!(timer.light(&calendar, at("2026-03-03 11:01")), Light::Red);
    }

    #[test]
    fn a_paused_clock_stands_still_and_resumes_where_it_stopped() {
        let calendar = calendar();
        let mut timer = Timer::start(&calendar, TimeLimit::work_hours(4), at("2026-03-02 08:30"));
        assert_eq!(timer.deadline, Some(at("2026-03-02 14:00")));
        timer.pause(&calendar, at("2026-03-02 10:30"));
        assert_eq!(timer.deadline, None);
        assert_eq!(
            timer
                .used_at(&calendar, at("2026-03-05 16:00"))
                .expect("used"),
            2 * 3600
        );
        assert_eq!(
            timer.light(&calendar, at("2026-03-09 12:00")),
            Light::Green,
            "stopped while green"
        );
        timer.resume(&calendar, at("2026-03-04 14:00"));
        // Two hours left from Wednesday 14:00.
        assert_eq!(timer.deadline, Some(at("2026-03-04 16:00")));
    }

    #[test]
    fn an_extension_moves_the_deadline_by_its_own_measure() {
        let calendar = calendar();
        let mut timer = Timer::start(&calendar, TimeLimit::work_days(2), at("2026-03-02 10:00"));
        assert_eq!(timer.deadline, Some(at("2026-03-04 10:00")));
        timer.extend(&calendar, TimeLimit::work_days(3));
        assert_eq!(timer.deadline, Some(at("2026-03-09 10:00")));
    }

    #[test]
    fn a_clock_the_calendar_cannot_work_out_is_pending_until_it_can() {
        let mut calendar = calendar();
        let timer = Timer::start(&calendar, TimeLimit::work_days(5), at("2026-12-30 10:00"));
        assert!(timer.is_pending());
        assert_eq!(
            timer.light(&calendar, at("2026-12-30 11:00")),
            Light::Unknown
        );
        let notice = crate::calendar::YearNotice::parse_file(
            "[[year]]\nyear = 2027\nholidays = [{ name = \"元旦\", days = [\"2027-01-01\"] }]\n",
        )
        .expect("notice")
        .remove(0);
        calendar.add_notice(&notice).expect("add");
        let mut again = timer.clone();
        again.reckon(&calendar);
        assert_eq!(again.deadline, Some(at("2027-01-07 10:00")));
        assert!(!again.is_pending());
    }

    #[test]
    fn a_calendar_day_extension_ends_where_the_longer_limit_would() {
        let calendar = calendar();
        let mut timer = Timer::start(
            &calendar,
            TimeLimit::calendar_days(15),
            at("2026-03-02 15:00"),
        );
        assert_eq!(timer.deadline, Some(at("2026-03-18 00:00")));
        timer.extend(&calendar, TimeLimit::calendar_days(5));
        assert_eq!(timer.deadline, Some(at("2026-03-23 00:00")));
        let twenty = Timer::start(
            &calendar,
            TimeLimit::calendar_days(20),
            at("2026-03-02 15:00"),
        );
        assert_eq!(timer.deadline, twenty.deadline);
        assert_eq!(timer.budget, twenty.budget);
    }

    #[test]
    fn a_clock_parked_past_its_deadline_out_of_hours_shows_red() {
        let calendar = calendar();
        // 2 working hours from Friday 15:30 run out at 17:30; parked at 18:00.
        let mut timer = Timer::start(&calendar, TimeLimit::work_hours(2), at("2026-03-06 15:30"));
        assert_eq!(timer.deadline, Some(at("2026-03-06 17:30")));
        timer.pause(&calendar, at("2026-03-06 18:00"));
        assert_eq!(timer.held, Some(Light::Red));
        assert_eq!(timer.light(&calendar, at("2026-03-09 10:00")), Light::Red);
        // Parked at the deadline itself it had not run past it yet.
        let mut on_the_dot =
            Timer::start(&calendar, TimeLimit::work_hours(2), at("2026-03-06 15:30"));
        on_the_dot.pause(&calendar, at("2026-03-06 17:30"));
        assert_eq!(on_the_dot.held, Some(Light::Yellow));
        // A stored timer without the held light works it out the same way.
        let mut old = timer.clone();
        old.held = None;
        assert_eq!(old.light(&calendar, at("2026-03-09 10:00")), Light::Red);
        // Resumed, it stays red and can no longer finish on time.
        timer.resume(&calendar, at("2026-03-09 09:00"));
        assert_eq!(timer.light(&calendar, at("2026-03-09 09:00")), Light::Red);
        assert_eq!(timer.on_time_at(at("2026-03-09 09:00")), Some(false));
    }

    #[test]
    fn resuming_an_overdue_clock_keeps_its_overrun() {
        let calendar = calendar();
        // 2 working hours from Monday 08:30 run out at 10:30; parked at 11:00, half an hour over.
        let mut timer = Timer::start(&calendar, TimeLimit::work_hours(2), at("2026-03-02 08:30"));
        timer.pause(&calendar, at("2026-03-02 11:00"));
        assert_eq!(timer.held, Some(Light::Red));
        timer.resume(&calendar, at("2026-03-03 09:00"));
        assert_eq!(
            timer.deadline,
            Some(at("2026-03-02 10:30")),
            "not Tuesday 09:00"
        );
        assert_eq!(timer.light(&calendar, at("2026-03-03 09:00")), Light::Red);
        assert_eq!(timer.on_time_at(at("2026-03-03 09:00")), Some(false));
        let overrun = |now| timer.overrun_at(&calendar, at(now)).expect("overrun");
        assert_eq!(overrun("2026-03-03 09:00"), Some(30 * 60));
        assert_eq!(
            overrun("2026-03-03 10:00"),
            Some(90 * 60),
            "the pause is not counted"
        );
        assert_eq!(overrun("2026-03-02 10:00"), Some(0));
    }

    fn arbitrary_instant() -> impl Strategy<Value = DateTime<Utc>> {
        let first = at("2012-01-01 00:00").timestamp() / 60;
        let last = at("2026-03-31 00:00").timestamp() / 60;
        (first..last).prop_map(|minute| DateTime::from_timestamp(minute * 60, 0).expect("instant"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Pausing and resuming never forgives an overrun: a clock red when it stopped is red
        /// when it resumes, its overrun leaves the pauses out, and a clock past its limit is
        /// red. The examples are the fixed cases above.
        #[test]
        fn an_overrun_survives_pauses(
            start in arbitrary_instant(),
            unit in 0_usize..4,
            amount in 1_u32..30,
            stops in proptest::collection::vec((1_i64..(5 * 24 * 60), 1_i64..(5 * 24 * 60)), 1..4),
            after in 0_i64..(3 * 24 * 60),
        ) {
            let calendar = calendar();
            let unit = TimeUnit::ALL[unit];
            let limit = TimeLimit { unit, amount: if unit.in_minutes() { amount * 30 } else { amount } };
            let mut timer = Timer::start(&calendar, limit, start);
            let mut now = start;
            for (run, pause) in stops {
                now += Duration::minutes(run);
                let before = timer.light(&calendar, now);
                timer.pause(&calendar, now);
                prop_assert_eq!(timer.held, Some(before), "held at {}", now);
                let overrun_at_stop = timer.overrun_at(&calendar, now).expect("overrun");
                now += Duration::minutes(pause);
                timer.resume(&calendar, now);
                let after_resume = timer.light(&calendar, now);
                if before == Light::Red {
                    prop_assert_eq!(after_resume, Light::Red, "resumed at {}", now);
                    prop_assert_eq!(timer.on_time_at(now), Some(false));
                }
                prop_assert_eq!(timer.overrun_at(&calendar, now).expect("overrun"), overrun_at_stop);
            }
            let later = now + Duration::minutes(after);
            let overrun = timer.overrun_at(&calendar, later).expect("overrun").expect("known");
            if overrun > 0 {
                prop_assert_eq!(timer.light(&calendar, later), Light::Red, "{} over at {}", overrun, later);
            }
        }
    }

    #[test]
    fn urgent_clocks_run_through_the_night() {
        let calendar = calendar();
        let start = at("2026-02-17 23:00");
        let timer = Timer::start(&calendar, TimeLimit::urgent_hours(2), start);
        assert_eq!(timer.deadline, Some(start + Duration::hours(2)));
        assert_eq!(timer.warn_at, Some(start + Duration::minutes(96)));
    }
}
