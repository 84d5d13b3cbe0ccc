//! The demo street's registry (人房企物), at the size of the seeds: about 20,000 persons in
//! 8,000 houses (about 2,900 of them let), 40 office buildings with two years of tax (4 paying
//! 100 million yuan or more, 10 paying 10 million or more), 3,000 enterprises, 300 components.
//! Names are invented; ID numbers are invented with valid check digits. Everything is written
//! through the store's own functions as the demo's leader, persons sealed before the writes.

use chrono::{Datelike, Duration, NaiveDate};
use jiedao_core::money::Money;
use jiedao_core::registry::{DocumentKind, TagSource, sample};
use jiedao_store::registry::bulk::{self, ExtraStay, Newcomer};
use jiedao_store::registry::components::{self, NewComponent};
use jiedao_store::registry::enterprises::{self, NewEnterprise};
use jiedao_store::registry::persons::{self, NewPerson};
use jiedao_store::registry::places::{self, NewPlace, Occupation, PlaceKind};
use jiedao_store::{LoginOutcome, Principal, Store};
use uuid::Uuid;

use super::{CELL, COMMUNITIES, ORIGIN, community_code};

/// What the demo registry holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrySummary {
    pub persons: usize,
    pub houses: usize,
    pub rented: usize,
    pub buildings: usize,
    pub enterprises: usize,
    pub components: usize,
}

const ESTATES: [&str; 20] = [
    "枫林苑",
    "翠园",
    "桂花里",
    "荷塘小区",
    "梧桐公寓",
    "兰庭",
    "松风苑",
    "柳浪新村",
    "星河湾",
    "云栖小区",
    "青竹园",
    "听涛苑",
    "紫荆花园",
    "半山居",
    "晓月里",
    "湖畔家园",
    "观澜苑",
    "锦绣里",
    "和园",
    "春晓苑",
];
const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
];
const GIVEN: [&str; 40] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "文", "玉", "兰", "建", "国", "志", "海", "燕",
    "晓", "东", "梅", "春", "林", "云", "辉", "鹏",
];
const TOWERS: [&str; 8] = [
    "中心",
    "大厦",
    "国际",
    "广场",
    "科创园",
    "金融港",
    "商务楼",
    "时代",
];
const FIRMS: [&str; 12] = [
    "科技", "网络", "信息", "文化", "咨询", "贸易", "餐饮", "物业", "建设", "设计", "医药", "教育",
];
/// GB/T 4754 divisions, in the order of `FIRMS`.
const INDUSTRIES: [&str; 12] = [
    "65", "64", "65", "86", "72", "51", "62", "70", "48", "74", "52", "83",
];
const COMPONENT_CLASSES: [&str; 10] = [
    "B0101", "B0102", "B0103", "B0104", "B0105", "B0201", "B0202", "B0203", "B0301", "B0302",
];

/// Persons per community (10 communities: 20,000).
const PERSONS_PER_COMMUNITY: usize = 2_000;
/// Houses: per community 2 estates × 10 buildings × 2 units × 20 rooms = 800.
const BUILDINGS_PER_ESTATE: usize = 10;
const UNITS: usize = 2;
const ROOMS_PER_UNIT: usize = 20;

