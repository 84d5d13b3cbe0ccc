//! SQL lives in the store, and is never built from input.
//!
//! - No crate but `store` holds SQL text: every string literal in every `.rs` file outside
//!   `crates/store` (sources and tests) is scanned for SQL statements and fragments. Other
//!   crates call store functions instead.
//! - Every `format!` whose text is SQL may interpolate only names listed here, each a constant
//!   or a fragment the code builds from its own `$N` placeholders. A new interpolation fails
//!   this test until it is reviewed and listed with its reason.

use std::path::Path;

/// (file, interpolated name): why it is not input.
const REVIEWED: &[(&str, &str, &str)] = &[
    (
        "store/src/petitions/read.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    ("store/src/petitions/read.rs", "me", "a placeholder number"),
    (
        "store/src/cases/dashboard.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/cases/mod.rs",
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
        "store/src/cases/wall.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    ("store/src/cases/wall.rs", "limit", "a placeholder number"),
    (
        "store/src/disputes/figures.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/disputes/figures.rs",
        "column",
        "a column name fixed by the code (org_path or kind)",
    ),
    (
        "store/src/disputes/read.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/disputes/read.rs",
        "limit",
        "a placeholder number",
    ),
    (
        "store/src/disputes/read.rs",
        "offset",
        "a placeholder number",
    ),
    (
        "store/src/inspections/figures.rs",
        "column",
        "one of the rollup's own column names, never input",
    ),
    (
        "store/src/inspections/read.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    ("store/src/inspections/read.rs", "p", "a placeholder"),
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
        "store/src/maintenance.rs",
        "table",
        "checked to be [A-Za-z0-9_] before use",
    ),
    (
        "store/src/maintenance.rs",
        "schema",
        "checked to be [A-Za-z0-9_] before use",
    ),
    (
        "store/src/maintenance.rs",
        "name",
        "checked to be [A-Za-z0-9_] before use",
    ),
    (
        "store/src/cases/read.rs",
        "over",
        "the count's cap plus one, a number from the code",
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
        "store/src/registry/bulk.rs",
        "",
        "`$N` placeholders numbered by the code, one per index in the chunk",
    ),
    (
        "store/src/registry/enterprises.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/registry/links.rs",
        "table",
        "a table name from the ledger's constant",
    ),
    (
        "store/src/registry/links.rs",
        "label",
        "a column name chosen from two fixed ones",
    ),
    (
        "store/src/registry/mod.rs",
        "table",
        "a table name from the ledger's constant",
    ),
    (
        "store/src/registry/persons.rs",
        "code",
        "a placeholder number",
    ),
    (
        "store/src/registry/persons.rs",
        "day",
        "a placeholder number",
    ),
    (
        "store/src/registry/persons.rs",
        "",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/registry/places.rs",
        "sql",
        "the WHERE built by `Where` with placeholders",
    ),
    (
        "store/src/registry/places.rs",
        "year_at",
        "a placeholder number",
    ),
    (
        "store/src/stats/rollup.rs",
        "sql_filter",
        "callers' fixed filters with placeholders",
    ),
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

/// The text of every string literal in Rust `source` (plain, raw and byte strings), with the
/// line it starts on. Comments are skipped, and so are character literals, so that `'"'` opens
/// nothing. Escapes are left as written.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut found = Vec::new();
    let (mut i, mut line) = (0, 1);
    while let Some(c) = at(i) {
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if at(i + 1) == Some('/') => {
                while at(i).is_some_and(|c| c != '\n') {
                    i += 1;
                }
            }
            '/' if at(i + 1) == Some('*') => {
                let mut depth = 0;
                while let Some(c) = at(i) {
                    if c == '/' && at(i + 1) == Some('*') {
                        depth += 1;
                        i += 2;
                    } else if c == '*' && at(i + 1) == Some('/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(c == '\n');
                        i += 1;
                    }
                }
            }
            '\'' => {
                // A character literal ('x', '\n', '\u{..}'), or a lifetime or label ('a).
                if at(i + 1) == Some('\\') {
                    i += 2;
                    while at(i).is_some_and(|c| c != '\'') {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == Some('\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            '"' => {
                let (start, mut text) = (line, String::new());
                i += 1;
                while let Some(c) = at(i) {
                    match c {
                        '"' => break,
                        '\\' => {
                            text.push(c);
                            text.extend(at(i + 1));
                            line += usize::from(at(i + 1) == Some('\n'));
                            i += 2;
                            continue;
                        }
                        '\n' => line += 1,
                        _ => {}
                    }
                    text.push(c);
                    i += 1;
                }
                i += 1;
                found.push((start, text));
            }
            'r' | 'b' | 'c'
                if i == 0 || !at(i - 1).is_some_and(|p| p.is_alphanumeric() || p == '_') =>
            {
                // r"…", r#"…"#, br"…", b"…", c"…": a raw string runs to its quote and hashes.
                let mut j = i + 1;
                if c == 'b' && at(j) == Some('r') {
                    j += 1;
                }
                let raw = c == 'r' || j > i + 1;
                let mut hashes = 0;
                while raw && at(j) == Some('#') {
                    hashes += 1;
                    j += 1;
                }
                if at(j) != Some('"') {
                    i += 1;
                    continue;
                }
                if !raw {
                    // b"…" and c"…" read as plain strings from their quote.
                    i = j;
                    continue;
                }
                let (start, mut text) = (line, String::new());
                j += 1;
                while let Some(c) = at(j) {
                    if c == '"' && (1..=hashes).all(|k| at(j + k) == Some('#')) {
                        break;
                    }
                    line += usize::from(c == '\n');
                    text.push(c);
                    j += 1;
                }
                i = j + 1 + hashes;
                found.push((start, text));
            }
            c if c.is_alphanumeric() || c == '_' => {
                // The rest of an identifier: an `r`, `b` or `c` inside one opens no string.
                while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    found
}

/// A word of SQL text (letters, digits, `_`), or one other character, spaces dropped.
fn tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = if c.is_ascii_alphanumeric() || c == '_' {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        let (token, tail) = rest.split_at(len);
        if !c.is_whitespace() {
            tokens.push(token);
        }
        rest = tail;
    }
    tokens
}

/// Which kind of SQL `text` holds, if any. Keywords that are also English words (SELECT,
/// UPDATE, DELETE, WITH, ORDER BY…) count in capitals, as all of jiedao's SQL is written, or
/// in small letters only in shapes prose does not take (`select *`, `update t set a =`), so
/// that messages such as "Select a category from the list" pass; words prose never uses
/// (PRAGMA, CREATE TABLE, VACUUM INTO…) count in any case.
fn sql_in(text: &str) -> Option<&'static str> {
    // Escaped line breaks and tabs separate words as the real ones do.
    let text = text.replace("\\n", " ").replace("\\t", " ");
    let t = tokens(&text);
    let word = |i: usize| t.get(i).copied().unwrap_or("");
    let is = |i: usize, keyword: &str| word(i) == keyword;
    let like = |i: usize, keyword: &str| word(i).eq_ignore_ascii_case(keyword);
    let name = |i: usize| {
        word(i)
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    };
    let later = |i: usize, keyword: &str| t.iter().skip(i + 1).any(|w| *w == keyword);
    for i in 0..t.len() {
        let kind = if is(i, "SELECT")
            && (later(i, "FROM")
                || ["*", "$", "COUNT", "DISTINCT"].contains(&word(i + 1))
                || word(i + 1).starts_with(|c: char| c.is_ascii_digit())
                || name(i + 1) && is(i + 2, "("))
            || like(i, "select")
                && (["*", "distinct"].iter().any(|w| like(i + 1, w))
                    || like(i + 1, "count") && is(i + 2, "(")
                    || word(i + 1).contains('_') && like(i + 2, "from"))
        {
            "SELECT"
        } else if is(i, "INSERT") && is(i + 1, "INTO")
            || like(i, "insert")
                && like(i + 1, "into")
                && name(i + 2)
                && (is(i + 3, "(") || like(i + 3, "values") || like(i + 3, "select"))
        {
            "INSERT"
        } else if is(i, "UPDATE") && name(i + 1) && is(i + 2, "SET")
            || like(i, "update")
                && name(i + 1)
                && like(i + 2, "set")
                && name(i + 3)
                && is(i + 4, "=")
        {
            "UPDATE"
        } else if is(i, "DELETE") && is(i + 1, "FROM")
            || like(i, "delete")
                && like(i + 1, "from")
                && name(i + 2)
                && (i + 3 == t.len() || like(i + 3, "where") || is(i + 3, ";"))
        {
            "DELETE"
        } else if ["create", "alter", "drop"].iter().any(|w| like(i, w)) && {
            let mut j = i + 1;
            while ["unique", "temp", "temporary", "virtual", "materialized"]
                .iter()
                .any(|w| like(j, w))
            {
                j += 1;
            }
            [
                "table",
                "index",
                "schema",
                "view",
                "trigger",
                "extension",
                "database",
                "sequence",
            ]
            .iter()
            .any(|w| like(j, w))
        } {
            "CREATE/ALTER/DROP"
        } else if like(i, "pragma") && name(i + 1) {
            "PRAGMA"
        } else if is(i, "VACUUM") || like(i, "vacuum") && like(i + 1, "into") {
            "VACUUM"
        } else if (is(i, "WITH") && name(i + 1) && is(i + 2, "AS")
            || like(i, "with") && name(i + 1) && like(i + 2, "as"))
            && is(i + 3, "(")
        {
            "WITH"
        } else if is(i, "SAVEPOINT")
            || like(i, "savepoint") && name(i + 1)
            || is(i, "ROLLBACK") && is(i + 1, "TO")
            || is(i, "BEGIN") && (is(i + 1, "IMMEDIATE") || is(i + 1, "ISOLATION"))
            || is(i, "TRUNCATE")
        {
            "transaction or table control"
        } else if is(i, "WHERE") && (name(i + 1) || is(i + 1, "{"))
            || is(i, "LIMIT") && ["$", "{"].contains(&word(i + 1))
            || (is(i, "ORDER") || is(i, "GROUP")) && is(i + 1, "BY")
            || is(i, "JOIN") && name(i + 1)
            || is(i, "ON") && is(i + 1, "CONFLICT")
        {
            "a clause"
        } else {
            continue;
        };
        return Some(kind);
    }
    None
}

/// Where `crates` holds SQL outside the store: "file:line: kind in text" for each literal
/// that holds some, and how many literals were read.
fn sql_outside_the_store(crates: &Path) -> (Vec<String>, usize) {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(crates).expect("crates") {
        let dir = entry.expect("entry").path();
        if dir.is_dir() && !dir.ends_with("store") {
            sources(&dir, &mut files);
        }
    }
    let (mut found, mut read) = (Vec::new(), 0);
    for file in files {
        let relative = file
            .strip_prefix(crates)
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        // This file holds the examples the scan is proven on.
        if relative.contains("/target/") || relative == "app/tests/app/sql.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source");
        for (line, literal) in string_literals(&text) {
            read += 1;
            if let Some(kind) = sql_in(&literal) {
                found.push(format!("{relative}:{line}: {kind} in {literal:?}"));
            }
        }
    }
    (found, read)
}

#[test]
fn no_crate_but_the_store_holds_sql() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (found, read) = sql_outside_the_store(&crates);
    assert!(read > 2_000, "the scan reads the crates' strings ({read})");
    assert!(
        found.is_empty(),
        "SQL outside crates/store (give the store a function instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_sql_in_every_kind_of_literal_and_only_there() {
    let source = r###"
//! SELECT id FROM case_file in a comment is prose about SQL, not SQL.
/* DELETE FROM audit_log, /* nested */ also a comment */
fn planted(conn: &mut Conn) {
    let quote = '"'; let lifetime: &'static str = "plain prose";
    conn.query("SELECT id, number FROM case_file WHERE number = $1", &[&n]);
    conn.batch(r#"CREATE TABLE probe (n BIGINT PRIMARY KEY, note TEXT DEFAULT "x")"#);
    let bytes = b"PRAGMA journal_mode";
    let raw = br"vacuum into 'copy.db'";
    let sql = format!(
        "update case_file set state = $1
         WHERE id = $2"
    );
}
"###;
    let found: Vec<(usize, Option<&str>)> = string_literals(source)
        .iter()
        .map(|(line, text)| (*line, sql_in(text)))
        .collect();
    assert_eq!(
        found,
        vec![
            (5, None),
            (6, Some("SELECT")),
            (7, Some("CREATE/ALTER/DROP")),
            (8, Some("PRAGMA")),
            (9, Some("VACUUM")),
            (11, Some("UPDATE")),
        ]
    );
}

#[test]
fn the_scan_knows_sql_from_prose() {
    let sql = [
        "SELECT COUNT(*) FROM app_user",
        "select * from case_file",
        "select count(*) from stat_day",
        "select street_id from case_file",
        "SELECT pg_advisory_lock(7461001)",
        "INSERT INTO setting (key, value) VALUES ($1, $2)",
        "insert into probe (n) values (1)",
        "UPDATE audit_log SET detail = $1 WHERE seq = $2",
        "DELETE FROM audit_log WHERE seq = $1",
        "delete from stat_day",
        "CREATE UNIQUE INDEX case_no ON case_file (number)",
        "alter table case_file add column x TEXT",
        "DROP SCHEMA IF EXISTS t CASCADE",
        "CREATE EXTENSION IF NOT EXISTS amcheck WITH SCHEMA public",
        "create database restored",
        "PRAGMA integrity_check",
        "VACUUM INTO $1",
        "WITH open AS (SELECT id FROM case_file) SELECT COUNT(*) FROM open",
        "SAVEPOINT piece",
        "BEGIN IMMEDIATE",
        " WHERE f.state = $1 ORDER BY f.reported_at",
        " WHERE {}",
        "{SELECT_CASE} LIMIT $1 OFFSET $2",
        "SELECT '$1' AS one\nWHERE x = $5",
        "LEFT JOIN category k ON k.id = f.category_id",
        "ON CONFLICT (key) DO NOTHING",
        "TRUNCATE stat_day",
    ];
    for text in sql {
        assert!(sql_in(text).is_some(), "missed: {text}");
    }
    let prose = [
        "Select a category from the list",
        "Update the settings and save",
        "Delete from your device what you downloaded",
        "Drop the file here",
        "Create a new department",
        "With the street office as the owner",
        "Sort cases, order by date, group by grid",
        "where the case was reported",
        "请选择问题类型后再提交",
        "从列表中选择一个类别（SELECT 不是 SQL）",
        "案件编号 20261202-00001 已删除",
        "DELETE",
        "/api/v1/webhooks/{hook}",
        "The begin of the day; savepoints are kept",
    ];
    for text in prose {
        assert_eq!(sql_in(text), None, "prose taken for SQL: {text}");
    }
}

#[test]
fn the_scan_catches_sql_planted_in_a_crate_and_leaves_the_store_alone() {
    let crates = tempfile::tempdir().expect("temp dir");
    let plant = |path: &str, text: &str| {
        let file = crates.path().join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("dirs");
        std::fs::write(file, text).expect("write");
    };
    plant(
        "store/src/cases.rs",
        "fn f(c: &mut Conn) { c.query(\"SELECT id FROM case_file\", &[]); }",
    );
    plant(
        "web/src/pages/list.rs",
        "// SELECT in a comment\nfn f() -> &'static str {\n    \"请选择类别\"\n}\n",
    );
    plant(
        "web/tests/planted.rs",
        "fn f(c: &mut Conn) {\n    c.scalar(\n        r#\"SELECT COUNT(*) FROM app_user\"#,\n    );\n}\n",
    );
    let (found, read) = sql_outside_the_store(crates.path());
    assert_eq!(read, 2, "the store's file is not read");
    assert_eq!(
        found,
        vec![r#"web/tests/planted.rs:3: SELECT in "SELECT COUNT(*) FROM app_user""#.to_owned()]
    );
}
