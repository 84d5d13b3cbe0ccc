//! `jiedao generate`: a city's worth of cases for benchmarks — streets with communities, grids,
//! departments and grid workers, and years of cases with realistic channels, categories,
//! outcomes and delays, loaded straight into the case table in large transactions together
//! with the rollups they add up to (`jiedao_store::generated`).
//!
//! Generated cases carry no history records: they are load for the figures, not cases anyone
//! worked. Their clocks have deadlines but no warning point, as before they had rows.

use anyhow::Context;
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use jiedao_core::calendar::TimeLimit;
use jiedao_core::case::{
    Case, CaseState, CategoryRef, Change, Channel, DepartmentRef, Report, Satisfaction, Timer, open,
};
use jiedao_core::category::{Step, Urgency};
use jiedao_core::clock::{business_date, start_of_day};
use jiedao_core::evaluation::Counts;
use jiedao_core::evaluation::tally::Tally;
use jiedao_core::{CaseId, GridCodeFormat, OrgCode, OrgPath, OrgUnitId, Role, UserId};
use jiedao_store::departments::{self, NewDepartment};
use jiedao_store::stats::rollup::{Attribution, Sums};
use jiedao_store::users::{self, NewUser};
use jiedao_store::{Principal, Store, StoreError};

use crate::demo::{DEPARTMENTS, PASSWORD};

/// The district every generated street lies in.
pub const DISTRICT: &str = "330106000000";
const COMMUNITIES_PER_STREET: usize = 5;
const GRIDS_PER_COMMUNITY: usize = 4;
/// Cases written per transaction.
const CASES_PER_WRITE: u64 = 25_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub streets: usize,
    pub cases: u64,
    pub days: u64,
    /// The last day cases are reported on.
    pub end: NaiveDate,
    pub seed: u64,
}

/// A small deterministic generator (xorshift), so the same plan gives the same city.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One of `items`, or `None` when there are none.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(usize::try_from(self.below(items.len() as u64)).unwrap_or(0))
    }
}

/// Channels with their shares (per mille), as street offices' reports give them: most cases
/// come from grid workers' patrols and the 12345 hotline.
const CHANNELS: [(Channel, u64); 9] = [
    (Channel::GridWorker, 460),
    (Channel::Hotline, 260),
    (Channel::Resident, 130),
    (Channel::Sensor, 60),
    (Channel::Staff, 40),
    (Channel::Police, 20),
    (Channel::Leader, 12),
    (Channel::Media, 8),
    (Channel::Enterprise, 10),
];

fn channel(dice: &mut Dice) -> Channel {
    let mut roll = dice.below(1000);
    for (channel, share) in CHANNELS {
        if roll < share {
            return channel;
        }
        roll -= share;
    }
    Channel::GridWorker
}

/// One street as generated: its tree and its people.
struct Street {
    id: OrgUnitId,
    /// The code its case numbers carry.
    segment: String,
    grids: Vec<OrgPath>,
    departments: Vec<DepartmentRef>,
    worker: UserId,
}

