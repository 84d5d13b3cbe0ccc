//! Two years of the demo street's petitions (信访), made through the store as its own staff: the
//! desk (`intake`) registers and decides, the communities handle, the leader approves
//! extensions and takes charge of 积案. Last year is busier than this one, as the reports'
//! "信访件同比下降" figures are, so the year-on-year change means something: about 190 a year
//! before, about 110 this year to date. Some petitioners come back on the same matter (重复访),
//! a few matters come down from the city, the province or Beijing and become 积案 with a leader,
//! most of them cleared.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use jiedao_core::ManualClock;
use jiedao_core::clock::CHINA;
use jiedao_core::petition::{
    Action, Channel, Class, Evaluation, Flag, LegalRoute, Level, Outcome, ProfileCode,
};
use jiedao_store::petitions::NewPetition;
use jiedao_store::registry::persons::{self, Find};
use jiedao_store::{LoginOutcome, Principal, Store, StoreError};
use uuid::Uuid;

/// What the demo's petitions came to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PetitionSummary {
    pub registered: u64,
    pub actions: u64,
    pub repeats: u64,
    pub backlog: u64,
    /// Planned steps the rules refused (none are expected).
    pub refused: u64,
}

const MATTERS: [&str; 12] = [
    "小区电梯长期故障，物业拖延维修",
    "楼下餐馆油烟噪声扰民",
    "老旧小区改造施工影响出行",
    "房屋征收补偿标准有异议",
    "拖欠农民工工资",
    "违章搭建影响采光",
    "小区停车位分配不公",
    "低保申请未获批准",
    "道路积水长期未解决",
    "建议增设社区养老服务点",
    "反映社区工作人员工作作风问题",
    "商品房延期交付",
];

async fn login(store: &Store, username: &str) -> anyhow::Result<Principal> {
    match store.login(username, super::PASSWORD, None).await? {
        LoginOutcome::LoggedIn(session) => Ok(session.principal),
        other => anyhow::bail!("the demo's {username} cannot sign in: {other:?}"),
    }
}

