//! The disputes' rules under test: random histories keep the state machine's and the figures'
//! promises, the court-confirmation window is the legal period art. 33 sets, and who may act
//! is the one table's.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::figures::Counts;
use super::machine::{NewTerm, confirmation_window, last_day, within_window};
use super::*;
use crate::calendar::{DayKind, TimeLimit, WorkCalendar};
use crate::clock::start_of_day;
use crate::ledger::Standing;
use crate::role::Role;

fn calendar() -> WorkCalendar {
    WorkCalendar::seeded().expect("calendar")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn registration(risk: Risk) -> Registration {
    Registration {
        source: Source::WalkIn,
        from: None,
        kind: "neighbour".into(),
        facts: "楼上漏水".into(),
        points: "维修费用".into(),
        amount: crate::Money::from_fen(500_000),
        risk,
        parties: vec![
            Party {
                role: PartyRole::Applicant,
                kind: PartyKind::Person,
                id: Uuid::from_u128(1),
            },
            Party {
                role: PartyRole::Respondent,
                kind: PartyKind::Person,
                id: Uuid::from_u128(2),
            },
        ],
    }
}

fn registered(calendar: &WorkCalendar) -> Dispute {
    let at = Utc
        .with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .expect("at");
    let change = register(
        registration(Risk::Low),
        0,
        calendar,
        TimeLimit::calendar_days(30),
        at,
    )
    .expect("registered");
    open(Uuid::from_u128(9), at, &change).expect("opened")
}

fn staff(role: Role, in_reach: bool) -> Standing {
    Standing {
        role: Some(role),
        in_reach,
        department: None,
        is_reporter: false,
    }
}

/// An action the strategy picks, with days counted from the registration.
fn action(pick: u8, n: usize, offset: i64, registered_on: NaiveDate) -> Action {
    let on = registered_on + Duration::days(offset);
    match pick % 12 {
        0 => Action::Assign {
            committee: "甲社区人民调解委员会".into(),
            mediators: vec![Mediator {
                name: "王老娘舅".into(),
                kind: MediatorKind::Volunteer,
            }],
        },
        1 => Action::Session(Session {
            on,
            place: "调解室".into(),
            present: "双方".into(),
            record: "各自陈述".into(),
            proposal: "分担".into(),
        }),
        2 => Action::Extend {
            days: 15,
            reason: "双方要求".into(),
        },
        3 => Action::Agree {
            written: n.is_multiple_of(2),
            effective_on: on,
            responsibilities: "各半".into(),
            terms: (0..=n % 3)
                .map(|i| NewTerm {
                    text: format!("付款{i}"),
                    manner: "转账".into(),
                    due: on + Duration::days(10),
                })
                .collect(),
        },
        4 => Action::Fail {
            reason: "一方拒绝".into(),
        },
        5 => Action::Refer {
            to: "派出所".into(),
        },
        6 => Action::Withdraw {
            reason: "和解".into(),
        },
        7 => Action::ApplyConfirmation {
            on,
            court: "西湖区人民法院".into(),
        },
        8 => Action::RuleConfirmation {
            valid: n.is_multiple_of(2),
        },
        9 => Action::Perform {
            term: n % 3,
            performance: Performance::ALL[n % 3],
            on,
        },
        10 => Action::SetRisk {
            risk: Risk::ALL[n % 3],
            reason: "威胁".into(),
        },
        _ => Action::Escalate {
            to: "街道领导".into(),
            petition: None,
            criminal: n.is_multiple_of(5),
        },
    }
}

proptest! {
    #[test]
    fn random_histories_keep_the_ledgers_promises(
        steps in proptest::collection::vec((any::<u8>(), 0_usize..7, 0_i64..60), 0..30)
    ) {
        let calendar = calendar();
        let mut dispute = registered(&calendar);
        let registered_on = day(2026, 3, 2);
        let mut counted = Counts::delta(None, &dispute);
        for (pick, n, offset) in steps {
            let at = start_of_day(registered_on + Duration::days(offset)) + Duration::hours(10);
            let action = action(pick, n, offset, registered_on);
            let kind = action.kind();
            match decide(&dispute, &Standing::system(), action, at, &calendar) {
                Ok(change) => {
                    let text = serde_json::to_string(&change).expect("written");
                    let read: Change = serde_json::from_str(&text).expect("read back");
                    prop_assert_eq!(&read, &change, "a change reads back as written");
                    prop_assert!(dispute.state.is_open() || matches!(
                        kind,
                        ActionKind::ApplyConfirmation | ActionKind::RuleConfirmation
                    ), "{kind:?} changed a finished dispute");
                    let next = apply(&dispute, &change);
                    counted += Counts::delta(Some(&dispute), &next);
                    dispute = next;
                }
                Err(DisputeRefusal::WrongState { state, .. }) => {
                    prop_assert_eq!(state, dispute.state);
                }
                Err(_) => {}
            }
            prop_assert_eq!(
                dispute.settled(),
                matches!(dispute.state, DisputeState::Agreed | DisputeState::Closed)
            );
            if dispute.state == DisputeState::Closed {
                let agreement = dispute.agreement.as_ref().expect("closed with an agreement");
                prop_assert!(agreement.terms.iter().all(|t| t.performed.is_some()));
            }
            if let Some(confirmation) = dispute.agreement.as_ref().and_then(|a| a.confirmation.as_ref()) {
                let agreement = dispute.agreement.as_ref().expect("agreement");
                prop_assert!(agreement.written, "an oral agreement went to court");
                prop_assert!(within_window(agreement, confirmation.applied_on));
            }
            let now = Counts::of(&dispute);
            prop_assert_eq!(counted, now, "the changes' deltas add up to the dispute");
            prop_assert!(now.settled <= now.taken);
            prop_assert!(now.terms_performed <= now.terms_followed);
            prop_assert!(now.success_rate().percent().is_some_and(|p| p <= 100.0));
        }
    }

    #[test]
    fn the_confirmation_window_is_thirty_days_with_a_last_day_off_moved_on(
        offset in 0_i64..700
    ) {
        let calendar = calendar();
        let effective = day(2025, 1, 1) + Duration::days(offset);
        let window = confirmation_window(&calendar, effective);
        let thirty = effective + Duration::days(30);
        let Some(last) = last_day(&window) else {
            // Only a window ending in a year the calendar does not know.
            prop_assert!(thirty.year() > 2026 || thirty.month() == 12);
            return Ok(());
        };
        prop_assert!(last >= thirty);
        prop_assert!(matches!(
            calendar.day_kind(last),
            Ok(DayKind::Workday | DayKind::MakeupWorkday)
        ));
        let mut between = thirty;
        while between < last {
            prop_assert!(matches!(
                calendar.day_kind(between),
                Ok(DayKind::Weekend | DayKind::Holiday)
            ), "{between} is a working day before the last day {last}");
            between += Duration::days(1);
        }
    }
}

#[test]
fn a_window_ending_on_a_holiday_runs_to_the_next_working_day() {
    let calendar = calendar();
    // 2025-09-01 + 30 = 2025-10-01, 国庆 (10-01..10-08): the first working day is 10-09.
    let window = confirmation_window(&calendar, day(2025, 9, 1));
    assert_eq!(last_day(&window), Some(day(2025, 10, 9)));
    // An ordinary Tuesday: 2026-03-03 + 30 = 2026-04-02, a Thursday.
    let window = confirmation_window(&calendar, day(2026, 3, 3));
    assert_eq!(last_day(&window), Some(day(2026, 4, 2)));
}

#[test]
fn confirmation_is_applied_for_within_the_window_only_and_for_written_agreements() {
    let calendar = calendar();
    let mut dispute = registered(&calendar);
    let system = Standing::system();
    let at = |d: NaiveDate| start_of_day(d) + Duration::hours(10);
    for action in [
        action(0, 0, 0, day(2026, 3, 2)),
        Action::Agree {
            written: true,
            effective_on: day(2026, 3, 3),
            responsibilities: "各半".into(),
            terms: vec![NewTerm {
                text: "赔偿5000元".into(),
                manner: "一次性转账".into(),
                due: day(2026, 3, 10),
            }],
        },
    ] {
        let change =
            decide(&dispute, &system, action, at(day(2026, 3, 3)), &calendar).expect("decided");
        dispute = apply(&dispute, &change);
    }
    let late = Action::ApplyConfirmation {
        on: day(2026, 4, 3),
        court: "西湖区人民法院".into(),
    };
    assert_eq!(
        decide(&dispute, &system, late, at(day(2026, 4, 3)), &calendar),
        Err(DisputeRefusal::OutsideWindow {
            day: day(2026, 4, 3)
        })
    );
    let in_time = Action::ApplyConfirmation {
        on: day(2026, 4, 2),
        court: "西湖区人民法院".into(),
    };
    assert!(decide(&dispute, &system, in_time, at(day(2026, 4, 2)), &calendar).is_ok());
}

#[test]
fn a_term_done_after_its_day_is_late_and_the_last_one_closes_the_dispute() {
    let calendar = calendar();
    let mut dispute = registered(&calendar);
    let system = Standing::system();
    let at = start_of_day(day(2026, 3, 20)) + Duration::hours(10);
    for action in [
        action(0, 0, 0, day(2026, 3, 2)),
        Action::Agree {
            written: false,
            effective_on: day(2026, 3, 3),
            responsibilities: "各半".into(),
            terms: vec![NewTerm {
                text: "道歉".into(),
                manner: "当面".into(),
                due: day(2026, 3, 10),
            }],
        },
        Action::Perform {
            term: 0,
            performance: Performance::Done,
            on: day(2026, 3, 12),
        },
    ] {
        let change = decide(&dispute, &system, action, at, &calendar).expect("decided");
        dispute = apply(&dispute, &change);
    }
    assert_eq!(dispute.state, DisputeState::Closed);
    let terms = &dispute.agreement.as_ref().expect("agreement").terms;
    assert_eq!(
        terms[0].performed,
        Some((Performance::Late, day(2026, 3, 12)))
    );
    assert_eq!(Counts::of(&dispute).performance_rate().text(), "100.00%");
}

#[test]
fn the_desk_and_the_grid_register_and_the_committees_mediate_within_reach() {
    use ActionKind::*;
    assert!(may(Register, &staff(Role::GridWorker, true)).is_ok());
    assert_eq!(
        may(Agree, &staff(Role::GridWorker, true)),
        Err(DisputeRefusal::NotPermitted { action: Agree })
    );
    assert!(may(Agree, &staff(Role::CommunityStaff, true)).is_ok());
    assert_eq!(
        may(Agree, &staff(Role::CommunityStaff, false)),
        Err(DisputeRefusal::OutOfReach { action: Agree })
    );
    for role in [Role::DepartmentHandler, Role::Administrator, Role::Resident] {
        assert!(may(Register, &staff(role, true)).is_err(), "{role:?}");
        assert!(may(Assign, &staff(role, true)).is_err(), "{role:?}");
    }
}

#[test]
fn a_repeat_party_raises_the_risk_a_level() {
    assert_eq!(machine::assess(Risk::Low, 1), Risk::Low);
    assert_eq!(machine::assess(Risk::Low, 2), Risk::Medium);
    assert_eq!(machine::assess(Risk::High, 5), Risk::High);
    let calendar = calendar();
    let at = Utc
        .with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .expect("at");
    let change = register(
        registration(Risk::Medium),
        3,
        &calendar,
        TimeLimit::calendar_days(30),
        at,
    )
    .expect("registered");
    assert_eq!(
        open(Uuid::nil(), at, &change).map(|d| d.risk),
        Some(Risk::High)
    );
}

#[test]
fn a_registration_needs_both_sides_once_each() {
    let calendar = calendar();
    let at = Utc
        .with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .expect("at");
    let limit = TimeLimit::calendar_days(30);
    let mut one_sided = registration(Risk::Low);
    one_sided.parties.pop();
    assert_eq!(
        register(one_sided, 0, &calendar, limit, at),
        Err(DisputeRefusal::PartiesMissing)
    );
    let mut twice = registration(Risk::Low);
    twice.parties[1].id = twice.parties[0].id;
    assert_eq!(
        register(twice, 0, &calendar, limit, at),
        Err(DisputeRefusal::PartyTwice)
    );
}

#[test]
fn every_refusal_and_name_reads_in_both_languages() {
    use crate::i18n::{Lang, Localized};
    let d = day(2026, 3, 2);
    let refusals = [
        DisputeRefusal::NotPermitted {
            action: ActionKind::Agree,
        },
        DisputeRefusal::OutOfReach {
            action: ActionKind::Assign,
        },
        DisputeRefusal::WrongState {
            action: ActionKind::Perform,
            state: DisputeState::Failed,
        },
        DisputeRefusal::Required {
            field: "dispute.facts",
        },
        DisputeRefusal::PartiesMissing,
        DisputeRefusal::PartyTwice,
        DisputeRefusal::NegativeAmount,
        DisputeRefusal::DayOutOfRange { day: d },
        DisputeRefusal::NoAgreement,
        DisputeRefusal::OralAgreement,
        DisputeRefusal::AlreadyApplied,
        DisputeRefusal::OutsideWindow { day: d },
        DisputeRefusal::NoApplication,
        DisputeRefusal::NoSuchTerm { term: 3 },
        DisputeRefusal::TermSettled { term: 1 },
        DisputeRefusal::UnknownKind { code: "x".into() },
    ];
    let mut keys: Vec<&str> = DisputeState::ALL.iter().map(|s| s.label_key()).collect();
    keys.extend(Source::ALL.iter().map(|s| s.label_key()));
    keys.extend(PartyRole::ALL.iter().map(|s| s.label_key()));
    keys.extend(PartyKind::ALL.iter().map(|s| s.label_key()));
    keys.extend(Risk::ALL.iter().map(|s| s.label_key()));
    keys.extend(MediatorKind::ALL.iter().map(|s| s.label_key()));
    keys.extend(Performance::ALL.iter().map(|s| s.label_key()));
    keys.extend(
        std::iter::once(ActionKind::Register)
            .chain(ActionKind::ACTIONS)
            .map(ActionKind::label_key),
    );
    for lang in Lang::ALL {
        for refusal in &refusals {
            let message = refusal.localize(lang);
            assert!(
                !message.contains('{')
                    && !message.contains("dispute.")
                    && !message.contains("_refusal"),
                "{lang:?}: {message}"
            );
        }
        for key in &keys {
            assert_ne!(crate::i18n::text(lang, key), *key, "{lang:?} lacks {key}");
        }
    }
}
