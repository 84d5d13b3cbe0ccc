//! The business calendar (工作日历) and deadline arithmetic in its four units.
//!
//! A working day follows the weekly schedule (e.g. 08:30-12:00 and 13:30-17:30, Monday to
//! Friday) unless the State Council's notice for its year makes it a holiday (节假日), and a
//! weekend day is worked when the notice makes it a makeup day (调休上班日). The notice is data,
//! one year at a time; arithmetic that would need a year the calendar does not know fails with
//! [`CalendarError::YearNotKnown`] instead of guessing.
//!
//! Units: 工作时 (working hours on the schedule), 工作日 (working days), 紧急工作时 (urgent
//! hours, counted round the clock) and 自然日 (calendar days, the deadline at the end of the
//! n-th day after the start, as 民法典 art. 201 counts them). Legal periods in days (法定期间,
//! [`TimeUnit::LegalDays`]) count the same way and then follow 民法典 art. 203: a last day that
//! is a day off (法定休假日: a statutory holiday or a rest day, as the year's notice arranges
//! them) moves to the first working day after it. Case limits in 自然日 keep their own rule;
//! the legal periods of petitions and the like use the legal one. Times are reckoned in China
//! Standard Time.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::clock::CHINA;
use crate::i18n::{self, Lang, Localized};
use crate::refusal::RefusalKind;

/// The seeded holiday notices, 2011 onwards (see the file's header).
static SEEDED_HOLIDAYS: &str = include_str!("../data/holidays.toml");

/// How far arithmetic may walk before giving up: a schedule with no working time at all.
const MAX_DAYS_WALKED: i64 = 3 * 366;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error("the calendar does not know the holidays of {year}")]
    YearNotKnown { year: i32 },
    #[error("the working week has no working time")]
    NoWorkingTime,
    #[error("bad holiday data: {detail}")]
    BadData { detail: String },
}

impl CalendarError {
    /// Holiday data that does not read is invalid; a year the calendar does not know yet is
    /// a conflict with its present state (an administrator must import the year first).
    pub fn kind(&self) -> RefusalKind {
        match self {
            CalendarError::YearNotKnown { .. } => RefusalKind::Conflict,
            CalendarError::NoWorkingTime | CalendarError::BadData { .. } => RefusalKind::Invalid,
        }
    }
}

impl Localized for CalendarError {
    fn message_key(&self) -> &'static str {
        match self {
            CalendarError::YearNotKnown { .. } => "calendar.year_not_known",
            CalendarError::NoWorkingTime => "calendar.no_working_time",
            CalendarError::BadData { .. } => "calendar.bad_data",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            CalendarError::YearNotKnown { year } => vec![("year", year.to_string())],
            CalendarError::NoWorkingTime => vec![],
            CalendarError::BadData { detail } => vec![("detail", detail.clone())],
        }
    }
}

/// A unit of a time limit (时限单位).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// 工作时
    WorkHours,
    /// 工作日
    WorkDays,
    /// 紧急工作时: every hour counts, nights and holidays included.
    UrgentHours,
    /// 自然日
    CalendarDays,
    /// Days of a period set by law (法定期间): calendar days whose last day, when it falls on a
    /// day off, moves to the next working day (民法典 art. 203). Not offered for case limits.
    LegalDays,
}

impl TimeUnit {
    /// The units a case's limits and extensions are written in (legal periods are not).
    pub const ALL: [TimeUnit; 4] = [
        TimeUnit::WorkHours,
        TimeUnit::WorkDays,
        TimeUnit::UrgentHours,
        TimeUnit::CalendarDays,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::WorkHours => "work_hours",
            TimeUnit::WorkDays => "work_days",
            TimeUnit::UrgentHours => "urgent_hours",
            TimeUnit::CalendarDays => "calendar_days",
            TimeUnit::LegalDays => "legal_days",
        }
    }

    /// Reads one of the case units ([`TimeUnit::ALL`]).
    pub fn parse(text: &str) -> Option<TimeUnit> {
        TimeUnit::ALL.into_iter().find(|unit| unit.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            TimeUnit::WorkHours => "time_unit.work_hours",
            TimeUnit::WorkDays => "time_unit.work_days",
            TimeUnit::UrgentHours => "time_unit.urgent_hours",
            TimeUnit::CalendarDays => "time_unit.calendar_days",
            TimeUnit::LegalDays => "time_unit.legal_days",
        }
    }

    /// Whether time in this unit is counted only on the work schedule.
    pub fn on_schedule(self) -> bool {
        matches!(self, TimeUnit::WorkHours | TimeUnit::WorkDays)
    }

    /// Hour units are kept in minutes (so 0.5 工作时 is possible), day units in days.
    pub fn in_minutes(self) -> bool {
        matches!(self, TimeUnit::WorkHours | TimeUnit::UrgentHours)
    }
}

/// A time limit (时限): an amount of a unit. Hour units count minutes, day units days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeLimit {
    pub unit: TimeUnit,
    /// Minutes for hour units, days for day units.
    pub amount: u32,
}

impl TimeLimit {
    pub fn work_hours(hours: u32) -> TimeLimit {
        TimeLimit {
            unit: TimeUnit::WorkHours,
            amount: hours * 60,
        }
    }

    pub fn work_days(days: u32) -> TimeLimit {
        TimeLimit {
            unit: TimeUnit::WorkDays,
            amount: days,
        }
    }

    pub fn urgent_hours(hours: u32) -> TimeLimit {
        TimeLimit {
            unit: TimeUnit::UrgentHours,
            amount: hours * 60,
        }
    }

    pub fn calendar_days(days: u32) -> TimeLimit {
        TimeLimit {
            unit: TimeUnit::CalendarDays,
            amount: days,
        }
    }

    /// A period set by law in days, its last day moved off days off (民法典 art. 203).
    pub fn legal_days(days: u32) -> TimeLimit {
        TimeLimit {
            unit: TimeUnit::LegalDays,
            amount: days,
        }
    }

