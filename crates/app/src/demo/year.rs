//! A year of cases for the demo street (演示数据), about as many as a real street office
//! reports (5,735 案卷 a year in one of the seed reports), made through the same intake and
//! actions people use, by the demo's own staff logins, with the store's clock walked forward
//! through the year. So every case has its whole history, deadlines and lights are the
//! engine's own, and every figure on the dashboard is one the engine computed.
//!
//! Fates are drawn from a fixed seed: most cases go the whole way (filed, dispatched to the
//! category's department, accepted, handled, checked, closed, followed up); some are voided,
//! some fail their check and are reworked, some are handled late. Cases of the last days are
//! still on their way.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jiedao_core::case::{Case, CaseState, Channel, Satisfaction};
use jiedao_core::category::DefaultDepartment;
use jiedao_core::question::Datatype;
use jiedao_core::{CaseId, DepartmentId, ManualClock};
use jiedao_store::cases::{
    Answers, Command, EventActor, Face, NewReport, Purpose, Reporter, Sent, Upload, Who,
};
use jiedao_store::categories::CategoryEntry;
use jiedao_store::visits::{self, NewVisit, VisitKind};
use jiedao_store::{LoginOutcome, Principal, Store, departments};

use super::{CELL, COLUMNS, COMMUNITIES, DEPARTMENTS, ORIGIN, PASSWORD, ROWS, community_code};

/// Reports a day, on average.
pub const CASES_PER_DAY: f64 = 16.0;

/// A small deterministic random source (splitmix64).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[expect(clippy::cast_precision_loss, reason = "53 random bits")]
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    /// One of `items` (`None` only when there are none).
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// Minutes between `low` and `high`.
    fn minutes(&mut self, low: f64, high: f64) -> Duration {
        #[expect(clippy::cast_possible_truncation, reason = "a few days of minutes")]
        let minutes = (low + (high - low) * self.unit()) as i64;
        Duration::minutes(minutes)
    }
}

/// What happens next to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Report,
    File,
    Void,
    Dispatch,
    Accept,
    ReportDone,
    Check,
    Close,
    FollowUp,
}

/// One case being made: where it is, who works on it.
struct Story {
    id: Option<CaseId>,
    channel: Channel,
    lon: f64,
    lat: f64,
    category: usize,
    department: Option<(DepartmentId, String)>,
    grid: Option<String>,
    reworked: bool,
}

/// How the year went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct YearSummary {
    pub reported: u64,
    pub actions: u64,
    /// Actions the engine refused: none are expected; a refusal is a bug in the plan.
    pub refused: u64,
    /// Grid workers' visits (走访).
    pub visits: u64,
}

/// Places in the demo street a report names (invented).
const PLACES: [&str; 12] = [
    "青枫路与翠竹街路口",
    "桂语花园3幢楼下",
    "荷风农贸市场门口",
    "梧桐小学东门",
    "兰亭公园北门",
    "松涛路28号",
    "柳岸河边步道",
    "星桥公交站旁",
    "云溪小区南门",
    "明湖文化站前",
    "翠竹苑地下车库入口",
    "青枫社区服务中心旁",
];

/// What a reporter writes for a category: a place and the category's own name, in the words
/// of its kind (a component broken, an event seen, a matter raised), so the description and
/// the category always agree.
fn description(category: &CategoryEntry, dice: &mut Dice) -> String {
    let place = dice.pick(&PLACES).copied().unwrap_or_default();
    let name = &category.name;
    match category.code.chars().next() {
        Some('B') => format!("{place}的{name}损坏或缺失，影响使用"),
        Some('E') => format!("{place}发现{name}，请尽快处理"),
        _ => format!("{place}居民反映：{name}，请协调处理"),
    }
}

/// A reporter's answers to the category's required questions (the store refuses a report
/// without them, as it does every face's).
fn answers(category: &CategoryEntry, at: DateTime<Utc>, dice: &mut Dice) -> Sent {
    let given = category
        .settings
        .questions
        .iter()
        .filter(|q| q.variable && q.required)
        .map(|question| {
            let value = match question.datatype {
                Datatype::SingleValueList | Datatype::MultiValueList => dice
                    .pick(&question.values)
                    .map(|choice| choice.key.clone())
                    .unwrap_or_default(),
                Datatype::Number => "1".to_owned(),
                Datatype::Datetime => at.to_rfc3339(),
                Datatype::String | Datatype::Text => category.name.clone(),
            };
            (question.code.clone(), vec![value])
        })
        .collect();
    Sent {
        answers: Answers::Given(given),
        ..Sent::default()
    }
}