/// Builds the district, its streets, communities, grids, departments and users.
async fn city(store: &Store, streets: usize) -> anyhow::Result<Vec<Street>> {
    let system = Principal::system("generate");
    let format = GridCodeFormat::default();
    let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
    let units = store
        .write(move |conn| {
            let mut made = Vec::new();
            let district =
                OrgCode::parse(DISTRICT, &format).map_err(|e| StoreError::Query(e.to_string()))?;
            jiedao_store::org::add_unit(conn, &scope, &actor, at, &district, "示范区", &format)?;
            for s in 1..=streets {
                let street = code(&format!("330106{s:03}000"), &format)?;
                let name = format!("第{s}街道");
                let unit =
                    jiedao_store::org::add_unit(conn, &scope, &actor, at, &street, &name, &format)?;
                let mut grids = Vec::new();
                for c in 1..=COMMUNITIES_PER_STREET {
                    let community = code(&format!("330106{s:03}{c:03}"), &format)?;
                    let name = format!("第{s}街道第{c}社区");
                    jiedao_store::org::add_unit(
                        conn, &scope, &actor, at, &community, &name, &format,
                    )?;
                    for g in 1..=GRIDS_PER_COMMUNITY {
                        let grid = code(&format!("330106{s:03}{c:03}{g:03}"), &format)?;
                        let name = format!("第{c}社区第{g}网格");
                        let grid = jiedao_store::org::add_unit(
                            conn, &scope, &actor, at, &grid, &name, &format,
                        )?;
                        grids.push(grid.path);
                    }
                }
                made.push((unit, grids));
            }
            Ok(made)
        })
        .await?;
    let hash =
        tokio::task::spawn_blocking(|| jiedao_store::auth::hash_password(PASSWORD)).await??;
    let (scope, actor) = (system.scope(), system.actor(None));
    let codes: Vec<String> = units.iter().map(|(u, _)| u.code.clone()).collect();
    let people = store
        .write(move |conn| {
            let mut workers = Vec::new();
            let leader = |username: &str, role: Role| NewUser {
                username: username.into(),
                display_name: username.into(),
                role,
                org_code: DISTRICT.into(),
                department: None,
                password: PASSWORD.into(),
            };
            users::create(
                conn,
                &scope,
                &actor,
                at,
                &leader("leader", Role::Leader),
                &hash,
            )?;
            users::create(
                conn,
                &scope,
                &actor,
                at,
                &leader("admin", Role::Administrator),
                &hash,
            )?;
            for (s, street) in codes.iter().enumerate() {
                let mut department_ids = Vec::new();
                for (name, kind, platform_2021, platform_2016) in DEPARTMENTS {
                    let new = NewDepartment {
                        code: None,
                        street_code: street.clone(),
                        name: name.into(),
                        kind,
                        community_code: None,
                        platforms: vec![
                            ("zj2021".into(), platform_2021.into()),
                            ("zj2016".into(), platform_2016.into()),
                        ],
                    };
                    department_ids.push(DepartmentRef {
                        id: departments::add(conn, &scope, &actor, at, &new)?,
                        name: name.into(),
                    });
                }
                let worker = NewUser {
                    username: format!("gw{:03}", s + 1),
                    display_name: format!("网格员{:03}", s + 1),
                    role: Role::GridWorker,
                    org_code: format!("{}001001", &street[..9]),
                    department: None,
                    password: PASSWORD.into(),
                };
                let worker = users::create(conn, &scope, &actor, at, &worker, &hash)?;
                workers.push((department_ids, worker));
            }
            jiedao_store::generated::mark(conn, at)?;
            Ok(workers)
        })
        .await?;
    Ok(units
        .into_iter()
        .zip(people)
        .map(|((unit, grids), (departments, worker))| Street {
            id: unit.id,
            segment: unit.path.segment().to_owned(),
            grids,
            departments,
            worker,
        })
        .collect())
}

fn code(text: &str, format: &GridCodeFormat) -> Result<OrgCode, StoreError> {
    OrgCode::parse(text, format).map_err(|e| StoreError::Query(format!("{text}: {e}")))
}

/// One generated case and what it adds to the figures, change by change.
struct Generated {
    case: Case,
    /// Each change's tally, and whether the case was dispatched by then.
    tallies: Vec<(Tally, bool)>,
}

impl Generated {
    /// Adds the case's tallies to `figures`; before dispatch a change counts for no department.
    fn count(&self, figures: &mut Sums) {
        let dispatched = Attribution::from(&self.case);
        let before_dispatch = Attribution {
            department: None,
            ..dispatched.clone()
        };
        for (tally, after_dispatch) in &self.tallies {
            let attribution = if *after_dispatch {
                &dispatched
            } else {
                &before_dispatch
            };
            figures.add(attribution, tally);
        }
    }
}

/// A clock of `days` calendar days from `from`: its deadline, and no warning point.
fn clock(days: u32, from: DateTime<Utc>) -> Timer {
    let limit = Duration::days(i64::from(days));
    Timer {
        limit: TimeLimit::calendar_days(days),
        extensions: Vec::new(),
        started_at: from,
        pauses: Vec::new(),
        budget: Some(limit.num_seconds()),
        warn_at: None,
        deadline: Some(from + limit),
    }
}

