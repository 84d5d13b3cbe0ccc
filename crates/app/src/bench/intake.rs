//! `jiedao bench intake`: sustained intake through HTTP, as the case engine's target is stated
//! (64 concurrent clients; every intake checked, located, given its deadlines, recorded in
//! history and durably committed before the answer), and in the same run the rate of
//! single-row durable commits on a SQLite file with the same settings, and their ratio.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::net::TcpStream;

use super::{Server, Workdir, exchange, percentile};
use crate::cli::say;
use crate::config::Config;
use crate::demo;

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

/// Posts one case; returns the status code.
async fn post(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    token: &str,
    key: &str,
    body: &str,
) -> anyhow::Result<u16> {
    let request = format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Idempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(stream, buffer, request.as_bytes()).await
}

struct ClientResult {
    latencies_us: Vec<u32>,
    /// 2xx answers after the warm-up.
    created: u64,
    /// Every answer that was not 2xx, warm-up included, by status.
    failed: BTreeMap<u16, u64>,
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
        failed: BTreeMap::new(),
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
        let succeeded = (200..300).contains(&status);
        if !succeeded {
            *result.failed.entry(status).or_default() += 1;
        }
        if now >= warmup_until {
            let elapsed = u32::try_from(now.elapsed().as_micros()).unwrap_or(u32::MAX);
            result.latencies_us.push(elapsed);
            if succeeded {
                result.created += 1;
            }
        }
    }
}

/// Builds the demo street and a sensor client in the working directory; returns the settings
/// and the client's token.
async fn prepare(workdir: &Workdir) -> anyhow::Result<(Config, String)> {
    let config = workdir.config();
    eprintln!(
        "{}",
        say("bench.preparing", &[("database", config.database.clone())])
    );
    let store = crate::open_store(&config).await?;
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
    Ok((config, token))
}

/// The same load straight into the store: no HTTP, no JSON, the same checks and writes.
pub(super) async fn direct(
    clients: usize,
    measured: Duration,
    warmup: Duration,
    dir: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    use jiedao_store::cases::{EventActor, Face, NewReport, Reporter};
    let workdir = Workdir::new(dir)?;
    let (config, _) = prepare(&workdir).await?;
    let store = crate::open_store(&config).await?;
    let sensor = client_of(&store).await?;
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
                    submission: Default::default(),
                    face: Face::Client,
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
        "{}",
        say(
            "bench.store_heading",
            &[
                ("clients", clients.to_string()),
                ("seconds", measured.as_secs().to_string())
            ]
        )
    );
    println!(
        "{}",
        say("bench.intake_rate", &[("rate", format!("{rate:.0}"))])
    );
    println!(
        "{}",
        say(
            "bench.latency_p50_p99",
            &[
                ("p50", format!("{:.2}", percentile(&latencies, 500))),
                ("p99", format!("{:.2}", percentile(&latencies, 990)))
            ]
        )
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

async fn count_cases(config: &Config) -> anyhow::Result<i64> {
    let store = crate::open_store(config).await?;
    Ok(store
        .read(|conn| jiedao_store::maintenance::count_rows(conn, "case_file"))
        .await?)
}

/// A rate measured over refused requests measures the refusals: any answer that was not 2xx
/// ends the run with the counts by status.
fn refuse_failures(failed: &BTreeMap<u16, u64>, created: u64) -> anyhow::Result<()> {
    if failed.is_empty() {
        return Ok(());
    }
    let total: u64 = failed.values().sum();
    let by_status = failed
        .iter()
        .map(|(status, count)| format!("{count} × {status}"))
        .collect::<Vec<_>>()
        .join(", ");
    bail!(say(
        "bench.requests_failed",
        &[
            ("total", total.to_string()),
            ("by_status", by_status),
            ("created", created.to_string())
        ]
    ))
}

pub(super) async fn through_http(
    clients: usize,
    measured: Duration,
    warmup: Duration,
    dir: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let workdir = Workdir::new(dir)?;
    let (config, token) = prepare(&workdir).await?;
    let server = Server::start(&config).await?;
    let address = server.address.clone();
    let before = count_cases(&config).await?;
    eprintln!(
        "{}",
        say(
            "bench.http_clients",
            &[
                ("clients", clients.to_string()),
                ("warmup", warmup.as_secs().to_string()),
                ("seconds", measured.as_secs().to_string())
            ]
        )
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
    let mut created = 0_u64;
    let mut failed = BTreeMap::<u16, u64>::new();
    for task in tasks {
        let result = task.await??;
        latencies.extend(result.latencies_us);
        created += result.created;
        for (status, count) in result.failed {
            *failed.entry(status).or_default() += count;
        }
    }
    server.stop().await;
    refuse_failures(&failed, created)?;
    latencies.sort_unstable();
    let total_cases = count_cases(&config).await? - before;
    eprintln!("{}", say("bench.measuring_commits", &[]));
    let rate_path = workdir.path.join("single-row.db");
    let raw = tokio::task::spawn_blocking(move || {
        jiedao_store::maintenance::single_row_commit_rate(
            &rate_path,
            jiedao_store::Durability::Full,
            Duration::from_secs(5),
        )
    })
    .await??;
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = created as f64 / measured.as_secs_f64();
    let lines = [
        say(
            "bench.http_heading",
            &[
                ("clients", clients.to_string()),
                ("seconds", measured.as_secs().to_string()),
            ],
        ),
        say("bench.cases_created", &[("created", created.to_string())]),
        say("bench.intake_rate", &[("rate", format!("{rate:.0}"))]),
        say(
            "bench.latency_p50_p99_max",
            &[
                ("p50", format!("{:.2}", percentile(&latencies, 500))),
                ("p99", format!("{:.2}", percentile(&latencies, 990))),
                (
                    "max",
                    format!(
                        "{:.2}",
                        latencies.last().map_or(0.0, |l| f64::from(*l) / 1000.0)
                    ),
                ),
            ],
        ),
        say("bench.cases_in_db", &[("total", total_cases.to_string())]),
        say("bench.commit_rate", &[("raw", format!("{raw:.0}"))]),
        say("bench.ratio", &[("ratio", format!("{:.1}", rate / raw))]),
    ];
    for line in lines {
        println!("{line}");
    }
    Ok(())
}
