//! The one writer: every change goes through a single connection on its own thread, which takes
//! all the work waiting for it, runs each piece inside a savepoint, and commits them together
//! (group commit). One durable commit then acknowledges many writes, so throughput is not bound
//! by one fsync per request, and a piece of work that fails is rolled back alone.
//!
//! A caller hears back only after the commit that holds its work has returned: an acknowledged
//! write is on disk (SQLite `synchronous=FULL`, PostgreSQL's own commit).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use super::conn::Conn;
use crate::error::StoreError;

/// Told once the batch holding a piece of work has committed (or failed to).
type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A piece of work: runs inside the open transaction and says whether it succeeded.
type Job = Box<dyn FnOnce(&mut Conn) -> (bool, Completion) + Send>;

const SAVEPOINT: &str = "work";

pub struct Writer {
    sender: mpsc::Sender<Job>,
    _thread: JoinHandle<()>,
}

impl Writer {
    /// Starts the writer thread on `conn`. At most `max_batch` pieces share one commit.
    pub fn start(conn: Conn, max_batch: usize) -> Result<Writer, StoreError> {
        let (sender, receiver) = mpsc::channel::<Job>(max_batch.max(1) * 4);
        let thread = std::thread::Builder::new()
            .name("jiedao-writer".into())
            .spawn(move || run(conn, receiver, max_batch.max(1)))?;
        Ok(Writer {
            sender,
            _thread: thread,
        })
    }

    fn job<T, F>(work: F) -> (Job, oneshot::Receiver<Result<T, StoreError>>)
    where
        F: FnOnce(&mut Conn) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (done, waiting) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = work(conn);
            let succeeded = result.is_ok();
            let completion: Completion = Box::new(move |committed| {
                let answer = match committed {
                    Ok(()) => result,
                    Err(reason) => result.and(Err(StoreError::CommitFailed(reason))),
                };
                // The caller may have gone away; the work is committed either way.
                let _ = done.send(answer);
            });
            (succeeded, completion)
        });
        (job, waiting)
    }

    /// Runs `work` in the writer's transaction and answers once it is durably committed.
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Conn) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (job, waiting) = Self::job(work);
        self.sender
            .send(job)
            .await
            .map_err(|_| StoreError::Closed)?;
        waiting.await.map_err(|_| StoreError::WriteAborted)?
    }

    /// The same, for callers outside the async runtime (command-line tools, tests).
    pub fn write_blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Conn) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (job, waiting) = Self::job(work);
        self.sender
            .blocking_send(job)
            .map_err(|_| StoreError::Closed)?;
        waiting
            .blocking_recv()
            .map_err(|_| StoreError::WriteAborted)?
    }
}

fn run(mut conn: Conn, mut receiver: mpsc::Receiver<Job>, max_batch: usize) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < max_batch {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&mut conn, &mut batch);
    }
}

/// Runs one batch in one transaction. Work that is dropped without completing (its transaction
/// could not be used) tells its caller through the closed channel: `WriteAborted`.
fn commit_batch(conn: &mut Conn, batch: &mut Vec<Job>) {
    if let Err(error) = conn.begin_write() {
        tracing::error!(%error, "could not begin a write transaction");
        batch.clear();
        return;
    }
    let guarded = batch.len() > 1;
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    for job in batch.drain(..) {
        if guarded && conn.savepoint(SAVEPOINT).is_err() {
            let _ = conn.rollback();
            return;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| job(conn)));
        let keep = matches!(outcome, Ok((true, _)));
        let settled = match (guarded, keep) {
            (true, true) => conn.release(SAVEPOINT),
            (true, false) => conn
                .rollback_to(SAVEPOINT)
                .and_then(|()| conn.release(SAVEPOINT)),
            (false, _) => Ok(()),
        };
        if let Err(error) = settled {
            tracing::error!(%error, "savepoint failed; the whole batch is rolled back");
            let _ = conn.rollback();
            return;
        }
        match outcome {
            Ok((_, completion)) => completions.push(completion),
            Err(_) => tracing::error!("a piece of write work panicked; it was rolled back"),
        }
        if !guarded && !keep {
            // The only piece failed: nothing to commit.
            let _ = conn.rollback();
            for completion in completions {
                completion(Ok(()));
            }
            return;
        }
    }
    match conn.commit() {
        Ok(()) => {
            for completion in completions {
                completion(Ok(()));
            }
        }
        Err(error) => {
            tracing::error!(%error, "commit failed");
            let _ = conn.rollback();
            let reason = error.to_string();
            for completion in completions {
                completion(Err(reason.clone()));
            }
        }
    }
}