/// A reported case as a generated one starts: the engine's own opening of a report, less
/// what a generated case lacks (a history, and any clock before it is filed).
fn reported(
    street: &Street,
    number: String,
    channel: Channel,
    category: CategoryRef,
    grid: OrgPath,
    at: DateTime<Utc>,
) -> anyhow::Result<Case> {
    let report = Report {
        channel,
        category: Some(category),
        urgency: Urgency::Normal,
        description: "生成的案件".into(),
        location: jiedao_core::case::Location::default(),
        street: street.id,
        org_path: grid,
        external_ref: None,
    };
    let opening = Change::Report {
        report,
        step_timer: clock(1, at),
        case_timer: clock(5, at),
    };
    let mut case = open(CaseId::new(), number, &opening, at).context("a report opens a case")?;
    case.event_count = 0;
    case.step = None;
    case.step_timer = None;
    case.case_timer = None;
    Ok(case)
}

fn hours(dice: &mut Dice, low: u64, high: u64) -> Duration {
    Duration::minutes(
        i64::try_from((low + dice.below(high - low + 1)) * 60 + dice.below(60)).unwrap_or(0),
    )
}

/// A case of `street` reported at `at` (before `now`), with its outcome and delays.
fn case(
    dice: &mut Dice,
    street: &Street,
    categories: &[CategoryRef],
    at: DateTime<Utc>,
    number: String,
    now: DateTime<Utc>,
) -> anyhow::Result<Generated> {
    let channel = channel(dice);
    let grid = dice
        .pick(&street.grids)
        .context("a street without grids")?
        .clone();
    let category = dice.pick(categories).context("no categories")?.clone();
    let department = dice
        .pick(&street.departments)
        .context("a street without departments")?
        .clone();
    let by_worker = channel == Channel::GridWorker;
    let person = by_worker.then_some(street.worker);
    let mut tallies = Vec::new();
    let mut count = |when: DateTime<Utc>, person: Option<UserId>, f: &dyn Fn(&mut Counts)| {
        let mut counts = Counts::default();
        f(&mut counts);
        let dispatched = counts.accepted == 0 && counts.filed == 0 && counts.voided == 0;
        // A generated case stays in the grid it was reported in, so its cohort's area is its own.
        let tally = Tally {
            day: business_date(when),
            counts,
            person,
            cohort: false,
        };
        tallies.push((tally, dispatched));
    };
    count(at, person, &|c| {
        c.accepted = 1;
        c.reported = u64::from(by_worker);
    });
    let mut generated = Generated {
        case: reported(street, number, channel, category, grid, at)?,
        tallies: Vec::new(),
    };
    // Invalid and duplicate reports: voided (作废) or merged, never filed.
    if dice.chance(50) {
        let when = at + hours(dice, 0, 4);
        if when < now {
            count(when, None, &|c| c.voided = 1);
            generated.case.state = CaseState::Voided;
        }
        generated.tallies = tallies;
        return Ok(generated);
    }
    if dice.chance(20) {
        generated.case.state = CaseState::Merged;
        generated.tallies = tallies;
        return Ok(generated);
    }
    let filed = at + hours(dice, 0, 2);
    let case_clock = clock(5, filed);
    let deadline = case_clock.deadline.unwrap_or(filed);
    generated.case.case_timer = Some(case_clock);
    if filed >= now {
        generated.tallies = tallies;
        return Ok(generated);
    }
    // Filing and dispatch count by the cohort of reports: on the day the case was taken.
    count(at, person, &|c| {
        c.filed = 1;
        c.valid_reported = u64::from(by_worker);
    });
    generated.case.filed_at = Some(filed);
    generated.case.department = Some(department);
    generated.case.state = CaseState::Filed;
    let dispatched = filed + hours(dice, 0, 3);
    if dispatched >= now {
        generated.tallies = tallies;
        return Ok(generated);
    }
    count(at, None, &|c| c.dispatched = 1);
    if dice.chance(20) {
        count(dispatched + hours(dice, 1, 48), None, &|c| c.supervised = 1);
    }
    let extended = dice.chance(30);
    let late = dice.chance(70);
    let handling = if late {
        hours(dice, 72, 200)
    } else {
        hours(dice, 2, 60)
    };
    let handled = dispatched + handling;
    if handled >= now {
        generated.case.state = CaseState::Handling;
        generated.case.step = Some(Step::Handle);
        generated.case.step_timer = Some(clock(3, dispatched));
        generated.tallies = tallies;
        return Ok(generated);
    }
    let handled_on_time = !late || extended;
    count(handled, None, &|c| {
        c.handling_due = 1;
        c.handled_on_time = u64::from(handled_on_time);
        c.extended = u64::from(extended);
    });
    let reworked = dice.chance(40);
    if reworked {
        // 返工案件数 counts by the cohort of reports.
        count(at, None, &|c| c.reworked_cases = 1);
    }
    let checked = handled + hours(dice, 1, 24);
    count(checked, Some(street.worker), &|c| {
        c.checked = 1;
        c.checked_on_time = 1;
    });
    let closed = checked + hours(dice, 1, if reworked { 72 } else { 12 });
    if closed >= now {
        generated.case.state = CaseState::Checked;
        generated.tallies = tallies;
        return Ok(generated);
    }
    let on_time = closed <= deadline;
    count(closed, None, &|c| {
        c.due = 1;
        c.closed = 1;
        c.closed_on_time = u64::from(on_time);
        c.reworked = u64::from(reworked);
    });
    generated.case.closed_at = Some(closed);
    generated.case.closed_on_time = Some(on_time);
    generated.case.state = CaseState::Closed;
    if dice.chance(800) {
        let rated = closed + hours(dice, 2, 48);
        if rated < now {
            let roll = dice.below(1000);
            let verdict = if roll < 880 {
                Satisfaction::Satisfied
            } else if roll < 960 {
                Satisfaction::Basic
            } else {
                Satisfaction::Unsatisfied
            };
            count(rated, None, &|c| {
                c.rated = 1;
                c.satisfied = u64::from(verdict == Satisfaction::Satisfied);
                c.fairly_satisfied = u64::from(verdict == Satisfaction::Basic);
            });
            generated.case.satisfaction = Some(verdict);
            generated.case.state = CaseState::Evaluated;
        }
    }
    generated.tallies = tallies;
    Ok(generated)
}

