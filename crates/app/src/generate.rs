//! `jiedao generate`: a city's worth of cases for benchmarks — streets with communities, grids,
//! departments and grid workers, and years of cases with realistic channels, categories,
//! outcomes and delays, written straight into the case table in large transactions together
//! with the rollups they add up to.
//!
//! Generated cases carry no history records (their count is 0 and their head the genesis hash,
//! so the chain check still holds): they are load for the figures, not cases anyone worked.
//! The database is marked as generated and `jiedao stats rebuild` refuses it, since a rebuild
//! from histories would empty the figures.

use std::collections::HashMap;

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use jiedao_core::case::Channel;
use jiedao_core::clock::{business_date, start_of_day};
use jiedao_core::evaluation::Counts;
use jiedao_core::{
    CaseId, CategoryId, DepartmentId, GridCodeFormat, OrgCode, OrgPath, OrgUnitId, Role, UserId,
};
use jiedao_store::departments::{self, NewDepartment};
use jiedao_store::stats::rollup::{Attribution, RowKey, add_row, day_key};
use jiedao_store::users::{self, NewUser};
use jiedao_store::{Conn, Principal, Store, StoreError};

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

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
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
    departments: Vec<DepartmentId>,
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
                        street_code: street.clone(),
                        name: name.into(),
                        kind,
                        community_code: None,
                        platforms: vec![
                            ("zj2021".into(), platform_2021.into()),
                            ("zj2016".into(), platform_2016.into()),
                        ],
                    };
                    department_ids.push(departments::add(conn, &scope, &actor, at, &new)?);
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
            conn.execute(
                "INSERT INTO setting (key, value, updated_at) VALUES ('generated', 'true', $1)",
                &[&at],
            )?;
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

/// One generated case: its row and what it adds to the figures, day by day.
struct Generated {
    id: CaseId,
    number: String,
    state: &'static str,
    attribution: Attribution,
    category: CategoryId,
    reported_at: DateTime<Utc>,
    filed_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    case_deadline: Option<DateTime<Utc>>,
    step: Option<&'static str>,
    step_deadline: Option<DateTime<Utc>>,
    satisfaction: Option<&'static str>,
    /// Each change's day, counts and person, and whether the case was dispatched by then.
    tallies: Vec<(NaiveDate, Counts, Option<UserId>, bool)>,
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
    categories: &[CategoryId],
    at: DateTime<Utc>,
    number: String,
    now: DateTime<Utc>,
) -> Generated {
    let channel = channel(dice);
    let grid = dice.pick(&street.grids).clone();
    let category = *dice.pick(categories);
    let department = *dice.pick(&street.departments);
    let by_worker = channel == Channel::GridWorker;
    let person = by_worker.then_some(street.worker);
    let mut tallies = Vec::new();
    let mut count = |when: DateTime<Utc>, person: Option<UserId>, f: &dyn Fn(&mut Counts)| {
        let mut counts = Counts::default();
        f(&mut counts);
        let dispatched = counts.accepted == 0 && counts.filed == 0 && counts.voided == 0;
        tallies.push((business_date(when), counts, person, dispatched));
    };
    count(at, person, &|c| {
        c.accepted = 1;
        c.reported = u64::from(by_worker);
    });
    let attribution = Attribution {
        street: street.id,
        org_path: grid,
        department: Some(department),
        category: Some(category),
        channel,
    };
    let mut generated = Generated {
        id: CaseId::new(),
        number,
        state: "reported",
        attribution,
        category,
        reported_at: at,
        filed_at: None,
        closed_at: None,
        case_deadline: None,
        step: None,
        step_deadline: None,
        satisfaction: None,
        tallies: Vec::new(),
    };
    // Invalid and duplicate reports: voided (作废) or merged, never filed.
    if dice.chance(50) {
        let when = at + hours(dice, 0, 4);
        if when < now {
            count(when, None, &|c| c.voided = 1);
            generated.state = "voided";
        }
        generated.tallies = tallies;
        return generated;
    }
    if dice.chance(20) {
        generated.state = "merged";
        generated.tallies = tallies;
        return generated;
    }
    let filed = at + hours(dice, 0, 2);
    let deadline = filed + Duration::days(5);
    generated.case_deadline = Some(deadline);
    if filed >= now {
        generated.tallies = tallies;
        return generated;
    }
    count(filed, person, &|c| {
        c.filed = 1;
        c.valid_reported = u64::from(by_worker);
    });
    generated.filed_at = Some(filed);
    generated.state = "filed";
    let dispatched = filed + hours(dice, 0, 3);
    if dispatched >= now {
        generated.tallies = tallies;
        return generated;
    }
    count(dispatched, None, &|c| c.dispatched = 1);
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
        generated.state = "handling";
        generated.step = Some("handle");
        generated.step_deadline = Some(dispatched + Duration::days(3));
        generated.tallies = tallies;
        return generated;
    }
    let handled_on_time = !late || extended;
    count(handled, None, &|c| {
        c.handling_due = 1;
        c.handled_on_time = u64::from(handled_on_time);
        c.extended = u64::from(extended);
    });
    let reworked = dice.chance(40);
    let checked = handled + hours(dice, 1, 24);
    count(checked, Some(street.worker), &|c| {
        c.checked = 1;
        c.checked_on_time = 1;
        c.reworked = u64::from(reworked);
    });
    let closed = checked + hours(dice, 1, if reworked { 72 } else { 12 });
    if closed >= now {
        generated.state = "checked";
        generated.tallies = tallies;
        return generated;
    }
    let on_time = closed <= deadline;
    count(closed, None, &|c| {
        c.due = 1;
        c.closed = 1;
        c.closed_on_time = u64::from(on_time);
    });
    generated.closed_at = Some(closed);
    generated.state = "closed";
    if dice.chance(800) {
        let rated = closed + hours(dice, 2, 48);
        if rated < now {
            let roll = dice.below(1000);
            let verdict = if roll < 880 {
                "satisfied"
            } else if roll < 960 {
                "basic"
            } else {
                "unsatisfied"
            };
            count(rated, None, &|c| {
                c.rated = 1;
                c.satisfied = u64::from(verdict == "satisfied");
                c.fairly_satisfied = u64::from(verdict == "basic");
            });
            generated.satisfaction = Some(verdict);
            generated.state = "evaluated";
        }
    }
    generated.tallies = tallies;
    generated
}