    /// The amount as people write it: hours with up to two decimals, or whole days.
    pub fn amount_text(&self) -> String {
        if self.unit.in_minutes() {
            let hours = f64::from(self.amount) / 60.0;
            let text = format!("{hours:.2}");
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            self.amount.to_string()
        }
    }

    /// "2 工作时", "5 working days".
    pub fn describe(&self, lang: Lang) -> String {
        format!(
            "{} {}",
            self.amount_text(),
            i18n::text(lang, self.unit.label_key())
        )
    }

    /// Reads an amount typed by a person: hours may have decimals (to the minute).
    pub fn from_text(unit: TimeUnit, text: &str) -> Option<TimeLimit> {
        let value: f64 = text.trim().parse().ok()?;
        if !value.is_finite() || value <= 0.0 || value > 10_000.0 {
            return None;
        }
        let amount = if unit.in_minutes() {
            (value * 60.0).round()
        } else if value.fract() == 0.0 {
            value
        } else {
            return None;
        };
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "bounded above"
        )]
        Some(TimeLimit {
            unit,
            amount: amount as u32,
        })
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::ZhCn))
    }
}

/// A stretch of working time within a day, e.g. 08:30-12:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Period {
    pub fn new(start: NaiveTime, end: NaiveTime) -> Period {
        Period { start, end }
    }

    fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

/// The weekly schedule: working periods for each weekday, Monday first, and the periods of a
/// makeup working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkWeek {
    pub days: [Vec<Period>; 7],
    pub makeup_day: Vec<Period>,
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

impl Default for WorkWeek {
    /// 08:30-12:00 and 13:30-17:30, Monday to Friday.
    fn default() -> Self {
        let day = vec![
            Period::new(hm(8, 30), hm(12, 0)),
            Period::new(hm(13, 30), hm(17, 30)),
        ];
        WorkWeek {
            days: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                Vec::new(),
                Vec::new(),
            ],
            makeup_day: day,
        }
    }
}

impl WorkWeek {
    /// The working periods of a weekday on an ordinary week.
    pub fn on(&self, weekday: chrono::Weekday) -> &[Period] {
        self.days
            .get(weekday.num_days_from_monday() as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// Refuses overlapping, unordered or empty periods.
    pub fn check(&self) -> Result<(), CalendarError> {
        let all = self.days.iter().chain(std::iter::once(&self.makeup_day));
        for periods in all {
            for pair in periods.windows(2) {
                if let [earlier, later] = pair
                    && later.start < earlier.end
                {
                    return Err(CalendarError::BadData {
                        detail: "working periods overlap or are out of order".into(),
                    });
                }
            }
            if periods.iter().any(|p| p.end <= p.start) {
                return Err(CalendarError::BadData {
                    detail: "a working period ends before it starts".into(),
                });
            }
        }
        if self.days.iter().all(Vec::is_empty) {
            return Err(CalendarError::NoWorkingTime);
        }
        Ok(())
    }
}

/// One public holiday break of a year's notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayBreak {
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub days: Vec<NaiveDate>,
}

/// One year's notice (国务院办公厅关于某年部分节假日安排的通知).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearNotice {
    pub year: i32,
    pub holidays: Vec<HolidayBreak>,
    #[serde(default)]
    pub makeup_workdays: Vec<NaiveDate>,
}

#[derive(Deserialize)]
struct NoticeFile {
    year: Vec<YearNotice>,
}

impl YearNotice {
    /// Reads notices in the seed file's format and checks each.
    pub fn parse_file(text: &str) -> Result<Vec<YearNotice>, CalendarError> {
        let file: NoticeFile = toml::from_str(text).map_err(|error| CalendarError::BadData {
            detail: error.message().to_owned(),
        })?;
        for notice in &file.year {
            notice.check()?;
        }
        Ok(file.year)
    }

    /// A notice's days belong to its year (a break may begin on the last days of December);
    /// makeup days fall on weekends and are not also holidays.
    pub fn check(&self) -> Result<(), CalendarError> {
        let bad = |detail: String| Err(CalendarError::BadData { detail });
        let first = NaiveDate::from_ymd_opt(self.year - 1, 12, 25);
        let last = NaiveDate::from_ymd_opt(self.year, 12, 31);
        let (Some(first), Some(last)) = (first, last) else {
            return bad(format!("year {} is out of range", self.year));
        };
        let holidays: BTreeSet<NaiveDate> = self
            .holidays
            .iter()
            .flat_map(|b| b.days.iter().copied())
            .collect();
        for day in holidays.iter().chain(&self.makeup_workdays) {
            if *day < first || *day > last {
                return bad(format!("{day} is not in {}", self.year));
            }
        }
        for day in &self.makeup_workdays {
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                return bad(format!("makeup day {day} is not a weekend day"));
            }
            if holidays.contains(day) {
                return bad(format!("{day} is both a holiday and a makeup day"));
            }
        }
        if self.holidays.iter().any(|b| b.name.trim().is_empty()) {
            return bad("a holiday has no name".into());
        }
        Ok(())
    }
}

/// What a date is in the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    Workday,
    Weekend,
    Holiday,
    /// A weekend day worked instead of a holiday (调休上班).
    MakeupWorkday,
}

/// The working calendar: the weekly schedule plus the notices of the years it knows.
///
/// Each holiday and makeup day remembers the year of the notice that set it: a break that
/// crosses New Year is published in the notice of the year it ends in (the 2019 notice gives
/// 2018-12-30 and 31 off and works 2018-12-29), so replacing a year's notice replaces the days
/// that notice set, whichever year they fall in.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkCalendar {
    week: WorkWeek,
    /// Day off → (the notice's year, the holiday's name).
    holidays: BTreeMap<NaiveDate, (i32, String)>,
    /// Makeup working day → the notice's year.
    makeup: BTreeMap<NaiveDate, i32>,
    years: BTreeSet<i32>,
}

