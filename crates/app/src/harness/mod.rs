//! `jiedao harness`: proofs that the data is kept, run against a real server process.
//!
//! - `crash`: kills the server with SIGKILL again and again under intake and actions, and after
//!   every restart checks that each acknowledged write is there and the database is whole.
//! - `soak`: a steady mixed load for minutes; memory and latency must not grow; writes a report.
//! - `backup`: `jiedao backup` under load, `jiedao restore` of it, and the two compared.
//!
//! Each runs on SQLite in a fresh directory, or on PostgreSQL (`--database postgres://…`) in a
//! fresh schema dropped afterwards. CI runs all three on both (see `tests/app/harness.rs`).

mod backup;
mod crash;
mod load;
mod soak;

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::bench::Workdir;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum HarnessCommand {
    /// Kill the server at random moments under load; check every acknowledged write after
    /// each restart.
    Crash {
        /// How many times the server is killed.
        #[arg(long, default_value_t = 20)]
        kills: usize,
        #[command(flatten)]
        target: Target,
    },
    /// A steady mixed load; fails if memory or latency grows. Writes a Markdown report.
    Soak {
        #[arg(long, default_value_t = 600)]
        seconds: u64,
        /// Requests per second, all clients together.
        #[arg(long, default_value_t = 40)]
        rate: u32,
        /// Where the report goes (printed as well).
        #[arg(long)]
        report: Option<PathBuf>,
        #[command(flatten)]
        target: Target,
    },
    /// Back up while the server writes, restore the copy, compare.
    Backup {
        #[command(flatten)]
        target: Target,
    },
}

/// Where a harness runs.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// A PostgreSQL URL to run on (a fresh schema in it); SQLite in the directory when omitted.
    #[arg(long)]
    database: Option<String>,
    /// The working directory (a fresh temporary one by default).
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub async fn run(command: HarnessCommand) -> anyhow::Result<()> {
    match command {
        HarnessCommand::Crash { kills, target } => {
            let place = Place::prepare(target).await?;
            let outcome = crash::run(&place, kills).await;
            place.finish().await;
            outcome
        }
        HarnessCommand::Soak {
            seconds,
            rate,
            report,
            target,
        } => {
            let place = Place::prepare(target).await?;
            let outcome = soak::run(&place, seconds, rate, report).await;
            place.finish().await;
            outcome
        }
        HarnessCommand::Backup { target } => {
            let place = Place::prepare(target).await?;
            let outcome = backup::run(&place).await;
            place.finish().await;
            outcome
        }
    }
}

/// A prepared database with the demo street, an intake client and the settings to serve it.
struct Place {
    workdir: Workdir,
    config: Config,
    /// The sensor client's token for `POST /api/v1/cases`.
    client_token: String,
    /// A department cases are dispatched to.
    department: String,
    /// The category cases are filed under (占道经营).
    category: String,
}

impl Place {
    async fn prepare(target: Target) -> anyhow::Result<Place> {
        let workdir = Workdir::new(target.dir)?;
        let mut config = workdir.config();
        if let Some(url) = target.database {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            config.database = url;
            config.store.pg_schema = Some(format!("harness_{}_{nanos}", std::process::id()));
        }
        let store = crate::open_store(&config).await?;
        if config.store.pg_schema.is_some() {
            // PostgreSQL's B-tree checker for `jiedao check`, where the role may install it.
            let _ = store.write(jiedao_store::integrity::install_amcheck).await;
        }
        crate::demo::create(&store).await?;
        let system = jiedao_store::Principal::system("harness");
        let (_, client_token) = store
            .add_client(
                system.scope(),
                system.actor(None),
                "压力测试告警平台".into(),
                crate::demo::STREET.into(),
                jiedao_core::case::Channel::Sensor,
            )
            .await?;
        let scope = system.scope();
        let department = store
            .read(move |conn| jiedao_store::departments::list(conn, &scope))
            .await?
            .into_iter()
            .find(|d| d.name == crate::demo::DEPARTMENTS[0].0)
            .context("the demo's first department")?
            .id
            .to_string();
        let category = store
            .catalog()
            .by_code(load::CATEGORY)
            .context("the category the load reports under")?
            .id
            .to_string();
        crate::backup::close(store).await;
        Ok(Place {
            workdir,
            config,
            client_token,
            department,
            category,
        })
    }

    /// The load's shared settings against a server, signed in as the shift lead.
    async fn load(
        &self,
        server: &crate::bench::Server,
        acknowledged: std::sync::Arc<std::sync::Mutex<load::Acknowledged>>,
    ) -> anyhow::Result<load::Load> {
        Ok(load::Load {
            staff_token: load::sign_in(&server.address).await?,
            address: server.address.clone(),
            client_token: self.client_token.clone(),
            department: self.department.clone(),
            category: self.category.clone(),
            acknowledged,
        })
    }

    /// Drops a PostgreSQL schema the harness made (the directory goes with the workdir).
    async fn finish(self) {
        if let Some(schema) = self.config.store.pg_schema.clone() {
            let url = self.config.database.clone();
            let _ = tokio::task::spawn_blocking(move || {
                jiedao_store::maintenance::drop_pg_schema(&url, &schema)
            })
            .await;
        }
    }
}

/// Opens the database at `config` as a restart does: every case's history length by id, and
/// the whole check's findings.
pub async fn examine(
    config: &crate::config::Config,
) -> anyhow::Result<(HashMap<String, i64>, jiedao_store::integrity::Findings)> {
    let store = crate::open_store(config).await?;
    let stored = store.read(jiedao_store::integrity::history_lengths).await;
    let findings = store.read(jiedao_store::integrity::check).await;
    crate::backup::close(store).await;
    let stored = stored?
        .into_iter()
        .map(|(id, length)| (id.to_string(), length))
        .collect();
    Ok((stored, findings?))
}
