//! Disputes (矛盾纠纷调解) on both backends: a registration with new parties through sessions to
//! a written agreement, its confirmation applied for within the window, its terms followed up
//! to the close; a failed one; repeat parties raising the risk; others' disputes out of sight
//! and out of role with nothing changed; the rollup equal to its rebuild from the histories.

use chrono::{Duration, NaiveDate};
use jiedao_core::dispute::machine::NewTerm;
use jiedao_core::dispute::{
    Action, DisputeRefusal, DisputeState, Mediator, MediatorKind, PartyKind, PartyRole,
    Performance, Risk, Session, Source,
};
use jiedao_core::evaluation::period::Period;
use jiedao_core::money::Money;
use jiedao_core::registry::{DocumentKind, sample};
use jiedao_store::disputes::{self, DisputeFilter, NewDispute, NewParty};
use jiedao_store::registry::persons::NewPerson;
use jiedao_store::testing::{fixture, principal};
use jiedao_store::{Backend, Refusal, Store, on_both_backends};
use uuid::Uuid;

use crate::foundation::{fixture_store_on_a_manual_clock, refusal};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn person(name: &str, serial: u32) -> Box<NewPerson> {
    Box::new(NewPerson {
        name: name.into(),
        document_kind: DocumentKind::ResidentId,
        document: sample::id_number(
            "330106",
            day(1970, 1, 1) + Duration::days(i64::from(serial)),
            serial,
        ),
        phone: None,
        house: None,
        community: Some(fixture::COMMUNITY_A.into()),
        household: None,
        moved_in: None,
    })
}

fn new_dispute(parties: Vec<NewParty>) -> NewDispute {
    NewDispute {
        place: fixture::COMMUNITY_A.into(),
        source: Source::WalkIn,
        from: None,
        kind: "neighbour".into(),
        facts: "楼上卫生间漏水，楼下天花板受损".into(),
        points: "维修费用由谁承担".into(),
        amount: Money::from_yuan(5000).expect("amount"),
        risk: Risk::Low,
        parties,
    }
}

async fn act(store: &Store, who: &str, id: Uuid, action: Action) -> jiedao_core::dispute::Dispute {
    store
        .act_on_dispute(principal(store, who).await, None, id, action)
        .await
        .unwrap_or_else(|e| panic!("{who}: {e:?}"))
}

fn assign() -> Action {
    Action::Assign {
        committee: "甲社区人民调解委员会".into(),
        mediators: vec![Mediator {
            name: "王老娘舅".into(),
            kind: MediatorKind::Volunteer,
        }],
    }
}

