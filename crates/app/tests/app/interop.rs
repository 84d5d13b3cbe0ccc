//! Other people's tools against a running jiedao: an independent Open311 client library
//! (georeport, from PyPI) reads services, a definition and requests made through our API, and
//! schemathesis fuzzes the JSON API from /api/openapi.json looking for server errors and
//! answers that break the document. Both run when `INTEROP_VENV` names a virtual environment
//! holding them (`.ci/run` makes a throwaway one); otherwise they are skipped.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use jiedao_core::SystemClock;
use jiedao_store::Backend;
use jiedao_store::testing::{TestDb, fixture, load_fixture};
use serde_json::Value;

use crate::cases::resident_reports;
use crate::open311::resident_app_key;
use crate::support::TestApp;

/// The virtual environment's `bin` folder, when the interoperability runs are asked for.
fn venv_bin() -> Option<PathBuf> {
    let Ok(venv) = std::env::var("INTEROP_VENV") else {
        eprintln!("INTEROP_VENV is not set: skipping the runs of outside tools");
        return None;
    };
    Some(PathBuf::from(venv).join("bin"))
}

/// A served fixture with a generous allowance, so a fuzzer is not held back by 429s.
async fn served() -> TestApp {
    let db = TestDb::new(Backend::Sqlite).expect("sqlite");
    let store = db.open(Arc::new(SystemClock)).await;
    load_fixture(&store).await;
    let config = jiedao_web::WebConfig {
        api_per_minute: 1_000_000,
        ..jiedao_web::WebConfig::default()
    };
    TestApp::serve_with(db, store, config).await
}

fn run(program: PathBuf, args: &[&str]) -> String {
    let output = Command::new(&program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed:\n{stdout}\n{stderr}",
        program.display()
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_open311_client_reads_what_we_serve() {
    let Some(bin) = venv_bin() else {
        return;
    };
    let app = served().await;
    let key = resident_app_key(&app).await;
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for (code, state) in [("B0101", "missing"), ("B0101", "broken")] {
        let answer: Value = http
            .post(format!("{}/open311/v2/requests.json", app.base))
            .form(&[
                ("api_key", key.as_str()),
                ("service_code", code),
                ("lat", "30.2525"),
                ("long", "120.105"),
                ("description", "井盖有问题"),
                ("attribute[cover_state]", state),
            ])
            .send()
            .await
            .expect("POST")
            .json()
            .await
            .expect("json");
        ids.push(
            answer[0]["service_request_id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/open311_client.py"
    );
    let root = format!("{}/open311/v2", app.base);
    let out = run(
        bin.join("python"),
        &[script, &root, fixture::STREET, &ids.join(",")],
    );
    assert!(out.trim_end().ends_with("ok"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fuzzer_finds_no_server_error_and_no_answer_off_the_document() {
    let Some(bin) = venv_bin() else {
        return;
    };
    let app = served().await;
    resident_reports(&app).await;
    let token = app.token("admin").await;
    let schema = format!("{}/api/openapi.json", app.base);
    let header = format!("Authorization: Bearer {token}");
    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        run(
            bin.join("schemathesis"),
            &[
                "run",
                &schema,
                "--url",
                &base,
                "--header",
                &header,
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                "40",
                "--workers",
                "2",
                "--seed",
                "311",
                "--no-color",
            ],
        )
    })
    .await
    .expect("schemathesis");
    eprintln!("{out}");
}
