//! `jiedao bench intake`: sustained intake through HTTP, as the case engine's target is stated
//! (64 concurrent clients; every intake checked, located, given its deadlines, recorded in
//! history and durably committed before the answer), and in the same run the rate of
//! single-row durable commits on a SQLite file with the same settings, and their ratio.
//!
//! The server runs as its own process (`jiedao serve`), so client and server share the machine
//! as they would on a 2-core box, and nothing of the client's work is hidden in the server's.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Subcommand;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::config::Config;
use crate::demo;

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
        dir: Option<std::path::PathBuf>,
        /// Report straight into the store from this process, without HTTP: the store's ceiling.
        #[arg(long)]
        direct: bool,
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
                intake_direct(clients, measured, warmup, dir).await
            } else {
                intake(clients, measured, warmup, dir).await
            }
        }
    }
}

/// A deterministic stream of points over the demo street.
struct Points(u64);

impl Points {
    fn next(&mut self) -> (f64, f64) {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        #[expect(clippy::cast_precision_loss, reason = "a fraction")]
        let unit = |bits: u64| (bits >> 11) as f64 / (1_u64 << 53) as f64;
        let (a, b) = (unit(self.0), unit(self.0.rotate_left(29)));
        (120.086 + a * 0.038, 30.283 + b * 0.022)
    }
}

/// One HTTP/1.1 request on a kept-alive connection; returns the status code.
async fn post(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    token: &str,
    key: &str,
    body: &str,
) -> anyhow::Result<u16> {
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        "/api/v1/cases",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    buffer.clear();
    let (header_end, status, length) = loop {
        let mut chunk = [0_u8; 4096];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            bail!("the server closed the connection");
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end])?;
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
                .unwrap_or(0);
            break (end + 4, status, length);
        }
    };
    while buffer.len() < header_end + length {
        let mut chunk = [0_u8; 4096];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            bail!("the server closed the connection mid-answer");
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    Ok(status)
}

struct ClientResult {
    latencies_us: Vec<u32>,
    created: u64,
    failed: u64,
}

async fn client(
    address: String,
    token: String,
    number: usize,
    warmup_until: Instant,
    until: Instant,
) -> anyhow::Result<ClientResult> {
    let mut stream = TcpStream::connect(&address).await?;
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(8192);
    let mut points = Points(number as u64 + 1);
    let mut result = ClientResult {
        latencies_us: Vec::with_capacity(1 << 16),
        created: 0,
        failed: 0,
    };
    let mut sequence = 0_u64;
    loop {
        let now = Instant::now();
        if now >= until {
            return Ok(result);
        }
        sequence += 1;
        let (lon, lat) = points.next();
        let body = format!(
            r#"{{"description":"智慧告警：疑似占道经营 {number}-{sequence}","category":"E0502","lon":{lon:.6},"lat":{lat:.6}}}"#
        );
        let key = format!("bench-{number}-{sequence}");
        let status = post(&mut stream, &mut buffer, &token, &key, &body).await?;
        if now >= warmup_until {
            let elapsed = u32::try_from(now.elapsed().as_micros()).unwrap_or(u32::MAX);
            result.latencies_us.push(elapsed);
            if status == 201 {
                result.created += 1;
            } else {
                result.failed += 1;
            }
        }
    }
}

fn percentile(sorted: &[u32], per_mille: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = (sorted.len() * per_mille / 1000).min(sorted.len() - 1);
    f64::from(sorted[index]) / 1000.0
}

/// The benchmark's database and files, all in `dir`, on otherwise default settings.
fn bench_config(dir: &std::path::Path) -> Config {
    Config {
        database: format!("sqlite://{}", dir.join("bench.db").display()),
        files: dir.join("files"),
        ..Config::default()
    }
}

/// Builds the demo street and a sensor client; returns the client's token.
async fn prepare(config: &Config) -> anyhow::Result<String> {
    let store = crate::open_store(config).await?;
    demo::create(&store).await?;
    let system = jiedao_store::Principal::system("bench");
    let (_, token) = store
        .add_client(
            system.scope(),
            system.actor(None),
            "压测告警平台".into(),
            demo::STREET.into(),
            jiedao_core::case::Channel::Sensor,
        )
        .await?;
    Ok(token)
}

