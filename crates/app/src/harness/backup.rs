//! `jiedao harness backup`: `jiedao backup` runs while clients report and dispatch; the copy is
//! restored with `jiedao restore` into a new database, which must check whole and hold every
//! case acknowledged before the backup began. Then, with the server stopped, a second backup
//! is restored and compared with the source: the same rows, case histories and audit chain.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jiedao_store::Location;
use jiedao_store::integrity::{self, Summary};
use jiedao_store::maintenance::{create_pg_database, drop_pg_database};

use super::Place;
use super::load::{Acknowledged, Kind};
use crate::bench::Server;
use crate::config::Config;

pub async fn run(place: &Place) -> anyhow::Result<()> {
    let server = Server::start(&place.config).await?;
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let load = place.load(&server, acknowledged.clone()).await?;
    let began = Instant::now();
    let until = began + Duration::from_secs(600);
    let tasks: Vec<_> = [vec![Kind::Intake], vec![Kind::Intake], vec![Kind::Dispatch]]
        .into_iter()
        .enumerate()
        .map(|(number, kinds)| {
            tokio::spawn(
                load.clone()
                    .client(number, kinds, Duration::ZERO, began, until),
            )
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = snapshot(&acknowledged);
    let under_load = place.workdir.path.join("under-load.backup");
    jiedao(place, &["backup", "--to"], &under_load, &place.config).await?;
    let after = snapshot(&acknowledged);
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.stop().await;
    let mut answers = 0;
    for task in tasks {
        answers += task.await.map_or(0, |samples| samples.len());
    }
    println!(
        "backed up while writing: {} cases acknowledged before the backup began, {} when it \
         ended, {answers} answers in all",
        before.len(),
        after.len()
    );

    let restored = Restored::new(place, "under_load")?;
    jiedao(place, &["restore", "--from"], &under_load, &restored.config).await?;
    let (stored, findings) = super::examine(&restored.config).await?;
    if !findings.problems.is_empty() {
        crate::backup::report(&findings);
        bail!("the backup taken under load does not check whole");
    }
    for (id, records) in &before {
        match stored.get(id) {
            Some(count) if usize::try_from(*count).unwrap_or(0) >= *records => {}
            _ => bail!("case {id}, acknowledged before the backup began, is not in it whole"),
        }
    }
    if stored.len() > after.len() + 64 {
        bail!("the backup holds cases no one was told were taken");
    }
    println!(
        "restored the copy under load: {} cases, every one acknowledged before the backup \
         present; {} audit records; checks whole",
        stored.len(),
        findings.audit_records
    );
    restored.remove().await;

    let quiet = place.workdir.path.join("quiet.backup");
    jiedao(place, &["backup", "--to"], &quiet, &place.config).await?;
    let restored = Restored::new(place, "quiet")?;
    jiedao(place, &["restore", "--from"], &quiet, &restored.config).await?;
    let source = summary(&place.config).await?;
    let copy = summary(&restored.config).await?;
    restored.remove().await;
    if source != copy {
        bail!("the restored copy differs from its source:\n{source:?}\n{copy:?}");
    }
    println!(
        "restored a quiet backup: equal to its source ({}; case histories and audit chain \
         identical)",
        source
            .rows
            .iter()
            .map(|(table, rows)| format!("{table} {rows}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn snapshot(acknowledged: &Mutex<Acknowledged>) -> HashMap<String, usize> {
    acknowledged
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .cases
        .clone()
}

async fn summary(config: &Config) -> anyhow::Result<Summary> {
    let store = crate::open_store(config).await?;
    let summary = store.read(integrity::summary).await;
    crate::backup::close(store).await;
    Ok(summary?)
}

/// Runs this program's `command` with `path` on `config`'s database, as an operator would.
async fn jiedao(
    place: &Place,
    command: &[&str],
    path: &std::path::Path,
    config: &Config,
) -> anyhow::Result<()> {
    let mut run = tokio::process::Command::new(std::env::current_exe()?);
    run.args(command)
        .arg(path)
        .args(["--database", &config.database])
        .env("JIEDAO_FILES", &place.config.files)
        .env("JIEDAO_DATA_KEY_FILE", place.config.data_key_path())
        .env("RUST_LOG", "warn");
    if let Some(schema) = &config.store.pg_schema {
        run.env("JIEDAO_PG_SCHEMA", schema);
    }
    let status = run.status().await?;
    if !status.success() {
        bail!("jiedao {} failed: {status}", command.join(" "));
    }
    Ok(())
}

/// Where a backup is restored to: a new SQLite file, or a new PostgreSQL database.
struct Restored {
    config: Config,
    /// (the maintenance URL, the new database's name) on PostgreSQL.
    database: Option<(String, String)>,
}

impl Restored {
    fn new(place: &Place, name: &str) -> anyhow::Result<Restored> {
        let mut config = place.config.clone();
        match place.config.database.parse::<Location>()? {
            Location::Sqlite(_) => {
                config.database = format!(
                    "sqlite://{}",
                    place
                        .workdir
                        .path
                        .join(format!("restored-{name}.db"))
                        .display()
                );
                Ok(Restored {
                    config,
                    database: None,
                })
            }
            Location::Postgres(url) => {
                let database = format!(
                    "{}_{name}",
                    place
                        .config
                        .store
                        .pg_schema
                        .as_deref()
                        .context("the harness's schema")?
                );
                create_pg_database(&url, &database)?;
                let (base, _) = url.rsplit_once('/').context("a database in the URL")?;
                config.database = format!("{base}/{database}");
                Ok(Restored {
                    config,
                    database: Some((url, database)),
                })
            }
        }
    }

    async fn remove(self) {
        if let Some((url, database)) = &self.database {
            let _ = drop_pg_database(url, database);
        }
    }
}