fn insert(conn: &mut Conn, case: &Generated) -> Result<(), StoreError> {
    let a = &case.attribution;
    let closed_on_time = case.closed_at.zip(case.case_deadline).map(|(c, d)| c <= d);
    conn.execute(
        "INSERT INTO case_file (street_id, id, number, state, channel, category_id, urgency, description,
             org_path, department_id, step, step_deadline, step_overdue, case_deadline, reported_at,
             filed_at, closed_at, verification_requested, supervised, supervision_count, return_count,
             extension_count, rework_count, reopen_count, merged_in_count, closed_on_time,
             satisfaction, event_count, head_hash, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'normal', '生成的案件', $7, $8, $9, $10, FALSE, $11, $12, $13, $14,
             FALSE, FALSE, 0, 0, 0, 0, 0, 0, $15, $16, 0, $17, $12)",
        &[
            &a.street,
            &case.id,
            &case.number,
            &case.state,
            &a.channel.as_str(),
            &case.category,
            &a.org_path,
            &a.department.filter(|_| case.filed_at.is_some()),
            &case.step,
            &case.step_deadline,
            &case.case_deadline,
            &case.reported_at,
            &case.filed_at,
            &case.closed_at,
            &closed_on_time,
            &case.satisfaction,
            &jiedao_store::cases::history::GENESIS.as_slice(),
        ],
    )?;
    Ok(())
}

/// Fills the store with `plan`; calls `progress(done, total)` as it goes. Returns the number
/// of cases written.
pub async fn generate(
    store: &Store,
    plan: &Plan,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<u64> {
    let streets = std::sync::Arc::new(city(store, plan.streets).await?);
    let categories: std::sync::Arc<Vec<CategoryId>> =
        std::sync::Arc::new(store.catalog().leaves(false).map(|e| e.id).collect());
    let now = start_of_day(plan.end + Days::new(1));
    let first = plan.end - Days::new(plan.days.saturating_sub(1));
    let per_street = plan.cases / plan.streets.max(1) as u64;
    let days = plan.days.max(1);
    let mut written = 0_u64;
    for (index, _) in streets.iter().enumerate() {
        let mut done_here = 0_u64;
        while done_here < per_street {
            let batch = CASES_PER_WRITE.min(per_street - done_here);
            let (streets, categories) = (streets.clone(), categories.clone());
            let seed = plan.seed ^ ((index as u64) << 32) ^ done_here;
            let start = done_here;
            store
                .write(move |conn| {
                    let street = &streets[index];
                    let mut dice = Dice(seed | 1);
                    let mut rows: HashMap<RowKey, Counts> = HashMap::new();
                    for n in start..start + batch {
                        // Cases spread evenly over the days, in time order, at office hours.
                        let day = first + Days::new(n * days / per_street.max(1));
                        let minute = i64::try_from(dice.below(10 * 60)).unwrap_or(0);
                        let at = start_of_day(day) + Duration::minutes(8 * 60 + minute);
                        // Numbered apart from the engine's (prefix G), which count from the
                        // street's counter this does not touch.
                        let number =
                            jiedao_core::ledger::number::format("G", &street.segment, day, n);
                        let generated = case(&mut dice, street, &categories, at, number, now);
                        insert(conn, &generated)?;
                        let before_dispatch = Attribution {
                            department: None,
                            ..generated.attribution.clone()
                        };
                        for (day, counts, person, dispatched) in &generated.tallies {
                            let attribution = if *dispatched {
                                &generated.attribution
                            } else {
                                &before_dispatch
                            };
                            let key_day = day_key(*day);
                            for (dimension, member) in attribution.members(*person) {
                                *rows
                                    .entry((dimension, street.id, key_day, member))
                                    .or_default() += *counts;
                            }
                        }
                    }
                    for (key, counts) in &rows {
                        add_row(conn, key, counts)?;
                    }
                    Ok(())
                })
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
