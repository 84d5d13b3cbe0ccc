//! No SQL is built from input: every `format!` whose text is SQL may interpolate only names
//! listed here, each a constant or a fragment the code builds from its own `$N` placeholders.
//! A new interpolation fails this test until it is reviewed and listed with its reason.

use std::path::Path;

/// (file, interpolated name): why it is not input.
const REVIEWED: &[(&str, &str, &str)] = &[
    (
        "app/src/harness/backup.rs",
        "database",
        "a name the harness makes from its schema",
    ),
    (
        "app/src/harness/mod.rs",
        "schema",
        "a name the harness makes from its pid and clock",
    ),
    (
        "store/src/cases/dashboard.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/cases/public.rs",
        "clause",
        "conditions with placeholders",
    ),
    ("store/src/cases/public.rs", "l", "a placeholder number"),
    ("store/src/cases/public.rs", "o", "a placeholder number"),
    (
        "store/src/cases/read.rs",
        "clause",
        "conditions with placeholders",
    ),
    (
        "store/src/cases/ticker.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/jobs/queue.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    ("store/src/jobs/queue.rs", "limit", "a placeholder number"),
    (
        "store/src/ledger/access.rs",
        "people",
        "a table name from the ledger's constant",
    ),
    (
        "store/src/ledger/access.rs",
        "record_column",
        "a column name from the ledger's constant",
    ),
    ("store/src/ledger/access.rs", "user", "a placeholder number"),
    (
        "store/src/ledger/attachments.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/ledger/attachments.rs",
        "purpose",
        "a placeholder number",
    ),
    (
        "store/src/ledger/clocks.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/ledger/clocks.rs",
        "limit",
        "a placeholder number",
    ),
    (
        "store/src/ledger/clocks.rs",
        "records",
        "a table name from the ledger's constant",
    ),
    (
        "store/src/ledger/history.rs",
        "history",
        "a table name from the ledger's constant",
    ),
    (
        "store/src/ledger/history.rs",
        "record_column",
        "a column name from the ledger's constant",
    ),
    (
        "store/src/ledger/query.rs",
        "",
        "clauses joined by `Where`, each with placeholders",
    ),
    (
        "store/src/db/migrate.rs",
        "time_type",
        "the backend's timestamp type",
    ),
    (
        "store/src/db/open.rs",
        "schema",
        "checked to be [A-Za-z0-9_] before use",
    ),
    (
        "store/src/integrity.rs",
        "home",
        "amcheck's schema from the catalogue, quoted",
    ),
    (
        "store/src/integrity.rs",
        "table",
        "a name from the COUNTED constant",
    ),
    (
        "store/src/stats/figures.rs",
        "",
        "sums of the Counts::FIELDS constant",
    ),
    (
        "store/src/stats/figures.rs",
        "filter",
        "a fixed clause with placeholders",
    ),
    (
        "store/src/stats/figures.rs",
        "deadline",
        "one of two column names",
    ),
    (
        "store/src/stats/figures.rs",
        "condition",
        "a fixed condition",
    ),
    (
        "store/src/stats/rollup.rs",
        "",
        "the Counts::FIELDS constant",
    ),
    (
        "store/src/stats/rollup.rs",
        "sql_filter",
        "callers' fixed filters with placeholders",
    ),
    ("store/src/testing.rs", "schema", "a random hex name"),
];

const SQL_WORDS: [&str; 7] = [
    "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WHERE ", "CREATE ", "DROP ",
];

/// Every `format!("…")` literal in `text` with the names it interpolates (`{}` gives "").
fn formats(text: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("format!(") {
        rest = &rest[at + "format!(".len()..];
        let trimmed = rest.trim_start();
        let Some(body) = trimmed.strip_prefix('"') else {
            continue;
        };
        let mut literal = String::new();
        let mut escaped = false;
        for c in body.chars() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => break,
                _ => {}
            }
            literal.push(c);
        }
        let mut names = Vec::new();
        let mut parts = literal.split('{').skip(1);
        for part in parts.by_ref() {
            if let Some(end) = part.find('}') {
                let name = part[..end].split(':').next().unwrap_or("").trim();
                names.push(name.to_owned());
            }
        }
        found.push((literal, names));
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_sql_is_built_from_input() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["app", "core", "geo", "reports", "store", "web"] {
        sources(&crates.join(krate).join("src"), &mut files);
    }
    let mut unreviewed = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file
            .strip_prefix(&crates)
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).expect("source");
        for (literal, names) in formats(&text) {
            if !SQL_WORDS.iter().any(|word| literal.contains(word)) {
                continue;
            }
            checked += 1;
            for name in names {
                let constant =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_');
                let reviewed = REVIEWED
                    .iter()
                    .any(|(f, n, _)| *f == relative && *n == name);
                if !constant && !reviewed {
                    unreviewed.push(format!("{relative}: {{{name}}} in {literal:?}"));
                }
            }
        }
    }
    assert!(checked > 20, "the scan finds the SQL it should ({checked})");
    assert!(
        unreviewed.is_empty(),
        "SQL text interpolating unreviewed values:\n{}",
        unreviewed.join("\n")
    );
}

#[test]
fn the_scan_catches_a_value_spliced_into_sql() {
    let bad = r#"let q = format!("SELECT * FROM app_user WHERE username = '{username}'");"#;
    let found = formats(bad);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, vec!["username".to_owned()]);
}
