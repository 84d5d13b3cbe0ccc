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
    /// When the limit runs out; `None` while paused or unknown.
    pub deadline: Option<DateTime<Utc>>,
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
            Ok((budget, warn_at, deadline)) => {
                self.budget = Some(budget);
                self.warn_at = warn_at;
                self.deadline = deadline;
            }
            Err(_) => {
                self.budget = None;
                self.warn_at = None;
                self.deadline = None;
            }
        }
    }

    #[expect(clippy::type_complexity, reason = "a private triple of the outputs")]
    fn schedule(
        &self,
        calendar: &WorkCalendar,
    ) -> Result<(i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>), CalendarError> {
        let unit = self.limit.unit;
        // The allowance is measured along the unpaused schedule: the limit, then each extension
        // from where the previous allowance ended.
        let mut end = calendar.deadline(self.started_at, self.limit)?;
        let mut budget = calendar.elapsed(unit, self.started_at, end)?;
        for extra in &self.extensions {
            let next = calendar.deadline(end, *extra)?;
            budget += calendar.elapsed(unit, end, next)?;
            end = next;
        }
        if self.is_paused() {
            return Ok((budget, None, None));
        }
        let resumed = self
            .pauses
            .last()
            .and_then(|p| p.to)
            .unwrap_or(self.started_at);
        let used = self.used_at(calendar, resumed)?;
        let deadline = calendar.advance(unit, resumed, budget - used)?;
        let warn = budget * WARN_PER_MILLE / 1000;
        let warn_at = calendar.advance(unit, resumed, (warn - used).max(0))?;
        Ok((budget, Some(warn_at), Some(deadline)))
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

    /// The light at `now`. A paused clock shows the light it had when it stopped.
    pub fn light(&self, calendar: &WorkCalendar, now: DateTime<Utc>) -> Light {
        if let (Some(warn_at), Some(deadline)) = (self.warn_at, self.deadline) {
            return if now > deadline {
                Light::Red
            } else if now >= warn_at {
                Light::Yellow
            } else {
                Light::Green
            };
        }
        let (Some(budget), Some(pause)) = (self.budget, self.pauses.last()) else {
            return Light::Unknown;
        };
        match self.used_at(calendar, pause.from) {
            Ok(used) if used > budget => Light::Red,
            Ok(used) if used * 1000 >= budget * WARN_PER_MILLE => Light::Yellow,
            Ok(_) => Light::Green,
            Err(_) => Light::Unknown,
        }
    }

    /// Whether a step finished at `at` finished within its limit (`None` if unknowable).
    pub fn on_time_at(&self, at: DateTime<Utc>) -> Option<bool> {
        self.deadline.map(|deadline| at <= deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::CHINA;
    use chrono::{Duration, NaiveDateTime, TimeZone};

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
    fn urgent_clocks_run_through_the_night() {
        let calendar = calendar();
        let start = at("2026-02-17 23:00");
        let timer = Timer::start(&calendar, TimeLimit::urgent_hours(2), start);
        assert_eq!(timer.deadline, Some(start + Duration::hours(2)));
        assert_eq!(timer.warn_at, Some(start + Duration::minutes(96)));
    }
}
