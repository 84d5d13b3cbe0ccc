//! `jiedao bench registry`: the registry at the size of a large street's population (1,000,000
//! persons by default, sealed and blind-indexed as always), searched through HTTP by name prefix
//! and by the whole ID number, one request at a time as the street's leader. The target is
//! each search under 20 ms at p95.

use std::path::PathBuf;

use anyhow::{Context, bail};
use jiedao_core::registry::DocumentKind;
use jiedao_store::LoginOutcome;
use jiedao_store::registry::persons::{self, NewPerson};
use tokio::net::TcpStream;

use super::{Server, Workdir, exchange, percentile};
use crate::demo::{self, registry::id_number, registry::name};

const TARGET_MS: f64 = 20.0;
/// Persons written per transaction.
const CHUNK: usize = 10_000;

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A number in 0..`below` for round `i` (a fixed scatter, so runs compare).
fn pick(i: usize, below: usize) -> usize {
    i.wrapping_mul(2_654_435_761) % below.max(1)
}

async fn fill(store: &jiedao_store::Store, count: usize) -> anyhow::Result<()> {
    let who = match store.login("leader", demo::PASSWORD, None).await? {
        LoginOutcome::LoggedIn(session) => session.principal,
        other => bail!("the leader cannot sign in: {other:?}"),
    };
    let key = store.sealing_key().await?;
    let today = store.now().date_naive();
    let began = std::time::Instant::now();
    for start in (0..count).step_by(CHUNK) {
        let end = (start + CHUNK).min(count);
        // Seal on both cores, then write the chunk in one transaction.
        let middle = start + (end - start) / 2;
        let halves = [(start, middle), (middle, end)].map(|(from, to)| {
            let key = key.clone();
            tokio::task::spawn_blocking(move || {
                (from..to)
                    .map(|n| {
                        let new = NewPerson {
                            name: name(n),
                            document_kind: DocumentKind::ResidentId,
                            document: id_number("330106", n),
                            phone: Some(demo::registry::phone(n)),
                            house: None,
                            community: Some(demo::community_code(n % 10)),
                            household: None,
                            moved_in: None,
                        };
                        persons::seal(&key, &new, today).map(|sealed| (new, sealed))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
        });
        let mut people = Vec::with_capacity(end - start);
        for half in halves {
            people.extend(half.await??);
        }
        let (principal, at) = (who.clone(), store.now());
        store
            .write(move |conn| {
                for (new, sealed) in &people {
                    persons::add_sealed(conn, &principal, at, None, new, sealed)?;
                }
                Ok(())
            })
            .await?;
        if end.is_multiple_of(100_000) || end == count {
            eprintln!(
                "  {end} persons written ({:.0} s)",
                began.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// `rounds` GETs of the paths `path(i)` with the bearer `token`; sorted latencies (µs).
async fn time_searches(
    address: &str,
    token: &str,
    rounds: usize,
    path: impl Fn(usize) -> (String, Option<String>),
) -> anyhow::Result<Vec<u32>> {
    let mut stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let mut buffer = Vec::new();
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds + 3 {
        let (path, expect) = path(round);
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
        );
        let began = std::time::Instant::now();
        let status = exchange(&mut stream, &mut buffer, request.as_bytes()).await?;
        let elapsed = began.elapsed();
        if status != 200 {
            bail!("{path}: status {status}");
        }
        if let Some(expected) = expect {
            let body = String::from_utf8_lossy(&buffer);
            if !body.contains(&expected) {
                bail!("{path}: {expected} not in the answer");
            }
        }
        if round >= 3 {
            latencies.push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
        }
    }
    latencies.sort_unstable();
    Ok(latencies)
}

pub(super) async fn run(count: usize, rounds: usize, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let workdir = Workdir::new(dir)?;
    let config = workdir.config();
    let store = crate::open_store(&config).await?;
    if !demo::exists(&store).await? {
        eprintln!("writing {count} persons into {} ...", config.database);
        demo::create(&store).await?;
        fill(&store, count).await?;
    }
    let token = match store.login("leader", demo::PASSWORD, None).await? {
        LoginOutcome::LoggedIn(session) => session.token,
        other => bail!("the leader cannot sign in: {other:?}"),
    };
    drop(store);
    let server = Server::start(&config).await?;
    println!(
        "registry search through HTTP as the street's leader, {count} persons, {rounds} requests each, one at a time:"
    );
    println!(
        "  {:<28} {:>8} {:>8} {:>8}",
        "search", "p50 ms", "p95 ms", "max ms"
    );
    let by_name = time_searches(&server.address, &token, rounds, |i| {
        let prefix: String = name(pick(i, count)).chars().take(2).collect();
        (
            format!("/api/v1/registry/persons?name={}", percent(&prefix)),
            Some(prefix),
        )
    })
    .await
    .context("by name prefix")?;
    let by_number = time_searches(&server.address, &token, rounds, |i| {
        let n = pick(i + 7, count);
        (
            format!(
                "/api/v1/registry/persons?document={}",
                id_number("330106", n)
            ),
            Some(name(n)),
        )
    })
    .await
    .context("by ID number")?;
    server.stop().await;
    let mut worst: f64 = 0.0;
    for (label, latencies) in [
        ("name prefix (2 characters)", &by_name),
        ("whole ID number", &by_number),
    ] {
        let p95 = percentile(latencies, 950);
        worst = worst.max(p95);
        println!(
            "  {label:<28} {:>8.2} {p95:>8.2} {:>8.2}",
            percentile(latencies, 500),
            latencies.last().map_or(0.0, |l| f64::from(*l) / 1000.0)
        );
    }
    println!(
        "slowest search at p95: {worst:.2} ms (target: at most {TARGET_MS:.0} ms) {}",
        if worst <= TARGET_MS {
            "- met"
        } else {
            "- NOT met"
        }
    );
    Ok(())
}
