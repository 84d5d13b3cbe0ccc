//! The durable SQLite write path (synchronous = FULL): answers after the log is flushed, and a
//! log that starts over while the writer stays busy. SQLite only; PostgreSQL flushes its own.

use std::sync::Arc;

use jiedao_core::SystemClock;
use jiedao_store::testing::{TestDb, sql};
use jiedao_store::{Durability, Store};

use crate::foundation::count;

const ROWS_PER_TASK: i64 = 300;
const TASKS: i64 = 64;

#[tokio::test]
async fn acknowledged_writes_survive_reopening_and_the_log_stays_bounded() {
    let db = TestDb::sqlite();
    let mut config = db.config();
    config.durability = Durability::Full;
    let store = Store::open(config.clone(), Arc::new(SystemClock))
        .await
        .expect("open");
    store
        .write(|conn| {
            sql::batch(
                conn,
                "CREATE TABLE probe (n BIGINT PRIMARY KEY, body BLOB NOT NULL)",
            )
        })
        .await
        .expect("table");
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for row in 0..ROWS_PER_TASK {
                let n = task * ROWS_PER_TASK + row;
                // About one log frame per row.
                let body = vec![u8::try_from(n % 251).expect("byte"); 4000];
                store
                    .write(move |conn| {
                        sql::execute(
                            conn,
                            "INSERT INTO probe (n, body) VALUES ($1, $2)",
                            &[&n, &body],
                        )
                    })
                    .await
                    .expect("insert");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    drop(store);
    let written = TASKS * ROWS_PER_TASK * 4096;
    let url = config.url.trim_start_matches("sqlite://").to_owned();
    let log = std::fs::metadata(format!("{url}-wal")).map_or(0, |m| m.len());
    assert!(
        i64::try_from(log).expect("size") < written * 3 / 4,
        "the log ({log} bytes) never started over though {written} bytes were written"
    );
    let reopened = Store::open(config, Arc::new(SystemClock))
        .await
        .expect("reopen");
    assert_eq!(count(&reopened, "probe").await, TASKS * ROWS_PER_TASK);
}
