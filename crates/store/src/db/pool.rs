//! A small pool of reading connections. Reads run on blocking threads, so waiting for a free
//! connection is a plain condition-variable wait.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::conn::Conn;
use crate::error::StoreError;

type Opener = Box<dyn Fn() -> Result<Conn, StoreError> + Send + Sync>;

struct Slots {
    idle: Vec<Conn>,
    open: usize,
}

pub struct Pool {
    slots: Mutex<Slots>,
    freed: Condvar,
    opener: Opener,
    size: usize,
    wait: Duration,
}

impl Pool {
    pub fn new(size: usize, opener: Opener) -> Pool {
        Pool {
            slots: Mutex::new(Slots {
                idle: Vec::with_capacity(size),
                open: 0,
            }),
            freed: Condvar::new(),
            opener,
            size: size.max(1),
            wait: Duration::from_secs(30),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A connection, opening one if the pool is not full, else waiting for one to come back.
    pub fn get(&self) -> Result<Pooled<'_>, StoreError> {
        let mut slots = self.lock();
        loop {
            if let Some(conn) = slots.idle.pop() {
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if slots.open < self.size {
                slots.open += 1;
                drop(slots);
                return match (self.opener)() {
                    Ok(conn) => Ok(Pooled {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(error) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(error)
                    }
                };
            }
            let (guard, timeout) = self
                .freed
                .wait_timeout(slots, self.wait)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            slots = guard;
            if timeout.timed_out() && slots.idle.is_empty() && slots.open >= self.size {
                return Err(StoreError::Busy);
            }
        }
    }

    fn give_back(&self, conn: Conn) {
        let mut slots = self.lock();
        if conn.is_healthy() {
            slots.idle.push(conn);
        } else {
            slots.open -= 1;
        }
        drop(slots);
        self.freed.notify_one();
    }
}

/// A borrowed connection; it goes back to the pool when dropped.
pub struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
}

impl Deref for Pooled<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("taken only on drop"))
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("taken only on drop"))
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.give_back(conn);
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.lock().idle);
        if !idle.is_empty() {
            // A PostgreSQL client closes by blocking on its own runtime, which panics on an async
            // thread; the store may well be dropped on one. Close them on a plain thread.
            let _ = std::thread::Builder::new()
                .name("jiedao-pool-close".into())
                .spawn(move || drop(idle));
        }
    }
}
