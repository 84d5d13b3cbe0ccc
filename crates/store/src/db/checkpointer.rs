//! Checkpoints (SQLite): copying the write-ahead log back into the database file, mostly on a
//! thread of their own so the writer seldom stops to do it.
//!
//! Every [`EVERY`], a passive checkpoint copies what it can without waiting for anyone. The log
//! only starts over from its beginning after a checkpoint has copied all of it while nobody
//! was writing, which a checkpoint beside a busy writer never sees. So once the log holds
//! [`RESTART_AT`] frames, this thread marks a checkpoint as due and stops; the writer, between
//! two transactions, copies the last few frames itself ([`Due::run_if_due`]), and its next
//! commit starts the log over. The log thus stays near [`RESTART_AT`] frames however busy the
//! writer is, and the writer's share of the copying is small. (Taking the write lock from here
//! instead would mean waiting in SQLite's busy handler, which sleeps, while the log grows.)
//!
//! The thread stops when the [`Checkpointer`] is dropped.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::conn::Conn;
use crate::error::StoreError;

/// The flag between the checkpointer and the writer: the log should be finished and restarted.
#[derive(Clone, Default)]
pub struct Due(Arc<AtomicBool>);

impl Due {
    /// Finishes the checkpoint on the writer's connection, if one is due. Runs between
    /// transactions only.
    pub fn run_if_due(&self, conn: &mut Conn) {
        if self.0.load(Ordering::Acquire) {
            if let Err(error) = conn.batch("PRAGMA wal_checkpoint(PASSIVE)") {
                tracing::warn!(%error, "checkpoint failed; the next one will try again");
            }
            self.0.store(false, Ordering::Release);
        }
    }
}

/// How often the thread copies the log back.
pub const EVERY: Duration = Duration::from_millis(20);
/// The log length (4 KiB frames, about 32 MiB) at which the writer is asked to restart it.
pub const RESTART_AT: i64 = 8000;

pub struct Checkpointer {
    due: Due,
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Checkpointer {
    pub fn start(database: &Path) -> Result<Checkpointer, StoreError> {
        let conn = rusqlite::Connection::open(database)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let due = Due::default();
        let flag = due.clone();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("jiedao-checkpoint".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    if flag.0.load(Ordering::Acquire) {
                        continue;
                    }
                    // (blocked, frames in the log, frames copied)
                    let frames = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                        row.get::<_, i64>(1)
                    });
                    match frames {
                        Ok(frames) if frames >= RESTART_AT => flag.0.store(true, Ordering::Release),
                        Ok(_) => {}
                        Err(error) => {
                            tracing::warn!(%error, "checkpoint failed; the next one will try again");
                        }
                    }
                }
            })?;
        Ok(Checkpointer { due, stop, thread })
    }

    /// Ends the thread and closes its connection.
    pub fn stop(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }

    /// The flag the writer watches.
    pub fn due(&self) -> Due {
        self.due.clone()
    }
}
