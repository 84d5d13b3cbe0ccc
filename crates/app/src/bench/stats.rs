//! `jiedao bench stats`: the figures on a city's worth of cases. Generates the city (or reuses
//! the one in `--dir`), serves it as its own process, and asks, one request at a time as the
//! district leader, for a street's monthly evaluation (all indicators, its communities,
//! departments, grid workers, channels and category branches) and for the ranking of every
//! street. Reports p50/p95/max and the server's peak memory. Targets: p95 at most 50 ms,
//! memory under 300 MB.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{Datelike, Days};
use jiedao_core::clock::business_date;
use jiedao_store::LoginOutcome;

use super::{Server, Workdir, percentile, time_page};
use crate::cli::say;
use crate::demo::PASSWORD;
use crate::generate::{self, DISTRICT, Plan};

const TARGET_MS: f64 = 50.0;
const TARGET_MB: f64 = 300.0;

/// What the city is made of.
#[derive(Debug, clap::Args)]
pub struct CitySize {
    #[arg(long, default_value_t = 200)]
    pub streets: usize,
    #[arg(long, default_value_t = 10_000_000)]
    pub cases: u64,
    /// Days the cases spread over, ending yesterday.
    #[arg(long, default_value_t = 1095)]
    pub days: u64,
}

/// Fills `config`'s database with a generated city, printing the rate.
pub async fn build(config: &crate::config::Config, size: &CitySize) -> anyhow::Result<()> {
    let mut store_config = config.store_config()?;
    store_config.durability = jiedao_store::Durability::Normal;
    let store =
        jiedao_store::Store::open(store_config, std::sync::Arc::new(jiedao_core::SystemClock))
            .await?;
    let end = business_date(store.now()) - Days::new(1);
    let plan = Plan {
        streets: size.streets,
        cases: size.cases,
        days: size.days,
        end,
        seed: 0x6a69_6564_616f,
    };
    let bar = indicatif::ProgressBar::new(size.cases).with_style(
        indicatif::ProgressStyle::with_template(
            "  {bar:40} {pos}/{len} 件案件 / cases  {per_sec}  {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let began = Instant::now();
    let written = generate::generate(&store, &plan, |done, _| bar.set_position(done)).await?;
    bar.finish_and_clear();
    let seconds = began.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = written as f64 / seconds;
    println!(
        "{}",
        say(
            "bench.generated",
            &[
                ("written", written.to_string()),
                ("streets", size.streets.to_string()),
                ("days", size.days.to_string()),
                ("end", end.to_string()),
                ("seconds", format!("{seconds:.1}")),
                ("rate", format!("{rate:.0}"))
            ]
        )
    );
    Ok(())
}

/// Peak resident memory of a process, in MB, from Linux's /proc.
pub(super) fn peak_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub(super) async fn run(rounds: usize, dir: Option<PathBuf>, size: CitySize) -> anyhow::Result<()> {
    let workdir = Workdir::new(dir)?;
    let config = workdir.config();
    let existing = workdir.path.join("bench.db").exists();
    if existing {
        eprintln!(
            "{}",
            say(
                "bench.reusing_city",
                &[("database", config.database.clone())]
            )
        );
    } else {
        eprintln!(
            "{}",
            say(
                "bench.generating_city",
                &[("database", config.database.clone())]
            )
        );
        build(&config, &size).await?;
    }
    let store = crate::open_store(&config).await?;
    let cases = store
        .read(|conn| jiedao_store::maintenance::count_rows(conn, "case_file"))
        .await?;
    let scope = jiedao_store::Principal::system("bench").scope();
    let streets = store
        .read(move |conn| jiedao_store::org::list(conn, &scope, Some(jiedao_core::OrgKind::Street)))
        .await?
        .len();
    let token = match store.login("leader", PASSWORD, None).await? {
        LoginOutcome::LoggedIn(session) => session.token,
        other => bail!(say(
            "bench.could_not_log_in",
            &[
                ("who", "leader".to_owned()),
                ("outcome", format!("{other:?}"))
            ]
        )),
    };
    let today = business_date(store.now());
    drop(store);
    let month = today
        .with_day(1)
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .context("last month")?;
    let period = format!("{}-{:02}", month.year(), month.month());
    let pages = [
        (
            say("bench.street_evaluation", &[]),
            format!("/stats?unit=330106001000&period={period}"),
        ),
        (
            say("bench.street_ranking", &[]),
            format!("/stats?unit={DISTRICT}&period={period}"),
        ),
        (
            say("bench.street_bulletin", &[]),
            format!("/stats/bulletin.xlsx?unit=330106001000&period={period}"),
        ),
    ];
    let server = Server::start(&config).await?;
    println!(
        "{}",
        say(
            "bench.stats_heading",
            &[
                ("cases", cases.to_string()),
                ("streets", streets.to_string()),
                ("rounds", rounds.to_string())
            ]
        )
    );
    println!(
        "  {:<32} {:>8} {:>8} {:>8} {:>9}",
        say("bench.col_page", &[]),
        "p50 ms",
        "p95 ms",
        say("bench.col_max", &[]),
        "KiB"
    );
    let mut worst: f64 = 0.0;
    for (index, (name, path)) in pages.iter().enumerate() {
        let (latencies, kib) = time_page(&server.address, path, &token, rounds).await?;
        let p95 = percentile(&latencies, 950);
        if index < 2 {
            worst = worst.max(p95);
        }
        println!(
            "  {name:<32} {:>8.2} {p95:>8.2} {:>8.2} {kib:>9.1}",
            percentile(&latencies, 500),
            latencies.last().map_or(0.0, |l| f64::from(*l) / 1000.0),
        );
    }
    let memory = server.child.id().and_then(peak_mb).unwrap_or(0.0);
    server.stop().await;
    println!(
        "{}",
        say(
            "bench.stats_verdict",
            &[
                ("worst", format!("{worst:.2}")),
                ("target", format!("{TARGET_MS:.0}")),
                ("verdict", super::verdict(worst <= TARGET_MS)),
                ("memory", format!("{memory:.1}")),
                ("target_mb", format!("{TARGET_MB:.0}")),
                ("memory_verdict", super::verdict(memory < TARGET_MB)),
            ]
        )
    );
    Ok(())
}
