//! Petitions (信访) on both backends: registration from every channel, the representatives'
//! limit, the legal-track split, a transfer objected to within 5 working days and one too late,
//! an extension within the maximum, 复查 and 复核 to 终结, a repeat petition detected and
//! confirmed, a 积案 marked and cleared, an accusation whose author the accused never sees,
//! the hash-chained history, and the figures: rollups = rebuild = recount.

use chrono::{Duration, NaiveDate};
use jiedao_core::petition::{
    Action, Channel, Class, LegalRoute, Level, Outcome, PetitionRefusal, PetitionState, ProfileCode,
};
use jiedao_core::registry::DocumentKind;
use jiedao_core::registry::sample;
use jiedao_store::petitions::figures::{self, Period};
use jiedao_store::petitions::{self, NewPetition, PetitionFilter};
use jiedao_store::registry::persons::{self, NewPerson};
use jiedao_store::testing::{department_id, fixture, principal};
use jiedao_store::{Backend, Principal, Refusal, Store, StoreError, on_both_backends};
use uuid::Uuid;

use crate::foundation::{fixture_store_on_a_manual_clock, refusal};

async fn petitioner(store: &Store, who: &Principal, name: &str, n: u32) -> Uuid {
    let new = NewPerson {
        name: name.into(),
        document_kind: DocumentKind::ResidentId,
        document: sample::id_number(
            "330106",
            NaiveDate::from_ymd_opt(1960, 1, 1).expect("day"),
            n,
        ),
        phone: None,
        house: None,
        community: Some(fixture::COMMUNITY_A.into()),
        household: None,
        moved_in: None,
    };
    let (who, at) = (who.clone(), store.now());
    store
        .write(move |conn| persons::add(conn, &who, at, None, &new))
        .await
        .expect("petitioner")
}

fn letter(person: Uuid, matter: &str) -> NewPetition {
    NewPetition {
        channel: Channel::Letter,
        class: Class::Claim,
        matter: matter.into(),
        petitioner: person,
        group_size: 1,
        representatives: 1,
        from_level: None,
        accused: vec![],
        flags: vec![],
        profile: ProfileCode::National2022,
    }
}

async fn state(store: &Store, who: &Principal, id: Uuid) -> PetitionState {
    store
        .petition(&who.scope(), id)
        .await
        .expect("petition")
        .petition
        .state
}

fn petition_refusal(result: Result<impl std::fmt::Debug, StoreError>) -> PetitionRefusal {
    match refusal(result) {
        Refusal::Petition(refusal) => refusal,
        other => panic!("expected a petition refusal, got {other:?}"),
    }
}

