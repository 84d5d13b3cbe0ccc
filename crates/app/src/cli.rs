//! The command line: `jiedao serve | demo | migrate | import | org | department | category |
//! platform | client | user | backup | restore | check | audit | harness`. Commands act as a named system
//! task (`system:cli` in the audit log); what they print, refusals included, is in the
//! operator's language (`JIEDAO_LANG`, else `LANG`, else Chinese), `--help` included
//! ([`help`]). Setting a street up
//! (units, departments, platforms, clients, users) is in [`setup`].

pub mod help;
mod setup;

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use jiedao_core::{Lang, Localized};
use jiedao_store::audit::{self, Verdict};
use jiedao_store::{Principal, Refusal, StoreError};
use tokio::net::TcpListener;

pub use setup::{
    CategoryCommand, ClientCommand, DepartmentCommand, OrgCommand, PlatformCommand, UserCommand,
};

use crate::config::Config;
use crate::demo;

#[derive(Debug, Parser)]
#[command(
    name = "jiedao",
    version,
    about = "街道治理平台 jiedao: the governance platform of a sub-district office"
)]
pub struct Cli {
    /// A TOML configuration file (also JIEDAO_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct DatabaseArg {
    /// sqlite://FILE or postgres://user@host/database (also JIEDAO_DATABASE).
    #[arg(long)]
    pub database: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application.
    Serve {
        #[command(flatten)]
        db: DatabaseArg,
        /// Address to listen on (also JIEDAO_BIND).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Create (or reuse) the demo street in a local SQLite file and serve it.
    Demo {
        /// Where the demo lives; defaults to sqlite://jiedao-demo.db in this directory.
        #[arg(long, default_value = "sqlite://jiedao-demo.db")]
        database: String,
        #[arg(long)]
        bind: Option<String>,
        /// Throw away an existing demo database and build a new one.
        #[arg(long)]
        fresh: bool,
    },
    /// Fill a database with a generated city's cases (for benchmarks; see README.md).
    Generate {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        size: crate::bench::stats::CitySize,
    },
    /// Statistics: rebuild the rollups from the case histories.
    Stats {
        #[command(subcommand)]
        action: StatsCommand,
    },
    /// Apply the database migrations and stop.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Load data from files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Units of the organisation tree.
    Org {
        #[command(subcommand)]
        action: OrgCommand,
    },
    /// Handling departments.
    Department {
        #[command(subcommand)]
        action: DepartmentCommand,
    },
    /// Case categories: their codes, names and limits.
    Category {
        #[command(subcommand)]
        action: CategoryCommand,
    },
    /// The platform sets departments are grouped by, with their codes.
    Platform {
        #[command(subcommand)]
        action: PlatformCommand,
    },
    /// Users and passwords.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Make a consistent copy of the database while it runs.
    Backup {
        #[command(flatten)]
        db: DatabaseArg,
        /// The file to write (SQLite) or the dump file (PostgreSQL, through pg_dump).
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of a database that does not exist yet, checking it first.
    Restore {
        #[command(flatten)]
        db: DatabaseArg,
        /// The backup: a SQLite file from `jiedao backup`, or a pg_dump custom-format file.
        #[arg(long)]
        from: PathBuf,
    },
    /// Check the database whole: the engine's integrity check, every case's history against
    /// its row, the audit chain, and the rollups against a fresh count of the histories.
    Check {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Systems that report through the API.
    Client {
        #[command(subcommand)]
        action: ClientCommand,
    },
    /// Run the ticker once: mark overdue steps, supervise by rule, work out pending deadlines.
    Tick {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Crash, soak and backup proofs against a real server (see README.md, Keeping the data).
    Harness {
        #[command(subcommand)]
        what: crate::harness::HarnessCommand,
    },
    /// Measure intake throughput through HTTP (see README.md, Benchmarks).
    Bench {
        #[command(subcommand)]
        what: crate::bench::BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Empty the rollups and count every case history again.
    Rebuild {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Set the evaluation rules: composite weights, grade bands, what counts as content and
    /// what rework is taken over (DOMAIN.md's defaults until set).
    Rules {
        #[command(flatten)]
        db: DatabaseArg,
        /// Weights of closure, on-time handling, (1 - rework) and volume; they add up to 100.
        #[arg(long, value_delimiter = ',', num_args = 4, default_values_t = [30.0, 30.0, 30.0, 10.0])]
        weights: Vec<f64>,
        /// Lowest scores of grades A, B, C and D.
        #[arg(long, value_delimiter = ',', num_args = 4, default_values_t = [90.0, 75.0, 60.0, 40.0])]
        bands: Vec<f64>,
        /// Count 基本满意 as content in 满意率.
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        fairly_satisfied_counts: bool,
        /// Take 返工率 over cases due to close (`due`) or over cases filed (`filed`).
        #[arg(long, default_value = "due")]
        rework_base: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Boundaries of communities, grids and micro-grids from a GeoJSON FeatureCollection with
    /// `code` and `name` properties. Checked whole; nothing is loaded if anything is wrong.
    Grids {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// A year's holiday schedule (the State Council's notice) in the format of the seed file.
    Holidays {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// 12345 work orders from an exported spreadsheet (.xlsx or .csv) into a street.
    Hotline {
        file: PathBuf,
        /// The street's 12-digit code.
        #[arg(long)]
        street: String,
        /// Import the good rows and list the bad ones (default: nothing if any row is bad).
        #[arg(long)]
        skip_bad_rows: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log; fails if a record was edited or deleted.
    Verify {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// The command line as the operator reads it: `--help` in their language ([`help`]).
pub fn command() -> clap::Command {
    help::localize(<Cli as clap::CommandFactory>::command(), operator_lang())
}

/// Reads the process's arguments; `--help`, `--version` and mistakes print and exit.
pub fn parse() -> Cli {
    let mut command = command();
    let matches = command.get_matches_mut();
    <Cli as clap::FromArgMatches>::from_arg_matches(&matches)
        .unwrap_or_else(|error| error.format(&mut command).exit())
}

/// A message in the operator's language.
pub fn say(key: &str, args: &[(&str, String)]) -> String {
    jiedao_core::i18n::format(operator_lang(), key, args)
}

/// The operator's language for messages.
pub(crate) fn operator_lang() -> Lang {
    ["JIEDAO_LANG", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().as_deref().and_then(Lang::parse))
        .unwrap_or_default()
}

/// A store error as the operator should read it: refusals in their language, one per line.
fn explain(error: StoreError) -> anyhow::Error {
    let lang = operator_lang();
    match error {
        StoreError::Refused(Refusal::Boundaries(problems)) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| format!("  - {}", p.localize(lang)))
                .collect();
            let header = jiedao_core::i18n::format(
                lang,
                "refusal.boundaries_header",
                &[("count", problems.len().to_string())],
            );
            anyhow::anyhow!("{header}\n{}", lines.join("\n"))
        }
        StoreError::Refused(refusal) => anyhow::anyhow!(refusal.localize(lang)),
        fault => anyhow::Error::new(fault),
    }
}

fn load(cli_config: Option<&PathBuf>, db: &DatabaseArg) -> anyhow::Result<Config> {
    let mut config = Config::load(cli_config.map(PathBuf::as_path), |name| {
        std::env::var(name).ok()
    })?;
    if let Some(database) = &db.database {
        config.database = database.clone();
    }
    Ok(config)
}

/// A text file's content; the error names it.
fn read_file(file: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file)
        .with_context(|| say("cli.reading", &[("file", file.display().to_string())]))
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .with_context(|| say("cli.reading_password", &[]))?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false));
    }
    Ok((jiedao_store::auth::random_token()?[..16].to_owned(), true))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let system = Principal::system("cli");
    let config_file = cli.config.as_ref();
    match cli.command {
        Command::Serve { db, bind } => {
            let mut config = load(config_file, &db)?;
            if let Some(bind) = bind {
                config.bind = bind;
            }
            let store = crate::open_store(&config).await?;
            let listener = TcpListener::bind(&config.bind)
                .await
                .with_context(|| say("cli.listening", &[("address", config.bind.clone())]))?;
            tracing::info!(address = %listener.local_addr()?, "serving");
            crate::serve(listener, store, config.web_config()).await
        }
        Command::Demo {
            database,
            bind,
            fresh,
        } => run_demo(config_file, database, bind, fresh).await,
        Command::Migrate { db } => {
            let config = load(config_file, &db)?;
            let store = crate::open_store(&config).await?;
            let applied = store
                .read(jiedao_store::maintenance::migrations_applied)
                .await?;
            println!("{}", say("cli.migrated", &[("count", applied.to_string())]));
            Ok(())
        }
        Command::Import {
            what: ImportCommand::Grids { file, db },
        } => {
            let text = read_file(&file)?;
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let summary = store
                .import_boundaries(&system.scope(), system.actor(None), text)
                .await
                .map_err(explain)?;
            println!(
                "{}",
                say(
                    "cli.boundaries_imported",
                    &[
                        ("created", summary.created.len().to_string()),
                        ("updated", summary.updated.len().to_string()),
                        ("area", format!("{:.2}", summary.area_m2 / 1_000_000.0)),
                    ]
                )
            );
            Ok(())
        }
        Command::Import {
            what: ImportCommand::Holidays { file, db },
        } => {
            let text = read_file(&file)?;
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
            let imported = store
                .write(move |conn| jiedao_store::calendar::import(conn, &scope, &actor, at, &text))
                .await
                .map_err(explain)?;
            store.reload().await?;
            // The queued job does the same for a running server; done here, the count is known
            // (and the job then finds nothing left to do).
            let mut recomputed = match imported.changed {
                Some(days) => store.recompute_clocks(days).await?,
                None => 0,
            };
            recomputed += store.tick().await?.recomputed;
            let years: Vec<String> = imported.years.iter().map(i32::to_string).collect();
            println!(
                "{}",
                say(
                    "cli.holidays_imported",
                    &[
                        ("years", years.join(", ")),
                        ("recomputed", recomputed.to_string())
                    ]
                )
            );
            Ok(())
        }
        Command::Import {
            what:
                ImportCommand::Hotline {
                    file,
                    street,
                    skip_bad_rows,
                    db,
                },
        } => import_hotline(config_file, &system, &file, &street, skip_bad_rows, &db).await,
        Command::Client { action } => setup::client(config_file, &system, action).await,
        Command::Platform { action } => setup::platform(config_file, action).await,
        Command::Category { action } => setup::category(config_file, action).await,
        Command::Tick { db } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let report = store.tick().await?;
            println!(
                "{}",
                say(
                    "cli.ticked",
                    &[
                        ("overdue", report.overdue.to_string()),
                        ("supervised", report.supervised.to_string()),
                        ("recomputed", report.recomputed.to_string()),
                    ]
                )
            );
            Ok(())
        }
        Command::Bench { what } => crate::bench::run(what).await,
        Command::Harness { what } => crate::harness::run(what).await,
        Command::Generate { db, size } => {
            crate::bench::stats::build(&load(config_file, &db)?, &size).await
        }
        Command::Stats {
            action: StatsCommand::Rebuild { db },
        } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let cases = store
                .write(jiedao_store::stats::rollup::rebuild)
                .await
                .map_err(explain)?;
            println!(
                "{}",
                say("cli.rollups_rebuilt", &[("cases", cases.to_string())])
            );
            Ok(())
        }
        Command::Stats {
            action:
                StatsCommand::Rules {
                    db,
                    weights,
                    bands,
                    fairly_satisfied_counts,
                    rework_base,
                },
        } => {
            let four = |values: Vec<f64>| <[f64; 4]>::try_from(values).ok();
            let rework_base = match rework_base.as_str() {
                "due" => jiedao_core::evaluation::ReworkBase::Due,
                "filed" => jiedao_core::evaluation::ReworkBase::Filed,
                other => bail!(say("cli.bad_rework_base", &[("value", other.to_owned())])),
            };
            let (Some(weights), Some(bands)) = (four(weights), four(bands)) else {
                bail!(say("cli.bad_weights", &[]));
            };
            let rules = jiedao_core::evaluation::Rules {
                fairly_satisfied_counts,
                rework_base,
                weights,
                bands,
            };
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let admin = Principal::system("stats rules");
            let at = store.now();
            let shown = serde_json::to_string(&rules)?;
            store
                .write(move |conn| {
                    jiedao_store::stats::evaluation::set_rules(conn, &admin, &rules, at)
                })
                .await
                .map_err(explain)?;
            println!("{}", say("cli.rules_set", &[("rules", shown)]));
            Ok(())
        }
        Command::Org { action } => setup::org(config_file, &system, action).await,
        Command::Department { action } => setup::department(config_file, &system, action).await,
        Command::User { action } => setup::user(config_file, &system, action).await,
        Command::Backup { db, to } => crate::backup::backup(&load(config_file, &db)?, &to).await,
        Command::Restore { db, from } => {
            crate::backup::restore(&load(config_file, &db)?, &from).await
        }
        Command::Check { db } => {
            let findings = crate::backup::check(&load(config_file, &db)?).await?;
            crate::backup::report(&findings);
            if !findings.problems.is_empty() {
                bail!(say("cli.check_failed", &[]));
            }
            Ok(())
        }
        Command::Audit {
            action: AuditCommand::Verify { db },
        } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            match store.read(audit::verify).await? {
                Verdict::Intact { records } => {
                    println!(
                        "{}",
                        say("cli.audit_intact", &[("records", records.to_string())])
                    );
                    Ok(())
                }
                Verdict::Broken { seq, reason } => bail!(say(
                    "cli.audit_broken",
                    &[("seq", seq.to_string()), ("reason", format!("{reason:?}"))]
                )),
            }
        }
    }
}

async fn import_hotline(
    config_file: Option<&PathBuf>,
    system: &Principal,
    file: &std::path::Path,
    street: &str,
    skip_bad_rows: bool,
    db: &DatabaseArg,
) -> anyhow::Result<()> {
    use jiedao_store::cases::hotline::{Mapping, Mode, Target};
    let bytes = std::fs::read(file)
        .with_context(|| say("cli.reading", &[("file", file.display().to_string())]))?;
    let lang = operator_lang();
    let sheet =
        jiedao_reports::Sheet::read(&bytes).map_err(|e| anyhow::anyhow!(e.localize(lang)))?;
    let store = crate::open_store(&load(config_file, db)?).await?;
    let code = street.to_owned();
    let unit = store
        .read(move |conn| jiedao_store::org::current_by_code(conn, &code))
        .await?
        .filter(|u| u.kind == jiedao_core::OrgKind::Street)
        .with_context(|| say("cli.no_street", &[("code", street.to_owned())]))?;
    let bar = indicatif::ProgressBar::new(sheet.rows.len() as u64);
    let target = Target {
        street: unit.id,
        street_path: unit.path,
        actor: jiedao_store::cases::EventActor {
            user_id: None,
            name: system.username().to_owned(),
            role: None,
            ip: None,
        },
    };
    let mode = if skip_bad_rows {
        Mode::SkipBadRows
    } else {
        Mode::AllOrNothing
    };
    let progress_bar = bar.clone();
    let outcome = store
        .import_hotline(
            &sheet,
            &Mapping::default(),
            mode,
            target,
            &move |done, _| progress_bar.set_position(done as u64),
        )
        .await?;
    bar.finish_and_clear();
    for problem in &outcome.problems {
        println!(
            "{}",
            say(
                "cli.row_problem",
                &[
                    ("row", problem.row.to_string()),
                    ("column", problem.column.to_string()),
                    ("problem", problem.message(lang)),
                ]
            )
        );
    }
    println!(
        "{}",
        say(
            if outcome.written {
                "cli.hotline_imported"
            } else {
                "cli.hotline_not_written"
            },
            &[
                ("rows", outcome.rows.to_string()),
                ("imported", outcome.imported.len().to_string()),
                ("already", outcome.already.len().to_string()),
                ("problems", outcome.problems.len().to_string()),
            ]
        )
    );
    if outcome.problems.is_empty() || outcome.written {
        Ok(())
    } else {
        bail!(say("cli.nothing_imported", &[]))
    }
}

async fn run_demo(
    config_file: Option<&PathBuf>,
    database: String,
    bind: Option<String>,
    fresh: bool,
) -> anyhow::Result<()> {
    let mut config = Config::load(config_file.map(PathBuf::as_path), |name| {
        std::env::var(name).ok()
    })?;
    config.database = database;
    if let Some(bind) = bind {
        config.bind = bind;
    }
    // The demo is served over plain HTTP on this machine, where a Secure cookie would not stick.
    config.web.cookie_secure = false;
    // Its photos sit beside its database, not wherever the default points; `--fresh` removes
    // them only then (never a directory someone configured).
    let own_files = config.files == Config::default().files;
    if own_files && let Some(path) = config.database.strip_prefix("sqlite://") {
        config.files = format!("{path}-files").into();
    }
    if fresh && let Some(path) = config.database.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{path}{suffix}");
            if std::path::Path::new(&file).exists() {
                std::fs::remove_file(&file)
                    .with_context(|| say("cli.removing", &[("file", file.clone())]))?;
            }
        }
        if own_files && config.files.exists() {
            std::fs::remove_dir_all(&config.files).with_context(|| {
                say(
                    "cli.removing",
                    &[("file", config.files.display().to_string())],
                )
            })?;
        }
    }
    let mut store = crate::open_store(&config).await?;
    let reused = demo::exists(&store).await?;
    if !reused {
        drop(store);
        eprintln!(
            "正在生成演示街道和一年的案件 / building the demo street and a year of cases ..."
        );
        let summary = demo::build(&config, 365).await?;
        eprintln!(
            "  {} 件案件，{} 次办理，{} 次走访 / cases, actions, visits",
            summary.reported, summary.actions, summary.visits
        );
        store = crate::open_store(&config).await?;
    }
    let listener = TcpListener::bind(&config.bind)
        .await
        .with_context(|| say("cli.listening", &[("address", config.bind.clone())]))?;
    let address = listener.local_addr()?;
    print!(
        "{}",
        demo_banner(&config.database, reused, &address.to_string())
    );
    crate::serve(listener, store, config.web_config()).await
}

/// What `jiedao demo` prints: where to go and how to log in.
pub fn demo_banner(database: &str, reused: bool, address: &str) -> String {
    let mut text = format!(
        "\njiedao 演示街道 / demo street: {} ({})\n  数据 / data: {database}{}\n  打开 / open: http://{address}/\n  登录 / logins (密码 password: {}):\n",
        demo::STREET_NAME,
        demo::STREET,
        if reused {
            " (reused / 沿用已有数据)"
        } else {
            ""
        },
        demo::PASSWORD,
    );
    for (username, role) in demo::LOGINS {
        let covers = match role {
            jiedao_core::Role::DepartmentHandler => {
                format!("  ({} / the default department)", demo::HANDLER_DEPARTMENT)
            }
            jiedao_core::Role::GridWorker => format!("  ({})", demo::gridworker_grid()),
            _ => String::new(),
        };
        text.push_str(&format!(
            "    {username:<12} {}  {}{covers}\n",
            jiedao_core::i18n::text(Lang::ZhCn, role.label_key()),
            jiedao_core::i18n::text(Lang::En, role.label_key()),
        ));
    }
    text.push_str(
        "  每个部门、社区和网格都有自己的账号 / every department, community and grid has its own:\n    dept01…dept11, c01staff…c10staff, gw011…gw106（jiedao user list）\n",
    );
    text.push_str("  按 Ctrl-C 停止 / press Ctrl-C to stop\n");
    text
}
