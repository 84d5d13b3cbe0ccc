//! `jiedao bench`: the benchmarks the issues set targets for, runnable by anyone on their own
//! machine. Each builds what it measures in a fresh directory (or `--dir`), runs the server as
//! its own process (`jiedao serve`, so client and server share the machine as they would on a
//! 2-core box and nothing of the client's work hides in the server's), and prints its figures.
//!
//! - `intake`: sustained case intake through `POST /api/v1/cases` (see `intake.rs`).
//! - `pages`: how fast lists, the dashboard and the map answer on the demo street's year.
//! - `registry`: searching a registry of a million persons by name prefix and ID number.
//! - `city`: every page people open all day on a generated city, as three readers.
//! - `stats`: a street's monthly evaluation and the ranking of every street on a generated city.

mod city;
mod intake;
mod pages;
mod registry;
pub mod stats;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Subcommand;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::config::Config;

/// "- met" or "- NOT met", in the operator's language.
fn verdict(met: bool) -> String {
    crate::cli::say(if met { "bench.met" } else { "bench.not_met" }, &[])
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Intake through `POST /api/v1/cases` against a fresh demo street on SQLite.
    Intake {
        /// Concurrent clients, each on its own keep-alive connection.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds measured (after the warm-up).
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Seconds of warm-up, not measured.
        #[arg(long, default_value_t = 3)]
        warmup: u64,
        /// Where to put the database (a fresh temporary directory by default).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Report straight into the store from this process, without HTTP: the store's ceiling.
        #[arg(long)]
        direct: bool,
    },
    /// A street's monthly evaluation and the ranking of all streets on a generated city.
    Stats {
        /// Requests measured per page (after three unmeasured ones).
        #[arg(long, default_value_t = 50)]
        rounds: usize,
        /// Where the city's database is (reused when it is there; generated otherwise).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[command(flatten)]
        size: stats::CitySize,
    },
    /// Searching the registry (人房企物) by name prefix and by the whole ID number.
    Registry {
        /// Persons in the registry.
        #[arg(long, default_value_t = 1_000_000)]
        persons: usize,
        /// Requests measured per search (after three unmeasured ones).
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        /// Where the database is (reused when it is there; written otherwise).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Every page people open all day on a generated city, as the district leader, a street's
    /// shift lead and a department handler, on SQLite or PostgreSQL.
    City {
        /// Requests measured per page (after three unmeasured ones).
        #[arg(long, default_value_t = 50)]
        rounds: usize,
        /// Where the city's database (SQLite) and files are (reused when it holds cases).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The city's database instead of SQLite in `--dir`: a `postgres://` URL (reused when
        /// it holds cases, generated otherwise).
        #[arg(long)]
        database: Option<String>,
        #[command(flatten)]
        size: stats::CitySize,
    },
    /// Lists, the dashboard, the map and the export on the demo street with a year of cases.
    Pages {
        /// Requests measured per page (after three unmeasured ones).
        #[arg(long, default_value_t = 50)]
        rounds: usize,
        /// Where to put the database (a fresh temporary directory by default).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Intake {
            clients,
            seconds,
            warmup,
            dir,
            direct,
        } => {
            let (measured, warmup) = (Duration::from_secs(seconds), Duration::from_secs(warmup));
            if direct {
                intake::direct(clients, measured, warmup, dir).await
            } else {
                intake::through_http(clients, measured, warmup, dir).await
            }
        }
        BenchCommand::Pages { rounds, dir } => pages::run(rounds, dir).await,
        BenchCommand::Registry {
            persons,
            rounds,
            dir,
        } => registry::run(persons, rounds, dir).await,
        BenchCommand::Stats { rounds, dir, size } => stats::run(rounds, dir, size).await,
        BenchCommand::City {
            rounds,
            dir,
            database,
            size,
        } => city::run(rounds, dir, database, size).await,
    }
}

/// Where a run keeps its files; a directory it made itself is removed afterwards.
pub(crate) struct Workdir {
    pub(crate) path: PathBuf,
    temporary: bool,
}

impl Drop for Workdir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

impl Workdir {
    /// `dir`, or a fresh directory under the system's temporary one.
    pub(crate) fn new(dir: Option<PathBuf>) -> anyhow::Result<Workdir> {
        let workdir = match dir {
            Some(path) => Workdir {
                path,
                temporary: false,
            },
            None => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                Workdir {
                    path: std::env::temp_dir()
                        .join(format!("jiedao-bench-{}-{nanos}", std::process::id())),
                    temporary: true,
                }
            }
        };
        std::fs::create_dir_all(&workdir.path)?;
        Ok(workdir)
    }

    /// The benchmark's database and files, all in the directory, on default settings but for
    /// the API allowance, which is lifted.
    pub(crate) fn config(&self) -> Config {
        bench_config(&self.path)
    }
}