/// A deterministic number in `0..n` for petition `i` and a salt.
fn pick(i: usize, salt: usize, n: usize) -> usize {
    (i.wrapping_mul(2_654_435_761)
        .wrapping_add(salt.wrapping_mul(40_503))
        >> 7)
        % n.max(1)
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    CHINA
        .from_local_datetime(&day.and_hms_opt(hour, 30, 0).unwrap_or_default())
        .single()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

/// Fills the demo street's petitions from the first of January last year up to `end`, on
/// `clock`, which is left at `end`.
pub async fn fill(
    store: &Store,
    clock: &ManualClock,
    end: DateTime<Utc>,
) -> anyhow::Result<PetitionSummary> {
    let desk = login(store, "intake").await?;
    let leader = login(store, "leader").await?;
    let today = end.with_timezone(&CHINA).date_naive();
    let people: Vec<Uuid> = {
        let scope = leader.scope();
        store
            .read(move |conn| persons::search(conn, &scope, &Find::All, today, 120, 0))
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect()
    };
    let departments = {
        let scope = leader.scope();
        store
            .read(move |conn| jiedao_store::departments::list(conn, &scope))
            .await?
            .into_iter()
            .filter(|d| d.community_id.is_some())
            .map(|d| d.id)
            .collect::<Vec<_>>()
    };
    let leader_id = leader
        .user_id()
        .ok_or_else(|| anyhow::anyhow!("the demo leader has no id"))?;
    let first = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1)
        .ok_or_else(|| anyhow::anyhow!("no first of January"))?;
    let mut summary = PetitionSummary::default();
    // Earlier petitions by petitioner: (matter index, id), for repeats.
    let mut earlier: Vec<(Uuid, usize, Uuid)> = Vec::new();
    let mut day = first;
    let mut i = 0_usize;
    while day < today {
        // Every other day last year, every third or fourth this year.
        let gap = if day.year() < today.year() {
            if i.is_multiple_of(3) { 1 } else { 2 }
        } else if i.is_multiple_of(2) {
            3
        } else {
            4
        };
        let registered_at = at(day, 9 + u32::try_from(pick(i, 1, 7)).unwrap_or(0));
        day += Duration::days(gap);
        i += 1;
        let Some(&petitioner) = people.get(pick(i, 2, people.len())) else {
            break;
        };
        // One petition in eight repeats an earlier matter of its petitioner.
        let repeat_of = earlier
            .iter()
            .rev()
            .find(|(who, _, _)| *who == petitioner)
            .filter(|_| pick(i, 3, 8) == 0)
            .map(|(_, matter, id)| (*matter, *id));
        let matter = repeat_of.map_or(pick(i, 4, MATTERS.len()), |(m, _)| m);
        let channel = Channel::ALL
            .get(pick(i, 5, Channel::ALL.len()))
            .copied()
            .unwrap_or(Channel::Letter);
        let class = match matter {
            9 => Class::Suggestion,
            10 => Class::Accusation,
            _ => Class::Claim,
        };
        let from_level = channel.from_above().then(|| match pick(i, 6, 6) {
            0 => Level::National,
            1 | 2 => Level::Provincial,
            _ => Level::City,
        });
        let mut flags = Vec::new();
        if pick(i, 7, 40) == 0 {
            flags.push(Flag::Beijing);
        } else if pick(i, 7, 15) == 1 {
            flags.push(Flag::Province);
        }
        let group = channel == Channel::Visit && pick(i, 8, 6) == 0;
        let new = NewPetition {
            channel,
            class,
            matter: MATTERS.get(matter).copied().unwrap_or("其他").to_owned(),
            petitioner,
            group_size: if group { 8 } else { 1 },
            representatives: if group { 3 } else { 1 },
            from_level,
            accused: Vec::new(),
            flags,
            profile: ProfileCode::National2022,
        };
        clock.set(registered_at);
        let registered = store.register_petition(&desk, None, new).await?;
        summary.registered += 1;
        let id = registered.id;
        earlier.push((petitioner, matter, id));
        // The steps planned for it, each a number of days after registration.
        let mut steps: Vec<(i64, &Principal, Action)> = Vec::new();
        if let Some((_, of)) = repeat_of.filter(|(_, of)| registered.suggested_repeats.contains(of))
        {
            steps.push((0, &desk, Action::ConfirmRepeat { of }));
            summary.repeats += 1;
        }
        if pick(i, 9, 25) == 0 {
            steps.push((
                3,
                &desk,
                Action::SeparateToLegalTrack {
                    route: LegalRoute::Litigation,
                    notice: "属于诉讼途径解决的事项，请依法向人民法院提起诉讼".into(),
                },
            ));
        } else {
            let Some(&department) = departments.get(pick(i, 10, departments.len())) else {
                anyhow::bail!("the demo street has no communities to handle petitions");
            };
            let late = from_level.is_some() && pick(i, 11, 2) == 0;
            steps.push((
                2,
                &desk,
                Action::Accept {
                    department,
                    note: String::new(),
                },
            ));
            if from_level.is_some() {
                steps.push((
                    5,
                    &leader,
                    Action::MarkBacklog {
                        leader: leader_id,
                        plan: "包案领导牵头，每两周会商一次，限期化解".into(),
                    },
                ));
            }
            if late {
                steps.push((
                    50,
                    &leader,
                    Action::Extend {
                        days: 30,
                        reason: "情况复杂，需多部门协调".into(),
                    },
                ));
            }
            let answered = if late {
                80
            } else {
                12 + i64::try_from(pick(i, 12, 30)).unwrap_or(0)
            };
            steps.push((
                answered,
                &desk,
                Action::Answer {
                    outcome: Outcome::ALL
                        .get(pick(i, 13, Outcome::ALL.len()))
                        .copied()
                        .unwrap_or(Outcome::Explained),
                    text: "经调查核实，已督促相关单位落实整改，现答复如下。".into(),
                },
            ));
            steps.push((
                answered + 3,
                &desk,
                Action::Evaluate {
                    evaluation: Evaluation::ALL
                        .get(pick(i, 14, Evaluation::ALL.len()))
                        .copied()
                        .unwrap_or(Evaluation::Satisfied),
                },
            ));
            steps.push((
                // Past the 30 days for 复查, however far a holiday moved their end.
                answered + 45,
                &desk,
                Action::Conclude {
                    note: "复查期限届满，未请求复查".into(),
                },
            ));
            if from_level.is_some() {
                steps.push((
                    answered + 46,
                    &leader,
                    Action::ClearBacklog {
                        note: "已化解，信访人息访".into(),
                    },
                ));
            }
        }
        for (after, who, action) in steps {
            let when = registered_at + Duration::days(after);
            if when >= end {
                break;
            }
            clock.set(when);
            match store.act_on_petition(who, None, id, action).await {
                Ok(_) => summary.actions += 1,
                Err(StoreError::Refused(refusal)) => {
                    tracing::warn!(?refusal, "a demo petition's step was refused");
                    summary.refused += 1;
                    break;
                }
                Err(fault) => return Err(fault.into()),
            }
        }
        if from_level.is_some() {
            summary.backlog += 1;
        }
    }
    clock.set(end);
    Ok(summary)
}
