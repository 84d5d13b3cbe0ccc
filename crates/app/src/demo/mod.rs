//! The demo street (演示街道): 明湖街道, a fictional street in Hangzhou's 西湖区 (330106), with ten
//! communities, sixty grids drawn around real coordinates, departments on the platforms, and one
//! login per role. All names are invented; no real person's data is used.
//!
//! The boundaries come from a jittered lattice whose edges are drawn once and shared by the
//! cells on both sides, so grids tile their community exactly, and the file goes through the
//! same validation as any imported one.

pub mod basemap;
pub mod disputes;
pub mod petitions;
pub mod registry;
pub mod year;

use jiedao_core::Role;
use jiedao_store::departments::{self, DepartmentKind, NewDepartment};
use jiedao_store::users::{self, NewUser};
use jiedao_store::{Principal, Store};

pub const DISTRICT: &str = "330106000000";
pub const STREET: &str = "330106090000";
pub const STREET_NAME: &str = "明湖街道";
/// The password of every demo login.
pub const PASSWORD: &str = "jiedao-demo";

/// Communities in their numbering order (north row west to east, then the south row).
const COMMUNITIES: [&str; 10] = [
    "青枫社区",
    "翠竹社区",
    "桂语社区",
    "荷风社区",
    "梧桐社区",
    "兰亭社区",
    "松涛社区",
    "柳岸社区",
    "星桥社区",
    "云溪社区",
];
/// One numeral per grid of a community: there are exactly as many as the block holds.
const GRID_NUMERALS: [&str; GRID_COLUMNS_PER_BLOCK * GRID_ROWS_PER_BLOCK] =
    ["一", "二", "三", "四", "五", "六"];

/// Community blocks: 5 columns by 2 rows; each community 2 grid columns by 3 grid rows.
const BLOCK_COLUMNS: usize = 5;
const BLOCK_ROWS: usize = 2;
const GRID_COLUMNS_PER_BLOCK: usize = 2;
const GRID_ROWS_PER_BLOCK: usize = 3;
const COLUMNS: usize = BLOCK_COLUMNS * GRID_COLUMNS_PER_BLOCK;
const ROWS: usize = BLOCK_ROWS * GRID_ROWS_PER_BLOCK;

/// South-west corner of the lattice and the size of one grid cell, in degrees (about 400 m by
/// 500 m), north-west of West Lake.
const ORIGIN: (f64, f64) = (120.084, 30.281);
const CELL: (f64, f64) = (0.0042, 0.0045);