async fn dispute_through_agreement_failure_and_figures(backend: Backend) {
    let Some((_db, store, clock, start)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    let staff_a = principal(&store, "staff_a").await;
    let (id, number) = store
        .register_dispute(
            staff_a.clone(),
            None,
            new_dispute(vec![
                NewParty::New {
                    role: PartyRole::Applicant,
                    person: person("张三", 11),
                },
                NewParty::New {
                    role: PartyRole::Respondent,
                    person: person("李四", 12),
                },
            ]),
        )
        .await
        .expect("registered");
    assert!(number.starts_with("TJ-330106008-20260302-"), "{number}");
    let today = day(2026, 3, 2);
    act(&store, "staff_a", id, assign()).await;
    act(
        &store,
        "staff_a",
        id,
        Action::Session(Session {
            on: today,
            place: "甲社区调解室".into(),
            present: "张三、李四、王老娘舅".into(),
            record: "双方陈述漏水经过".into(),
            proposal: "李四承担维修费用3000元".into(),
        }),
    )
    .await;
    let agreed = act(
        &store,
        "staff_a",
        id,
        Action::Agree {
            written: true,
            effective_on: today,
            responsibilities: "李四负主要责任".into(),
            terms: vec![
                NewTerm {
                    text: "李四赔偿张三3000元".into(),
                    manner: "银行转账".into(),
                    due: day(2026, 3, 9),
                },
                NewTerm {
                    text: "李四修复防水层".into(),
                    manner: "自行请人维修".into(),
                    due: day(2026, 3, 20),
                },
            ],
        },
    )
    .await;
    assert_eq!(agreed.state, DisputeState::Agreed);
    let window = &agreed
        .agreement
        .as_ref()
        .expect("agreement")
        .confirmation_window;
    assert_eq!(
        jiedao_core::dispute::machine::last_day(window),
        Some(day(2026, 4, 1))
    );
    // Out of reach: community B's staff do not see it; the desk may not mediate.
    let seen_before = store
        .read(move |conn| {
            Ok(disputes::read::get(conn, &staff_a.scope(), id)?
                .history
                .len())
        })
        .await
        .expect("history");
    let staff_b = principal(&store, "staff_b").await;
    let refused = store
        .act_on_dispute(
            staff_b.clone(),
            None,
            id,
            Action::RuleConfirmation { valid: true },
        )
        .await;
    assert!(matches!(refusal(refused), Refusal::NotFound { .. }));
    let worker = principal(&store, "intake").await;
    let refused = store
        .act_on_dispute(worker, None, id, Action::Fail { reason: "x".into() })
        .await;
    assert!(matches!(
        refusal(refused),
        Refusal::Dispute(DisputeRefusal::NotPermitted { .. })
    ));
    let staff_a = principal(&store, "staff_a").await;
    let scope = staff_a.scope();
    let seen_after = store
        .read(move |conn| Ok(disputes::read::get(conn, &scope, id)?.history.len()))
        .await
        .expect("history");
    assert_eq!(seen_before, seen_after, "refusals changed nothing");

    clock.set(start + Duration::days(10));
    act(
        &store,
        "staff_a",
        id,
        Action::ApplyConfirmation {
            on: day(2026, 3, 12),
            court: "西湖区人民法院".into(),
        },
    )
    .await;
    act(
        &store,
        "staff_a",
        id,
        Action::Perform {
            term: 0,
            performance: Performance::Done,
            on: day(2026, 3, 8),
        },
    )
    .await;
    let closed = act(
        &store,
        "staff_a",
        id,
        Action::Perform {
            term: 1,
            performance: Performance::Broken,
            on: day(2026, 3, 12),
        },
    )
    .await;
    assert_eq!(closed.state, DisputeState::Closed);

    // A second dispute between the same two fails; a third finds them repeat parties.
    let (first_parties, _) = store
        .read({
            let scope = staff_a.scope();
            move |conn| {
                let detail = disputes::read::get(conn, &scope, id)?;
                Ok((detail.parties, detail.intact))
            }
        })
        .await
        .expect("detail");
    let again = |risk| {
        let mut new = new_dispute(
            first_parties
                .iter()
                .map(|p| NewParty::Existing {
                    role: p.role,
                    kind: PartyKind::Person,
                    id: p.id,
                })
                .collect(),
        );
        new.risk = risk;
        new
    };
    let (failed, _) = store
        .register_dispute(staff_a.clone(), None, again(Risk::Low))
        .await
        .expect("second");
    act(&store, "staff_a", failed, assign()).await;
    let ended = act(
        &store,
        "staff_a",
        failed,
        Action::Fail {
            reason: "李四拒绝再调解".into(),
        },
    )
    .await;
    assert_eq!(ended.state, DisputeState::Failed);
    let (third, _) = store
        .register_dispute(staff_a.clone(), None, again(Risk::Low))
        .await
        .expect("third");
    let scope = staff_a.scope();
    let third_risk = store
        .read(move |conn| Ok(disputes::read::get(conn, &scope, third)?.dispute.risk))
        .await
        .expect("third");
    assert_eq!(
        third_risk,
        Risk::Medium,
        "two earlier disputes raise the risk"
    );

    // Figures from the rollup equal the rebuild and a recount of the rows.
    let (rollup, rebuilt) = store
        .read(|conn| {
            Ok((
                disputes::figures::rollup_rows(conn)?,
                disputes::figures::rebuild(conn)?,
            ))
        })
        .await
        .expect("rollup");
    assert_eq!(rollup, rebuilt);
    let scope = staff_a.scope();
    let (figures, settled_rows, intact) = store
        .read(move |conn| {
            let period = Period::year(2026).expect("year");
            let figures = disputes::figures::figures(conn, &scope, None, &period)?;
            let (rows, _) = disputes::read::list(
                conn,
                &scope,
                &DisputeFilter {
                    settled: Some(true),
                    limit: 100,
                    ..DisputeFilter::default()
                },
            )?;
            Ok((figures, rows.len(), disputes::verify(conn, id)?))
        })
        .await
        .expect("figures");
    assert!(intact);
    assert_eq!(figures.total.taken, 3);
    assert_eq!(figures.total.settled, 1);
    assert_eq!(figures.total.failed, 1);
    assert_eq!(settled_rows, 1);
    assert_eq!(figures.total.amount_fen, 3 * 500_000);
    assert_eq!(figures.total.performance_rate().text(), "50.00%");
    assert_eq!(figures.last_year.taken, 0);

    // Community B's staff see none of it.
    let scope_b = staff_b.scope();
    let (rows_b, figures_b) = store
        .read(move |conn| {
            let (rows, _) = disputes::read::list(
                conn,
                &scope_b,
                &DisputeFilter {
                    limit: 100,
                    ..DisputeFilter::default()
                },
            )?;
            let figures = disputes::figures::figures(
                conn,
                &scope_b,
                None,
                &Period::year(2026).expect("year"),
            )?;
            Ok((rows.len(), figures.total.taken))
        })
        .await
        .expect("b");
    assert_eq!((rows_b, figures_b), (0, 0));
}

on_both_backends!(dispute_through_agreement_failure_and_figures);
