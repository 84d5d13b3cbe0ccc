//! Keeping the data: `jiedao backup` (a consistent copy while the server writes), `jiedao
//! restore` (a copy put back, checked before it is used) and `jiedao check` (the database
//! checked whole).
//!
//! SQLite is copied with `VACUUM INTO` from a reading connection, which sees one snapshot.
//! PostgreSQL is dumped with `pg_dump --format=custom` (one snapshot as well) and restored with
//! `pg_restore`; both tools come with the PostgreSQL client package.

use std::path::Path;

use anyhow::{Context, bail};
use jiedao_store::integrity::{self, Findings};
use jiedao_store::{Backend, Location, Store};

use crate::cli::say;
use crate::config::Config;

pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    let store = crate::open_store(config).await?;
    match store.backend() {
        Backend::Sqlite => store.backup_sqlite(to.to_path_buf()).await?,
        Backend::Postgres => {
            let mut dump = std::process::Command::new("pg_dump");
            dump.args(["--format=custom", "--file"]).arg(to);
            if let Some(schema) = &config.store.pg_schema {
                dump.arg(format!("--schema={schema}"));
            }
            run(dump.arg(&config.database), "pg_dump")?;
        }
    }
    println!(
        "{}",
        say("cli.backed_up", &[("file", to.display().to_string())])
    );
    Ok(())
}

/// Puts the backup `from` in place as the database `config` names, which must not exist yet
/// (restore never overwrites: move the old database away first). The copy is checked whole
/// before it takes the database's place.
pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<()> {
    if !from.is_file() {
        bail!(say(
            "cli.no_backup_file",
            &[("file", from.display().to_string())]
        ));
    }
    // Without the key the backup was sealed under, opening would make a new one and refuse.
    let key = config.data_key_path();
    if !key.is_file() {
        bail!(say(
            "cli.restore_key_missing",
            &[("file", key.display().to_string())]
        ));
    }
    match config.database.parse::<Location>()? {
        Location::Sqlite(target) => {
            if target.exists() {
                bail!(say(
                    "cli.restore_target_exists",
                    &[("file", target.display().to_string())]
                ));
            }
            let staging = target.with_extension("restoring");
            std::fs::copy(from, &staging).with_context(|| {
                say(
                    "cli.copying",
                    &[
                        ("from", from.display().to_string()),
                        ("to", staging.display().to_string()),
                    ],
                )
            })?;
            let mut staged = Config {
                database: format!("sqlite://{}", staging.display()),
                ..config.clone()
            };
            staged.store.data_key_file = Some(key);
            // The check opens the copy as jiedao does (migrating an older one) and closes it
            // whole, so the one file is the database.
            match check(&staged).await {
                Ok(findings) if findings.problems.is_empty() => {
                    std::fs::File::open(&staging)?.sync_all()?;
                    std::fs::rename(&staging, &target)?;
                    report(&findings);
                }
                other => {
                    let _ = std::fs::remove_file(&staging);
                    refuse(other)?;
                }
            }
        }
        Location::Postgres(url) => {
            let mut load = std::process::Command::new("pg_restore");
            load.args(["--no-owner", "--exit-on-error", "--single-transaction"])
                .arg(format!("--dbname={url}"));
            run(load.arg(from), "pg_restore")?;
            match check(config).await {
                Ok(findings) if findings.problems.is_empty() => report(&findings),
                other => refuse(other)?,
            }
        }
    }
    println!(
        "{}",
        say("cli.restored", &[("file", from.display().to_string())])
    );
    Ok(())
}

/// The database checked whole (see [`integrity::check`]).
pub async fn check(config: &Config) -> anyhow::Result<Findings> {
    let store = crate::open_store(config).await?;
    let findings = store.read(integrity::check).await;
    close(store).await;
    Ok(findings?)
}

/// Closes `store` and waits until its connections are gone.
pub async fn close(store: Store) {
    let _ = tokio::task::spawn_blocking(move || store.close()).await;
}

pub fn report(findings: &Findings) {
    println!(
        "{}",
        say(
            if findings.problems.is_empty() {
                "cli.checked_in_order"
            } else {
                "cli.checked_problems"
            },
            &[
                ("cases", findings.cases.to_string()),
                ("records", findings.audit_records.to_string()),
                ("problems", findings.problems.len().to_string()),
            ]
        )
    );
    for problem in &findings.problems {
        println!("  {problem}");
    }
}

fn refuse(outcome: anyhow::Result<Findings>) -> anyhow::Result<()> {
    match outcome {
        Ok(findings) => {
            report(&findings);
            bail!(say("cli.backup_fails_check", &[]))
        }
        Err(error) => Err(error.context(say("cli.backup_unchecked", &[]))),
    }
}

fn run(command: &mut std::process::Command, name: &str) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| say("cli.running_tool", &[("tool", name.to_owned())]))?;
    if !status.success() {
        bail!(say(
            "cli.tool_failed",
            &[("tool", name.to_owned()), ("status", status.to_string())]
        ));
    }
    Ok(())
}
