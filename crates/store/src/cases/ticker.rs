//! The ticker's round over cases ([`crate::ledger::clocks`] runs it with every ledger's): it
//! records steps that ran past their deadline, raises supervision by the configured rules (e.g.
//! red for four hours), and works clocks out again once the calendar knows a year it lacked.
//! Everything it does is an ordinary recorded change by `system:ticker`.

use chrono::Duration;
use jiedao_core::CaseId;
use jiedao_core::calendar::WorkCalendar;
use jiedao_core::case::CaseState;
use serde::Serialize;
use uuid::Uuid;

use super::action::{Command, Who};
use super::projection;
use crate::Store;
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::clocks::{self, TickReport};
use crate::ledger::query::Where;

/// A case with a clock the calendar could not work out (it lacked a year).
const PENDING_CLOCK: &str = "((step_timer IS NOT NULL AND step_deadline IS NULL)
    OR (case_timer IS NOT NULL AND case_deadline IS NULL))";

/// A rule raising supervision automatically (自动督办).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupervisionRule {
    pub id: Uuid,
    pub name: String,
    /// Supervise a case whose running step has been red this long.
    pub red_minutes: i64,
    pub active: bool,
}

/// Seeds the default rule when there is none.
pub fn seed_rules(conn: &mut Conn) -> Result<(), StoreError> {
    let count: i64 = conn.scalar("SELECT COUNT(*) FROM supervision_rule", &[])?;
    if count == 0 {
        conn.execute(
            "INSERT INTO supervision_rule (id, name, red_minutes, active) VALUES ($1, $2, $3, $4)",
            &[&Uuid::now_v7(), &"红灯超过4小时自动督办", &240_i64, &true],
        )?;
    }
    Ok(())
}

pub fn rules(conn: &mut Conn) -> Result<Vec<SupervisionRule>, StoreError> {
    conn.query(
        "SELECT id, name, red_minutes, active FROM supervision_rule ORDER BY red_minutes",
        &[],
        |row| {
            Ok(SupervisionRule {
                id: row.get(0)?,
                name: row.get(1)?,
                red_minutes: row.get(2)?,
                active: row.get(3)?,
            })
        },
    )
}

/// Open cases, soonest deadline first, that meet the conditions `condition` adds.
fn open_ids(
    conn: &mut Conn,
    condition: impl FnOnce(&mut Where),
) -> Result<Vec<CaseId>, StoreError> {
    let ids = clocks::open_records::<CaseState>(conn, &super::LEDGER, condition)?;
    Ok(ids.into_iter().map(CaseId::from_uuid).collect())
}

/// How many open cases, parked ones aside, wait for the calendar to work a clock out.
pub(crate) fn pending_clocks(conn: &mut Conn) -> Result<i64, StoreError> {
    let mut w = Where::default();
    w.open_only::<CaseState>("state");
    w.not_in("state", [CaseState::Parked.as_str()]);
    w.push(PENDING_CLOCK.to_owned());
    conn.scalar(
        &format!("SELECT COUNT(*) FROM case_file{}", w.sql()),
        &w.params(),
    )
}

/// Works out again the clocks of every open case (parked ones included) whose reckoning may
/// cross the days `days` (a holiday notice changed them): each one the calendar now works out
/// differently gets its recorded change. Returns how many did.
pub(crate) async fn recompute_across(
    store: &Store,
    days: crate::calendar::RecomputeClocks,
) -> Result<usize, StoreError> {
    let (start, end) = crate::calendar::span(&days);
    let calendar = store.calendar();
    let changed = store
        .read(move |conn| {
            // A clock reckons from its start to its deadline (an unpaused limit never reaches
            // past it); one without a deadline is paused or waits for a year.
            let mut w = Where::default();
            w.open_only::<CaseState>("state");
            let end = w.bind(end);
            let (a, b) = (w.bind(start), w.bind(start));
            w.push(format!(
                "reported_at < {end} AND (step_deadline IS NULL OR step_deadline >= {a}
                    OR case_deadline IS NULL OR case_deadline >= {b})"
            ));
            let ids: Vec<Uuid> = conn.query(
                &format!("SELECT id FROM case_file{} ORDER BY id", w.sql()),
                &w.params(),
                |row| row.get(0),
            )?;
            reckoned_anew(conn, ids.into_iter().map(CaseId::from_uuid), &calendar)
        })
        .await?;
    Ok(recompute(store, changed, "calendar").await)
}

/// Those of `ids` whose clocks the calendar now works out differently.
fn reckoned_anew(
    conn: &mut Conn,
    ids: impl IntoIterator<Item = CaseId>,
    calendar: &WorkCalendar,
) -> Result<Vec<CaseId>, StoreError> {
    let differs = |timer: &Option<jiedao_core::case::Timer>| {
        timer.as_ref().is_some_and(|t| {
            let mut again = t.clone();
            again.reckon(calendar);
            again != *t
        })
    };
    let mut changed = Vec::new();
    for id in ids {
        if let Some((case, _)) = projection::load(conn, id)?
            && (differs(&case.step_timer) || differs(&case.case_timer))
        {
            changed.push(id);
        }
    }
    Ok(changed)
}

/// Records the clocks of `ids` worked out again, by `system:{task}`; returns how many were.
async fn recompute(store: &Store, ids: Vec<CaseId>, task: &str) -> usize {
    let mut recomputed = 0;
    for id in ids {
        let who = Who::System { task: task.into() };
        if store
            .act(who, None, id, Command::Recompute, Vec::new())
            .await
            .is_ok()
        {
            recomputed += 1;
        }
    }
    recomputed
}

/// One round of the ticker over cases.
pub(crate) async fn tick(store: &Store) -> Result<TickReport, StoreError> {
    let now = store.now();
    let mut report = TickReport::default();
    let system = || Who::System {
        task: "ticker".into(),
    };

    let due = store
        .read(move |conn| {
            open_ids(conn, |w| {
                let now = w.bind(now);
                w.push(format!("step_overdue = FALSE AND step_deadline < {now}"));
            })
        })
        .await?;
    for id in due {
        if store
            .act(system(), None, id, Command::MarkOverdue, Vec::new())
            .await
            .is_ok()
        {
            report.overdue += 1;
        }
    }

    let rules = store.read(rules).await?;
    for rule in rules.into_iter().filter(|r| r.active) {
        let before = now - Duration::minutes(rule.red_minutes);
        let cases = store
            .read(move |conn| {
                open_ids(conn, |w| {
                    let before = w.bind(before);
                    w.push(format!("supervised = FALSE AND step_deadline < {before}"));
                })
            })
            .await?;
        for id in cases {
            let command = Command::Supervise {
                reason: rule.name.clone(),
            };
            if store
                .act(system(), None, id, command, Vec::new())
                .await
                .is_ok()
            {
                report.supervised += 1;
            }
        }
    }

    // Clocks left without a deadline because the calendar lacked a year.
    let calendar = store.calendar();
    let pending = store
        .read(move |conn| {
            let ids = open_ids(conn, |w| {
                let now = w.bind(now);
                w.not_in("state", [CaseState::Parked.as_str()]);
                w.push(format!("reported_at <= {now} AND {PENDING_CLOCK}"));
            })?;
            reckoned_anew(conn, ids, &calendar)
        })
        .await?;
    report.recomputed += recompute(store, pending, "ticker").await;
    Ok(report)
}