async fn petitions_run_their_course_within_the_law(backend: Backend) {
    let Some((_db, store, clock, start)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    let desk = principal(&store, "intake").await;
    let leader = principal(&store, "leader").await;
    let staff_a = principal(&store, "staff_a").await;
    let staff_b = principal(&store, "staff_b").await;
    let worker = principal(&store, "worker_a1").await;
    let zhang = petitioner(&store, &staff_a, "张三", 101).await;

    // Every channel registers; only the desk may.
    let mut ids = Vec::new();
    for channel in Channel::ALL {
        let mut new = letter(zhang, &format!("{}反映的事项", channel.as_str()));
        new.channel = *channel;
        if channel.from_above() {
            new.from_level = Some(Level::City);
        }
        let registered = store
            .register_petition(&desk, None, new)
            .await
            .expect("registered");
        assert!(registered.number.starts_with("XF-330106008-"));
        ids.push(registered.id);
    }
    let (rows, total) = store
        .petitions(&desk.scope(), PetitionFilter::default(), 50, 0)
        .await
        .expect("list");
    assert_eq!(total, 7);
    assert_eq!(rows.len(), 7);
    assert!(matches!(
        refusal(
            store
                .register_petition(&worker, None, letter(zhang, "x"))
                .await
        ),
        Refusal::NotAllowed
    ));
    // A group of twelve sends at most five representatives (条例 art. 20).
    let mut group = letter(zhang, "十二户居民反映拆迁补偿");
    group.channel = Channel::Visit;
    group.group_size = 12;
    group.representatives = 6;
    assert_eq!(
        petition_refusal(store.register_petition(&desk, None, group).await),
        PetitionRefusal::TooManyRepresentatives {
            most: 5,
            article: 20
        }
    );

    // 访诉分离: the phone call is a matter for the courts.
    let phone = ids[2];
    store
        .act_on_petition(
            &desk,
            None,
            phone,
            Action::SeparateToLegalTrack {
                route: LegalRoute::Litigation,
                notice: "请依法向人民法院提起诉讼".into(),
            },
        )
        .await
        .expect("legal track");
    assert_eq!(state(&store, &desk, phone).await, PetitionState::LegalTrack);

    // The transfer is objected to within 5 working days; the assignment comes too late.
    let (transfer, assignment) = (ids[5], ids[6]);
    clock.advance(Duration::days(4));
    store
        .act_on_petition(
            &desk,
            None,
            transfer,
            Action::Object {
                reason: "不属于本街道职权范围".into(),
            },
        )
        .await
        .expect("objected in time");
    assert_eq!(
        state(&store, &desk, transfer).await,
        PetitionState::Returned
    );
    clock.set(start + Duration::days(8));
    assert!(matches!(
        petition_refusal(
            store
                .act_on_petition(
                    &desk,
                    None,
                    assignment,
                    Action::Object {
                        reason: "不属于本街道".into()
                    },
                )
                .await
        ),
        PetitionRefusal::ObjectionTooLate { .. }
    ));
    clock.set(start);

    // The letter is accepted and given to community A, whose staff note their visit; the
    // other community's staff do not see it.
    let letter_id = ids[0];
    let community_a = department_id(&store, "甲社区").await;
    store
        .act_on_petition(
            &desk,
            None,
            letter_id,
            Action::Accept {
                department: community_a,
                note: String::new(),
            },
        )
        .await
        .expect("accepted");
    store
        .act_on_petition(
            &staff_a,
            None,
            letter_id,
            Action::Note {
                text: "上门走访核实".into(),
            },
        )
        .await
        .expect("noted");
    assert!(matches!(
        refusal(store.petition(&staff_b.scope(), letter_id).await),
        Refusal::NotFound { .. }
    ));
    // A leader approves 30 more days (条例 art. 34), not one more.
    let extend = |days| Action::Extend {
        days,
        reason: "情况复杂".into(),
    };
    assert!(matches!(
        petition_refusal(
            store
                .act_on_petition(&desk, None, letter_id, extend(30))
                .await
        ),
        PetitionRefusal::OutOfReach { .. }
    ));
    store
        .act_on_petition(&leader, None, letter_id, extend(30))
        .await
        .expect("extended");
    assert!(matches!(
        petition_refusal(
            store
                .act_on_petition(&leader, None, letter_id, extend(1))
                .await
        ),
        PetitionRefusal::ExtensionTooLong { .. }
    ));
    // The answer, 复查 and 复核: final.
    for action in [
        Action::Answer {
            outcome: Outcome::PartlySupported,
            text: "已协调物业维修电梯".into(),
        },
        Action::RequestReview {
            note: String::new(),
        },
        Action::AnswerReview {
            outcome: Outcome::PartlySupported,
            text: "维持原处理意见".into(),
        },
        Action::RequestReexamination {
            note: String::new(),
        },
        Action::AnswerReexamination {
            outcome: Outcome::PartlySupported,
            text: "复核维持".into(),
        },
    ] {
        store
            .act_on_petition(&desk, None, letter_id, action)
            .await
            .expect("step");
    }
    assert_eq!(
        state(&store, &desk, letter_id).await,
        PetitionState::Concluded
    );

    // The same matter again: suggested as a repeat, and confirmed.
    let again = store
        .register_petition(&desk, None, letter(zhang, "letter反映的事项！"))
        .await
        .expect("again");
    assert_eq!(again.suggested_repeats, vec![letter_id]);
    assert_eq!(
        petition_refusal(
            store
                .act_on_petition(&desk, None, again.id, Action::ConfirmRepeat { of: phone })
                .await
        ),
        PetitionRefusal::NotARepeat,
        "a matter sent to the courts was never the street's"
    );
    store
        .act_on_petition(
            &desk,
            None,
            again.id,
            Action::ConfirmRepeat { of: letter_id },
        )
        .await
        .expect("confirmed");

    // The assignment came down from the city: it becomes 积案 with the leader in charge, is
    // handled, concluded once the 复查 window has passed, and cleared (清零).
    let leader_id = leader.user_id().expect("leader");
    store
        .act_on_petition(
            &leader,
            None,
            assignment,
            Action::MarkBacklog {
                leader: leader_id,
                plan: "包案领导每周约谈".into(),
            },
        )
        .await
        .expect("backlog");
    for action in [
        Action::Accept {
            department: community_a,
            note: String::new(),
        },
        Action::Answer {
            outcome: Outcome::Supported,
            text: "已解决".into(),
        },
    ] {
        store
            .act_on_petition(&desk, None, assignment, action)
            .await
            .expect("handled");
    }
    let conclude = Action::Conclude {
        note: String::new(),
    };
    assert!(matches!(
        petition_refusal(
            store
                .act_on_petition(&desk, None, assignment, conclude.clone())
                .await
        ),
        PetitionRefusal::WindowStillOpen { .. }
    ));
    clock.set(start + Duration::days(40));
    store
        .act_on_petition(&desk, None, assignment, conclude)
        .await
        .expect("concluded");
    store
        .act_on_petition(
            &leader,
            None,
            assignment,
            Action::ClearBacklog {
                note: "已清零".into(),
            },
        )
        .await
        .expect("cleared");

    // An accusation against staff_a: the accused never sees it; the leader sees it without
    // its author; the desk sees who wrote it.
    let mut accusation = letter(zhang, "社区工作人员办事索要好处");
    accusation.class = Class::Accusation;
    accusation.accused = vec!["staff_a".into()];
    let accusation = store
        .register_petition(&desk, None, accusation)
        .await
        .expect("accusation")
        .id;
    assert!(matches!(
        refusal(store.petition(&staff_a.scope(), accusation).await),
        Refusal::NotFound { .. }
    ));
    let (seen_by_accused, _) = store
        .petitions(&staff_a.scope(), PetitionFilter::default(), 100, 0)
        .await
        .expect("list");
    assert!(seen_by_accused.iter().all(|row| row.id != accusation));
    let for_leader = store
        .petition(&leader.scope(), accusation)
        .await
        .expect("leader");
    assert!(for_leader.sealed);
    assert_eq!(for_leader.petitioner, None);
    assert_eq!(for_leader.petition.registration.petitioner, Uuid::nil());
    assert!(for_leader.petition.registration.accused.is_empty());
    let leader_text = serde_json::to_string(&for_leader).expect("json");
    assert!(
        !leader_text.contains(&zhang.to_string()),
        "no trace of the author"
    );
    assert!(!leader_text.contains("张三"));
    let for_desk = store
        .petition(&desk.scope(), accusation)
        .await
        .expect("desk");
    assert_eq!(for_desk.petitioner.map(|p| p.name), Some("张三".into()));
    // Nor does the accused find it in the petitioner's file.
    let file = store
        .petitioner_file(&staff_a, None, zhang)
        .await
        .expect("file");
    assert!(file.petitions.iter().all(|row| row.id != accusation));
    let file = store
        .petitioner_file(&desk, None, zhang)
        .await
        .expect("file");
    assert_eq!(file.petitions.len(), 9);
    assert_eq!(file.repeats, 1);

    // Histories are whole; the figures' rollups are their recount, and a rebuild changes
    // nothing.
    let scope = leader.scope();
    let year = Period::year(2026).expect("year");
    let (figures_now, recounted, verified) = store
        .read(move |conn| {
            let figures = figures::totals(conn, &scope, year)?;
            let recounted = figures::recount(conn, &scope, year)?;
            let whole = petitions::verify(conn, letter_id)?;
            Ok((figures, recounted, whole))
        })
        .await
        .expect("figures");
    assert!(verified);
    assert_eq!(figures_now, recounted);
    assert_eq!(figures_now.get("volume"), Some(&9));
    assert_eq!(figures_now.get("repeat"), Some(&1));
    assert_eq!(figures_now.get("concluded"), Some(&2));
    assert_eq!(figures_now.get("backlog_cleared.city"), Some(&1));
    assert_eq!(figures_now.get("class.accusation"), Some(&1));
    store.write(figures::rebuild).await.expect("rebuild");
    let scope = leader.scope();
    let rebuilt = store
        .read(move |conn| figures::totals(conn, &scope, year))
        .await
        .expect("rebuilt");
    assert_eq!(rebuilt, figures_now);
}

/// Subscribers hear a petition's changes by their action's code, in the change's transaction.
async fn subscribers_hear_each_petition_change(backend: Backend) {
    let Some((_db, store, _clock, _)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    let admin = principal(&store, "admin").await;
    let desk = principal(&store, "intake").await;
    let staff_a = principal(&store, "staff_a").await;
    for events in [vec!["*".to_owned()], vec!["answer".to_owned()]] {
        let (scope, actor, at) = (admin.scope(), admin.actor(None), store.now());
        store
            .write(move |conn| {
                jiedao_store::webhooks::create(
                    conn,
                    &scope,
                    &actor,
                    at,
                    fixture::STREET,
                    "http://203.0.113.7/hook",
                    &events,
                    None,
                    jiedao_store::webhooks::WebhookReach::Public,
                )
            })
            .await
            .expect("subscribed");
    }
    let zhang = petitioner(&store, &staff_a, "李四", 202).await;
    let id = store
        .register_petition(&desk, None, letter(zhang, "道路积水"))
        .await
        .expect("registered")
        .id;
    store
        .act_on_petition(
            &desk,
            None,
            id,
            Action::Decline {
                reason: "不属于本机关职权".into(),
            },
        )
        .await
        .expect("declined");
    let events: Vec<String> = store
        .read(|conn| {
            jiedao_store::testing::sql::query(
                conn,
                "SELECT event FROM webhook_delivery WHERE ledger = 'petition' ORDER BY seq",
                &[],
                |row| row.get(0),
            )
        })
        .await
        .expect("deliveries");
    assert_eq!(events, vec!["register".to_owned(), "decline".to_owned()]);
}

on_both_backends!(petitions_run_their_course_within_the_law);
on_both_backends!(subscribers_hear_each_petition_change);
