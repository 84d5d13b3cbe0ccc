//! The one writer: every change goes through a single connection on its own thread, which runs
//! the work waiting for it in one transaction and commits it together (group commit). One
//! durable commit then acknowledges many writes, so throughput is not bound by one flush of the
//! disk per request.
//!
//! Work runs as it arrives, in the open transaction, with nothing between the pieces. When a
//! piece fails, the transaction is rolled back and run again with each piece inside its own
//! savepoint, so the failing piece is undone alone and the others stay. Savepoints are not free
//! (SQLite copies every page a piece touches that an earlier piece already changed), so they
//! are paid only when needed. Pieces of work may therefore run more than once: they must only
//! read and write the database.
//!
//! The writer commits as soon as no more work is waiting (or `max_batch` pieces are in). It
//! does not wait for the [`Syncer`]: writing the next commit into the log while the last one is
//! being flushed keeps both the processor and the disk busy. (Holding work back until the flush
//! is done, so that each flush carries one larger commit, measured slower.)
//!
//! A caller hears back only once the commit that holds its work is durable: on PostgreSQL when
//! its commit returns, on SQLite with `durability = full` when the syncer has flushed the log.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::thread::JoinHandle;

use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{mpsc, oneshot};

use super::checkpointer::Due;
use super::conn::Conn;
use super::syncer::{Durable, Syncer};
use crate::error::StoreError;

/// A piece of write work, held until its batch is committed; [`Durable::durable`] answers it.
trait Work: Durable {
    /// Runs the work in the open transaction, keeping its result; true when it succeeded.
    fn run(&mut self, conn: &mut Conn) -> bool;
}

struct Pending<T, F> {
    work: F,
    result: Option<Result<T, StoreError>>,
    done: Option<oneshot::Sender<Result<T, StoreError>>>,
}

impl<T, F> Work for Pending<T, F>
where
    F: FnMut(&mut Conn) -> Result<T, StoreError> + Send,
    T: Send,
{
    fn run(&mut self, conn: &mut Conn) -> bool {
        let work = &mut self.work;
        match catch_unwind(AssertUnwindSafe(|| work(conn))) {
            Ok(result) => {
                let succeeded = result.is_ok();
                self.result = Some(result);
                succeeded
            }
            Err(_) => {
                tracing::error!("a piece of write work panicked; it was rolled back");
                self.result = None;
                false
            }
        }
    }
}

impl<T, F> Durable for Pending<T, F>
where
    F: Send,
    T: Send,
{
    fn durable(mut self: Box<Self>, committed: Result<(), String>) {
        let answer = match (self.result.take(), committed) {
            (Some(result), Ok(())) => result,
            (Some(result), Err(reason)) => result.and(Err(StoreError::CommitFailed(reason))),
            (None, _) => Err(StoreError::WriteAborted),
        };
        if let Some(done) = self.done.take() {
            // The caller may have gone away; the work is committed either way.
            let _ = done.send(answer);
        }
    }
}

type Job = Box<dyn Work>;

const SAVEPOINT: &str = "work";

pub struct Writer {
    sender: mpsc::Sender<Job>,
    thread: JoinHandle<()>,
}

impl Writer {
    /// Starts the writer thread on `conn`; at most `max_batch` pieces share one commit. With
    /// `sync_log` (a SQLite database file), `conn` must commit without waiting for the disk:
    /// a [`Syncer`] flushes that database's log and answers the callers.
    pub fn start(
        conn: Conn,
        max_batch: usize,
        sync_log: Option<PathBuf>,
        checkpoint: Option<Due>,
    ) -> Result<Writer, StoreError> {
        let (sender, receiver) = mpsc::channel::<Job>(max_batch.max(1) * 4);
        let syncer = sync_log
            .map(|database| Syncer::start(&database))
            .transpose()?;
        let thread = std::thread::Builder::new()
            .name("jiedao-writer".into())
            .spawn(move || {
                Batch {
                    conn,
                    syncer,
                    checkpoint,
                    jobs: Vec::with_capacity(max_batch.max(1)),
                    max: max_batch.max(1),
                }
                .run(receiver);
            })?;
        Ok(Writer { sender, thread })
    }

    /// Lets the queued work finish, then closes the connection.
    pub fn stop(self) {
        drop(self.sender);
        let _ = self.thread.join();
    }

