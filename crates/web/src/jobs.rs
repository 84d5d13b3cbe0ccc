//! Long work started from a page (a 12345 import) and followed by its owner: how far it got and
//! what came of it. Kept in memory; the newest hundred are remembered.

use std::collections::HashMap;
use std::sync::Mutex;

use jiedao_core::UserId;
use jiedao_store::cases::hotline::Outcome;
use uuid::Uuid;

const KEPT: usize = 100;

/// One job's state.
#[derive(Debug, Clone)]
pub struct Job {
    pub owner: Option<UserId>,
    pub done: usize,
    pub total: usize,
    /// The outcome, or the (already translated) reason it failed.
    pub result: Option<Result<Outcome, String>>,
}

#[derive(Debug, Default)]
pub struct Jobs(Mutex<(Vec<Uuid>, HashMap<Uuid, Job>)>);

impl Jobs {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<Uuid>, HashMap<Uuid, Job>)> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn start(&self, owner: Option<UserId>, total: usize) -> Uuid {
        let id = Uuid::now_v7();
        let mut guard = self.lock();
        let (order, jobs) = &mut *guard;
        order.push(id);
        jobs.insert(
            id,
            Job {
                owner,
                done: 0,
                total,
                result: None,
            },
        );
        while order.len() > KEPT {
            let oldest = order.remove(0);
            jobs.remove(&oldest);
        }
        id
    }

    pub fn progress(&self, id: Uuid, done: usize) {
        if let Some(job) = self.lock().1.get_mut(&id) {
            job.done = done;
        }
    }

    pub fn finish(&self, id: Uuid, result: Result<Outcome, String>) {
        if let Some(job) = self.lock().1.get_mut(&id) {
            job.done = job.total;
            job.result = Some(result);
        }
    }

    /// The job, if `owner` started it.
    pub fn get(&self, id: Uuid, owner: Option<UserId>) -> Option<Job> {
        self.lock()
            .1
            .get(&id)
            .filter(|job| job.owner == owner)
            .cloned()
    }
}
