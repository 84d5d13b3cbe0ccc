//! The ticker (定时任务): records steps that ran past their deadline, raises supervision by the
//! configured rules (e.g. red for four hours), and works clocks out again once the calendar
//! knows a year it lacked. Everything it does is an ordinary recorded change by `system:ticker`.

use chrono::{DateTime, Duration, Utc};
use jiedao_core::CaseId;
use jiedao_core::case::CaseState;
use serde::Serialize;
use uuid::Uuid;

use super::action::{Command, Who};
use super::projection;
use crate::Store;
use crate::db::Conn;
use crate::error::StoreError;

/// How many cases one tick handles of each kind; the next tick takes the rest.
const BATCH: i64 = 500;

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

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickReport {
    pub overdue: usize,
    pub supervised: usize,
    pub recomputed: usize,
}

fn closed_states() -> Vec<&'static str> {
    CaseState::ALL
        .iter()
        .filter(|s| !s.is_open())
        .map(|s| s.as_str())
        .collect()
}

fn open_ids(
    conn: &mut Conn,
    condition: &str,
    before: DateTime<Utc>,
) -> Result<Vec<CaseId>, StoreError> {
    let closed = closed_states();
    conn.query(
        &format!(
            "SELECT id FROM case_file WHERE state NOT IN ($1, $2, $3, $4) AND {condition}
             ORDER BY step_deadline LIMIT $6"
        ),
        &[
            &closed[0], &closed[1], &closed[2], &closed[3], &before, &BATCH,
        ],
        |row| row.get(0),
    )
}

impl Store {
    /// One round of the ticker.
    pub async fn tick(&self) -> Result<TickReport, StoreError> {
        let now = self.now();
        let mut report = TickReport::default();
        let system = || Who::System {
            task: "ticker".into(),
        };

        let due = self
            .read(move |conn| open_ids(conn, "step_overdue = FALSE AND step_deadline < $5", now))
            .await?;
        for id in due {
            if self
                .act(system(), None, id, Command::MarkOverdue, Vec::new())
                .await
                .is_ok()
            {
                report.overdue += 1;
            }
        }

        let rules = self.read(rules).await?;
        for rule in rules.into_iter().filter(|r| r.active) {
            let before = now - Duration::minutes(rule.red_minutes);
            let cases = self
                .read(move |conn| {
                    open_ids(conn, "supervised = FALSE AND step_deadline < $5", before)
                })
                .await?;
            for id in cases {
                let command = Command::Supervise {
                    reason: rule.name.clone(),
                };
                if self
                    .act(system(), None, id, command, Vec::new())
                    .await
                    .is_ok()
                {
                    report.supervised += 1;
                }
            }
        }

        // Clocks left without a deadline because the calendar lacked a year.
        let calendar = self.calendar();
        let pending = self
            .read(move |conn| {
                let ids = open_ids(
                    conn,
                    "state <> 'parked' AND reported_at <= $5 AND ((step_timer IS NOT NULL AND step_deadline IS NULL)
                        OR (case_timer IS NOT NULL AND case_deadline IS NULL))",
                    now,
                )?;
                let mut resolvable = Vec::new();
                for id in ids {
                    if let Some((case, _)) = projection::load(conn, id)? {
                        let resolves = |timer: &Option<jiedao_core::case::Timer>| {
                            timer.as_ref().is_some_and(|t| {
                                let mut again = t.clone();
                                again.reckon(&calendar);
                                again != *t
                            })
                        };
                        if resolves(&case.step_timer) || resolves(&case.case_timer) {
                            resolvable.push(id);
                        }
                    }
                }
                Ok(resolvable)
            })
            .await?;
        for id in pending {
            if self
                .act(system(), None, id, Command::Recompute, Vec::new())
                .await
                .is_ok()
            {
                report.recomputed += 1;
            }
        }
        Ok(report)
    }

    /// Runs the ticker every `every` until the process ends.
    pub fn start_ticker(&self, every: std::time::Duration) {
        let store = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            loop {
                interval.tick().await;
                match store.tick().await {
                    Ok(report) if report != TickReport::default() => {
                        tracing::info!(?report, "ticker")
                    }
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "ticker failed"),
                }
            }
        });
    }
}