/// The same load straight into the store: no HTTP, no JSON, the same checks and writes.
async fn intake_direct(
    clients: usize,
    measured: Duration,
    warmup: Duration,
    dir: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    use jiedao_store::cases::{EventActor, NewReport, Reporter};
    let (_workdir, config, _) = setup(dir).await?;
    let store = crate::open_store(&config).await?;
    let client = store.clients();
    let sensor = client_of(&store).await?;
    drop(client);
    let start = Instant::now();
    let (warmup_until, until) = (start + warmup, start + warmup + measured);
    let mut tasks = Vec::new();
    for number in 0..clients {
        let (store, sensor) = (store.clone(), sensor.clone());
        tasks.push(tokio::spawn(async move {
            let mut points = Points(number as u64 + 1);
            let mut latencies = Vec::new();
            let mut sequence = 0_u64;
            while Instant::now() < until {
                sequence += 1;
                let (lon, lat) = points.next();
                let began = Instant::now();
                let new = NewReport {
                    channel: sensor.channel,
                    category: store.catalog().by_code("E0502").map(|e| e.id),
                    urgency: None,
                    description: format!("智慧告警：疑似占道经营 {number}-{sequence}"),
                    lon: Some(lon),
                    lat: Some(lat),
                    address: None,
                    street: Some((sensor.street_id, sensor.street_path.clone())),
                    external_ref: None,
                    reporter: Reporter::default(),
                    idempotency: Some((sensor.id, format!("direct-{number}-{sequence}"))),
                    public_only: false,
                };
                let actor = EventActor {
                    user_id: None,
                    name: "bench".into(),
                    role: None,
                    ip: None,
                };
                store.report(new, actor, Vec::new()).await?;
                if began >= warmup_until {
                    latencies.push(u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX));
                }
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    latencies.sort_unstable();
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = latencies.len() as f64 / measured.as_secs_f64();
    println!(
        "intake straight into the store (no HTTP), {clients} concurrent reporters, {}s measured:",
        measured.as_secs()
    );
    println!("  intake rate:              {rate:.0} cases/s");
    println!(
        "  latency p50 / p99:        {:.2} / {:.2} ms",
        percentile(&latencies, 500),
        percentile(&latencies, 990)
    );
    Ok(())
}

async fn client_of(
    store: &jiedao_store::Store,
) -> anyhow::Result<jiedao_store::clients::IntakeClient> {
    let system = jiedao_store::Principal::system("bench");
    let scope = system.scope();
    let clients = store
        .read(move |conn| jiedao_store::clients::list(conn, &scope))
        .await?;
    Ok(clients.into_iter().next().context("the bench client")?.0)
}

async fn wait_for(address: &str) -> anyhow::Result<()> {
    for _ in 0..200 {
        if let Ok(mut stream) = TcpStream::connect(address).await {
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await?;
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await?;
            if answer.starts_with(b"HTTP/1.1 200") {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the server did not come up")
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn count_cases(config: &Config) -> anyhow::Result<i64> {
    let store = crate::open_store(config).await?;
    Ok(store
        .read(|conn| conn.scalar("SELECT COUNT(*) FROM case_file", &[]))
        .await?)
}

async fn intake(
    clients: usize,
    measured: Duration,
    warmup: Duration,
    dir: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let (workdir, config, token) = setup(dir).await?;
    let port = free_port()?;
    let address = format!("127.0.0.1:{port}");
    let mut server = tokio::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--database", &config.database, "--bind", &address])
        .env("JIEDAO_FILES", &config.files)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .context("starting the server")?;
    wait_for(&address).await?;
    let before = count_cases(&config).await?;
    eprintln!(
        "{clients} clients, {}s warm-up, {}s measured ...",
        warmup.as_secs(),
        measured.as_secs()
    );
    let start = Instant::now();
    let (warmup_until, until) = (start + warmup, start + warmup + measured);
    let mut tasks = Vec::with_capacity(clients);
    for number in 0..clients {
        tasks.push(tokio::spawn(client(
            address.clone(),
            token.clone(),
            number,
            warmup_until,
            until,
        )));
    }
    let mut latencies = Vec::new();
    let (mut created, mut failed) = (0_u64, 0_u64);
    for task in tasks {
        let result = task.await??;
        latencies.extend(result.latencies_us);
        created += result.created;
        failed += result.failed;
    }
    let _ = server.kill().await;
    latencies.sort_unstable();
    let total_cases = count_cases(&config).await? - before;
    eprintln!("measuring single-row durable commits on the same settings ...");
    let rate_path = workdir.path.join("single-row.db");
    let raw = tokio::task::spawn_blocking(move || {
        jiedao_store::db::open::single_row_commit_rate(
            &rate_path,
            jiedao_store::Durability::Full,
            Duration::from_secs(5),
        )
    })
    .await??;
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = created as f64 / measured.as_secs_f64();
    println!(
        "intake through HTTP, SQLite (synchronous=FULL), {clients} concurrent clients, {}s measured:",
        measured.as_secs()
    );
    println!("  cases created:            {created} ({failed} failed)");
    println!("  intake rate:              {rate:.0} cases/s");
    println!(
        "  latency p50 / p99 / max:  {:.2} / {:.2} / {:.2} ms",
        percentile(&latencies, 500),
        percentile(&latencies, 990),
        latencies.last().map_or(0.0, |l| f64::from(*l) / 1000.0)
    );
    println!("  cases in the database:    {total_cases} (warm-up included)");
    println!("single-row durable commits on the same file settings: {raw:.0} commits/s");
    println!(
        "ratio, intake rate / single-row commit rate: {:.1}x",
        rate / raw
    );
    Ok(())
}

/// Where a run keeps its files; a directory it made itself is removed afterwards.
struct Workdir {
    path: std::path::PathBuf,
    temporary: bool,
}

impl Drop for Workdir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The working directory (`dir`, or a fresh temporary one), the settings on it, and the
/// demo street in it with the bench client's token.
async fn setup(dir: Option<std::path::PathBuf>) -> anyhow::Result<(Workdir, Config, String)> {
    let workdir = match dir {
        Some(path) => Workdir {
            path,
            temporary: false,
        },
        None => Workdir {
            path: std::env::temp_dir().join(format!("jiedao-bench-{}", run_id())),
            temporary: true,
        },
    };
    std::fs::create_dir_all(&workdir.path)?;
    let config = bench_config(&workdir.path);
    eprintln!("preparing the demo street in {} ...", config.database);
    let token = prepare(&config).await?;
    Ok((workdir, config, token))
}

fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{nanos}", std::process::id())
}
