//! `jiedao bench pages`: how fast the pages people wait on answer on the demo street with a
//! year of cases (about 5,700, each with its whole history): the case list with and without
//! filters, a page far down (keyset: the cases after a key), keyword search, the dashboard,
//! the map, the inbox and the Excel export, each as the person who uses it, one request at a
//! time, through HTTP. The target is every list and the dashboard under 100 ms.

use anyhow::Context;
use std::path::PathBuf;

use anyhow::bail;
use jiedao_store::LoginOutcome;

use super::{Server, Workdir, percentile, time_page};
use crate::cli::say;
use crate::demo;

/// (who, page, counted against the 100 ms target)
const PAGES: [(&str, &str, bool); 13] = [
    ("leader", "/dashboard", true),
    ("leader", "/cases", true),
    ("leader", "/cases?only=open", true),
    (
        "leader",
        "/cases?state=closed&after=2026-06-01T00:00:00Z%7C~",
        true,
    ),
    ("leader", "/cases?q=%E5%9E%83%E5%9C%BE", true),
    ("leader", "/cases?within=330106090003&only=overdue", true),
    ("leader", "/cases?light=red", true),
    ("leader", "/map", true),
    ("dispatcher", "/inbox", true),
    ("dept03", "/cases", true),
    ("c01staff", "/dashboard", true),
    ("c01staff", "/cases?from=2026-01-01&to=2026-06-30", true),
    ("leader", "/cases/export.xlsx?state=closed", false),
];

const TARGET_MS: f64 = 100.0;

pub(super) async fn run(rounds: usize, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let workdir = Workdir::new(dir)?;
    let config = workdir.config();
    eprintln!(
        "{}",
        say(
            "bench.building_demo",
            &[("database", config.database.clone())]
        )
    );
    let summary = demo::build(&config, 365).await?;
    let store = crate::open_store(&config).await?;
    let mut sessions = std::collections::HashMap::new();
    for (who, ..) in PAGES {
        if sessions.contains_key(who) {
            continue;
        }
        match store.login(who, demo::PASSWORD, None).await? {
            LoginOutcome::LoggedIn(session) => sessions.insert(who, session.token),
            other => bail!(say(
                "bench.could_not_log_in",
                &[
                    ("who", (*who).to_owned()),
                    ("outcome", format!("{other:?}"))
                ]
            )),
        };
    }
    drop(store);
    let server = Server::start(&config).await?;
    println!(
        "{}",
        say(
            "bench.pages_heading",
            &[
                ("cases", summary.reported.to_string()),
                ("actions", summary.actions.to_string()),
                ("rounds", rounds.to_string())
            ]
        )
    );
    println!(
        "  {:<12} {:<48} {:>8} {:>8} {:>8} {:>9}",
        say("bench.col_who", &[]),
        say("bench.col_page", &[]),
        "p50 ms",
        "p95 ms",
        say("bench.col_max", &[]),
        "KiB"
    );
    let mut worst: f64 = 0.0;
    for (who, path, counted) in PAGES {
        let (latencies, kib) = time_page(
            &server.address,
            path,
            sessions.get(who).context("a reader without a session")?,
            rounds,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{who} {e}"))?;
        let p95 = percentile(&latencies, 950);
        if counted {
            worst = worst.max(p95);
        }
        println!(
            "  {who:<12} {path:<48} {:>8.2} {p95:>8.2} {:>8.2} {kib:>9.1}{}",
            percentile(&latencies, 500),
            latencies.last().map_or(0.0, |l| f64::from(*l) / 1000.0),
            if counted {
                String::new()
            } else {
                format!("  {}", say("bench.not_a_list", &[]))
            }
        );
    }
    server.stop().await;
    println!(
        "{}",
        say(
            "bench.pages_verdict",
            &[
                ("worst", format!("{worst:.2}")),
                ("target", format!("{TARGET_MS:.0}")),
                ("verdict", super::verdict(worst < TARGET_MS))
            ]
        )
    );
    Ok(())
}
