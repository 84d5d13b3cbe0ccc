//! The demo street's year of disputes (矛盾纠纷调解), shaped like 望江街道's 2017 report: about
//! 546 taken over a year, all but one settled (99.8%), some found by screening, none turned
//! criminal, around 460万元 at stake. Made through the store as the demo's own community staff
//! on a clock walked through each dispute, so every dispute has a real history, deadline,
//! window and figures; any refusal is a bug (`refused` counts them).

use chrono::{DateTime, Duration, Utc};
use jiedao_core::ManualClock;
use jiedao_core::clock::{business_date, start_of_day};
use jiedao_core::dispute::machine::NewTerm;
use jiedao_core::dispute::{
    Action, ActionKind, DisputeState, Mediator, MediatorKind, PartyKind, PartyRole, Performance,
    Risk, Session, Source,
};
use jiedao_core::money::Money;
use jiedao_core::registry::DocumentKind;
use jiedao_store::disputes::{NewDispute, NewParty};
use jiedao_store::registry::persons::{self, Find, NewPerson};
use jiedao_store::{LoginOutcome, Principal, Store};
use uuid::Uuid;

use super::{COMMUNITIES, PASSWORD, community_code};

/// Disputes in a year (望江 2017: 546).
pub const PER_YEAR: i64 = 546;

/// What the demo's disputes came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisputesSummary {
    pub taken: u64,
    pub settled: u64,
    pub failed: u64,
    pub actions: u64,
    pub refused: u64,
}

/// Types and how often they come, out of 100.
const KINDS: [(&str, u32); 11] = [
    ("neighbour", 30),
    ("family.marriage", 8),
    ("family.support", 6),
    ("family.inheritance", 3),
    ("property", 18),
    ("labour", 9),
    ("traffic", 6),
    ("consumer", 8),
    ("contract", 6),
    ("land", 2),
    ("other", 4),
];

/// A repeatable sequence of numbers (a linear congruential generator).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The `roll`-th of `items` (the first when out of range).
fn pick<T: Copy>(items: &[T], roll: u64, otherwise: T) -> T {
    usize::try_from(roll)
        .ok()
        .and_then(|i| items.get(i))
        .copied()
        .unwrap_or(otherwise)
}

fn kind(dice: &mut Dice) -> &'static str {
    let mut roll = u32::try_from(dice.below(100)).unwrap_or(0);
    for (code, weight) in KINDS {
        if roll < weight {
            return code;
        }
        roll -= weight;
    }
    "other"
}

async fn staff_of(store: &Store, community: usize) -> anyhow::Result<Principal> {
    let name = format!("c{:02}staff", community + 1);
    match store.login(&name, PASSWORD, None).await? {
        LoginOutcome::LoggedIn(session) => Ok(session.principal),
        other => anyhow::bail!("the demo login {name} did not work: {other:?}"),
    }
}

/// The persons of a community the staff see (the registry's, when it was filled).
async fn pool(store: &Store, staff: &Principal) -> anyhow::Result<Vec<Uuid>> {
    let (scope, today) = (staff.scope(), business_date(store.now()));
    let found = store
        .read(move |conn| persons::search(conn, &scope, &Find::All, today, 300, 0))
        .await?;
    Ok(found.into_iter().map(|p| p.id).collect())
}

/// A party: someone of the community's registry, or a person added on the spot.
fn party(role: PartyRole, pool: &[Uuid], n: usize, community: usize) -> NewParty {
    match pool.get(n.wrapping_mul(7_919) % pool.len().max(1)) {
        Some(id) if pool.len() > 20 => NewParty::Existing {
            role,
            kind: PartyKind::Person,
            id: *id,
        },
        _ => NewParty::New {
            role,
            person: Box::new(NewPerson {
                name: super::registry::name(n + 500_000),
                document_kind: DocumentKind::ResidentId,
                document: super::registry::id_number("330106", n + 600_000),
                phone: None,
                house: None,
                community: Some(community_code(community)),
                household: None,
                moved_in: None,
            }),
        },
    }
}

/// A working moment of `day` (a day's start plus hours).
fn at(day: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    start_of_day(business_date(day)) + Duration::hours(9 + hours)
}

