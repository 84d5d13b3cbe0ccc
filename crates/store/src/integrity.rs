//! The database checked whole (`jiedao check`, and the crash harness after every restart): the
//! engine's own check, every case's history against its row, the audit chain, and the rollups
//! against a fresh count of the histories. Reads only.

use jiedao_core::CaseId;

use crate::audit::{self, Verdict};
use crate::cases::{history, projection};
use crate::db::{Backend, Conn};
use crate::error::StoreError;
use crate::stats::rollup;

/// What a check went through and what it found wrong (nothing, when `problems` is empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    pub cases: u64,
    pub audit_records: i64,
    pub problems: Vec<String>,
}

/// Checks everything; a problem found is a finding, not an error.
pub fn check(conn: &mut Conn) -> Result<Findings, StoreError> {
    let mut findings = Findings {
        problems: engine(conn)?,
        ..Findings::default()
    };
    let ids: Vec<CaseId> = conn.query("SELECT id FROM case_file ORDER BY id", &[], |row| {
        row.get(0)
    })?;
    for id in ids {
        findings.cases += 1;
        match projection::load(conn, id)? {
            Some((case, head)) if history::verify(conn, id, &head, case.event_count)? => {}
            _ => findings
                .problems
                .push(format!("case {id}: its history does not end at its row")),
        }
    }
    let orphans: i64 = conn.scalar(
        "SELECT COUNT(*) FROM case_event e WHERE NOT EXISTS
           (SELECT 1 FROM case_file f WHERE f.id = e.case_id)",
        &[],
    )?;
    if orphans > 0 {
        findings
            .problems
            .push(format!("{orphans} history records belong to no case"));
    }
    match audit::verify(conn)? {
        Verdict::Intact { records } => findings.audit_records = records,
        Verdict::Broken { seq, reason } => findings
            .problems
            .push(format!("audit log broken at record {seq}: {reason:?}")),
    }
    for ((dimension, street, day, member), stored, counted) in rollup::disagreements(conn)? {
        findings.problems.push(format!(
            "rollup {}/{street}/{day}/{member}: stored {stored:?}, histories count {counted:?}",
            dimension.as_str()
        ));
    }
    Ok(findings)
}

/// Installs amcheck, PostgreSQL's B-tree checker, so that [`check`] runs it, where the role
/// may install extensions (SQLite has its own check built in: nothing to do).
pub fn install_amcheck(conn: &mut Conn) -> Result<(), StoreError> {
    match conn.backend() {
        Backend::Sqlite => Ok(()),
        Backend::Postgres => {
            conn.batch("CREATE EXTENSION IF NOT EXISTS amcheck WITH SCHEMA public")
        }
    }
}

/// Every case's id with the length of its history as its row records it: what a restart or
/// a restore must keep of every case acknowledged before.
pub fn history_lengths(conn: &mut Conn) -> Result<Vec<(CaseId, i64)>, StoreError> {
    conn.query("SELECT id, event_count FROM case_file", &[], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })
}

/// The database engine's own verdict: SQLite's integrity and foreign-key checks; on
/// PostgreSQL, amcheck over this schema's B-tree indexes when the extension is installed (a
/// damaged index makes the check fail with its error).
fn engine(conn: &mut Conn) -> Result<Vec<String>, StoreError> {
    match conn.backend() {
        Backend::Sqlite => {
            let mut problems: Vec<String> = conn
                .query("PRAGMA integrity_check", &[], |row| row.get::<String>(0))?
                .into_iter()
                .filter(|line| line != "ok")
                .collect();
            let dangling: Vec<String> =
                conn.query("PRAGMA foreign_key_check", &[], |row| row.get::<String>(0))?;
            problems.extend(
                dangling
                    .into_iter()
                    .map(|table| format!("{table}: a reference to a missing row")),
            );
            Ok(problems)
        }
        Backend::Postgres => {
            let amcheck: Option<String> = conn.query_opt(
                "SELECT n.nspname FROM pg_extension e
                   JOIN pg_namespace n ON n.oid = e.extnamespace
                  WHERE e.extname = 'amcheck'",
                &[],
                |row| row.get(0),
            )?;
            let Some(home) = amcheck else {
                return Ok(Vec::new());
            };
            // bt_index_check raises an error on a damaged index, which fails the check whole.
            // `home` is the extension's schema as the catalogue names it, quoted.
            let home = home.replace('"', "\"\"");
            conn.scalar::<i64>(
                &format!(
                    "SELECT COUNT(*) FROM (SELECT \"{home}\".bt_index_check(i.indexrelid, true)
                       FROM pg_index i
                       JOIN pg_class c ON c.oid = i.indexrelid
                       JOIN pg_am a ON a.oid = c.relam
                      WHERE a.amname = 'btree'
                        AND c.relnamespace = current_schema()::regnamespace) checked"
                ),
                &[],
            )?;
            Ok(Vec::new())
        }
    }
}

/// The tables a [`Summary`] counts: everything a street office would miss after a restore.
const COUNTED: [&str; 9] = [
    "org_unit",
    "app_user",
    "department",
    "case_file",
    "case_event",
    "case_reporter",
    "attachment",
    "stat_day",
    "audit_log",
];

/// A database's contents in brief, equal for two copies of the same data: rows per table, a
/// digest of every case's id and history head, and the audit chain's last hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub rows: Vec<(&'static str, i64)>,
    pub case_heads: [u8; 32],
    pub audit_head: Option<Vec<u8>>,
}

pub fn summary(conn: &mut Conn) -> Result<Summary, StoreError> {
    use sha2::{Digest, Sha256};
    let mut rows = Vec::with_capacity(COUNTED.len());
    for table in COUNTED {
        rows.push((table, crate::maintenance::count_rows(conn, table)?));
    }
    let heads: Vec<(CaseId, Vec<u8>)> = conn.query(
        "SELECT id, head_hash FROM case_file ORDER BY id",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut hasher = Sha256::new();
    for (id, head) in heads {
        hasher.update(id.uuid().as_bytes());
        hasher.update(&head);
    }
    Ok(Summary {
        rows,
        case_heads: hasher.finalize().into(),
        audit_head: conn.query_opt(
            "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
            |row| row.get(0),
        )?,
    })
}
