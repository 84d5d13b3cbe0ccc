//! Background jobs (后台任务), modelled on crates.io's job queue: a job is a name and a payload,
//! put into the `job` table in the transaction of the change that asks for it (so it exists
//! exactly when its change does, and survives a restart); a [`Registry`] maps names to
//! handlers; a runner ([`Store::run_jobs`]) claims the jobs whose time has come, runs them a
//! few at a time, and retries failures with each handler's waits. Periodic work (the ticker)
//! is a job the runner puts into the queue on a schedule.
//!
//! The ticker, webhook deliveries and 12345 imports all run this one way. Handlers that need
//! what the store does not have (the HTTP client that delivers webhooks) are registered by
//! the caller that has it; the store registers its own ([`standard`]).
//!
//! One process runs the jobs of a database: a job left `running` by a process that stopped is
//! queued again when the next runner starts.

mod queue;
mod registry;
mod runner;

use chrono::{DateTime, Utc};
use jiedao_core::{JobId, UserId};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Store;
use crate::db::Conn;
use crate::error::StoreError;

pub use queue::{Followed, Status, followed};
pub use registry::{Context, Failed, Registry, Retry};

/// A kind of job: its payload is the value, its name says which handler runs it.
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    /// Its name in the queue, unique among jobs: `outbox.deliver`.
    const NAME: &'static str;
}

/// Puts `job` into the queue, to run from `at`, inside the caller's transaction.
pub fn enqueue<J: Job>(conn: &mut Conn, job: &J, at: DateTime<Utc>) -> Result<JobId, StoreError> {
    queue::insert(conn, J::NAME, &payload(job)?, at, None)
}

/// Puts `job` into the queue for `owner`, who follows its progress and reads its result
/// ([`followed`]).
pub fn enqueue_for<J: Job>(
    conn: &mut Conn,
    job: &J,
    at: DateTime<Utc>,
    owner: UserId,
) -> Result<JobId, StoreError> {
    queue::insert(conn, J::NAME, &payload(job)?, at, Some(owner))
}

fn payload(job: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(job).map_err(|error| StoreError::Query(error.to_string()))
}

/// The store's own jobs: the ticker over every ledger, the 12345 import, and working clocks
/// out again after a holiday notice.
pub fn standard() -> Registry {
    Registry::default()
        .register(
            Retry::NEVER,
            |context, _: crate::ledger::clocks::Tick| async move {
                let report = context.store().tick().await?;
                if report != crate::ledger::clocks::TickReport::default() {
                    tracing::info!(?report, "ticker");
                }
                Ok(report)
            },
        )
        .register(Retry::NEVER, crate::cases::hotline::run_import)
        .register(
            Retry::NEVER,
            |context, days: crate::calendar::RecomputeClocks| async move {
                // The notice may have come from another process: read the calendar first.
                context.store().refresh().await?;
                let recomputed = context.store().recompute_clocks(days).await?;
                if recomputed > 0 {
                    tracing::info!(recomputed, "clocks worked out again after a holiday notice");
                }
                Ok(recomputed)
            },
        )
}

impl Store {
    /// Puts `job` into the queue for `owner` on its own, and wakes the runner.
    pub async fn enqueue_for<J: Job + Clone + Sync>(
        &self,
        job: J,
        owner: UserId,
    ) -> Result<JobId, StoreError> {
        let at = self.now();
        let id = self
            .write(move |conn| enqueue_for(conn, &job, at, owner))
            .await?;
        self.inner.jobs_due.notify_one();
        Ok(id)
    }
}