/// Makes the year of disputes ending at `end`, over `days` days, walking `clock`;
/// `progress` hears (disputes done, in all).
pub async fn fill(
    store: &Store,
    clock: &ManualClock,
    end: DateTime<Utc>,
    days: i64,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<DisputesSummary> {
    let start = end - Duration::days(days);
    let total = PER_YEAR * days / 365;
    let mut staff = Vec::new();
    let mut pools = Vec::new();
    for community in 0..COMMUNITIES.len() {
        let who = staff_of(store, community).await?;
        pools.push(pool(store, &who).await?);
        staff.push(who);
    }
    let mut dice = Dice(2017);
    let mut summary = DisputesSummary::default();
    // The one that fails, as in the seeds.
    let failing = total / 2;
    for i in 0..total {
        let community = usize::try_from(dice.below(10)).unwrap_or(0);
        let (Some(who), Some(pool)) = (staff.get(community), pools.get(community)) else {
            continue;
        };
        let registered = at(
            start + Duration::minutes(i * days * 24 * 60 / total.max(1)),
            0,
        );
        clock.set(registered);
        let n = usize::try_from(i).unwrap_or(0);
        let screening = dice.chance(7);
        let new = NewDispute {
            place: community_code(community),
            source: if screening {
                Source::Screening
            } else {
                pick(
                    &[
                        Source::WalkIn,
                        Source::Phone,
                        Source::Hotline,
                        Source::Police,
                        Source::Court,
                    ],
                    dice.below(5),
                    Source::WalkIn,
                )
            },
            from: None,
            kind: kind(&mut dice).to_owned(),
            facts: "双方因生活琐事产生矛盾，经多次协商未果，申请调解。".to_owned(),
            points: "责任划分与赔偿数额。".to_owned(),
            amount: Money::from_fen(i64::try_from(dice.below(16_000)).unwrap_or(0) * 100),
            risk: if screening { Risk::Medium } else { Risk::Low },
            parties: vec![
                party(PartyRole::Applicant, pool, 2 * n, community),
                party(PartyRole::Respondent, pool, 2 * n + 1, community),
            ],
        };
        let id = match store.register_dispute(who.clone(), None, new).await {
            Ok((id, _)) => id,
            Err(error) => {
                tracing::warn!(?error, "a demo dispute was refused");
                summary.refused += 1;
                continue;
            }
        };
        summary.taken += 1;
        let day = |d: i64| business_date(registered) + Duration::days(d);
        let mediator = pick(
            &["陈老娘舅", "王调解员", "李律师"],
            dice.below(3),
            "王调解员",
        );
        let kind = match mediator {
            "陈老娘舅" => MediatorKind::Volunteer,
            "李律师" => MediatorKind::Lawyer,
            _ => MediatorKind::Staff,
        };
        let agreed_after = i64::try_from(dice.below(3)).unwrap_or(0);
        let due = agreed_after + 7 + i64::try_from(dice.below(20)).unwrap_or(0);
        let mut plan: Vec<(i64, Action)> = vec![
            (
                0,
                Action::Assign {
                    committee: format!(
                        "{}人民调解委员会",
                        COMMUNITIES.get(community).copied().unwrap_or_default()
                    ),
                    mediators: vec![Mediator {
                        name: mediator.to_owned(),
                        kind,
                    }],
                },
            ),
            (
                agreed_after,
                Action::Session(Session {
                    on: day(agreed_after),
                    place: "社区调解室".to_owned(),
                    present: "双方当事人、调解员".to_owned(),
                    record: "听取双方陈述，释法明理。".to_owned(),
                    proposal: "按责任比例分担。".to_owned(),
                }),
            ),
        ];
        if i == failing {
            plan.push((
                agreed_after,
                Action::Fail {
                    reason: "一方拒绝调解，已告知可依法向人民法院起诉".to_owned(),
                },
            ));
        } else {
            let written = dice.chance(75);
            plan.push((
                agreed_after,
                Action::Agree {
                    written,
                    effective_on: day(agreed_after),
                    responsibilities: "双方各负其责。".to_owned(),
                    terms: vec![NewTerm {
                        text: "被申请人向申请人支付补偿款".to_owned(),
                        manner: "银行转账".to_owned(),
                        due: day(due),
                    }],
                },
            ));
            if written && dice.chance(10) {
                plan.push((
                    agreed_after + 5,
                    Action::ApplyConfirmation {
                        on: day(agreed_after + 5),
                        court: "西湖区人民法院".to_owned(),
                    },
                ));
            }
            let performed_after = due - 2 + i64::try_from(dice.below(5)).unwrap_or(0);
            let performance = if dice.chance(3) {
                Performance::Broken
            } else {
                Performance::Done
            };
            plan.push((
                performed_after,
                Action::Perform {
                    term: 0,
                    performance,
                    on: day(performed_after),
                },
            ));
        }
        for (after, action) in plan {
            let when = at(registered, 0) + Duration::days(after) + Duration::hours(2);
            if when > end {
                break;
            }
            clock.set(when);
            let kind_of = action.kind();
            match store.act_on_dispute(who.clone(), None, id, action).await {
                Ok(dispute) => {
                    summary.actions += 1;
                    match (&kind_of, dispute.state) {
                        (ActionKind::Agree, _) => summary.settled += 1,
                        (ActionKind::Fail, DisputeState::Failed) => summary.failed += 1,
                        _ => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(?error, "a demo dispute's action was refused");
                    summary.refused += 1;
                }
            }
        }
        progress(summary.taken, u64::try_from(total).unwrap_or(0));
    }
    clock.set(end);
    Ok(summary)
}