/// A working instant: a working day and how far into its working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    day: NaiveDate,
    offset: i64,
}

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&CHINA).naive_local()
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    CHINA
        .from_local_datetime(&at)
        .single()
        .map_or_else(|| at.and_utc(), |t| t.with_timezone(&Utc))
}

impl WorkCalendar {
    pub fn new(week: WorkWeek, notices: &[YearNotice]) -> Result<WorkCalendar, CalendarError> {
        week.check()?;
        let mut calendar = WorkCalendar {
            week,
            holidays: BTreeMap::new(),
            makeup: BTreeMap::new(),
            years: BTreeSet::new(),
        };
        for notice in notices {
            calendar.add_notice(notice)?;
        }
        Ok(calendar)
    }

    /// The default week with every seeded notice.
    pub fn seeded() -> Result<WorkCalendar, CalendarError> {
        WorkCalendar::new(
            WorkWeek::default(),
            &YearNotice::parse_file(SEEDED_HOLIDAYS)?,
        )
    }

    /// The seeded notices, to load into a database.
    pub fn seeded_notices() -> Result<Vec<YearNotice>, CalendarError> {
        YearNotice::parse_file(SEEDED_HOLIDAYS)
    }

    /// Adds (or replaces) a year's notice: the days an earlier import of the same year's notice
    /// set are taken away first, and a day the new notice sets overrides what another notice
    /// said of it.
    pub fn add_notice(&mut self, notice: &YearNotice) -> Result<(), CalendarError> {
        notice.check()?;
        let year = notice.year;
        self.holidays.retain(|_, (source, _)| *source != year);
        self.makeup.retain(|_, source| *source != year);
        for holiday in &notice.holidays {
            for day in &holiday.days {
                self.makeup.remove(day);
                self.holidays.insert(*day, (year, holiday.name.clone()));
            }
        }
        for day in &notice.makeup_workdays {
            self.holidays.remove(day);
            self.makeup.insert(*day, year);
        }
        self.years.insert(year);
        Ok(())
    }

    pub fn week(&self) -> &WorkWeek {
        &self.week
    }

    /// The years whose notices the calendar holds.
    pub fn known_years(&self) -> &BTreeSet<i32> {
        &self.years
    }

    /// The last year known, if any: administrators must import the next before it runs out.
    pub fn last_known_year(&self) -> Option<i32> {
        self.years.last().copied()
    }

    fn require_year(&self, day: NaiveDate) -> Result<(), CalendarError> {
        if self.years.contains(&day.year()) {
            Ok(())
        } else {
            Err(CalendarError::YearNotKnown { year: day.year() })
        }
    }

    pub fn day_kind(&self, day: NaiveDate) -> Result<DayKind, CalendarError> {
        self.require_year(day)?;
        Ok(if self.makeup.contains_key(&day) {
            DayKind::MakeupWorkday
        } else if self.holidays.contains_key(&day) {
            DayKind::Holiday
        } else if self.week.on(day.weekday()).is_empty() {
            DayKind::Weekend
        } else {
            DayKind::Workday
        })
    }

    /// The name of the holiday on `day`, if it is one.
    pub fn holiday_name(&self, day: NaiveDate) -> Option<&str> {
        self.holidays.get(&day).map(|(_, name)| name.as_str())
    }

    /// The working periods of a day (none on days off).
    pub fn periods(&self, day: NaiveDate) -> Result<&[Period], CalendarError> {
        Ok(match self.day_kind(day)? {
            DayKind::Workday => self.week.on(day.weekday()),
            DayKind::MakeupWorkday => &self.week.makeup_day,
            DayKind::Holiday | DayKind::Weekend => &[],
        })
    }

    fn day_length(&self, day: NaiveDate) -> Result<i64, CalendarError> {
        Ok(self.periods(day)?.iter().map(Period::seconds).sum())
    }

    /// Working seconds of `day` before `time`.
    fn offset_at(&self, day: NaiveDate, time: NaiveTime) -> Result<i64, CalendarError> {
        Ok(self
            .periods(day)?
            .iter()
            .map(|p| (time.min(p.end) - p.start).num_seconds().max(0))
            .sum())
    }

    /// The instant `offset` working seconds into `day` (the end of a period, not the start of
    /// the next, when it falls between them).
    fn instant_at(&self, day: NaiveDate, offset: i64) -> Result<NaiveDateTime, CalendarError> {
        let mut left = offset;
        let periods = self.periods(day)?;
        for period in periods {
            if left <= period.seconds() {
                return Ok(day.and_time(period.start) + Duration::seconds(left));
            }
            left -= period.seconds();
        }
        Ok(day.and_time(periods.last().map_or(NaiveTime::MIN, |p| p.end)))
    }

    /// Adds `seconds` of working time to `start`. The result lies inside a working period (its
    /// end included) unless `seconds` is zero, when it is `start`.
    pub fn add_working_seconds(
        &self,
        start: DateTime<Utc>,
        seconds: i64,
    ) -> Result<DateTime<Utc>, CalendarError> {
        if seconds <= 0 {
            return Ok(start);
        }
        let at = local(start);
        let mut day = at.date();
        let mut time = at.time();
        let mut left = seconds;
        for _ in 0..MAX_DAYS_WALKED {
            for period in self.periods(day)? {
                if time >= period.end {
                    continue;
                }
                let from = time.max(period.start);
                let available = (period.end - from).num_seconds();
                if left <= available {
                    return Ok(utc(day.and_time(from) + Duration::seconds(left)));
                }
                left -= available;
            }
            day = day.succ_opt().ok_or(CalendarError::NoWorkingTime)?;
            time = NaiveTime::MIN;
        }
        Err(CalendarError::NoWorkingTime)
    }