/// A deterministic number in [-1, 1) for a lattice position (splitmix64).
fn noise(a: usize, b: usize, salt: u64) -> f64 {
    let mut z = (a as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        .wrapping_add(salt.wrapping_mul(0x1656_67B1_9E37_79F9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    #[expect(clippy::cast_precision_loss, reason = "53 bits of noise are plenty")]
    let unit = (z >> 11) as f64 / (1_u64 << 53) as f64;
    unit * 2.0 - 1.0
}

/// A lattice corner, moved by up to a fifth of a cell.
fn corner(i: usize, j: usize) -> (f64, f64) {
    #[expect(clippy::cast_precision_loss, reason = "lattice indices are tiny")]
    let (x, y) = (ORIGIN.0 + i as f64 * CELL.0, ORIGIN.1 + j as f64 * CELL.1);
    (
        x + noise(i, j, 1) * CELL.0 * 0.2,
        y + noise(i, j, 2) * CELL.1 * 0.2,
    )
}

/// The points of the lattice edge from `from` to the adjacent corner `to`, without `to`. The
/// edge bends at two points, the same way whichever side draws it.
fn edge(from: (usize, usize), to: (usize, usize)) -> Vec<(f64, f64)> {
    let forward = from <= to;
    let (a, b) = if forward { (from, to) } else { (to, from) };
    let (start, end) = (corner(a.0, a.1), corner(b.0, b.1));
    let (dx, dy) = (end.0 - start.0, end.1 - start.1);
    let salt = if a.0 == b.0 { 3 } else { 4 };
    let mut points = vec![start];
    for (k, t) in [(0, 1.0 / 3.0), (1, 2.0 / 3.0)] {
        let bend = noise(a.0 * 2 + k, a.1, salt) * 0.08;
        points.push((start.0 + dx * t - dy * bend, start.1 + dy * t + dx * bend));
    }
    points.push(end);
    if !forward {
        points.reverse();
    }
    points.pop();
    points
}

/// The counter-clockwise ring around lattice cells `[i0, i1) x [j0, j1)`.
fn outline(i0: usize, j0: usize, i1: usize, j1: usize) -> Vec<(f64, f64)> {
    let mut corners = Vec::new();
    corners.extend((i0..i1).map(|i| (i, j0)));
    corners.extend((j0..j1).map(|j| (i1, j)));
    corners.extend((i0 + 1..=i1).rev().map(|i| (i, j1)));
    corners.extend((j0 + 1..=j1).rev().map(|j| (i0, j)));
    let mut ring: Vec<(f64, f64)> = corners
        .iter()
        .zip(corners.iter().cycle().skip(1))
        .flat_map(|(from, to)| edge(*from, *to))
        .collect();
    if let Some(&first) = ring.first() {
        ring.push(first);
    }
    ring
}

fn feature(code: &str, name: &str, ring: Option<&[(f64, f64)]>) -> String {
    let geometry = match ring {
        Some(ring) => {
            let positions: Vec<String> = ring
                .iter()
                .map(|(x, y)| format!("[{x:.6},{y:.6}]"))
                .collect();
            format!(
                r#"{{"type":"Polygon","coordinates":[[{}]]}}"#,
                positions.join(",")
            )
        }
        None => "null".into(),
    };
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{name}"}},"geometry":{geometry}}}"#
    )
}

/// The community code of the `index`-th community (0-based).
pub fn community_code(index: usize) -> String {
    format!("330106090{:03}", index + 1)
}

/// The whole street as one boundary file: district, street, communities, grids.
pub fn boundaries() -> String {
    let mut features = vec![
        feature(DISTRICT, "西湖区", None),
        feature(STREET, STREET_NAME, Some(&outline(0, 0, COLUMNS, ROWS))),
    ];
    for (index, name) in COMMUNITIES.iter().enumerate() {
        let (block_column, block_row) = (
            index % BLOCK_COLUMNS,
            BLOCK_ROWS - 1 - index / BLOCK_COLUMNS,
        );
        let (i0, j0) = (
            block_column * GRID_COLUMNS_PER_BLOCK,
            block_row * GRID_ROWS_PER_BLOCK,
        );
        let code = community_code(index);
        features.push(feature(
            &code,
            name,
            Some(&outline(
                i0,
                j0,
                i0 + GRID_COLUMNS_PER_BLOCK,
                j0 + GRID_ROWS_PER_BLOCK,
            )),
        ));
        // Grids are numbered west to east, then north to south.
        for (sequence, numeral) in GRID_NUMERALS.iter().enumerate() {
            let column = i0 + sequence % GRID_COLUMNS_PER_BLOCK;
            let row = j0 + GRID_ROWS_PER_BLOCK - 1 - sequence / GRID_COLUMNS_PER_BLOCK;
            features.push(feature(
                &format!("{code}{:03}", sequence + 1),
                &format!("{name}第{numeral}网格"),
                Some(&outline(column, row, column + 1, row + 1)),
            ));
        }
    }
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

/// Departments: (name, kind, 2021 platform, 2016 platform).
pub const DEPARTMENTS: [(&str, DepartmentKind, &str, &str); 11] = [
    ("党政办公室", DepartmentKind::Office, "dangzheng", "bianmin"),
    ("平安办", DepartmentKind::Office, "zongzhi", "zongzhi"),
    ("城市管理科", DepartmentKind::Office, "jianguan", "zhifa"),
    ("社会事务科", DepartmentKind::Office, "gonggong", "bianmin"),
    ("经济发展科", DepartmentKind::Office, "gonggong", "bianmin"),
    (
        "应急管理办公室",
        DepartmentKind::Office,
        "yingji",
        "zongzhi",
    ),
    ("派出所", DepartmentKind::Stationed, "zongzhi", "zongzhi"),
    ("司法所", DepartmentKind::Stationed, "zongzhi", "zongzhi"),
    (
        "市场监管所",
        DepartmentKind::Stationed,
        "jianguan",
        "shichang",
    ),
    (
        "综合行政执法中队",
        DepartmentKind::Stationed,
        "jianguan",
        "zhifa",
    ),
    ("消防救援站", DepartmentKind::Stationed, "yingji", "zongzhi"),
];

/// The logins printed for people to try: one per role.
pub const LOGINS: [(&str, Role); 9] = [
    ("admin", Role::Administrator),
    ("leader", Role::Leader),
    ("shiftlead", Role::ShiftLead),
    ("intake", Role::IntakeOperator),
    ("dispatcher", Role::Dispatcher),
    ("handler", Role::DepartmentHandler),
    ("community", Role::CommunityStaff),
    ("gridworker", Role::GridWorker),
    ("resident", Role::Resident),
];

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: [&str; 20] = [
    "建国", "丽华", "秀英", "志强", "海燕", "晓东", "芳", "敏", "静怡", "磊", "洋", "艳红", "勇",
    "俊杰", "娟", "涛", "明辉", "超", "霞", "子涵",
];

/// An invented name, the same for the same number and different for each number below
/// `SURNAMES.len() * GIVEN.len()` (400): the surname from the number's last place, the given
/// name shifted by it, so no two staff share a name.
fn person(number: usize) -> String {
    let surname_at = number % SURNAMES.len();
    let given_at = (number / SURNAMES.len() + 7 * surname_at) % GIVEN.len();
    let surname = SURNAMES.get(surname_at).copied().unwrap_or_default();
    let given = GIVEN.get(given_at).copied().unwrap_or_default();
    format!("{surname}{given}")
}

/// The department the printed `handler` login works for: the one most categories are
/// dispatched to by default (城市管理科), so a first journey through the demo reaches it.
pub const HANDLER_DEPARTMENT: &str = DEPARTMENTS[2].0;

/// The grid the printed `gridworker` login covers (青枫社区第一网格).
pub fn gridworker_grid() -> String {
    format!("{}001", community_code(0))
}

/// Whether the demo street is already in this database.
pub async fn exists(store: &Store) -> anyhow::Result<bool> {
    let found = store
        .read(|conn| jiedao_store::org::current_by_code(conn, STREET))
        .await?;
    Ok(found.is_some())
}

/// Fills an empty database with the demo street.
/// Builds the demo street and `days` days of its cases up to now, on a clock that walks
/// through them, with a progress bar. Written with `durability = normal` (a crash while
/// building loses only the demo, which `--fresh` rebuilds).
pub async fn build(config: &crate::config::Config, days: i64) -> anyhow::Result<year::YearSummary> {
    let end = chrono::Utc::now();
    let clock = std::sync::Arc::new(jiedao_core::ManualClock::new(
        end - chrono::Duration::days(days),
    ));
    let mut store_config = config.store_config()?;
    store_config.durability = jiedao_store::Durability::Normal;
    let store = Store::open(store_config, clock.clone()).await?;
    create(&store).await?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("  {bar:40} {pos}/{len} 人房企物 / registry")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let registry = registry::fill(&store, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    tracing::info!(?registry, "the demo registry");
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("  {bar:40} {pos}/{len} 件纠纷 / disputes")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let start = jiedao_core::Clock::now(clock.as_ref());
    let disputes = disputes::fill(&store, &clock, end, days, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    tracing::info!(?disputes, "the demo disputes");
    // The cases' year walks the clock from the start again.
    clock.set(start);
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("  {bar:40} {pos}/{len} 件案件 / cases")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary = year::fill(&store, &clock, end, days, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    let petitions = petitions::fill(&store, &clock, end).await?;
    tracing::info!(?petitions, "the demo petitions");
    Ok(summary)
}

pub async fn create(store: &Store) -> anyhow::Result<()> {
    let system = Principal::system("demo");
    let scope = system.scope();
    store
        .import_boundaries(&scope, system.actor(None), boundaries())
        .await
        .map_err(|error| anyhow::anyhow!("demo boundaries: {error:?}"))?;
    basemap::create(store).await?;
    let offices = DEPARTMENTS
        .iter()
        .map(|(name, kind, platform_2021, platform_2016)| {
            (*name, *kind, None, *platform_2021, *platform_2016)
        });
    // Each community also handles what is dispatched to it, on the governance platform.
    let communities = COMMUNITIES.iter().enumerate().map(|(index, name)| {
        (
            *name,
            DepartmentKind::Community,
            Some(community_code(index)),
            "zongzhi",
            "zongzhi",
        )
    });
    let departments: Vec<NewDepartment> = offices
        .chain(communities)
        .map(
            |(name, kind, community_code, platform_2021, platform_2016)| NewDepartment {
                code: None,
                street_code: STREET.into(),
                name: name.into(),
                kind,
                community_code,
                platforms: vec![
                    ("zj2021".into(), platform_2021.into()),
                    ("zj2016".into(), platform_2016.into()),
                ],
            },
        )
        .collect();
    let (department_scope, actor, at) = (scope.clone(), system.actor(None), store.now());
    store
        .write(move |conn| {
            for new in &departments {
                departments::add(conn, &department_scope, &actor, at, new)?;
            }
            Ok(())
        })
        .await?;

    let first_community = community_code(0);
    let mut people: Vec<NewUser> = Vec::new();
    let mut add = |username: String,
                   display_name: String,
                   role: Role,
                   org: String,
                   department: Option<&str>| {
        people.push(NewUser {
            username,
            display_name,
            role,
            org_code: org,
            department: department.map(str::to_owned),
            password: PASSWORD.into(),
        });
    };
    // Every person gets a number of their own, so every name differs.
    let mut numbers = 0..;
    let mut next = || numbers.next().map_or_else(String::new, person);
    for (username, role) in LOGINS {
        let (org, department) = match role {
            Role::CommunityStaff | Role::Resident => (first_community.clone(), None),
            Role::GridWorker => (gridworker_grid(), None),
            Role::DepartmentHandler => (STREET.to_owned(), Some(HANDLER_DEPARTMENT)),
            _ => (STREET.to_owned(), None),
        };
        add(username.into(), next(), role, org, department);
    }
    // Every community and grid has its people, and every department its handler.
    for index in 0..COMMUNITIES.len() {
        let community = community_code(index);
        add(
            format!("c{:02}staff", index + 1),
            next(),
            Role::CommunityStaff,
            community.clone(),
            None,
        );
        for grid in 1..=GRID_COLUMNS_PER_BLOCK * GRID_ROWS_PER_BLOCK {
            add(
                format!("gw{:02}{grid}", index + 1),
                next(),
                Role::GridWorker,
                format!("{community}{grid:03}"),
                None,
            );
        }
    }
    for (index, (name, ..)) in DEPARTMENTS.iter().enumerate() {
        add(
            format!("dept{:02}", index + 1),
            next(),
            Role::DepartmentHandler,
            STREET.into(),
            Some(name),
        );
    }
    // Every demo login shares one password: hash it once instead of a hundred times.
    let hash =
        tokio::task::spawn_blocking(|| jiedao_store::auth::hash_password(PASSWORD)).await??;
    let actor = system.actor(None);
    let at = store.now();
    store
        .write(move |conn| {
            for new in &people {
                users::create(conn, &scope, &actor, at, new, &hash)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiedao_core::GridCodeFormat;
    use jiedao_geo::{Existing, check_set, read_boundaries};

    #[test]
    fn the_demo_boundaries_pass_every_check() {
        let format = GridCodeFormat::default();
        let (boundaries, problems) = read_boundaries(&boundaries(), &format);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(boundaries.len(), 2 + 10 + 60);
        let problems = check_set(&boundaries, &Existing::default(), &format, 1.0);
        assert!(problems.is_empty(), "{problems:?}");
        let street_area: f64 = boundaries[1].area_m2();
        // About 4 km by 3 km.
        assert!((9e6..16e6).contains(&street_area), "{street_area}");
    }

    #[test]
    fn names_are_invented_and_stable() {
        assert_eq!(person(3), person(3));
        assert_ne!(person(3), person(4));
        let names: std::collections::HashSet<String> =
            (0..SURNAMES.len() * GIVEN.len()).map(person).collect();
        assert_eq!(names.len(), SURNAMES.len() * GIVEN.len(), "no two alike");
    }
}
