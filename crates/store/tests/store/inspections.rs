//! Inspections and hazards (排查整治) on both backends: a street campaign's round from the
//! phone where failed items raise hazards (a missing photo refused with nothing written); a
//! major hazard ordered with work stopped, a failed recheck, a passed one and 销号; an overdue
//! hazard escalated into a case; out of role and out of scope with nothing changed; the
//! places' colours; the figures equal to the rollup's rebuild and the histories whole.

use chrono::Duration;
use jiedao_core::inspection::checklist::{Answer, Response, seeded};
use jiedao_core::inspection::colour::ColourRules;
use jiedao_core::inspection::figures::Unit;
use jiedao_core::inspection::machine::Escalation;
use jiedao_core::inspection::{
    Action, ActionKind, Colour, HazardState, InspectionRefusal, PlaceKind, Severity,
};
use jiedao_store::inspections::read::{self, HazardFilter};
use jiedao_store::inspections::removals::{self, NewRemoval};
use jiedao_store::inspections::{self, NewCampaign, NewInspection, figures};
use jiedao_store::registry::places::{self, NewPlace, PlaceKind as Level};
use jiedao_store::testing::{fixture, principal};
use jiedao_store::{Backend, Refusal, Store, on_both_backends};
use uuid::Uuid;

use crate::foundation::{count, fixture_store_on_a_manual_clock, refusal};

async fn rental_room(store: &Store) -> Uuid {
    let who = principal(store, "staff_a").await;
    let at = store.now();
    store
        .write(move |conn| {
            let estate = places::add(
                conn,
                &who,
                at,
                None,
                &NewPlace {
                    kind: Some(Level::Estate),
                    community: Some(fixture::GRID_A1.into()),
                    name: "望江小区".into(),
                    ..NewPlace::default()
                },
            )?;
            places::add(
                conn,
                &who,
                at,
                None,
                &NewPlace {
                    kind: Some(Level::Room),
                    parent: Some(estate),
                    name: "3幢101室".into(),
                    ..NewPlace::default()
                },
            )
        })
        .await
        .expect("room")
}

/// Every item of the rental checklist passing, but `failing` (with a photo when `photo`).
fn answers(failing: &[&str], photo: bool) -> Vec<Response> {
    let template = seeded().into_iter().next().expect("rental housing");
    template
        .items
        .iter()
        .map(|item| {
            let fail = failing.contains(&item.code.as_str());
            let answer = match item.code.as_str() {
                "extinguishers" => Answer::Count(if fail { 0 } else { 2 }),
                "occupants" => Answer::Count(if fail { 9 } else { 2 }),
                "gas" => Answer::Choice(if fail { "cylinder_unsafe" } else { "piped" }.into()),
                "smoke_alarm" | "escape_route" => Answer::Yes(!fail),
                _ => Answer::Yes(fail),
            };
            Response {
                item: item.code.clone(),
                answer,
                photos: u32::from(fail && photo),
            }
        })
        .collect()
}

async fn act(store: &Store, who: &str, id: Uuid, action: Action) -> HazardState {
    store
        .act_on_hazard(principal(store, who).await, None, id, action)
        .await
        .unwrap_or_else(|e| panic!("{who}: {e:?}"))
        .state
}

fn note(passed: bool) -> Action {
    Action::Recheck {
        passed,
        note: "复查".into(),
        photos: 1,
    }
}

fn rectify() -> Action {
    Action::Rectify {
        note: "已整改".into(),
        photos: 2,
    }
}