/// An invented name for person `n`: surname and one or two given characters.
pub fn name(n: usize) -> String {
    let at = |list: &[&'static str], i: usize| list.get(i % list.len()).copied().unwrap_or("");
    let surname = at(&SURNAMES, n);
    let first = at(&GIVEN, n / SURNAMES.len() + 3 * n);
    if n.is_multiple_of(3) {
        format!("{surname}{first}")
    } else {
        format!("{surname}{first}{}", at(&GIVEN, n / 7 + 11))
    }
}

/// An invented ID number for person `n`, unique for every `n` below 29,000 × 400: the birth
/// day is spread over 1936-2015 by `n`, the sequence counts how often that day came round.
pub fn id_number(region: &str, n: usize) -> String {
    let day = (n % 29_000) * 7_919 % 29_000;
    let round = n / 29_000;
    let birth = NaiveDate::from_ymd_opt(1936, 1, 1).unwrap_or_default()
        + Duration::days(i64::try_from(day).unwrap_or(0));
    let sequence = 100 + 2 * u32::try_from(round).unwrap_or(0) + u32::try_from(n % 2).unwrap_or(0);
    sample::id_number(region, birth, sequence)
}

/// An invented mobile number for person `n`.
pub fn phone(n: usize) -> String {
    let second = ["3", "5", "7", "8"].get(n % 4).copied().unwrap_or("3");
    format!("1{second}{:09}", n.wrapping_mul(104_729) % 1_000_000_000)
}

fn point(community: usize, i: usize) -> (f64, f64) {
    // Communities sit in a 5 × 2 block of 2 × 3 grid cells each.
    let (column, row) = (community % 5, community / 5);
    let fraction = |k: usize, m: usize| ((k * 37 + m) % 97) as f64 / 97.0;
    (
        ORIGIN.0 + CELL.0 * (2.0 * column as f64 + 0.1 + 1.8 * fraction(i, 1)),
        ORIGIN.1 + CELL.1 * (3.0 * row as f64 + 0.1 + 2.8 * fraction(i, 5)),
    )
}

async fn leader(store: &Store) -> anyhow::Result<Principal> {
    match store.login("leader", super::PASSWORD, None).await? {
        LoginOutcome::LoggedIn(session) => Ok(session.principal),
        other => anyhow::bail!("the demo leader cannot sign in: {other:?}"),
    }
}

/// Fills the demo street's registry; `progress` hears (steps done, steps in all).
pub async fn fill(store: &Store, progress: impl Fn(u64, u64)) -> anyhow::Result<RegistrySummary> {
    let who = leader(store).await?;
    let mut summary = RegistrySummary::default();
    let today = store.now().date_naive();
    let year = today.year();
    let steps = u64::try_from(COMMUNITIES.len() * 2 + 2).unwrap_or(0);
    let mut step = 0;
    let key = store.sealing_key().await?;
    for (index, _) in COMMUNITIES.iter().enumerate() {
        // Houses: estates, buildings, units, rooms.
        let (principal, at, code) = (who.clone(), store.now(), community_code(index));
        let rooms: Vec<Uuid> = store
            .write(move |conn| {
                let mut rooms = Vec::new();
                for e in 0..2 {
                    let estate_name = ESTATES.get(index * 2 + e).copied().unwrap_or("小区");
                    let (lon, lat) = point(index, e * 50);
                    let estate = places::add(
                        conn,
                        &principal,
                        at,
                        None,
                        &NewPlace {
                            kind: Some(PlaceKind::Estate),
                            community: Some(code.clone()),
                            name: estate_name.into(),
                            lon: Some(lon),
                            lat: Some(lat),
                            ..NewPlace::default()
                        },
                    )?;
                    for b in 1..=BUILDINGS_PER_ESTATE {
                        let (lon, lat) = point(index, e * 50 + b);
                        let building = places::add(
                            conn,
                            &principal,
                            at,
                            None,
                            &NewPlace {
                                kind: Some(PlaceKind::Building),
                                parent: Some(estate),
                                name: format!("{b}幢"),
                                lon: Some(lon),
                                lat: Some(lat),
                                floors: Some(10),
                                ..NewPlace::default()
                            },
                        )?;
                        for u in 1..=UNITS {
                            let unit = places::add(
                                conn,
                                &principal,
                                at,
                                None,
                                &NewPlace {
                                    kind: Some(PlaceKind::Unit),
                                    parent: Some(building),
                                    name: format!("{u}单元"),
                                    ..NewPlace::default()
                                },
                            )?;
                            for r in 0..ROOMS_PER_UNIT {
                                let floor = r / 2 + 1;
                                let room = places::add(
                                    conn,
                                    &principal,
                                    at,
                                    None,
                                    &NewPlace {
                                        kind: Some(PlaceKind::Room),
                                        parent: Some(unit),
                                        name: format!("{floor}0{}室", r % 2 + 1),
                                        lon: Some(lon),
                                        lat: Some(lat),
                                        area_m2: Some(60.0 + ((r * 13) % 70) as f64),
                                        ..NewPlace::default()
                                    },
                                )?;
                                rooms.push(room);
                            }
                        }
                    }
                }
                Ok(rooms)
            })
            .await?;
        summary.houses += rooms.len();
        step += 1;
        progress(step, steps);

        // Persons: sealed here, written in one go with where they live, let and rent.
        let first = index * PERSONS_PER_COMMUNITY;
        let mut people = Vec::with_capacity(PERSONS_PER_COMMUNITY);
        for n in first..first + PERSONS_PER_COMMUNITY {
            let house = rooms.get(n % rooms.len()).copied();
            // Migrants (流动人口) come from other provinces.
            let region = if n.is_multiple_of(9) {
                "410102"
            } else {
                "330106"
            };
            let new = NewPerson {
                name: name(n),
                document_kind: DocumentKind::ResidentId,
                document: id_number(region, n),
                phone: (n % 5 != 4).then(|| phone(n)),
                house,
                community: None,
                household: Some(format!("H{:06}", n / 3)),
                moved_in: Some(
                    today - Duration::days(i64::try_from(30 + (n * 53) % 7_000).unwrap_or(30)),
                ),
            };
            let sealed = persons::seal(&key, &new, today)?;
            let tag = match n % 100 {
                0..=2 => Some("elderly_alone"),
                3..=4 => Some("disabled"),
                5 => Some("hardship"),
                6 => Some("veteran"),
                _ if n.is_multiple_of(9) => Some("migrant"),
                _ if n % 997 == 7 => Some("key_person"),
                _ => None,
            };
            let since = new
                .moved_in
                .unwrap_or(today)
                .max(today - Duration::days(120));
            people.push(Newcomer {
                tags: tag
                    .map(|tag| (tag.to_owned(), TagSource::Visit, since))
                    .into_iter()
                    .collect(),
                person: new,
                sealed,
            });
        }
        // 4 houses in 11 are let (about 2,900 of 8,000): the first resident of each rents it
        // from a landlord living elsewhere in the community.
        let mut stays = Vec::new();
        let mut rented = 0;
        for (k, newcomer) in people.iter().enumerate().take(rooms.len()) {
            let n = first + k;
            let Some(house) = newcomer.person.house else {
                continue;
            };
            if n % 11 >= 4 {
                continue;
            }
            let from = today - Duration::days(i64::try_from(30 + n % 700).unwrap_or(30));
            let landlord = (k + people.len() / 2) % people.len().max(1);
            for (newcomer, role) in [(k, Occupation::Tenant), (landlord, Occupation::Landlord)] {
                stays.push(ExtraStay {
                    newcomer,
                    place: house,
                    role,
                    from,
                });
            }
            rented += 1;
        }
        // Everyone in one write, as multi-row inserts (a few hundred statements, not 300,000).
        let (principal, at) = (who.clone(), store.now());
        let written = store
            .write(move |conn| {
                let ids = bulk::add_many(conn, &principal, at, None, &people, &stays)?;
                Ok(ids.len())
            })
            .await?;
        summary.persons += written;
        summary.rented += rented;
        step += 1;
        progress(step, steps);
    }

    // Office buildings (楼宇) with two years of tax, and the enterprises in them.
    let (principal, at) = (who.clone(), store.now());
    let (towers, firms) = store
        .write(move |conn| {
            let mut towers = Vec::new();
            for t in 0..40 {
                let community = t % COMMUNITIES.len();
                let (lon, lat) = point(community, 70 + t);
                let name = format!(
                    "明湖{}{}",
                    ["东", "西", "南", "北", "中"]
                        .get(t % 5)
                        .copied()
                        .unwrap_or(""),
                    TOWERS.get(t % TOWERS.len()).copied().unwrap_or("大厦")
                );
                let name = if t >= 5 {
                    format!("{name}{}号楼", t / 5 + 1)
                } else {
                    name
                };
                let tower = places::add(
                    conn,
                    &principal,
                    at,
                    None,
                    &NewPlace {
                        kind: Some(PlaceKind::Building),
                        community: Some(community_code(community)),
                        name,
                        lon: Some(lon),
                        lat: Some(lat),
                        floors: Some(i64::try_from(8 + (t * 7) % 33).unwrap_or(20)),
                        area_m2: Some(20_000.0 + ((t * 7_919) % 60_000) as f64),
                        commercial: true,
                        ..NewPlace::default()
                    },
                )?;
                // 4 towers of 100 million yuan or more, 10 of 10 million or more.
                let yuan: i64 = match t {
                    0..=3 => 110_000_000 + 40_000_000 * i64::try_from(t).unwrap_or(0),
                    4..=13 => 12_000_000 + 7_000_000 * i64::try_from(t - 4).unwrap_or(0),
                    _ => 800_000 + 300_000 * i64::try_from(t).unwrap_or(0),
                };
                for (back, share) in [(1, 100), (2, 92)] {
                    let tax = Money::from_yuan(yuan * share / 100).unwrap_or(Money::ZERO);
                    places::set_tax(conn, &principal, at, None, tower, year - back, tax)?;
                }
                towers.push(tower);
            }
            let mut firms = 0;
            for e in 0..3_000_usize {
                let kind = e % FIRMS.len();
                let in_tower = e % 5 < 3;
                let moved_in = if e.is_multiple_of(20) {
                    NaiveDate::from_ymd_opt(year, 1 + u32::try_from(e % 11).unwrap_or(0), 15)
                } else {
                    NaiveDate::from_ymd_opt(2005 + i32::try_from(e % 19).unwrap_or(0), 3, 1)
                };
                let moved_out = (e % 37 == 5)
                    .then(|| {
                        NaiveDate::from_ymd_opt(year, 2 + u32::try_from(e % 9).unwrap_or(0), 10)
                    })
                    .flatten();
                let new = NewEnterprise {
                    credit_code: sample::credit_code(
                        "330106",
                        u32::try_from(10_000 + e * 37).unwrap_or(0),
                    ),
                    name: format!(
                        "杭州{}{}{}有限公司",
                        name(e + 50_000).chars().skip(1).collect::<String>(),
                        ["明", "瑞", "华", "创", "达"]
                            .get(e % 5)
                            .copied()
                            .unwrap_or(""),
                        FIRMS.get(kind).copied().unwrap_or("")
                    ),
                    industry: INDUSTRIES.get(kind).copied().unwrap_or("65").into(),
                    capital: Money::from_yuan(
                        i64::try_from(100_000 + (e * 7_919) % 50_000_000).unwrap_or(0),
                    )
                    .unwrap_or(Money::ZERO),
                    building: in_tower
                        .then(|| towers.get(e % towers.len()).copied())
                        .flatten(),
                    floor: in_tower.then(|| i64::try_from(1 + e % 20).unwrap_or(1)),
                    community: (!in_tower).then(|| community_code(e % COMMUNITIES.len())),
                    moved_in,
                    moved_out: None,
                };
                let id = enterprises::add(conn, &principal, at, None, &new)?;
                let tax = Money::from_yuan(
                    i64::try_from(20_000 + (e * 104_729) % 3_000_000).unwrap_or(0),
                )
                .unwrap_or(Money::ZERO);
                places::set_tax(conn, &principal, at, None, id, year - 1, tax)?;
                if moved_in.is_some_and(|d| d.year() == year) {
                    places::set_tax(conn, &principal, at, None, id, year, tax)?;
                }
                if let Some(day) = moved_out {
                    enterprises::move_out(conn, &principal, at, None, id, day)?;
                }
                firms += 1;
            }
            Ok((towers.len(), firms))
        })
        .await?;
    summary.buildings = towers;
    summary.enterprises = firms;
    step += 1;
    progress(step, steps);

    // Components (部件) with their owners and maintainers.
    let (principal, at) = (who.clone(), store.now());
    summary.components = store
        .write(move |conn| {
            let mut made = 0;
            for c in 0..300 {
                let community = c % COMMUNITIES.len();
                let (lon, lat) = point(community, 200 + c);
                let class = COMPONENT_CLASSES
                    .get(c % COMPONENT_CLASSES.len())
                    .copied()
                    .unwrap_or("B0101");
                components::add(
                    conn,
                    &principal,
                    at,
                    None,
                    &NewComponent {
                        class_code: class.into(),
                        name: format!("{class}-{:04}", c + 1),
                        community: community_code(community),
                        lon,
                        lat,
                        owner: ["区城管局", "区住建局", "水务集团", "电力公司"]
                            .get(c % 4)
                            .copied()
                            .unwrap_or("")
                            .into(),
                        maintainer: ["市政养护公司", "绿化养护中心", "物业公司"]
                            .get(c % 3)
                            .copied()
                            .unwrap_or("")
                            .into(),
                    },
                )?;
                made += 1;
            }
            Ok(made)
        })
        .await?;
    step += 1;
    progress(step, steps);
    Ok(summary)
}