    fn job<T, F>(work: F) -> (Job, oneshot::Receiver<Result<T, StoreError>>)
    where
        F: FnMut(&mut Conn) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (done, waiting) = oneshot::channel();
        let job: Job = Box::new(Pending {
            work,
            result: None,
            done: Some(done),
        });
        (job, waiting)
    }

    /// Runs `work` in the writer's transaction and answers once it is durably committed.
    /// `work` may run more than once (see the module's notes): it must only use the database.
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnMut(&mut Conn) -> Result<T, StoreError> + Send + 'static,
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
        F: FnMut(&mut Conn) -> Result<T, StoreError> + Send + 'static,
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

/// The writer thread's state: the open transaction and the work in it.
struct Batch {
    conn: Conn,
    syncer: Option<Syncer>,
    /// Set when a checkpoint should be finished between two transactions.
    checkpoint: Option<Due>,
    /// Work run in the open transaction (there is one exactly when this is not empty).
    jobs: Vec<Job>,
    max: usize,
}

impl Batch {
    fn run(mut self, mut receiver: mpsc::Receiver<Job>) {
        loop {
            let job = match receiver.try_recv() {
                Ok(job) => job,
                Err(TryRecvError::Empty) => {
                    if !self.jobs.is_empty() {
                        self.commit();
                    }
                    match receiver.blocking_recv() {
                        Some(job) => job,
                        None => break,
                    }
                }
                Err(TryRecvError::Disconnected) => break,
            };
            self.take(job);
            if self.jobs.len() >= self.max {
                self.commit();
            }
        }
        if !self.jobs.is_empty() {
            self.commit();
        }
    }

    /// Runs `job` in the open transaction (opening one if needed).
    fn take(&mut self, mut job: Job) {
        if self.syncer.as_ref().is_some_and(Syncer::has_failed) {
            return job.durable(Err(
                "writes have stopped: the log could not be flushed to disk".into(),
            ));
        }
        if self.jobs.is_empty() {
            if let Some(due) = &self.checkpoint {
                due.run_if_due(&mut self.conn);
            }
            if let Err(error) = self.conn.begin_write() {
                tracing::error!(%error, "could not start the write transaction");
                return job.durable(Err(error.to_string()));
            }
        }
        if job.run(&mut self.conn) {
            return self.jobs.push(job);
        }
        // The failed piece may have written part of its work: take it all back, then run the
        // earlier pieces again, each in a savepoint, and the failed one last, undone alone.
        if let Err(error) = self.conn.rollback() {
            self.jobs.push(job);
            return self.abandon(&error);
        }
        if self.jobs.is_empty() {
            // Nothing else was in the transaction: the piece's own result is its answer.
            return job.durable(Ok(()));
        }
        self.jobs.push(job);
        if let Err(error) = self.conn.begin_write() {
            return self.abandon(&error);
        }
        for job in &mut self.jobs {
            let guarded = self.conn.savepoint(SAVEPOINT).and_then(|()| {
                if job.run(&mut self.conn) {
                    self.conn.release(SAVEPOINT)
                } else {
                    self.conn
                        .rollback_to(SAVEPOINT)
                        .and_then(|()| self.conn.release(SAVEPOINT))
                }
            });
            if let Err(error) = guarded {
                return self.abandon(&error);
            }
        }
    }

    /// Commits the open transaction and hands its work to the syncer (or answers it).
    fn commit(&mut self) {
        let jobs = std::mem::take(&mut self.jobs);
        if let Err(error) = self.conn.commit() {
            tracing::error!(%error, "commit failed");
            let _ = self.conn.rollback();
            return answer_all(jobs, &Err(error.to_string()));
        }
        match &self.syncer {
            Some(syncer) => {
                syncer.after_flush(
                    jobs.into_iter()
                        .map(|job| job as Box<dyn Durable>)
                        .collect(),
                );
            }
            None => answer_all(jobs, &Ok(())),
        }
    }

    /// A transaction that could not be used: nothing of its work is carried out.
    fn abandon(&mut self, error: &StoreError) {
        tracing::error!(%error, "the write transaction failed; its work is rolled back");
        let _ = self.conn.rollback();
        answer_all(std::mem::take(&mut self.jobs), &Err(error.to_string()));
    }
}

/// Answers every piece of work with the outcome of its commit.
fn answer_all(jobs: Vec<Job>, committed: &Result<(), String>) {
    for job in jobs {
        job.durable(committed.clone());
    }
}
