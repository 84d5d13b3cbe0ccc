//! The job queue and its runner: a job queued in a change's transaction runs, a failed run is
//! tried again by its handler's rule, a panicking one is given up, what a followed job
//! returns reaches its owner only, and a scheduled job comes round again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use jiedao_core::{JobId, UserId};
use jiedao_store::jobs::{self, Failed, Job, Registry, Retry, Status};
use jiedao_store::{Backend, Store, on_both_backends};
use serde::{Deserialize, Serialize};

use crate::foundation::{count, fixture_store};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Flaky {
    fail_first: usize,
}

impl Job for Flaky {
    const NAME: &'static str = "test.flaky";
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sum {
    of: Vec<i64>,
}

impl Job for Sum {
    const NAME: &'static str = "test.sum";
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Boom;

impl Job for Boom {
    const NAME: &'static str = "test.boom";
}

const AT_ONCE: Retry = Retry {
    attempts: 3,
    backoff: |_| chrono::Duration::zero(),
};

fn registry(runs: Arc<AtomicUsize>) -> Registry {
    Registry::default()
        .register(AT_ONCE, move |_, job: Flaky| {
            let run = runs.fetch_add(1, Ordering::SeqCst);
            async move {
                if run < job.fail_first {
                    Err(Failed(format!("run {run} fails")))
                } else {
                    Ok(())
                }
            }
        })
        .register(Retry::NEVER, |context, job: Sum| async move {
            context.progress(1, 1);
            Ok(job.of.iter().sum::<i64>())
        })
        .register(AT_ONCE, |_, _: Boom| async move {
            if true {
                panic!("a bug in a handler");
            }
            Ok(())
        })
}

/// Waits until `done` holds, looking every 100 ms for at most 15 s.
async fn until<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..150 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen");
}

async fn owner(store: &Store) -> UserId {
    jiedao_store::testing::principal(store, "intake")
        .await
        .user_id()
        .expect("a user")
}

async fn jobs_run_retry_and_answer_their_owner(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let runs = Arc::new(AtomicUsize::new(0));
    let at = store.now();
    store
        .write(move |conn| jobs::enqueue(conn, &Flaky { fail_first: 1 }, at).map(|_| ()))
        .await
        .expect("queued with the change");
    let runner = store.run_jobs(registry(runs.clone()));
    until("the flaky job's second run", || async {
        count(&store, "job").await == 0
    })
    .await;
    assert_eq!(runs.load(Ordering::SeqCst), 2, "failed once, then done");

    let me = owner(&store).await;
    let sum = store
        .enqueue_for(Sum { of: vec![2, 3, 37] }, me)
        .await
        .expect("followed job");
    until("the sum", || async {
        followed(&store, sum, me)
            .await
            .is_some_and(|j| j.status == Status::Done)
    })
    .await;
    let done = followed(&store, sum, me).await.expect("kept for its owner");
    assert_eq!(done.result.as_deref(), Some("42"));
    assert_eq!((done.done, done.total), (1, 1));
    let other = jiedao_store::testing::principal(&store, "dispatcher")
        .await
        .user_id()
        .expect("a user");
    assert!(
        followed(&store, sum, other).await.is_none(),
        "nobody else's to read"
    );

    let boom = store.enqueue_for(Boom, me).await.expect("queued");
    until("the panic to be recorded", || async {
        followed(&store, boom, me)
            .await
            .is_some_and(|j| j.status == Status::Failed)
    })
    .await;
    runner.abort();
}

async fn followed(store: &Store, id: JobId, user: UserId) -> Option<jobs::Followed> {
    store
        .read(move |conn| jobs::followed(conn, id, user))
        .await
        .expect("read")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Beat;

impl Job for Beat {
    const NAME: &'static str = "test.beat";
}

async fn scheduled_jobs_come_round_again(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let beats = Arc::new(AtomicUsize::new(0));
    let counted = beats.clone();
    let registry = Registry::default()
        .register(Retry::NEVER, move |_, _: Beat| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        })
        .every(Duration::from_millis(10), &Beat)
        .expect("schedule");
    let runner = store.run_jobs(registry);
    until("three beats", || async {
        beats.load(Ordering::SeqCst) >= 3
    })
    .await;
    runner.abort();
}

on_both_backends!(
    jobs_run_retry_and_answer_their_owner,
    scheduled_jobs_come_round_again,
);
