//! Other people's tools against a running jiedao: an independent Open311 client library
//! (georeport, from PyPI) reads services, a definition and requests made through our API, and
//! schemathesis fuzzes the JSON API from /api/openapi.json looking for server errors and
//! answers that break the document. Both run when `INTEROP_VENV` names a virtual environment
//! holding them (`.ci/run` makes a throwaway one); otherwise they are skipped. python-docx
//! reads the bulletin's tables from the same environment, and LibreOffice (when installed)
//! turns the bulletin into a PDF whose text shows its page numbers.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use jiedao_core::SystemClock;
use jiedao_store::Backend;
use jiedao_store::testing::{TestDb, fixture, load_fixture};
use serde_json::Value;

use crate::cases::{resident_reports, staff};
use crate::open311::resident_app_key;
use crate::stats::cell_texts;
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

/// The bulletin's Word document as a leader downloads it, with the texts of the page's
/// table cells, after one case is taken in.
async fn bulletin_document() -> (Vec<u8>, Vec<String>) {
    let db = TestDb::new(Backend::Sqlite).expect("sqlite");
    let store = db.open(Arc::new(SystemClock)).await;
    load_fixture(&store).await;
    let app = TestApp::serve_with(db, store, jiedao_web::WebConfig::default()).await;
    let _ = resident_reports(&app).await;
    let leader = staff(&app, "leader").await;
    let page = leader.get("/stats/bulletin").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (status, _, bytes) = leader.download("/stats/bulletin.docx").await;
    assert_eq!(status, 200);
    (bytes, cell_texts(&page.body))
}

/// python-docx (the library most scripts that read Word files use) finds every table's
/// columns and cells — it cannot without `w:tblGrid` — and the same figures as the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_docx_reads_every_table_of_the_bulletin() {
    let Some(bin) = venv_bin() else {
        return;
    };
    let (bytes, on_page) = bulletin_document().await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("bulletin.docx");
    std::fs::write(&file, bytes).expect("written");
    let script = r#"
import json, sys, docx
document = docx.Document(sys.argv[1])
tables = []
for table in document.tables:
    columns = len(table.columns)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert all(len(row) == columns for row in rows), (columns, rows)
    tables.append(rows)
print(json.dumps({"paragraphs": [p.text for p in document.paragraphs if p.text], "tables": tables}))
"#;
    let out = run(
        bin.join("python"),
        &["-c", script, file.to_str().expect("path")],
    );
    let read: Value = serde_json::from_str(&out).expect("json");
    let tables = read["tables"].as_array().expect("tables");
    assert!(tables.len() >= 3, "{read}");
    let body: Vec<String> = tables
        .iter()
        .flat_map(|table| {
            table
                .as_array()
                .expect("rows")
                .iter()
                .skip(1)
                .flat_map(|row| row.as_array().expect("cells").clone())
        })
        .map(|cell| cell.as_str().expect("text").to_owned())
        .collect();
    assert_eq!(body, on_page, "python-docx reads what the page shows");
    let paragraphs = read["paragraphs"].to_string();
    for expected in ["测试街道通〔", "城市治理工作通报", "日"] {
        assert!(paragraphs.contains(expected), "{expected}: {paragraphs}");
    }
}

/// LibreOffice converts the bulletin to PDF, and the PDF's text shows the page numbers of
/// an official document ("— 1 —"). Runs where `soffice` and `pdftotext` are installed;
/// `JIEDAO_REQUIRE_OFFICE=1` (set by `.ci/run`) makes their absence a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libreoffice_prints_the_bulletin_with_its_page_numbers() {
    // Whether the program can be started at all (pdftotext -v exits non-zero on some builds).
    let found = |tool: &str| Command::new(tool).arg("-v").output().is_ok();
    if !(found("soffice") && found("pdftotext")) {
        assert!(
            std::env::var_os("JIEDAO_REQUIRE_OFFICE").is_none(),
            "JIEDAO_REQUIRE_OFFICE is set but soffice or pdftotext is missing"
        );
        eprintln!("soffice or pdftotext is not installed: skipping the LibreOffice conversion");
        return;
    }
    let (bytes, _) = bulletin_document().await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("bulletin.docx");
    std::fs::write(&file, bytes).expect("written");
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let out_dir = dir.path().to_str().expect("path");
    run(
        PathBuf::from("soffice"),
        &[
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            out_dir,
            file.to_str().expect("path"),
        ],
    );
    let pdf = dir.path().join("bulletin.pdf");
    let text = run(
        PathBuf::from("pdftotext"),
        &["-layout", pdf.to_str().expect("path"), "-"],
    );
    assert!(text.contains("— 1 —"), "{text}");
    assert!(text.contains("城市治理工作通报"), "{text}");
}