/// The staff who act, logged in once each.
struct Staff {
    by_name: HashMap<String, Principal>,
}

impl Staff {
    async fn log_in(store: &Store, names: Vec<String>) -> anyhow::Result<Staff> {
        let mut by_name = HashMap::new();
        for name in names {
            match store.login(&name, PASSWORD, None).await? {
                LoginOutcome::LoggedIn(session) => {
                    by_name.insert(name, session.principal);
                }
                other => anyhow::bail!("the demo login {name} did not work: {other:?}"),
            }
        }
        Ok(Staff { by_name })
    }

    fn who(&self, name: &str) -> Option<Who> {
        self.by_name.get(name).cloned().map(Who::User)
    }
}

/// A small after-photo: a street-grey frame with a patch of colour, as a JPEG.
fn after_photo(dice: &mut Dice) -> anyhow::Result<Vec<u8>> {
    let tint = u8::try_from(dice.below(200)).unwrap_or(0);
    let image = image::RgbImage::from_fn(64, 48, |x, y| {
        if (16..48).contains(&x) && (12..36).contains(&y) {
            image::Rgb([tint, 160, 90])
        } else {
            image::Rgb([150, 150, 145])
        }
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Jpeg)?;
    Ok(bytes.into_inner())
}

/// The demo login that handles a department's cases.
fn handler_of(name: &str) -> Option<String> {
    if let Some(index) = DEPARTMENTS.iter().position(|(n, ..)| *n == name) {
        return Some(format!("dept{:02}", index + 1));
    }
    // A community's own department: its community staff.
    COMMUNITIES
        .iter()
        .position(|n| *n == name)
        .map(|index| format!("c{:02}staff", index + 1))
}

/// The grid worker of a grid code (`{community}{nnn}`).
fn worker_of(grid: &str) -> Option<String> {
    let (community, number) = grid.split_at(grid.len().checked_sub(3)?);
    let index = (0..COMMUNITIES.len()).find(|i| community_code(*i) == community)?;
    Some(format!(
        "gw{:02}{}",
        index + 1,
        number.trim_start_matches('0')
    ))
}

/// Fills `days` days up to `end` with cases, moving `clock` as it goes. `progress` hears how
/// many of the planned reports are made.
pub async fn fill(
    store: &Store,
    clock: &Arc<ManualClock>,
    end: DateTime<Utc>,
    days: i64,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<YearSummary> {
    let mut dice = Dice(0x5EED_2026);
    let start = end - Duration::days(days);
    let catalog = store.catalog();
    let categories: Vec<_> = catalog.leaves(false).collect();
    let system = Principal::system("demo");
    let scope = system.scope();
    let all_departments = store
        .read(move |conn| departments::list(conn, &scope))
        .await?;
    let department_named = |name: &str| {
        all_departments
            .iter()
            .find(|d| d.name == name)
            .map(|d| (d.id, d.name.clone()))
    };
    let mut names: Vec<String> = ["intake", "dispatcher", "shiftlead"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    names.extend(all_departments.iter().filter_map(|d| handler_of(&d.name)));
    for community in 0..COMMUNITIES.len() {
        for grid in 1..=6 {
            names.push(format!("gw{:02}{grid}", community + 1));
        }
    }
    clock.set(start);
    let staff = Staff::log_in(store, names).await?;

    // Plan the reports: a Poisson-like count per day, in the day's busy hours.
    let mut stories = Vec::new();
    let mut queue = BinaryHeap::new();
    for day in 0..days {
        let count = (CASES_PER_DAY * (0.6 + 0.8 * dice.unit())).round();
        #[expect(clippy::cast_possible_truncation, reason = "a few dozen a day")]
        for _ in 0..count as i64 {
            let at = start + Duration::days(day) + dice.minutes(7.0 * 60.0, 21.0 * 60.0);
            let channel = match dice.unit() {
                u if u < 0.55 => Channel::GridWorker,
                u if u < 0.75 => Channel::Hotline,
                u if u < 0.90 => Channel::Resident,
                _ => Channel::Sensor,
            };
            #[expect(clippy::cast_precision_loss, reason = "small grid counts")]
            let (lon, lat) = (
                ORIGIN.0 + CELL.0 * (dice.below(COLUMNS) as f64 + 0.2 + 0.6 * dice.unit()),
                ORIGIN.1 + CELL.1 * (dice.below(ROWS) as f64 + 0.2 + 0.6 * dice.unit()),
            );
            queue.push(Reverse((at, stories.len(), Step::Report)));
            stories.push(Story {
                id: None,
                channel,
                lon,
                lat,
                category: dice.below(categories.len()),
                department: None,
                grid: None,
                reworked: false,
            });
        }
    }
    let planned = u64::try_from(stories.len()).unwrap_or(0);
    let mut summary = YearSummary::default();
    while let Some(Reverse((at, index, step))) = queue.pop() {
        if at > end {
            continue;
        }
        clock.set(at);
        let Some(story) = stories.get_mut(index) else {
            continue;
        };
        let Some(&category) = categories.get(story.category) else {
            continue;
        };
        let mut files = Vec::new();
        let (who, command) = match step {
            Step::Report => {
                let new = NewReport {
                    channel: story.channel,
                    category: Some(category.id),
                    urgency: None,
                    description: description(category, &mut dice),
                    lon: Some(story.lon),
                    lat: Some(story.lat),
                    address: None,
                    street: None,
                    external_ref: (story.channel == Channel::Hotline)
                        .then(|| format!("12345-{}-{index:05}", at.format("%Y%m%d"))),
                    reporter: Reporter {
                        phone: (story.channel == Channel::Resident)
                            .then(|| format!("138{:08}", dice.below(100_000_000))),
                        ..Reporter::default()
                    },
                    idempotency: None,
                    public_only: false,
                    submission: answers(category, at, &mut dice),
                    face: Face::Person,
                };
                let actor = EventActor {
                    user_id: None,
                    name: "demo".into(),
                    role: None,
                    ip: None,
                };
                let receipt = store.report(new, actor, Vec::new()).await?;
                story.id = Some(receipt.id);
                summary.reported += 1;
                progress(summary.reported, planned);
                let next = if dice.chance(0.04) {
                    Step::Void
                } else {
                    Step::File
                };
                queue.push(Reverse((at + dice.minutes(5.0, 90.0), index, next)));
                continue;
            }
            Step::File => (
                staff.who("intake"),
                Command::File {
                    category: Some(category.id),
                    urgency: None,
                    note: "经核实，情况属实".into(),
                },
            ),
            Step::Void => (
                staff.who("shiftlead"),
                Command::Void {
                    reason: "重复上报".into(),
                },
            ),
            Step::Dispatch => {
                let department = match &category.settings.department {
                    DefaultDepartment::Named(name) => department_named(name),
                    DefaultDepartment::Community => story
                        .grid
                        .as_deref()
                        .and_then(|g| {
                            let community = &g[..g.len().saturating_sub(3)];
                            (0..COMMUNITIES.len()).find(|i| community_code(*i) == community)
                        })
                        .and_then(|i| COMMUNITIES.get(i).and_then(|c| department_named(c))),
                }
                .or_else(|| department_named(DEPARTMENTS[2].0));
                let Some(department) = department else {
                    continue;
                };
                story.department = Some(department.clone());
                (
                    staff.who("dispatcher"),
                    Command::Dispatch {
                        department: department.0.into(),
                        note: String::new(),
                    },
                )
            }
            Step::Accept | Step::ReportDone => {
                let handler = story
                    .department
                    .as_ref()
                    .and_then(|(_, name)| handler_of(name));
                let command = if step == Step::Accept {
                    Command::Accept
                } else {
                    files.push(store.files().store(Upload {
                        file_name: "after.jpg".into(),
                        bytes: after_photo(&mut dice)?,
                        purpose: Purpose::After,
                    })?);
                    Command::ReportDone {
                        note: "已处置完毕".into(),
                    }
                };
                (handler.and_then(|h| staff.who(&h)), command)
            }
            Step::Check => {
                let passed = story.reworked || !dice.chance(0.05);
                story.reworked |= !passed;
                (
                    story
                        .grid
                        .as_deref()
                        .and_then(worker_of)
                        .and_then(|w| staff.who(&w)),
                    Command::Check {
                        passed,
                        note: if passed {
                            String::new()
                        } else {
                            "现场仍未处理到位".into()
                        },
                    },
                )
            }
            Step::Close => (
                staff.who("shiftlead"),
                Command::Close {
                    note: String::new(),
                },
            ),
            Step::FollowUp => {
                let satisfaction = match dice.unit() {
                    u if u < 0.86 => Satisfaction::Satisfied,
                    u if u < 0.97 => Satisfaction::Basic,
                    _ => Satisfaction::Unsatisfied,
                };
                (
                    staff.who("intake"),
                    Command::FollowUp {
                        satisfaction,
                        note: "电话回访".into(),
                    },
                )
            }
        };
        let (Some(who), Some(id)) = (who, story.id) else {
            summary.refused += 1;
            continue;
        };
        summary.actions += 1;
        let case: Case = match store.act(who, None, id, command, files).await {
            Ok(case) => case,
            Err(jiedao_store::StoreError::Refused(refusal)) => {
                tracing::warn!(?refusal, ?step, "the demo plan was refused");
                summary.refused += 1;
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        story.grid = case.location.grid.as_ref().map(|g| g.code.clone());
        let next = match step {
            Step::File => Some((Step::Dispatch, dice.minutes(5.0, 40.0))),
            Step::Dispatch => Some((Step::Accept, dice.minutes(10.0, 180.0))),
            // Most are handled within the day; one in ten takes days and runs late.
            Step::Accept => {
                let longest = if dice.chance(0.1) { 6000.0 } else { 1440.0 };
                Some((Step::ReportDone, dice.minutes(60.0, longest)))
            }
            Step::ReportDone => Some((Step::Check, dice.minutes(30.0, 1200.0))),
            Step::Check if case.state == CaseState::Handling => {
                Some((Step::ReportDone, dice.minutes(120.0, 1440.0)))
            }
            Step::Check => Some((Step::Close, dice.minutes(20.0, 480.0))),
            Step::Close if dice.chance(0.75) => Some((Step::FollowUp, dice.minutes(60.0, 2880.0))),
            _ => None,
        };
        if let Some((step, after)) = next {
            queue.push(Reverse((at + after, index, step)));
        }
    }
    summary.visits = record_visits(store, &staff, &mut dice, start, days).await?;
    clock.set(end);
    store.tick().await?;
    Ok(summary)
}

/// A few grid workers' visits a day, in working hours.
async fn record_visits(
    store: &Store,
    staff: &Staff,
    dice: &mut Dice,
    start: DateTime<Utc>,
    days: i64,
) -> anyhow::Result<u64> {
    let workers: Vec<&Principal> = staff
        .by_name
        .iter()
        .filter(|(name, _)| name.starts_with("gw"))
        .map(|(_, principal)| principal)
        .collect();
    let mut visits = Vec::new();
    for day in 0..days {
        for _ in 0..3 + dice.below(4) {
            let Some(&worker) = dice.pick(&workers) else {
                continue;
            };
            let worker = worker.clone();
            let at = start + Duration::days(day) + dice.minutes(8.5 * 60.0, 17.5 * 60.0);
            let Some(&kind) = dice.pick(&VisitKind::ALL) else {
                continue;
            };
            let place = match kind {
                VisitKind::Business => format!("沿街商铺{}号", 1 + dice.below(120)),
                _ => format!(
                    "{}幢{}单元{}室",
                    1 + dice.below(30),
                    1 + dice.below(4),
                    101 + dice.below(1500)
                ),
            };
            let visit = NewVisit {
                kind,
                place,
                note: dice
                    .pick(&[
                        "情况正常",
                        "已宣传防诈骗知识",
                        "独居老人，身体尚好",
                        "提醒清理楼道杂物",
                    ])
                    .copied()
                    .unwrap_or_default()
                    .into(),
                found_problem: dice.chance(0.05),
                intake_key: None,
            };
            visits.push((worker, at, visit));
        }
    }
    let count = u64::try_from(visits.len()).unwrap_or(0);
    store
        .write(move |conn| {
            for (worker, at, visit) in &visits {
                visits::record(conn, worker, *at, visit)?;
            }
            Ok(())
        })
        .await?;
    Ok(count)
}
