//! `jiedao harness soak`: a steady mixed load (reports, dispatches, lists and case pages) at a
//! fixed rate for minutes, sampling the server's resident memory. The run is cut into ten
//! windows; it fails when the last three windows' memory, median or p99 latency outgrow the
//! second and third's (the first is warm-up) by more than the allowances below, when a request
//! fails, or when the server cannot keep the rate.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;

use super::Place;
use super::load::{Acknowledged, Kind, Sample};
use crate::bench::{Server, percentile};

/// Late memory may be this much of early memory ...
const MEMORY_FACTOR: f64 = 1.3;
/// ... plus this (MiB): caches filling as the data grows are not a leak.
const MEMORY_SLACK_MIB: f64 = 16.0;
/// Late median latency may be this much of early median latency ...
const MEDIAN_FACTOR: f64 = 1.5;
/// ... plus this (ms).
const MEDIAN_SLACK_MS: f64 = 5.0;
/// Late p99 may be this much of early p99 ...
const TAIL_FACTOR: f64 = 2.0;
/// ... plus this (ms): one slow moment (a checkpoint, a busy neighbour) is not growth.
const TAIL_SLACK_MS: f64 = 50.0;
const WINDOWS: usize = 10;

/// Eight clients: two report, one dispatches, five read.
fn clients() -> Vec<Vec<Kind>> {
    vec![
        vec![Kind::Intake],
        vec![Kind::Intake],
        vec![Kind::Dispatch],
        vec![Kind::List, Kind::Show],
        vec![Kind::Show, Kind::List],
        vec![Kind::List],
        vec![Kind::Show],
        vec![Kind::List, Kind::Show],
    ]
}

/// The resident memory of process `pid` in MiB (Linux), if it can be read.
fn resident_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// One tenth of the run.
struct Window {
    requests: usize,
    failed: usize,
    p50_ms: f64,
    p99_ms: f64,
    memory_mib: f64,
}

pub async fn run(
    place: &Place,
    seconds: u64,
    rate: u32,
    report: Option<PathBuf>,
) -> anyhow::Result<()> {
    let server = Server::start(&place.config).await?;
    let pid = server.pid().unwrap_or(0);
    let load = place
        .load(&server, Arc::new(Mutex::new(Acknowledged::default())))
        .await?;
    let kinds = clients();
    let interval = Duration::from_secs_f64(kinds.len() as f64 / f64::from(rate.max(1)));
    let length = Duration::from_secs(seconds.max(WINDOWS as u64));
    let began = Instant::now();
    let until = began + length;
    let tasks: Vec<_> = kinds
        .into_iter()
        .enumerate()
        .map(|(number, kinds)| {
            tokio::spawn(load.clone().client(number, kinds, interval, began, until))
        })
        .collect();
    let mut memory: Vec<(Duration, f64)> = Vec::new();
    while Instant::now() < until {
        if let Some(mib) = resident_mib(pid) {
            memory.push((began.elapsed(), mib));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut samples: Vec<Sample> = Vec::new();
    for task in tasks {
        samples.extend(task.await?);
    }
    server.stop().await;

    let windows = windows(&samples, &memory, length);
    let early = &windows[1..3];
    let late = &windows[WINDOWS - 3..];
    let worst = |part: &[Window], of: fn(&Window) -> f64| part.iter().map(of).fold(0.0, f64::max);
    let (early_memory, late_memory) = (
        worst(early, |w| w.memory_mib),
        worst(late, |w| w.memory_mib),
    );
    let (early_p50, late_p50) = (worst(early, |w| w.p50_ms), worst(late, |w| w.p50_ms));
    let (early_p99, late_p99) = (worst(early, |w| w.p99_ms), worst(late, |w| w.p99_ms));
    let failed: usize = windows.iter().map(|w| w.failed).sum();
    let total = samples.len();
    let achieved = total as f64 / length.as_secs_f64();
    let memory_bound = early_memory * MEMORY_FACTOR + MEMORY_SLACK_MIB;
    let median_bound = early_p50 * MEDIAN_FACTOR + MEDIAN_SLACK_MS;
    let tail_bound = early_p99 * TAIL_FACTOR + TAIL_SLACK_MS;

    let mut text = String::new();
    let _ = writeln!(text, "# Soak report\n");
    let _ = writeln!(
        text,
        "- database: {}\n- length: {} s, target rate {rate} requests/s, achieved {achieved:.1}/s\n\
         - mix: 2 clients reporting (POST /api/v1/cases), 1 dispatching, 5 reading lists and cases\n\
         - requests: {total}, failed: {failed}\n",
        place.config.database.split('@').next_back().unwrap_or(""),
        length.as_secs()
    );
    let _ = writeln!(
        text,
        "| window | requests | failed | p50 ms | p99 ms | server RSS MiB |"
    );
    let _ = writeln!(text, "|---|---|---|---|---|---|");
    for (index, window) in windows.iter().enumerate() {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {:.2} | {:.2} | {:.1} |",
            index + 1,
            window.requests,
            window.failed,
            window.p50_ms,
            window.p99_ms,
            window.memory_mib
        );
    }
    let _ = writeln!(
        text,
        "\n- memory: early (windows 2-3) {early_memory:.1} MiB, late (8-10) {late_memory:.1} MiB, \
         bound {memory_bound:.1} MiB\n- median latency: early {early_p50:.2} ms, late {late_p50:.2} ms, \
         bound {median_bound:.2} ms\n- p99 latency: early {early_p99:.2} ms, late {late_p99:.2} ms, \
         bound {tail_bound:.2} ms"
    );
    let mut verdict = Vec::new();
    if failed > 0 {
        verdict.push(format!("{failed} requests failed"));
    }
    if late_memory > memory_bound {
        verdict.push("memory grew".to_owned());
    }
    if late_p50 > median_bound || late_p99 > tail_bound {
        verdict.push("latency grew".to_owned());
    }
    if achieved < f64::from(rate) * 0.9 {
        verdict.push(format!(
            "the server kept up with only {achieved:.1} requests/s"
        ));
    }
    let _ = writeln!(
        text,
        "- verdict: {}",
        if verdict.is_empty() {
            "steady".to_owned()
        } else {
            verdict.join("; ")
        }
    );
    print!("{text}");
    if let Some(path) = report {
        std::fs::write(&path, &text)?;
    }
    if !verdict.is_empty() {
        bail!("soak failed: {}", verdict.join("; "));
    }
    Ok(())
}

fn windows(samples: &[Sample], memory: &[(Duration, f64)], length: Duration) -> [Window; WINDOWS] {
    let width = length / WINDOWS as u32;
    std::array::from_fn(|index| {
        let (start, end) = (width * index as u32, width * (index as u32 + 1));
        let within = |at: Duration| at >= start && at < end;
        let mut latencies: Vec<u32> = samples
            .iter()
            .filter(|s| within(s.at))
            .map(|s| s.micros)
            .collect();
        latencies.sort_unstable();
        Window {
            requests: latencies.len(),
            failed: samples.iter().filter(|s| within(s.at) && !s.ok).count(),
            p50_ms: percentile(&latencies, 500),
            p99_ms: percentile(&latencies, 990),
            memory_mib: memory
                .iter()
                .filter(|(at, _)| within(*at))
                .map(|(_, mib)| *mib)
                .fold(0.0, f64::max),
        }
    })
}