    /// Working seconds between two instants (zero if `to` is not after `from`).
    pub fn working_seconds_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        if to <= from {
            return Ok(0);
        }
        let (from, to) = (local(from), local(to));
        if from.date() == to.date() {
            return Ok(
                self.offset_at(to.date(), to.time())? - self.offset_at(from.date(), from.time())?
            );
        }
        let mut total = self.day_length(from.date())? - self.offset_at(from.date(), from.time())?;
        let mut day = from.date().succ_opt().ok_or(CalendarError::NoWorkingTime)?;
        while day < to.date() {
            total += self.day_length(day)?;
            day = day.succ_opt().ok_or(CalendarError::NoWorkingTime)?;
        }
        Ok(total + self.offset_at(to.date(), to.time())?)
    }

    /// The next working day strictly after `day`.
    fn next_working_day(&self, day: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut next = day;
        for _ in 0..MAX_DAYS_WALKED {
            next = next.succ_opt().ok_or(CalendarError::NoWorkingTime)?;
            if self.day_length(next)? > 0 {
                return Ok(next);
            }
        }
        Err(CalendarError::NoWorkingTime)
    }

    /// Where `start` stands in working time: on a working day with time still to run.
    fn position(&self, start: DateTime<Utc>) -> Result<Position, CalendarError> {
        let at = local(start);
        let day = at.date();
        let length = self.day_length(day)?;
        let offset = self.offset_at(day, at.time())?;
        if length > 0 && offset < length {
            Ok(Position { day, offset })
        } else {
            Ok(Position {
                day: self.next_working_day(day)?,
                offset: 0,
            })
        }
    }

    /// Adds `days` working days: the same point of the working day, that many working days on.
    /// From the very start of a working day, n days end at the close of the (n-1)-th day after
    /// it, which is the same point of working time.
    pub fn add_working_days(
        &self,
        start: DateTime<Utc>,
        days: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        if days == 0 {
            return Ok(start);
        }
        let Position { mut day, offset } = self.position(start)?;
        let steps = if offset == 0 { days - 1 } else { days };
        for _ in 0..steps {
            day = self.next_working_day(day)?;
        }
        let offset = if offset == 0 {
            self.day_length(day)?
        } else {
            offset.min(self.day_length(day)?)
        };
        Ok(utc(self.instant_at(day, offset)?))
    }

    /// The instant a limit runs out when it starts at `start`.
    pub fn deadline(
        &self,
        start: DateTime<Utc>,
        limit: TimeLimit,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let amount = i64::from(limit.amount);
        match limit.unit {
            TimeUnit::WorkHours => self.add_working_seconds(start, amount * 60),
            TimeUnit::WorkDays => self.add_working_days(start, limit.amount),
            TimeUnit::UrgentHours => Ok(start + Duration::minutes(amount)),
            TimeUnit::CalendarDays => {
                let day = local(start).date() + Duration::days(amount + 1);
                Ok(utc(day.and_time(NaiveTime::MIN)))
            }
            TimeUnit::LegalDays => {
                let last = self.off_days_off(local(start).date() + Duration::days(amount))?;
                Ok(utc((last + Duration::days(1)).and_time(NaiveTime::MIN)))
            }
        }
    }

    /// 民法典 art. 203: a period's last day that is a day off (法定休假日) gives way to the first
    /// working day after it. Days off are the year's notice's: a statutory holiday, or a
    /// weekend day not worked as a makeup day (调休上班日 count as working days).
    pub fn off_days_off(&self, last: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut day = last;
        for _ in 0..MAX_DAYS_WALKED {
            match self.day_kind(day)? {
                DayKind::Workday | DayKind::MakeupWorkday => return Ok(day),
                DayKind::Weekend | DayKind::Holiday => {
                    day = day.succ_opt().ok_or(CalendarError::NoWorkingTime)?;
                }
            }
        }
        Err(CalendarError::NoWorkingTime)
    }

    /// Where a limit extended by `extra` runs out, the limit having run out at `end`. Days are
    /// counted on from `end` as from any start, except that an end at midnight closes a whole
    /// day: n more calendar days then end n days later, as n + m days from the start would
    /// (15 days from 03-02 end at 03-18 00:00; 5 more end at 03-23 00:00, not 03-24).
    pub fn extended(
        &self,
        end: DateTime<Utc>,
        extra: TimeLimit,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let at_midnight = local(end).time() == NaiveTime::MIN;
        match extra.unit {
            TimeUnit::CalendarDays if at_midnight => {
                Ok(end + Duration::days(i64::from(extra.amount)))
            }
            TimeUnit::LegalDays if at_midnight => {
                let day_before = end - Duration::days(1);
                self.deadline(day_before, extra)
            }
            _ => self.deadline(end, extra),
        }
    }

    /// How much of a unit's measure passed between two instants: working seconds for units on
    /// the schedule, wall-clock seconds otherwise.
    pub fn elapsed(
        &self,
        unit: TimeUnit,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        if unit.on_schedule() {
            self.working_seconds_between(from, to)
        } else {
            Ok((to - from).num_seconds().max(0))
        }
    }

    /// The instant a unit's measure reaches `seconds` after `from`, or `-seconds` before it
    /// when negative: where a clock that ran over its limit before a pause would have run out.
    pub fn shift(
        &self,
        unit: TimeUnit,
        from: DateTime<Utc>,
        seconds: i64,
    ) -> Result<DateTime<Utc>, CalendarError> {
        if seconds >= 0 {
            self.advance(unit, from, seconds)
        } else if unit.on_schedule() {
            self.retreat_working_seconds(from, -seconds)
        } else {
            Ok(from - Duration::seconds(-seconds))
        }
    }

    /// The instant `seconds` of working time before `end`: the latest instant from which that
    /// much working time runs to `end` (the start of a period when it falls between periods).
    pub fn retreat_working_seconds(
        &self,
        end: DateTime<Utc>,
        seconds: i64,
    ) -> Result<DateTime<Utc>, CalendarError> {
        if seconds <= 0 {
            return Ok(end);
        }
        let at = local(end);
        let mut day = at.date();
        // `None`: the whole day lies before the point walked back from.
        let mut until = Some(at.time());
        let mut left = seconds;
        for _ in 0..MAX_DAYS_WALKED {
            for period in self.periods(day)?.iter().rev() {
                let to = until.map_or(period.end, |t| t.min(period.end));
                if to <= period.start {
                    continue;
                }
                let available = (to - period.start).num_seconds();
                if left <= available {
                    return Ok(utc(day.and_time(to) - Duration::seconds(left)));
                }
                left -= available;
            }
            day = day.pred_opt().ok_or(CalendarError::NoWorkingTime)?;
            until = None;
        }
        Err(CalendarError::NoWorkingTime)
    }

    /// The instant a unit's measure reaches `seconds` after `from`.
    pub fn advance(
        &self,
        unit: TimeUnit,
        from: DateTime<Utc>,
        seconds: i64,
    ) -> Result<DateTime<Utc>, CalendarError> {
        if unit.on_schedule() {
            self.add_working_seconds(from, seconds)
        } else {
            Ok(from + Duration::seconds(seconds.max(0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn calendar() -> &'static WorkCalendar {
        static CALENDAR: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
        CALENDAR.get_or_init(|| WorkCalendar::seeded().expect("seeded calendar"))
    }

    fn notices() -> &'static [YearNotice] {
        static NOTICES: std::sync::OnceLock<Vec<YearNotice>> = std::sync::OnceLock::new();
        NOTICES.get_or_init(|| WorkCalendar::seeded_notices().expect("notices"))
    }

    fn at(text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time");
        utc(naive)
    }

    fn show(instant: DateTime<Utc>) -> String {
        local(instant).format("%Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn the_seed_covers_2011_to_2026() {
        let calendar = calendar();
        assert_eq!(calendar.known_years().first(), Some(&2011));
        assert_eq!(calendar.last_known_year(), Some(2026));
        let day = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").expect("date");
        assert_eq!(calendar.day_kind(day("2026-02-17")), Ok(DayKind::Holiday));
        assert_eq!(calendar.holiday_name(day("2026-02-17")), Some("春节"));
        assert_eq!(
            calendar.day_kind(day("2026-02-14")),
            Ok(DayKind::MakeupWorkday)
        );
        assert_eq!(calendar.day_kind(day("2026-02-13")), Ok(DayKind::Workday));
        assert_eq!(calendar.day_kind(day("2026-03-01")), Ok(DayKind::Weekend));
        assert_eq!(
            calendar.day_kind(day("2027-01-04")),
            Err(CalendarError::YearNotKnown { year: 2027 })
        );
    }

    #[test]
    fn working_hours_skip_lunch_nights_weekends_and_holidays() {
        let calendar = calendar();
        let two_hours = TimeLimit::work_hours(2);
        // Friday 11:00 + 2h = 1h before lunch + 1h after: 14:30.
        assert_eq!(
            show(
                calendar
                    .deadline(at("2026-03-06 11:00"), two_hours)
                    .expect("d")
            ),
            "2026-03-06 14:30"
        );
        // Friday 17:00 + 2h: 30 min that day, then Monday 08:30 + 1.5h = 10:00.
        assert_eq!(
            show(
                calendar
                    .deadline(at("2026-03-06 17:00"), two_hours)
                    .expect("d")
            ),
            "2026-03-09 10:00"
        );
        // Friday before the Spring Festival break (02-15..02-23): Saturday 02-14 is a makeup day.
        assert_eq!(
            show(
                calendar
                    .deadline(at("2026-02-13 17:00"), two_hours)
                    .expect("d")
            ),
            "2026-02-14 10:00"
        );
        // Saturday 02-14 late: the next working time is Tuesday 02-24.
        assert_eq!(
            show(
                calendar
                    .deadline(at("2026-02-14 17:00"), two_hours)
                    .expect("d")
            ),
            "2026-02-24 10:00"
        );
        // Exactly at a period's end the deadline is that end, not the next start.
        assert_eq!(
            show(
                calendar
                    .deadline(at("2026-03-06 10:00"), two_hours)
                    .expect("d")
            ),
            "2026-03-06 12:00"
        );
    }

    #[test]
    fn working_days_keep_the_point_of_the_day() {
        let calendar = calendar();
        let five = TimeLimit::work_days(5);
        assert_eq!(
            show(calendar.deadline(at("2026-03-02 10:00"), five).expect("d")),
            "2026-03-09 10:00"
        );
        // From before the day starts: five whole days, ending at Friday's close.
        assert_eq!(
            show(calendar.deadline(at("2026-03-02 07:00"), five).expect("d")),
            "2026-03-06 17:30"
        );
        // Across National Day (10-01..10-07, makeup 09-20 and 10-10).
        assert_eq!(
            show(calendar.deadline(at("2026-09-29 09:00"), five).expect("d")),
            "2026-10-12 09:00"
        );
    }

    #[test]
    fn urgent_hours_and_calendar_days_ignore_the_schedule() {
        let calendar = calendar();
        assert_eq!(
            show(
                calendar
                    .deadline(at("2026-02-16 23:00"), TimeLimit::urgent_hours(2))
                    .expect("d")
            ),
            "2026-02-17 01:00"
        );
        // 15 calendar days from 03-02 end with the 17th (midnight starting the 18th).
        assert_eq!(
            show(
                calendar
                    .deadline(at("2026-03-02 15:00"), TimeLimit::calendar_days(15))
                    .expect("d")
            ),
            "2026-03-18 00:00"
        );
    }

    #[test]
    fn asking_beyond_the_known_years_is_an_error_not_a_guess() {
        let calendar = calendar();
        let result = calendar.deadline(at("2026-12-30 10:00"), TimeLimit::work_days(5));
        assert_eq!(result, Err(CalendarError::YearNotKnown { year: 2027 }));
        let message = result.expect_err("2027").localize(Lang::ZhCn);
        assert!(message.contains("2027"), "{message}");
        // Urgent hours need no holidays.
        assert!(
            calendar
                .deadline(at("2026-12-31 23:00"), TimeLimit::urgent_hours(5))
                .is_ok()
        );
    }

    #[test]
    fn importing_a_year_extends_what_the_calendar_knows() {
        let mut calendar = calendar().clone();
        let notice = YearNotice::parse_file(
            "[[year]]\nyear = 2027\nholidays = [{ name = \"元旦\", days = [\"2027-01-01\"] }]\nmakeup_workdays = []\n",
        )
        .expect("notice")
        .remove(0);
        calendar.add_notice(&notice).expect("add");
        assert_eq!(calendar.last_known_year(), Some(2027));
        assert!(
            calendar
                .deadline(at("2026-12-30 10:00"), TimeLimit::work_days(5))
                .is_ok()
        );
    }

    #[test]
    fn bad_notices_are_refused() {
        let weekday_makeup =
            "[[year]]\nyear = 2027\nholidays = []\nmakeup_workdays = [\"2027-01-06\"]\n";
        assert!(matches!(
            YearNotice::parse_file(weekday_makeup),
            Err(CalendarError::BadData { .. })
        ));
        let wrong_year =
            "[[year]]\nyear = 2027\nholidays = [{ name = \"x\", days = [\"2025-05-01\"] }]\n";
        assert!(matches!(
            YearNotice::parse_file(wrong_year),
            Err(CalendarError::BadData { .. })
        ));
        assert!(matches!(
            YearNotice::parse_file("not toml"),
            Err(CalendarError::BadData { .. })
        ));
    }

    #[test]
    fn typed_amounts_read_to_the_minute() {
        assert_eq!(
            TimeLimit::from_text(TimeUnit::WorkHours, "1.5"),
            Some(TimeLimit {
                unit: TimeUnit::WorkHours,
                amount: 90
            })
        );
        assert_eq!(TimeLimit::from_text(TimeUnit::WorkDays, "1.5"), None);
        assert_eq!(TimeLimit::from_text(TimeUnit::WorkDays, "-2"), None);
        assert_eq!(TimeLimit::work_hours(2).amount_text(), "2");
        assert_eq!(
            TimeLimit {
                unit: TimeUnit::WorkHours,
                amount: 90
            }
            .describe(Lang::ZhCn),
            "1.5 工作时"
        );
    }

    /// An independent count, straight from the notice data (not the calendar's lookups): the
    /// working periods of a day.
    fn reference_periods(week: &WorkWeek, day: NaiveDate) -> &[Period] {
        assert!(notices().iter().any(|n| n.year == day.year()), "{day}");
        // A day may be set by the next year's notice (a break crossing New Year).
        if notices().iter().any(|n| n.makeup_workdays.contains(&day)) {
            &week.makeup_day
        } else if notices()
            .iter()
            .any(|n| n.holidays.iter().any(|b| b.days.contains(&day)))
        {
            &[]
        } else {
            &week.days[day.weekday().num_days_from_monday() as usize]
        }
    }

    fn reference_is_working(week: &WorkWeek, instant: NaiveDateTime) -> bool {
        reference_periods(week, instant.date())
            .iter()
            .any(|p| instant.time() >= p.start && instant.time() < p.end)
    }

    /// Working minutes in `[from, to)`, counted minute by minute, day by day.
    fn reference_minutes(week: &WorkWeek, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        let mut count = 0;
        let mut day = from.date();
        while day <= to.date() {
            for period in reference_periods(week, day) {
                let mut minute = day.and_time(period.start);
                while minute < day.and_time(period.end) {
                    if minute >= from && minute < to {
                        count += 1;
                    }
                    minute += Duration::minutes(1);
                }
            }
            day = day.succ_opt().expect("day");
        }
        count
    }

    /// A start on every holiday and makeup day of the seeded years (and the days around them).
    fn special_days() -> Vec<NaiveDate> {
        let first = NaiveDate::from_ymd_opt(2011, 1, 5).expect("date");
        notices()
            .iter()
            .filter(|n| n.year < 2026)
            .flat_map(|n| {
                n.holidays
                    .iter()
                    .flat_map(|b| b.days.clone())
                    .chain(n.makeup_workdays.clone())
            })
            .filter(|day| *day >= first)
            .collect()
    }

    #[test]
    fn agrees_with_minute_counting_around_every_holiday_and_makeup_day() {
        let calendar = calendar();
        for day in special_days() {
            for (start_time, hours) in [((8, 0), 3_u32), ((11, 45), 9), ((17, 0), 20)] {
                let start = day
                    .pred_opt()
                    .expect("day")
                    .and_time(hm(start_time.0, start_time.1));
                let deadline = calendar
                    .add_working_seconds(utc(start), i64::from(hours) * 3600)
                    .expect("deadline");
                let counted = reference_minutes(calendar.week(), start, local(deadline));
                assert_eq!(
                    counted,
                    i64::from(hours) * 60,
                    "{start} + {hours}h = {}",
                    show(deadline)
                );
                let end = local(deadline);
                assert!(
                    reference_is_working(calendar.week(), end - Duration::minutes(1)),
                    "{start} + {hours}h ends outside working time at {end}"
                );
            }
        }
    }

    #[test]
    fn working_days_agree_with_day_by_day_counting_around_every_special_day() {
        let calendar = calendar();
        let is_workday = |day: NaiveDate| !reference_periods(calendar.week(), day).is_empty();
        for day in special_days() {
            let start = day.pred_opt().expect("day").pred_opt().expect("day");
            for days in [1_u32, 3, 7] {
                let deadline = calendar
                    .add_working_days(utc(start.and_time(hm(10, 0))), days)
                    .expect("deadline");
                // From 10:00 on a working day, or from a day off (counted from the next working
                // day's start), the deadline falls on the n-th working day after the start day.
                let mut counted = 0;
                let mut current = start;
                while current < local(deadline).date() {
                    current = current.succ_opt().expect("day");
                    if is_workday(current) {
                        counted += 1;
                    }
                }
                assert_eq!(
                    counted,
                    days,
                    "{start} + {days} working days = {}",
                    show(deadline)
                );
                assert!(is_workday(local(deadline).date()));
            }
        }
    }

    #[test]
    fn a_break_crossing_new_year_sits_with_the_year_it_ends_in() {
        assert!(
            SEEDED_HOLIDAYS.contains("A break that crosses New Year sits with the year it ends"),
            "the header states the rule the data follows"
        );
        // Every run of consecutive days off that crosses New Year belongs to the notice of the
        // year it ends in, and so does every makeup day of late December.
        let mut days: Vec<(NaiveDate, i32)> = notices()
            .iter()
            .flat_map(|n| {
                n.holidays
                    .iter()
                    .flat_map(move |b| b.days.iter().map(move |d| (*d, n.year)))
            })
            .collect();
        days.sort();
        let mut crossing = 0;
        for pair in days.windows(2) {
            let [(before, _), (after, notice)] = pair else {
                continue;
            };
            if before.year() + 1 == after.year() && *after - *before == Duration::days(1) {
                crossing += 1;
                let run: Vec<_> = days
                    .iter()
                    .filter(|(d, _)| (*d - *before).num_days().abs() <= 10)
                    .filter(|(_, year)| *year != after.year() && *year != *notice)
                    .collect();
                assert!(run.is_empty(), "{before}..{after}: {run:?}");
                let own = days.iter().find(|(d, _)| d == before).map(|(_, y)| *y);
                assert_eq!(
                    own,
                    Some(after.year()),
                    "{before} sits with {}",
                    after.year()
                );
            }
        }
        assert!(crossing >= 3, "2018/19, 2022/23 and 2023/24 cross New Year");
        for notice in notices() {
            for day in &notice.makeup_workdays {
                if day.month() == 12 && day.day() >= 25 {
                    assert_eq!(notice.year, day.year() + 1, "makeup day {day}");
                }
            }
        }
        let calendar = calendar();
        let day = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").expect("date");
        assert_eq!(
            calendar.day_kind(day("2018-12-29")),
            Ok(DayKind::MakeupWorkday)
        );
        assert_eq!(calendar.day_kind(day("2018-12-31")), Ok(DayKind::Holiday));
        assert_eq!(
            calendar.day_kind(day("2011-12-31")),
            Ok(DayKind::MakeupWorkday)
        );
    }

    #[test]
    fn replacing_a_notice_replaces_the_days_it_set_in_either_year() {
        let mut calendar = calendar().clone();
        let day = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").expect("date");
        // Importing 2018 again leaves the days the 2019 notice set in December 2018.
        let notice_2018 = notices()
            .iter()
            .find(|n| n.year == 2018)
            .expect("2018")
            .clone();
        calendar.add_notice(&notice_2018).expect("2018");
        assert_eq!(calendar.day_kind(day("2018-12-31")), Ok(DayKind::Holiday));
        // A corrected 2019 notice without the break takes its December days away.
        let mut corrected = notices()
            .iter()
            .find(|n| n.year == 2019)
            .expect("2019")
            .clone();
        corrected.holidays.retain(|b| b.name != "元旦");
        corrected.makeup_workdays.retain(|d| d.year() == 2019);
        calendar.add_notice(&corrected).expect("2019");
        assert_eq!(calendar.day_kind(day("2018-12-31")), Ok(DayKind::Workday));
        assert_eq!(calendar.day_kind(day("2018-12-29")), Ok(DayKind::Weekend));
    }

    #[test]
    fn legal_periods_move_a_last_day_off_onto_the_next_working_day() {
        let calendar = calendar();
        let legal = |start: &str, days: u32| {
            show(
                calendar
                    .deadline(at(start), TimeLimit::legal_days(days))
                    .expect("deadline"),
            )
        };
        // An ordinary last day: as calendar days (the end of the 15th day after the start).
        assert_eq!(legal("2026-03-02 15:00", 15), "2026-03-18 00:00");
        // The 15th day is Saturday 03-21: the period runs to the end of Monday 03-23.
        assert_eq!(legal("2026-03-06 10:00", 15), "2026-03-24 00:00");
        // 60 days from 03-02 end on 05-01, in the Labour Day break (05-01..05-05): 05-06.
        assert_eq!(legal("2026-03-02 10:00", 60), "2026-05-07 00:00");
        // 15 days from 09-16 end on 10-01, in the National Day break (10-01..10-07): 10-08.
        assert_eq!(legal("2026-09-16 10:00", 15), "2026-10-09 00:00");
        // A last day on a makeup Saturday (10-10) stays.
        assert_eq!(legal("2026-09-25 10:00", 15), "2026-10-11 00:00");
        // Case limits in 自然日 keep their rule.
        assert_eq!(
            show(
                calendar
                    .deadline(at("2026-03-02 10:00"), TimeLimit::calendar_days(60))
                    .expect("d")
            ),
            "2026-05-02 00:00"
        );
        // A last day in a year the calendar does not know is not guessed.
        assert_eq!(
            calendar.deadline(at("2026-12-20 10:00"), TimeLimit::legal_days(15)),
            Err(CalendarError::YearNotKnown { year: 2027 })
        );
    }

    #[test]
    fn a_calendar_day_extension_counts_on_from_the_day_the_limit_ended() {
        let calendar = calendar();
        let start = at("2026-03-02 15:00");
        let end = calendar
            .deadline(start, TimeLimit::calendar_days(15))
            .expect("end");
        assert_eq!(show(end), "2026-03-18 00:00");
        let extended = calendar
            .extended(end, TimeLimit::calendar_days(5))
            .expect("extended");
        assert_eq!(show(extended), "2026-03-23 00:00");
        assert_eq!(
            extended,
            calendar
                .deadline(start, TimeLimit::calendar_days(20))
                .expect("20 days")
        );
    }

    fn arbitrary_start() -> impl Strategy<Value = DateTime<Utc>> {
        // 2011-01-01 .. 2026-06-30 in minutes, so every arithmetic stays inside known years.
        let first = at("2011-01-01 00:00").timestamp() / 60;
        let last = at("2026-06-30 00:00").timestamp() / 60;
        (first..last).prop_map(|minute| DateTime::from_timestamp(minute * 60, 0).expect("instant"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn adding_working_hours_lands_in_working_time_and_counts_back(start in arbitrary_start(), minutes in 1_i64..(60 * 60)) {
            let calendar = calendar();
            let deadline = calendar.add_working_seconds(start, minutes * 60).expect("deadline");
            prop_assert_eq!(calendar.working_seconds_between(start, deadline).expect("count"), minutes * 60);
            let end = local(deadline);
            let periods = calendar.periods(end.date()).expect("periods");
            prop_assert!(periods.iter().any(|p| end.time() > p.start && end.time() <= p.end), "{} is outside working time", end);
        }

        #[test]
        fn adding_is_monotonic(a in arbitrary_start(), b in arbitrary_start(), m in 1_i64..(40 * 60), n in 1_i64..(40 * 60)) {
            let calendar = calendar();
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            let (small, large) = if m <= n { (m, n) } else { (n, m) };
            prop_assert!(calendar.add_working_seconds(early, small * 60).expect("d") <= calendar.add_working_seconds(late, small * 60).expect("d"));
            prop_assert!(calendar.add_working_seconds(early, small * 60).expect("d") <= calendar.add_working_seconds(early, large * 60).expect("d"));
            let (few, many) = (u32::try_from(small % 20 + 1).expect("small"), u32::try_from(large % 20 + 1).expect("small"));
            let (few, many) = if few <= many { (few, many) } else { (many, few) };
            prop_assert!(calendar.add_working_days(early, few).expect("d") <= calendar.add_working_days(late, few).expect("d"));
            prop_assert!(calendar.add_working_days(early, few).expect("d") <= calendar.add_working_days(early, many).expect("d"));
        }

        #[test]
        fn an_extension_ends_where_the_longer_limit_would(start in arbitrary_start(), unit in 0_usize..5, n in 1_u32..40, m in 1_u32..40) {
            let calendar = calendar();
            let unit = [TimeUnit::WorkHours, TimeUnit::WorkDays, TimeUnit::UrgentHours, TimeUnit::CalendarDays, TimeUnit::LegalDays][unit];
            let limit = |amount| TimeLimit { unit, amount: if unit.in_minutes() { amount * 30 } else { amount } };
            let end = calendar.deadline(start, limit(n)).expect("end");
            let extended = calendar.extended(end, limit(m)).expect("extended");
            let whole = calendar.deadline(start, limit(n + m)).expect("whole");
            if unit == TimeUnit::LegalDays {
                // The first period's last day may have moved off a holiday: never earlier.
                prop_assert!(extended >= whole, "{} + {} {:?} = {}, {} at once", show(start), n, m, show(extended), show(whole));
            } else {
                prop_assert_eq!(show(extended), show(whole));
            }
        }

        #[test]
        fn a_legal_period_ends_on_the_first_working_day_from_its_calendar_last_day(start in arbitrary_start(), days in 1_u32..90) {
            let calendar = calendar();
            let end = calendar.deadline(start, TimeLimit::legal_days(days)).expect("end");
            // It ends at midnight, after a working day (a makeup day counts) ...
            prop_assert_eq!(local(end).time(), NaiveTime::MIN);
            let last = local(end).date() - Duration::days(1);
            prop_assert!(matches!(calendar.day_kind(last), Ok(DayKind::Workday | DayKind::MakeupWorkday)), "{} ends on {}", show(start), last);
            // ... which is the calendar-day last day, or the days after it are all days off.
            let plain = local(start).date() + Duration::days(i64::from(days));
            prop_assert!(last >= plain);
            let mut day = plain;
            while day < last {
                prop_assert!(matches!(calendar.day_kind(day), Ok(DayKind::Weekend | DayKind::Holiday)), "{} skipped a working day", day);
                day += Duration::days(1);
            }
        }

        #[test]
        fn retreating_by_working_time_counts_forward_again(end in arbitrary_start(), minutes in 1_i64..(40 * 60)) {
            let calendar = calendar();
            let end = end + Duration::days(40);
            let from = calendar.retreat_working_seconds(end, minutes * 60).expect("retreat");
            prop_assert!(from < end);
            prop_assert_eq!(calendar.working_seconds_between(from, end).expect("count"), minutes * 60);
            // The latest such instant: a minute later runs short.
            prop_assert!(calendar.working_seconds_between(from + Duration::minutes(1), end).expect("count") < minutes * 60);
            for unit in [TimeUnit::WorkHours, TimeUnit::UrgentHours, TimeUnit::CalendarDays] {
                let back = calendar.shift(unit, end, -minutes * 60).expect("shift");
                prop_assert_eq!(calendar.elapsed(unit, back, end).expect("elapsed"), minutes * 60);
            }
        }

        #[test]
        fn advancing_by_the_elapsed_measure_returns_the_end(start in arbitrary_start(), minutes in 1_i64..(30 * 60)) {
            let calendar = calendar();
            for unit in TimeUnit::ALL {
                let end = calendar.advance(unit, start, minutes * 60).expect("advance");
                prop_assert_eq!(calendar.elapsed(unit, start, end).expect("elapsed"), minutes * 60);
            }
        }
    }
}
