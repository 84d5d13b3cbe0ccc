//! The runner: claims due jobs, runs a few at once, records what came of each, and puts
//! scheduled jobs into the queue when their time comes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::queue::{self, Claimed};
use super::registry::{Context, Registry};
use crate::Store;

/// Jobs run at once: a slow webhook receiver must not hold up an import.
const WORKERS: usize = 8;
/// How often the queue is looked at when nobody says a job is waiting.
const POLL: Duration = Duration::from_secs(1);
/// Finished jobs are forgotten after this long.
const KEPT_DAYS: i64 = 30;

impl Store {
    /// Runs the jobs `registry` knows until the process ends.
    pub fn run_jobs(&self, registry: Registry) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let registry = Arc::new(registry);
            let workers = Arc::new(Semaphore::new(WORKERS));
            match store.write(queue::recover).await {
                Ok(0) => {}
                Ok(recovered) => tracing::info!(recovered, "jobs left running are queued again"),
                Err(error) => {
                    tracing::error!(%error, "jobs left running could not be queued again")
                }
            }
            let mut next_runs: Vec<Instant> =
                registry.schedules.iter().map(|_| Instant::now()).collect();
            let mut pruned_at: Option<Instant> = None;
            loop {
                store.schedule(&registry, &mut next_runs).await;
                if pruned_at.is_none_or(|at| at.elapsed() > Duration::from_secs(3600)) {
                    let before = store.now() - chrono::Duration::days(KEPT_DAYS);
                    if let Err(error) = store.write(move |conn| queue::prune(conn, before)).await {
                        tracing::error!(%error, "finished jobs could not be forgotten");
                    }
                    pruned_at = Some(Instant::now());
                }
                let free = workers.available_permits();
                if free > 0 {
                    for job in store.claim(&registry, free).await {
                        let Ok(permit) = workers.clone().acquire_owned().await else {
                            return;
                        };
                        let (store, registry) = (store.clone(), registry.clone());
                        tokio::spawn(async move {
                            store.run_one(&registry, job).await;
                            drop(permit);
                        });
                    }
                }
                tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    () = store.inner.jobs_due.notified() => {}
                }
            }
        })
    }

    /// Queues each scheduled job whose time has come, unless one of its kind is pending.
    async fn schedule(&self, registry: &Registry, next_runs: &mut [Instant]) {
        let now = Instant::now();
        for (schedule, next) in registry.schedules.iter().zip(next_runs.iter_mut()) {
            if now < *next {
                continue;
            }
            *next = now + schedule.every;
            let (name, payload, at) = (schedule.name, schedule.payload.clone(), self.now());
            let queued = self
                .write(move |conn| {
                    if queue::pending(conn, name)? {
                        return Ok(());
                    }
                    queue::insert(conn, name, &payload, at, None).map(|_| ())
                })
                .await;
            if let Err(error) = queued {
                tracing::error!(%error, job = name, "a scheduled job could not be queued");
            }
        }
    }

    /// Takes up to `limit` due jobs this runner has handlers for.
    async fn claim(&self, registry: &Registry, limit: usize) -> Vec<Claimed> {
        let (names, now) = (registry.names(), self.now());
        let due = match self
            .read(move |conn| queue::due(conn, &names, now, limit))
            .await
        {
            Ok(due) if due.is_empty() => return due,
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "the job queue could not be read");
                return Vec::new();
            }
        };
        let claimed = self
            .write(move |conn| {
                let mut claimed = Vec::new();
                for job in &due {
                    if queue::claim(conn, job.id)? {
                        claimed.push(job.clone());
                    }
                }
                Ok(claimed)
            })
            .await;
        claimed.unwrap_or_else(|error| {
            tracing::error!(%error, "jobs could not be claimed");
            Vec::new()
        })
    }

    /// Runs one claimed job and records how it went. A panicking handler is a bug: it is
    /// logged as the panic it was and the job is given up, not retried.
    async fn run_one(&self, registry: &Registry, job: Claimed) {
        let Some(entry) = registry.entries.get(job.name.as_str()) else {
            return;
        };
        let context = Context::new(self.clone(), job.id);
        let outcome = tokio::spawn((entry.handler)(context.clone(), job.payload)).await;
        let (at, attempts) = (self.now(), job.attempts + 1);
        let id = job.id;
        let recorded = match outcome {
            Ok(Ok(result)) => {
                let total = context.total();
                self.write(move |conn| queue::succeeded(conn, id, &result, total, at))
                    .await
            }
            Ok(Err(failed)) => {
                let retry_at =
                    (attempts < entry.retry.attempts).then(|| at + (entry.retry.backoff)(attempts));
                tracing::warn!(job = job.name, error = failed.0, attempts, "a job failed");
                self.write(move |conn| queue::failed(conn, id, attempts, &failed.0, retry_at, at))
                    .await
            }
            Err(error) => {
                let panic = error.to_string();
                tracing::error!(job = job.name, panic, "a job panicked");
                self.write(move |conn| queue::failed(conn, id, attempts, &panic, None, at))
                    .await
            }
        };
        if let Err(error) = recorded {
            tracing::error!(%error, job = job.name, "how a job went could not be recorded");
        }
    }
}