async fn a_round_to_struck_off_and_escalated(backend: Backend) {
    let Some((_db, store, clock, start)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    let room = rental_room(&store).await;
    let campaign = store
        .create_campaign(
            principal(&store, "leader").await,
            NewCampaign {
                name: "出租房屋消防安全专项整治".into(),
                unit: fixture::STREET.into(),
                starts_on: start.date_naive(),
                ends_on: start.date_naive() + Duration::days(300),
                place_kinds: vec![PlaceKind::RentalHouse],
                checklist: Some("rental_housing".into()),
                targets: vec![],
            },
        )
        .await
        .expect("campaign");
    let worker = principal(&store, "worker_a1").await;
    let round = store
        .open_round(
            worker.clone(),
            campaign,
            start.date_naive(),
            "周三夜查".into(),
        )
        .await
        .expect("round");
    let inspection = |responses| NewInspection {
        round,
        place: room,
        place_kind: PlaceKind::RentalHouse,
        turnouts: 3,
        point: Some((120.2, 30.25)),
        responses,
    };
    // A failed item that needs a photo is refused without one; nothing is written.
    let missing = store
        .inspect(
            worker.clone(),
            None,
            inspection(answers(&["multi_purpose"], false)),
        )
        .await;
    assert_eq!(
        refusal(missing),
        Refusal::Inspection(InspectionRefusal::PhotoRequired {
            item: "multi_purpose".into()
        })
    );
    assert_eq!(count(&store, "inspection").await, 0);
    assert_eq!(count(&store, "hazard").await, 0);
    // Out of place kind: a street shop is not this campaign's.
    let shop = store
        .inspect(
            worker.clone(),
            None,
            NewInspection {
                place_kind: PlaceKind::StreetShop,
                ..inspection(answers(&[], true))
            },
        )
        .await;
    assert_eq!(refusal(shop), Refusal::OutOfScope);
    let (_, raised) = store
        .inspect(
            worker.clone(),
            None,
            inspection(answers(&["multi_purpose", "private_wiring"], true)),
        )
        .await
        .expect("inspected");
    assert_eq!(raised.len(), 2);
    assert!(
        raised[0].1.starts_with("YH-330106008-20260302-"),
        "{raised:?}"
    );
    let scope = principal(&store, "staff_a").await.scope();
    let listed = {
        let scope = scope.clone();
        store
            .read(move |conn| read::hazards(conn, &scope, &HazardFilter::default()))
            .await
            .expect("list")
    };
    let major = listed
        .iter()
        .find(|h| h.severity == Severity::Major)
        .expect("the 三合一 is major")
        .id;
    let general = listed
        .iter()
        .find(|h| h.severity == Severity::General)
        .expect("the wiring")
        .id;

    // Out of role and out of scope, nothing changed.
    let order = |days| Action::Order {
        measures: "人员撤离，停止经营".into(),
        days,
        stop_work: true,
        outside_help: false,
    };
    let by_worker = store
        .act_on_hazard(worker.clone(), None, major, order(15))
        .await;
    assert_eq!(
        refusal(by_worker),
        Refusal::Inspection(InspectionRefusal::NotPermitted {
            action: ActionKind::Order
        })
    );
    let by_b = store
        .act_on_hazard(principal(&store, "staff_b").await, None, major, order(15))
        .await;
    assert!(matches!(refusal(by_b), Refusal::NotFound { .. }));
    let by_resident = store
        .act_on_hazard(
            principal(&store, "resident_a").await,
            None,
            major,
            order(15),
        )
        .await;
    assert_eq!(
        refusal(by_resident),
        Refusal::NotAllowed,
        "sees no hazards at all"
    );
    assert_eq!(
        count(&store, "hazard_event").await,
        2,
        "only the two raises"
    );

    // The major one: ordered with work stopped, a failed recheck, a passed one, 销号.
    assert_eq!(
        act(&store, "staff_a", major, order(15)).await,
        HazardState::Ordered
    );
    assert_eq!(
        act(&store, "staff_a", major, rectify()).await,
        HazardState::Rectified
    );
    assert_eq!(
        act(&store, "staff_a", major, note(false)).await,
        HazardState::Ordered
    );
    let early = store
        .act_on_hazard(
            principal(&store, "staff_a").await,
            None,
            major,
            Action::StrikeOff,
        )
        .await;
    assert!(matches!(
        refusal(early),
        Refusal::Inspection(InspectionRefusal::WrongState { .. })
    ));
    assert_eq!(
        act(&store, "staff_a", major, rectify()).await,
        HazardState::Rectified
    );
    assert_eq!(
        act(&store, "leader", major, note(true)).await,
        HazardState::Passed
    );
    assert_eq!(
        act(&store, "leader", major, Action::StrikeOff).await,
        HazardState::StruckOff
    );

    // The general one: three days, let run over, escalated into a case.
    let three = Action::Order {
        measures: "拆除飞线".into(),
        days: 3,
        stop_work: false,
        outside_help: false,
    };
    act(&store, "staff_a", general, three).await;
    let escalate = Action::Escalate {
        to: Escalation::Case,
        case: Some("330106008-20260310-00001".into()),
    };
    let too_soon = store
        .act_on_hazard(
            principal(&store, "staff_a").await,
            None,
            general,
            escalate.clone(),
        )
        .await;
    assert_eq!(
        refusal(too_soon),
        Refusal::Inspection(InspectionRefusal::NotOverdue)
    );
    let colours = |scope: jiedao_store::scope::Scope| {
        let store = store.clone();
        async move {
            let now = store.now();
            store
                .read(move |conn| read::colours(conn, &scope, &ColourRules::default(), now))
                .await
                .expect("colours")
        }
    };
    let before = colours(scope.clone()).await;
    assert_eq!(before.len(), 1);
    assert_eq!(
        (before[0].colour, before[0].worrying),
        (Colour::Yellow, false)
    );
    clock.advance(Duration::days(5));
    act(&store, "staff_a", general, escalate).await;
    let after = colours(scope.clone()).await;
    assert_eq!(after[0].colour, Colour::Red, "overdue");

    // The figures: the rollup equals its rebuild, the tally reads it, the chains are whole.
    let (kept, rebuilt) = store
        .read(|conn| Ok((figures::kept(conn)?, figures::rebuild(conn)?)))
        .await
        .expect("rollup");
    let mut kept = kept;
    kept.sort();
    assert_eq!(kept, rebuilt);
    let tally = {
        let scope = scope.clone();
        let now = store.now();
        let day = start.date_naive();
        store
            .read(move |conn| figures::tally(conn, &scope, day, day, now))
            .await
            .expect("tally")
    };
    assert_eq!(
        (tally.rounds, tally.turnouts, tally.checked_total()),
        (1, 3, 1)
    );
    assert_eq!((tally.found, tally.found_major, tally.overdue), (2, 1, 1));
    for id in [major, general] {
        assert!(
            store
                .read(move |conn| inspections::verify(conn, id))
                .await
                .expect("verify")
        );
    }
}

/// 三改一拆: 553 spots against a target of 368 is 150.3%; a grid worker may not record one, and
/// community staff only within their reach.
async fn removals_count_against_their_target(backend: Backend) {
    let Some((_db, store, _clock, start)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    let room = rental_room(&store).await;
    let campaign = store
        .create_campaign(
            principal(&store, "leader").await,
            NewCampaign {
                name: "三改一拆".into(),
                unit: fixture::STREET.into(),
                starts_on: start.date_naive(),
                ends_on: start.date_naive() + Duration::days(90),
                place_kinds: vec![PlaceKind::RentalHouse],
                checklist: None,
                targets: vec![(Unit::Spots, 368)],
            },
        )
        .await
        .expect("campaign");
    let record = |who: &'static str, place: Option<Uuid>, quantity: u64| {
        let store = store.clone();
        async move {
            let principal = principal(&store, who).await;
            let at = store.now();
            store
                .write(move |conn| {
                    removals::record(
                        conn,
                        &principal,
                        at,
                        &NewRemoval {
                            campaign,
                            place,
                            unit: Unit::Spots,
                            quantity,
                            note: "拆除违建".into(),
                        },
                    )
                })
                .await
        }
    };
    assert_eq!(
        refusal(record("worker_a1", Some(room), 5).await),
        Refusal::NotAllowed
    );
    assert_eq!(
        refusal(record("staff_a", None, 5).await),
        Refusal::OutOfScope
    );
    record("staff_a", Some(room), 500).await.expect("recorded");
    record("leader", None, 53).await.expect("recorded");
    let scope = principal(&store, "leader").await.scope();
    let (done, targets) = store
        .read(move |conn| removals::of_campaign(conn, &scope, campaign))
        .await
        .expect("removals");
    assert_eq!(targets, vec![(Unit::Spots, 368)]);
    assert_eq!(done.completion_per_mille(Unit::Spots, 368), Some(1503));
}

on_both_backends!(
    a_round_to_struck_off_and_escalated,
    removals_count_against_their_target
);
