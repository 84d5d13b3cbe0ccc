//! A ledger's clocks in the database (`jiedao_core::ledger::timer` is their arithmetic): how a
//! clock is kept in its record's row, its light as a condition, and the ticker (定时任务) that
//! looks at every ledger's clocks once a minute.
//!
//! A ledger whose records have clocks keeps them in its row the same way: a running step's in
//! `step_timer` (JSON), `step_warn_at`, `step_deadline`, `step_overdue` and `step_held` (the
//! light a paused clock holds), and the whole record's in `case_timer`, `case_warn_at`,
//! `case_deadline` (cases named them first).
//!
//! The ticker is a job ([`Tick`]) the server puts into the queue every minute. For each ledger
//! it records steps that ran past their deadline, raises supervision by the configured rules,
//! and works clocks out again once the calendar knows a year it lacked; each of those is the
//! ledger's own recorded change, made by `system:ticker`.

use chrono::{DateTime, Utc};
use jiedao_core::ledger::{Light, RecordState, Timer};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Ledger;
use super::query::Where;
use crate::Store;
use crate::db::Conn;
use crate::error::StoreError;
use crate::jobs::Job;

/// One clock as its row keeps it: the timer (JSON, its inputs and outputs), and the outputs
/// the lists and the ticker compare with "now".
#[derive(Debug, Clone, Default)]
pub struct ClockColumns {
    pub timer: Option<String>,
    pub warn_at: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    /// The light a paused clock holds.
    pub held: Option<&'static str>,
}

impl ClockColumns {
    pub fn of(timer: Option<&Timer>) -> Result<ClockColumns, StoreError> {
        Ok(ClockColumns {
            timer: timer
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Query(e.to_string()))?,
            warn_at: timer.and_then(|t| t.warn_at),
            deadline: timer.and_then(|t| t.deadline),
            held: timer.and_then(|t| t.held).map(Light::as_str),
        })
    }
}

/// Only records (as `f`) whose step shows `light` at `now`, as their page shows it: a running
/// clock's by its warning point and deadline, a paused one's the light it holds.
pub fn step_light(w: &mut Where, light: Light, now: DateTime<Utc>) {
    let held = w.bind(light.as_str());
    let running = match light {
        Light::Red => {
            let p = w.bind(now);
            format!("f.step_deadline < {p}")
        }
        Light::Yellow => {
            let (a, b) = (w.bind(now), w.bind(now));
            format!("f.step_warn_at <= {a} AND f.step_deadline >= {b}")
        }
        Light::Green => {
            let p = w.bind(now);
            format!("f.step_warn_at > {p}")
        }
        Light::Unknown => {
            "f.step IS NOT NULL AND f.step_deadline IS NULL AND f.step_held IS NULL".into()
        }
    };
    w.push(format!("(({running}) OR f.step_held = {held})"));
}

/// The ticker's job: one round over every ledger's clocks.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Tick;

impl Job for Tick {
    const NAME: &'static str = "ledger.tick";
}

/// What one round of the ticker did, over every ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickReport {
    pub overdue: usize,
    pub supervised: usize,
    pub recomputed: usize,
}

impl std::ops::AddAssign for TickReport {
    fn add_assign(&mut self, other: TickReport) {
        self.overdue += other.overdue;
        self.supervised += other.supervised;
        self.recomputed += other.recomputed;
    }
}

/// How many records of a kind one round handles in a ledger; the next round takes the rest.
const BATCH: i64 = 500;

/// Open records of `ledger` that meet what `condition` adds, soonest step deadline first, a
/// batch at a time.
pub fn open_records<S: RecordState>(
    conn: &mut Conn,
    ledger: &Ledger,
    condition: impl FnOnce(&mut Where),
) -> Result<Vec<Uuid>, StoreError> {
    let records = ledger.records;
    let mut w = Where::default();
    w.open_only::<S>("state");
    condition(&mut w);
    let limit = w.bind(BATCH);
    conn.query(
        &format!(
            "SELECT id FROM {records}{} ORDER BY step_deadline LIMIT {limit}",
            w.sql()
        ),
        &w.params(),
        |row| row.get(0),
    )
}

impl Store {
    /// Works out again, in every ledger with clocks, the open clocks whose reckoning crosses
    /// days a holiday notice changed; returns how many changed. Read the calendar again
    /// ([`Store::reload`]) first.
    pub async fn recompute_clocks(
        &self,
        days: crate::calendar::RecomputeClocks,
    ) -> Result<usize, StoreError> {
        crate::cases::ticker::recompute_across(self, days).await
    }

    /// One round of the ticker over every ledger with clocks.
    pub async fn tick(&self) -> Result<TickReport, StoreError> {
        let mut report = TickReport::default();
        report += crate::cases::ticker::tick(self).await?;
        if report.overdue + report.supervised > 0 {
            self.cases_changed();
        }
        Ok(report)
    }
}
