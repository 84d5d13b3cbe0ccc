//! Which handler runs which job, how its failures are retried, and what runs on a schedule.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiedao_core::JobId;
use serde::Serialize;

use super::{Job, queue};
use crate::Store;
use crate::error::StoreError;

/// Why a job's run failed: kept as the job's last error (for operators, not for people).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed(pub String);

impl From<StoreError> for Failed {
    fn from(error: StoreError) -> Self {
        Failed(error.to_string())
    }
}

/// How a job's failed runs are tried again.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Runs in all before it is given up.
    pub attempts: i64,
    /// The wait before the run after `attempts` failed ones.
    pub backoff: fn(i64) -> chrono::Duration,
}

impl Retry {
    /// One run; a failure is final (the ticker runs again anyway; an import is started again
    /// by its owner).
    pub const NEVER: Retry = Retry {
        attempts: 1,
        backoff: |_| chrono::Duration::zero(),
    };
}

/// How often progress is written at most: a follower's page looks once a second.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// How far a job got, as last told, and when that was last written.
#[derive(Debug, Default)]
struct Progress {
    total: i64,
    written: Option<Instant>,
}

/// What a handler gets besides its payload.
#[derive(Clone)]
pub struct Context {
    store: Store,
    id: JobId,
    progress: Arc<Mutex<Progress>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("id", &self.id).finish()
    }
}

impl Context {
    pub(super) fn new(store: Store, id: JobId) -> Context {
        Context {
            store,
            id,
            progress: Arc::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn id(&self) -> JobId {
        self.id
    }

    /// The total last told, which a job that is done has done all of.
    pub(super) fn total(&self) -> i64 {
        self.progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .total
    }

    /// Tells the job's owner how far it got; written now and then, not on every call (the
    /// job's end writes the last total).
    pub fn progress(&self, done: usize, total: usize) {
        let now = Instant::now();
        let (done, total) = (
            i64::try_from(done).unwrap_or(i64::MAX),
            i64::try_from(total).unwrap_or(i64::MAX),
        );
        {
            let mut progress = self
                .progress
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            progress.total = total;
            if progress
                .written
                .is_some_and(|at| now.duration_since(at) < PROGRESS_EVERY)
            {
                return;
            }
            progress.written = Some(now);
        }
        let (store, id) = (self.store.clone(), self.id);
        tokio::spawn(async move {
            let written = store
                .write(move |conn| queue::progress(conn, id, done, total))
                .await;
            if let Err(error) = written {
                tracing::warn!(%error, "a job's progress was not written");
            }
        });
    }
}

type Run = Pin<Box<dyn Future<Output = Result<String, Failed>> + Send>>;
type Handler = Arc<dyn Fn(Context, String) -> Run + Send + Sync>;

/// A registered kind of job.
#[derive(Clone)]
pub(super) struct Entry {
    pub handler: Handler,
    pub retry: Retry,
}

/// A job put into the queue every `every`.
#[derive(Debug, Clone)]
pub(super) struct Schedule {
    pub name: &'static str,
    pub payload: String,
    pub every: Duration,
}

/// Job names and their handlers, and the schedules; handed to [`Store::run_jobs`].
#[derive(Clone, Default)]
pub struct Registry {
    pub(super) entries: HashMap<&'static str, Entry>,
    pub(super) schedules: Vec<Schedule>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("jobs", &self.entries.keys().collect::<Vec<_>>())
            .field("schedules", &self.schedules)
            .finish()
    }
}

impl Registry {
    /// Runs jobs `J` with `handler`, retrying failures by `retry`. What the handler returns
    /// is kept (as JSON) for the job's owner.
    pub fn register<J, R, F, Fut>(mut self, retry: Retry, handler: F) -> Registry
    where
        J: Job,
        R: Serialize,
        F: Fn(Context, J) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, Failed>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let run: Handler = Arc::new(move |context, payload| -> Run {
            match serde_json::from_str::<J>(&payload) {
                Ok(job) => {
                    let running = handler(context, job);
                    Box::pin(async move {
                        let result = running.await?;
                        serde_json::to_string(&result).map_err(|e| Failed(e.to_string()))
                    })
                }
                Err(error) => Box::pin(std::future::ready(Err(Failed(format!(
                    "unreadable payload: {error}"
                ))))),
            }
        });
        self.entries.insert(
            J::NAME,
            Entry {
                handler: run,
                retry,
            },
        );
        self
    }

    /// Puts `job` into the queue every `every` (not while one of its kind waits or runs).
    pub fn every<J: Job>(mut self, every: Duration, job: &J) -> Result<Registry, StoreError> {
        self.schedules.push(Schedule {
            name: J::NAME,
            payload: super::payload(job)?,
            every,
        });
        Ok(self)
    }

    pub(super) fn names(&self) -> Vec<&'static str> {
        self.entries.keys().copied().collect()
    }
}
