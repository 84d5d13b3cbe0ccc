//! Durability off the writer's thread (SQLite, `durability = full`). The writer commits with
//! `synchronous = NORMAL`, which appends the batch to the write-ahead log without waiting for the
//! disk, and hands the batch to this thread. The syncer flushes the log (`fdatasync`) and only
//! then answers the batch's callers, so an acknowledged write is on disk exactly as with
//! `synchronous = FULL`; meanwhile the writer is already taking the next work. Commits that
//! arrive while a flush is under way share the next one.
//!
//! Why this is safe: the log is only ever appended between checkpoints, and a crash keeps a
//! prefix of it (every frame carries a running checksum), so a flush that covers a batch also
//! covers everything committed before it. When the writer starts the log over after a complete
//! checkpoint, every earlier frame is already in the database file, which SQLite syncs as part of
//! the checkpoint in `NORMAL` mode. Other connections may read a batch a moment before it is on
//! disk; nobody is told it is saved until it is.
//!
//! A failed flush leaves the disk in an unknown state, so the syncer stops the writer for good
//! (as PostgreSQL does): every later write is refused until jiedao is restarted and SQLite
//! recovers the log.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::error::StoreError;

/// Something to answer once the log holding it is on disk.
pub trait Durable: Send {
    fn durable(self: Box<Self>, outcome: Result<(), String>);
}

/// The write-ahead log of a SQLite database, kept open to flush it.
struct Log {
    path: PathBuf,
    file: File,
}

impl Log {
    fn open(database: &Path) -> Result<Log, StoreError> {
        let mut path = database.as_os_str().to_owned();
        path.push("-wal");
        let path = PathBuf::from(path);
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        // The log's directory entry must survive too.
        if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            File::open(directory)?.sync_all()?;
        }
        Ok(Log { path, file })
    }

    /// Flushes the log to disk. If the file was replaced (it is only removed when the last
    /// connection closes, which the writer's never does while it runs), the new one is opened.
    fn flush(&mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let current = std::fs::metadata(&self.path)?.ino();
            if current != self.file.metadata()?.ino() {
                self.file = File::options().read(true).write(true).open(&self.path)?;
            }
        }
        self.file.sync_data()
    }
}

pub struct Syncer {
    sender: mpsc::Sender<Vec<Box<dyn Durable>>>,
    failed: Arc<AtomicBool>,
    _thread: JoinHandle<()>,
}

impl Syncer {
    /// Starts flushing the log of the SQLite database at `database`.
    pub fn start(database: &Path) -> Result<Syncer, StoreError> {
        let mut log = Log::open(database)?;
        let (sender, receiver) = mpsc::channel::<Vec<Box<dyn Durable>>>();
        let failed = Arc::new(AtomicBool::new(false));
        let failure = Arc::clone(&failed);
        let thread = std::thread::Builder::new()
            .name("jiedao-syncer".into())
            .spawn(move || {
                while let Ok(mut waiting) = receiver.recv() {
                    while let Ok(more) = receiver.try_recv() {
                        waiting.extend(more);
                    }
                    let outcome = if failure.load(Ordering::SeqCst) {
                        Err("an earlier flush of the log failed".to_owned())
                    } else {
                        log.flush().map_err(|error| {
                            tracing::error!(%error, "the write-ahead log could not be flushed; writes stop");
                            failure.store(true, Ordering::SeqCst);
                            error.to_string()
                        })
                    };
                    for item in waiting {
                        item.durable(outcome.clone());
                    }
                }
            })?;
        Ok(Syncer {
            sender,
            failed,
            _thread: thread,
        })
    }

    /// Answers `committed` once the log holding them is on disk.
    pub fn after_flush(&self, committed: Vec<Box<dyn Durable>>) {
        if let Err(mpsc::SendError(committed)) = self.sender.send(committed) {
            for item in committed {
                item.durable(Err("the syncer has stopped".to_owned()));
            }
        }
    }

    /// Whether a flush has failed, after which nothing more may be written.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }
}
