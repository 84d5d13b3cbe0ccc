//! `jiedao harness crash`: the server is killed with SIGKILL at a random moment while clients
//! report and dispatch, then the database is opened again (the recovery a restart does) and
//! checked: every acknowledged case is there with at least the history its last answer
//! showed, and [`jiedao_store::integrity::check`] finds nothing half-written, no history that
//! disagrees with its case, no broken audit chain, no rollup that disagrees with the histories.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;

use super::Place;
use super::load::{Acknowledged, Kind, sign_in};
use crate::bench::Server;

/// The clients of each round: three report, two dispatch, one reads.
fn clients() -> Vec<Vec<Kind>> {
    vec![
        vec![Kind::Intake],
        vec![Kind::Intake],
        vec![Kind::Intake],
        vec![Kind::Dispatch],
        vec![Kind::Dispatch],
        vec![Kind::List, Kind::Show],
    ]
}

/// A small generator for the moments of the kills (no need for more).
struct Moments(u64);

impl Moments {
    /// Milliseconds from 200 to 1,500.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        200 + self.0 % 1_300
    }
}

pub async fn run(place: &Place, kills: usize) -> anyhow::Result<()> {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64 | 1);
    println!(
        "crash harness on {} ({kills} kills, seed {seed})",
        place.config.database
    );
    let mut moments = Moments(seed);
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let mut writes_checked = 0_usize;
    for round in 1..=kills {
        let server = Server::start(&place.config).await?;
        let load = place.load(&server, acknowledged.clone()).await?;
        let began = Instant::now();
        let until = began + Duration::from_secs(60);
        let tasks: Vec<_> = clients()
            .into_iter()
            .enumerate()
            .map(|(number, kinds)| {
                let client = load.clone();
                tokio::spawn(client.client(
                    round * 100 + number,
                    kinds,
                    Duration::ZERO,
                    began,
                    until,
                ))
            })
            .collect();
        let moment = moments.next();
        tokio::time::sleep(Duration::from_millis(moment)).await;
        server.stop().await;
        let mut requests = 0;
        for task in tasks {
            requests += task.await.map_or(0, |samples| samples.len());
        }
        let expected = {
            let acknowledged = acknowledged.lock().unwrap_or_else(|p| p.into_inner());
            acknowledged.cases.clone()
        };
        writes_checked += expected.len();
        let found = verify(place, &expected).await?;
        println!(
            "round {round:>2}: killed after {moment} ms and {requests} answers; {} acknowledged \
             cases present with their history, {found}",
            expected.len()
        );
    }
    let server = Server::start(&place.config).await?;
    sign_in(&server.address).await?;
    server.stop().await;
    let acknowledged = acknowledged.lock().unwrap_or_else(|p| p.into_inner());
    let actions: usize = acknowledged
        .cases
        .values()
        .map(|n| n.saturating_sub(1))
        .sum();
    println!(
        "crash harness passed: {kills} kills; {} acknowledged writes ({} cases taken in, \
         {actions} file and dispatch actions) all present after every restart; \
         {writes_checked} case checks in all; the database whole after each kill",
        acknowledged.cases.len() + actions,
        acknowledged.cases.len()
    );
    Ok(())
}

/// Opens the database as a restart does and checks it; returns what was checked.
async fn verify(place: &Place, expected: &HashMap<String, usize>) -> anyhow::Result<String> {
    let (stored, findings) = super::examine(&place.config).await?;
    for (id, records) in expected {
        match stored.get(id) {
            None => bail!("acknowledged case {id} is missing after the crash"),
            Some(count) if usize::try_from(*count).unwrap_or(0) < *records => {
                bail!("case {id}: {records} history records were acknowledged, {count} survived")
            }
            Some(_) => {}
        }
    }
    if !findings.problems.is_empty() {
        crate::backup::report(&findings);
        bail!("the database is not whole after the crash");
    }
    Ok(format!(
        "{} cases and {} audit records check whole",
        findings.cases, findings.audit_records
    ))
}