fn bench_config(dir: &Path) -> Config {
    let mut config = Config {
        database: format!("sqlite://{}", dir.join("bench.db").display()),
        files: dir.join("files"),
        ..Config::default()
    };
    config.store.data_key_file = Some(dir.join("data.key"));
    // A benchmark's server has one caller, the benchmark: the allowance per caller that guards
    // a deployment would measure the limiter, not the work (all but the first few hundred
    // intakes were 429).
    config.web.api_per_minute = u32::MAX;
    config
}

/// `jiedao serve` on `config`, as a child process killed when this is dropped.
pub(crate) struct Server {
    child: tokio::process::Child,
    pub(crate) address: String,
}

impl Server {
    pub(crate) async fn start(config: &Config) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut command = tokio::process::Command::new(std::env::current_exe()?);
        command
            .args(["serve", "--database", &config.database, "--bind", &address])
            .env("JIEDAO_FILES", &config.files)
            .env("JIEDAO_DATA_KEY_FILE", config.data_key_path())
            .env(
                "JIEDAO_API_PER_MINUTE",
                config.web.api_per_minute.to_string(),
            )
            .env("RUST_LOG", "warn")
            .kill_on_drop(true);
        if let Some(schema) = &config.store.pg_schema {
            command.env("JIEDAO_PG_SCHEMA", schema);
        }
        let child = command
            .spawn()
            .with_context(|| crate::cli::say("bench.starting_server", &[]))?;
        let server = Server { child, address };
        for _ in 0..200 {
            if let Ok(mut stream) = TcpStream::connect(&server.address).await {
                let mut buffer = Vec::new();
                let ok = exchange(
                    &mut stream,
                    &mut buffer,
                    b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                )
                .await;
                if matches!(ok, Ok(200)) {
                    return Ok(server);
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(crate::cli::say("bench.server_not_up", &[]))
    }

    /// Stops the server with SIGKILL: no shutdown, no flush, as a crash or a power-cut process.
    pub(crate) async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

/// One HTTP/1.1 request on a kept-alive connection; the answer's body is left in `buffer`
/// after its head. Returns the status code.
pub(crate) async fn exchange(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    request: &[u8],
) -> anyhow::Result<u16> {
    stream.write_all(request).await?;
    buffer.clear();
    let (header_end, status, length) = loop {
        buffer.reserve(8192);
        if stream.read_buf(buffer).await? == 0 {
            bail!("the server closed the connection");
        }
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(buffer.get(..end).unwrap_or_default())?;
            let status: u16 = head
                .get(9..12)
                .and_then(|s| s.parse().ok())
                .context("status line")?;
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .context("the answer has no Content-Length")?;
            break (end + 4, status, length);
        }
    };
    while buffer.len() < header_end + length {
        buffer.reserve(8192);
        if stream.read_buf(buffer).await? == 0 {
            bail!("the server closed the connection mid-answer");
        }
    }
    Ok(status)
}

/// The per-mille point of sorted microseconds, in milliseconds.
/// Asks for `path` on one kept-alive connection `rounds` times (after three unmeasured asks)
/// with the session `token`; returns the sorted latencies in microseconds and the last
/// answer's size in KiB.
async fn time_page(
    address: &str,
    path: &str,
    token: &str,
    rounds: usize,
) -> anyhow::Result<(Vec<u32>, f64)> {
    let mut stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: jiedao_session={token}; jiedao_lang=zh-CN\r\n\r\n"
    );
    let mut buffer = Vec::new();
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds + 3 {
        let began = std::time::Instant::now();
        let status = exchange(&mut stream, &mut buffer, request.as_bytes()).await?;
        if status != 200 {
            bail!(crate::cli::say(
                "bench.page_status",
                &[("path", path.to_owned()), ("status", status.to_string())]
            ));
        }
        if round >= 3 {
            latencies.push(u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX));
        }
    }
    latencies.sort_unstable();
    #[expect(clippy::cast_precision_loss, reason = "a size")]
    let kib = buffer.len() as f64 / 1024.0;
    Ok((latencies, kib))
}

pub(crate) fn percentile(sorted: &[u32], per_mille: usize) -> f64 {
    let index = (sorted.len() * per_mille / 1000).min(sorted.len().saturating_sub(1));
    sorted
        .get(index)
        .map_or(0.0, |micros| f64::from(*micros) / 1000.0)
}
