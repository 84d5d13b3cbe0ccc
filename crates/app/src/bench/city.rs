//! `jiedao bench city`: the pages people open all day on a city's worth of cases (200 streets,
//! ten million cases by default), as the three who open them most: the district leader, a
//! street's shift lead (值班长) and a department handler. Generates the city (or reuses the one
//! in `--dir`, or in the PostgreSQL database of `--database`), serves it as its own process,
//! asks one request at a time, and reports p50/p95/max, the answer's size and the server's
//! peak memory. Targets: p95 at most 50 ms for every page, memory under 300 MB.

use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::{Datelike, Days};
use jiedao_core::Role;
use jiedao_core::clock::business_date;
use jiedao_store::LoginOutcome;
use jiedao_store::users::{self, NewUser};

use super::stats::{CitySize, build, peak_mb};
use super::{Server, Workdir, percentile, time_page};
use crate::demo::{DEPARTMENTS, PASSWORD};
use crate::generate::DISTRICT;

const TARGET_MS: f64 = 50.0;
const TARGET_MB: f64 = 300.0;
/// The street the shift lead and the handler work in.
const STREET: &str = "330106001000";
/// A grid of that street (its first community's first grid).
const GRID: &str = "330106001001001";
const SHIFT_LEAD: &str = "shift001";
const HANDLER: &str = "dept001";

/// Makes the shift lead and the handler of the first street unless they are there.
async fn readers(store: &jiedao_store::Store) -> anyhow::Result<()> {
    if let LoginOutcome::LoggedIn(_) = store.login(SHIFT_LEAD, PASSWORD, None).await? {
        return Ok(());
    }
    let hash =
        tokio::task::spawn_blocking(|| jiedao_store::auth::hash_password(PASSWORD)).await??;
    let system = jiedao_store::Principal::system("bench");
    let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
    store
        .write(move |conn| {
            let people = [
                (SHIFT_LEAD, Role::ShiftLead, None),
                (
                    HANDLER,
                    Role::DepartmentHandler,
                    DEPARTMENTS.first().map(|d| d.0.to_owned()),
                ),
            ];
            for (username, role, department) in people {
                let new = NewUser {
                    username: username.into(),
                    display_name: username.into(),
                    role,
                    org_code: STREET.into(),
                    department,
                    password: PASSWORD.into(),
                };
                users::create(conn, &scope, &actor, at, &new, &hash)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

/// (who, what, page) for every reader; `period` is last month (`YYYY-MM`), `older` a page key a
/// month back (a page far down the list).
fn pages(period: &str, older: &str) -> Vec<(&'static str, &'static str, String)> {
    let mut list = Vec::new();
    for who in ["leader", SHIFT_LEAD, HANDLER] {
        let lists = [
            ("list", "/cases".to_owned()),
            ("open", "/cases?only=open".to_owned()),
            (
                "closed, a month down",
                format!("/cases?state=closed&after={older}"),
            ),
            ("keyword 垃圾", "/cases?q=%E5%9E%83%E5%9C%BE".to_owned()),
            ("red light", "/cases?light=red".to_owned()),
            ("map", "/map".to_owned()),
            ("dashboard", "/dashboard".to_owned()),
            ("inbox", "/inbox".to_owned()),
        ];
        list.extend(lists.into_iter().map(|(what, path)| (who, what, path)));
    }
    list.push((
        "leader",
        "a grid's open cases",
        format!("/cases?within={GRID}&only=open"),
    ));
    list.push((
        "leader",
        "a street's map (pins)",
        format!("/map?within={STREET}"),
    ));
    for who in ["leader", SHIFT_LEAD] {
        list.push((
            who,
            "street month (stats)",
            format!("/stats?unit={STREET}&period={period}"),
        ));
        list.push((
            who,
            "street bulletin .xlsx",
            format!("/stats/bulletin.xlsx?unit={STREET}&period={period}"),
        ));
    }
    list.push((
        "leader",
        "ranking of all streets",
        format!("/stats?unit={DISTRICT}&period={period}"),
    ));
    list
}

pub(super) async fn run(
    rounds: usize,
    dir: Option<PathBuf>,
    database: Option<String>,
    size: CitySize,
) -> anyhow::Result<()> {
    let workdir = Workdir::new(dir)?;
    let mut config = workdir.config();
    if let Some(url) = database {
        config.database = url;
    }
    let store = crate::open_store(&config).await?;
    let mut cases = store
        .read(|conn| jiedao_store::maintenance::count_rows(conn, "case_file"))
        .await?;
    if cases == 0 {
        drop(store);
        eprintln!("generating the city in {} ...", config.database);
        build(&config, &size).await?;
    } else {
        drop(store);
        eprintln!("reusing the city in {}", config.database);
    }
    let store = crate::open_store(&config).await?;
    if cases == 0 {
        cases = store
            .read(|conn| jiedao_store::maintenance::count_rows(conn, "case_file"))
            .await?;
    }
    readers(&store).await?;
    let mut sessions = std::collections::HashMap::new();
    for who in ["leader", SHIFT_LEAD, HANDLER] {
        match store.login(who, PASSWORD, None).await? {
            LoginOutcome::LoggedIn(session) => sessions.insert(who, session.token),
            other => bail!("{who} could not log in: {other:?}"),
        };
    }
    let today = business_date(store.now());
    drop(store);
    let month = today
        .with_day(1)
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .context("last month")?;
    let period = format!("{}-{:02}", month.year(), month.month());
    let older = format!(
        "{}T00:00:00Z%7C~",
        month.with_day(1).context("the month's first day")?
    );
    let server = Server::start(&config).await?;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "pages on {cases} cases; {rounds} requests each, one at a time (load average {}):",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  {:<10} {:<26} {:>8} {:>8} {:>8} {:>9}",
        "who", "page", "p50 ms", "p95 ms", "max ms", "KiB"
    );
    let mut worst: f64 = 0.0;
    for (who, what, path) in pages(&period, &older) {
        let token = sessions.get(who).context("a reader without a session")?;
        match time_page(&server.address, &path, token, rounds).await {
            Ok((latencies, kib)) => {
                let p95 = percentile(&latencies, 950);
                worst = worst.max(p95);
                println!(
                    "  {who:<10} {what:<26} {:>8.2} {p95:>8.2} {:>8.2} {kib:>9.1}",
                    percentile(&latencies, 500),
                    latencies.last().map_or(0.0, |l| f64::from(*l) / 1000.0),
                );
            }
            // A page this reader may not open is reported, not measured.
            Err(error) => println!("  {who:<10} {what:<26} {error}"),
        }
    }
    let memory = server.child.id().and_then(peak_mb).unwrap_or(0.0);
    server.stop().await;
    println!(
        "slowest at p95: {worst:.2} ms (target: at most {TARGET_MS:.0} ms) {}; server peak memory {memory:.1} MB (target: under {TARGET_MB:.0} MB) {}",
        if worst <= TARGET_MS {
            "- met"
        } else {
            "- NOT met"
        },
        if memory < TARGET_MB {
            "- met"
        } else {
            "- NOT met"
        },
    );
    Ok(())
}
