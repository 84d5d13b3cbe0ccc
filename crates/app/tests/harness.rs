//! The data-keeping proofs of `jiedao harness` on both databases: 20 SIGKILLs under load with
//! every acknowledged write checked after each, a soak (60 s here; `JIEDAO_SOAK_SECONDS=600`
//! for the full ten minutes), and a backup under load restored and compared. They run one at a
//! time, so one's load does not slow another's measurements. (A binary of its own, so the
//! other tests' load does not either.)
#![expect(
    clippy::expect_used,
    reason = "tests panic with a message when a step fails"
)]

use std::process::Command;

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The PostgreSQL URL to run on, `None` to skip (refused when CI requires PostgreSQL).
fn postgres() -> Option<String> {
    match std::env::var("TEST_PG_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var("JIEDAO_REQUIRE_PG").as_deref() != Ok("1"),
                "JIEDAO_REQUIRE_PG=1 but TEST_PG_URL is not set"
            );
            eprintln!("TEST_PG_URL is not set: skipping the PostgreSQL variant");
            None
        }
    }
}

/// Runs `jiedao harness ARGS` (on PostgreSQL when `database` is given); returns its output,
/// failing the test with that output when the harness fails.
async fn harness(args: &[&str], database: Option<&str>) -> String {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut command = Command::new(env!("CARGO_BIN_EXE_jiedao"));
    command.arg("harness").args(args).env("RUST_LOG", "warn");
    if let Some(url) = database {
        command.args(["--database", url]);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("running jiedao harness");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{text}");
    assert!(
        output.status.success(),
        "jiedao harness {args:?} failed:\n{text}"
    );
    text
}

async fn crash(database: Option<&str>) {
    let text = harness(&["crash", "--kills", "20"], database).await;
    assert!(text.contains("crash harness passed: 20 kills"), "{text}");
    let rounds = text.lines().filter(|l| l.starts_with("round ")).count();
    assert_eq!(rounds, 20, "every kill was followed by a check");
}

#[tokio::test]
async fn twenty_kills_lose_no_acknowledged_write_on_sqlite() {
    crash(None).await;
}

#[tokio::test]
async fn twenty_kills_lose_no_acknowledged_write_on_postgres() {
    if let Some(url) = postgres() {
        crash(Some(&url)).await;
    }
}

async fn soak(database: Option<&str>) {
    let seconds = std::env::var("JIEDAO_SOAK_SECONDS").unwrap_or_else(|_| "60".into());
    let dir = tempfile::tempdir().expect("dir");
    let report = dir.path().join("soak-report.md");
    let report_arg = report.display().to_string();
    harness(
        &["soak", "--seconds", &seconds, "--report", &report_arg],
        database,
    )
    .await;
    let written = std::fs::read_to_string(&report).expect("the harness writes its report");
    assert!(written.contains("| window | requests |"), "{written}");
    assert!(written.contains("verdict: steady"), "{written}");
}

#[tokio::test]
async fn a_steady_load_grows_neither_memory_nor_latency_on_sqlite() {
    soak(None).await;
}

#[tokio::test]
async fn a_steady_load_grows_neither_memory_nor_latency_on_postgres() {
    if let Some(url) = postgres() {
        soak(Some(&url)).await;
    }
}

async fn backup(database: Option<&str>) {
    let text = harness(&["backup"], database).await;
    assert!(
        text.contains("every one acknowledged before the backup present"),
        "{text}"
    );
    assert!(text.contains("equal to its source"), "{text}");
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_whole_on_sqlite() {
    backup(None).await;
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_whole_on_postgres() {
    if let Some(url) = postgres() {
        backup(Some(&url)).await;
    }
}