/// Fills the store with `plan`; calls `progress(done, total)` as it goes. Returns the number
/// of cases written.
pub async fn generate(
    store: &Store,
    plan: &Plan,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<u64> {
    let streets = city(store, plan.streets).await?;
    let categories: Vec<CategoryRef> = store.catalog().leaves(false).map(|e| e.as_ref()).collect();
    let now = start_of_day(plan.end + Days::new(1));
    let first = plan.end - Days::new(plan.days.saturating_sub(1));
    let per_street = plan.cases / plan.streets.max(1) as u64;
    let days = plan.days.max(1);
    let mut written = 0_u64;
    for (index, street) in streets.iter().enumerate() {
        let mut done_here = 0_u64;
        while done_here < per_street {
            let batch = CASES_PER_WRITE.min(per_street - done_here);
            let mut dice = Dice((plan.seed ^ ((index as u64) << 32) ^ done_here) | 1);
            let mut cases = Vec::with_capacity(usize::try_from(batch).unwrap_or(0));
            let mut figures = Sums::default();
            for n in done_here..done_here + batch {
                // Cases spread evenly over the days, in time order, at office hours.
                let day = first + Days::new(n * days / per_street.max(1));
                let minute = i64::try_from(dice.below(10 * 60)).unwrap_or(0);
                let at = start_of_day(day) + Duration::minutes(8 * 60 + minute);
                // Numbered apart from the engine's (prefix G), which count from the street's
                // counter this does not touch.
                let number = jiedao_core::ledger::number::format("G", &street.segment, day, n);
                let generated = case(&mut dice, street, &categories, at, number, now)?;
                generated.count(&mut figures);
                cases.push(generated.case);
            }
            store
                .write(move |conn| jiedao_store::generated::load(conn, &cases, &figures))
                .await?;
            done_here += batch;
            written += batch;
            progress(written, per_street * plan.streets as u64);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_shares_add_up_to_the_whole() {
        assert_eq!(CHANNELS.iter().map(|(_, share)| share).sum::<u64>(), 1000);
    }
}
