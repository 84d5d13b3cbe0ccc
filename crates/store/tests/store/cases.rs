//! Case scenarios: intake, every path through the state machine as the right people, refusals
//! that change nothing, idempotent retries, the ticker, and projections rebuilt from history.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use jiedao_core::calendar::TimeLimit;
use jiedao_core::case::{Case, CaseRefusal, CaseState, Channel, Light, Satisfaction, apply, open};
use jiedao_core::{CaseId, DepartmentId, ManualClock};
use jiedao_store::cases::{
    CaseFilter, Command, EventActor, Face, NewReport, Purpose, Receipt, Reporter, StoredFile,
    Upload, Who, history, projection, read,
};
use jiedao_store::testing::{department_id, fixture, load_fixture, principal, sql};
use jiedao_store::{Backend, Refusal, Store, StoreError, on_both_backends};

use crate::foundation::{
    count, fixture_store, fixture_store_on_a_manual_clock, open as open_store, refusal,
};

/// A point inside grid A1.
const IN_A1: (f64, f64) = (120.105, 30.2525);

fn litter(store: &Store) -> jiedao_core::CategoryId {
    store.catalog().by_code("E0101").expect("E0101").id
}

fn resident_report(store: &Store, point: Option<(f64, f64)>) -> NewReport {
    NewReport {
        channel: Channel::Resident,
        category: Some(litter(store)),
        urgency: None,
        description: "小区门口堆了很多垃圾".into(),
        lon: point.map(|p| p.0),
        lat: point.map(|p| p.1),
        address: Some("甲社区东门".into()),
        street: None,
        external_ref: None,
        reporter: Reporter {
            name: Some("王小明".into()),
            phone: Some("13800001234".into()),
            follow_link: true,
            ..Reporter::default()
        },
        idempotency: None,
        public_only: true,
        submission: Default::default(),
        face: Face::Person,
    }
}

fn anyone() -> EventActor {
    EventActor {
        user_id: None,
        name: "public".into(),
        role: None,
        ip: Some("127.0.0.1".into()),
    }
}

async fn report(store: &Store) -> Receipt {
    store
        .report(resident_report(store, Some(IN_A1)), anyone(), Vec::new())
        .await
        .expect("report")
}

async fn photo(store: &Store, purpose: Purpose) -> StoredFile {
    let files = store.files().clone();
    tokio::task::spawn_blocking(move || {
        let image = image::RgbImage::from_pixel(16, 12, image::Rgb([10, 120, 40]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut bytes, image::ImageFormat::Png)
            .expect("png");
        files.store(Upload {
            file_name: "after.png".into(),
            bytes: bytes.into_inner(),
            purpose,
        })
    })
    .await
    .expect("task")
    .expect("stored")
}

async fn act_as(
    store: &Store,
    username: &str,
    id: CaseId,
    command: Command,
    files: Vec<StoredFile>,
) -> Result<Case, StoreError> {
    let who = Who::User(principal(store, username).await);
    store
        .act(who, Some("10.0.0.1".into()), id, command, files)
        .await
}

/// Folds the stored history from nothing and compares it with the stored projection; checks
/// the history's hash chain.
async fn assert_rebuilds(store: &Store, id: CaseId) {
    let (stored, rebuilt, intact) = store
        .read(move |conn| {
            let (stored, head) = projection::load(conn, id)?.expect("case");
            let events = history::load(conn, id)?;
            let first = &events[0];
            let mut rebuilt = open(id, stored.number.clone(), &first.change, first.at)
                .expect("first is a report");
            for event in &events[1..] {
                apply(&mut rebuilt, &event.change, event.at);
            }
            let intact = history::verify(conn, id, &head, stored.event_count)?;
            Ok((stored, rebuilt, intact))
        })
        .await
        .expect("read");
    assert_eq!(rebuilt, stored, "the projection is the fold of the history");
    assert!(intact, "the history's hash chain is whole");
}

async fn a_case_walks_from_report_to_follow_up(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let receipt = report(&store).await;
    assert!(receipt.created && !receipt.unlocated);
    let token = receipt.follow_token.clone().expect("follow link");
    let id = receipt.id;
    let squad = department_id(&store, fixture::DEPARTMENT).await;

    let case = act_as(
        &store,
        "intake",
        id,
        Command::File {
            category: None,
            urgency: None,
            note: "属实".into(),
        },
        vec![],
    )
    .await
    .expect("file");
    assert_eq!(case.state, CaseState::Filed);
    let case = act_as(
        &store,
        "dispatcher",
        id,
        Command::Dispatch {
            department: squad.into(),
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("dispatch");
    assert_eq!(
        case.department.as_ref().map(|d| d.name.as_str()),
        Some(fixture::DEPARTMENT)
    );
    act_as(&store, "handler", id, Command::Accept, vec![])
        .await
        .expect("accept");
    let after = photo(&store, Purpose::After).await;
    let case = act_as(
        &store,
        "handler",
        id,
        Command::ReportDone {
            note: "已清运".into(),
        },
        vec![after],
    )
    .await
    .expect("done");
    assert_eq!(case.state, CaseState::Handled);
    act_as(
        &store,
        "worker_a1",
        id,
        Command::Check {
            passed: true,
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("check");
    let case = act_as(
        &store,
        "shiftlead",
        id,
        Command::Close {
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("close");
    assert_eq!(case.state, CaseState::Closed);
    assert_eq!(case.closed_on_time, Some(true));

    let who = Who::Reporter {
        token_hash: jiedao_store::clients::token_hash(&token),
    };
    let rated = store
        .act(
            who,
            None,
            id,
            Command::FollowUp {
                satisfaction: Satisfaction::Satisfied,
                note: "很快".into(),
            },
            vec![],
        )
        .await
        .expect("follow-up by link");
    assert_eq!(
        (rated.state, rated.satisfaction),
        (CaseState::Evaluated, Some(Satisfaction::Satisfied))
    );

    let detail = store
        .read(move |conn| {
            jiedao_store::cases::read::by_follow_token(
                conn,
                &jiedao_store::clients::token_hash(&token),
            )
        })
        .await
        .expect("read")
        .expect("found by link");
    assert_eq!(detail.history.len(), 8);
    assert_eq!(detail.attachments.len(), 1);
    assert!(detail.history_intact);
    assert_eq!(
        detail.reporters[0].phone.as_deref(),
        Some("138****1234"),
        "masked for the public"
    );
    assert_rebuilds(&store, id).await;
    crate::stats::assert_rollups_agree(&store).await;
}

async fn refused_actions_change_nothing(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let id = report(&store).await.id;
    let before = (
        count(&store, "case_event").await,
        count(&store, "attachment").await,
    );
    let snapshot = store
        .read(move |conn| projection::load(conn, id))
        .await
        .expect("read");

    // A dispatcher may not void; the wrong community's staff and grid worker are out of reach;
    // a resident may not file; nothing can be dispatched before filing.
    let cases: Vec<(&str, Command, Refusal)> = vec![
        (
            "dispatcher",
            Command::Void {
                reason: "重复".into(),
            },
            Refusal::Case(CaseRefusal::NotPermitted {
                action: jiedao_core::case::ActionKind::Void,
            }),
        ),
        (
            "worker_b1",
            Command::Verify {
                found: true,
                note: "看过了".into(),
            },
            Refusal::Case(CaseRefusal::OutOfReach {
                action: jiedao_core::case::ActionKind::Verify,
            }),
        ),
        (
            "resident_a",
            Command::File {
                category: None,
                urgency: None,
                note: String::new(),
            },
            Refusal::Case(CaseRefusal::NotPermitted {
                action: jiedao_core::case::ActionKind::File,
            }),
        ),
        (
            "shiftlead",
            Command::Void {
                reason: "  ".into(),
            },
            Refusal::Case(CaseRefusal::Required {
                field: "field.reason",
            }),
        ),
    ];
    for (who, command, expected) in cases {
        assert_eq!(
            refusal(act_as(&store, who, id, command, vec![]).await),
            expected,
            "{who}"
        );
    }
    let squad = department_id(&store, fixture::DEPARTMENT).await;
    let early = act_as(
        &store,
        "dispatcher",
        id,
        Command::Dispatch {
            department: squad.into(),
            note: String::new(),
        },
        vec![],
    )
    .await;
    assert!(matches!(
        refusal(early),
        Refusal::Case(CaseRefusal::WrongState { .. })
    ));

    // Photos sent with a refused change are not kept.
    let stray = photo(&store, Purpose::After).await;
    let stray_path = store
        .files()
        .path(stray.id, jiedao_store::cases::Variant::Original);
    assert!(stray_path.exists());
    let refused = act_as(
        &store,
        "handler",
        id,
        Command::ReportDone {
            note: "完成".into(),
        },
        vec![stray],
    )
    .await;
    assert!(refused.is_err());
    assert!(
        !stray_path.exists(),
        "the refused change's photo was removed"
    );

    assert_eq!(
        (
            count(&store, "case_event").await,
            count(&store, "attachment").await
        ),
        before
    );
    assert_eq!(
        store
            .read(move |conn| projection::load(conn, id))
            .await
            .expect("read"),
        snapshot
    );
}

async fn a_retried_intake_returns_the_same_case(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let system = jiedao_store::Principal::system("test");
    let (client, _token) = store
        .add_client(
            system.scope(),
            system.actor(None),
            "噪声监测".into(),
            fixture::STREET.into(),
            Channel::Sensor,
        )
        .await
        .expect("client");
    let street = (client.street_id, client.street_path.clone());
    let sensor_report = |key: &str| NewReport {
        channel: Channel::Sensor,
        idempotency: Some((client.id, key.to_owned())),
        street: Some(street.clone()),
        public_only: false,
        reporter: Reporter::default(),
        ..resident_report(&store, Some(IN_A1))
    };
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (store, new) = (store.clone(), sensor_report("alarm-0001"));
        tasks.push(tokio::spawn(async move {
            store.report(new, anyone(), Vec::new()).await
        }));
    }
    let mut receipts = Vec::new();
    for task in tasks {
        receipts.push(task.await.expect("task").expect("report"));
    }
    let first = receipts[0].id;
    assert!(
        receipts.iter().all(|r| r.id == first),
        "every retry names the same case"
    );
    assert_eq!(
        receipts.iter().filter(|r| r.created).count(),
        1,
        "only one created it"
    );
    assert_eq!(count(&store, "case_file").await, 1);
    let other = store
        .report(sensor_report("alarm-0002"), anyone(), Vec::new())
        .await
        .expect("another");
    assert_ne!(other.id, first);
    assert_eq!(count(&store, "case_file").await, 2);
}

async fn intake_refuses_bad_reports_whole(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let base = resident_report(&store, Some(IN_A1));
    let public_security = store.catalog().by_code("G0701").expect("G0701").id;
    let class = store.catalog().by_code("E01").expect("E01").id;
    let cover = store.catalog().by_code("B0101").expect("B0101").id;
    let cases: Vec<(NewReport, Refusal)> = vec![
        (
            // The category's required question, checked here for every face.
            NewReport {
                category: Some(cover),
                ..base.clone()
            },
            Refusal::Answer(jiedao_core::question::AnswerError::Missing {
                code: "cover_state".into(),
            }),
        ),
        (
            NewReport {
                description: "   ".into(),
                ..base.clone()
            },
            Refusal::EmptyField {
                field: "field.description",
            },
        ),
        (
            NewReport {
                // GeoReport v2's limit, for every face (issue 15).
                description: "长".repeat(4001),
                ..base.clone()
            },
            Refusal::TooLong {
                field: "field.description",
                max: 4000,
            },
        ),
        (
            NewReport {
                lon: Some(120.1),
                lat: None,
                ..base.clone()
            },
            Refusal::BadPoint,
        ),
        (
            NewReport {
                lon: Some(121.5),
                lat: Some(31.2),
                ..base.clone()
            },
            Refusal::OutsideEveryGrid,
        ),
        (
            NewReport {
                lon: None,
                lat: None,
                ..base.clone()
            },
            Refusal::LocationRequired,
        ),
        (
            NewReport {
                category: Some(public_security),
                ..base.clone()
            },
            Refusal::UnknownCategory {
                key: "G0701".into(),
            },
        ),
        (
            NewReport {
                category: Some(class),
                ..base.clone()
            },
            Refusal::Case(CaseRefusal::NotALeafCategory),
        ),
        (
            NewReport {
                reporter: Reporter {
                    phone: Some("call me".into()),
                    ..base.reporter.clone()
                },
                ..base.clone()
            },
            Refusal::BadPhone {
                phone: "call me".into(),
            },
        ),
    ];
    for (new, expected) in cases {
        assert_eq!(
            refusal(store.report(new, anyone(), Vec::new()).await),
            expected
        );
    }
    assert_eq!(count(&store, "case_file").await, 0);
    assert_eq!(count(&store, "case_reporter").await, 0);
}

async fn side_paths_verify_return_extend_park_rework_reopen_merge(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let id = report(&store).await.id;
    let squad = department_id(&store, fixture::DEPARTMENT).await;
    let community = department_id(&store, "甲社区").await;
    act_as(
        &store,
        "intake",
        id,
        Command::RequestVerification {
            note: "请核实".into(),
        },
        vec![],
    )
    .await
    .expect("ask");
    let verified = act_as(
        &store,
        "worker_a1",
        id,
        Command::Verify {
            found: true,
            note: "现场属实".into(),
        },
        vec![],
    )
    .await
    .expect("verify");
    assert_eq!(verified.state, CaseState::Verified);
    act_as(
        &store,
        "intake",
        id,
        Command::File {
            category: None,
            urgency: None,
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("file");
    act_as(
        &store,
        "dispatcher",
        id,
        Command::Dispatch {
            department: squad.into(),
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("dispatch");
    let redispatched = act_as(
        &store,
        "dispatcher",
        id,
        Command::Redispatch {
            department: community.into(),
            reason: "属社区事务".into(),
        },
        vec![],
    )
    .await
    .expect("redispatch");
    assert_eq!(
        redispatched.department.as_ref().map(|d| d.name.as_str()),
        Some("甲社区")
    );
    // A community's staff act for their community as a department.
    act_as(&store, "staff_a", id, Command::Accept, vec![])
        .await
        .expect("community accepts");
    assert!(
        act_as(
            &store,
            "staff_b",
            id,
            Command::Park { reason: "x".into() },
            vec![]
        )
        .await
        .is_err()
    );
    let returned = act_as(
        &store,
        "staff_a",
        id,
        Command::Return {
            reason: "需要执法".into(),
        },
        vec![],
    )
    .await
    .expect("return");
    assert_eq!(
        (returned.state, returned.return_count),
        (CaseState::Filed, 1)
    );
    act_as(
        &store,
        "dispatcher",
        id,
        Command::Dispatch {
            department: squad.into(),
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("again");
    act_as(&store, "handler", id, Command::Accept, vec![])
        .await
        .expect("accept");
    act_as(
        &store,
        "handler",
        id,
        Command::RequestExtension {
            extra: TimeLimit::work_days(2),
            reason: "等待车辆".into(),
        },
        vec![],
    )
    .await
    .expect("ask more time");
    let extended = act_as(
        &store,
        "shiftlead",
        id,
        Command::DecideExtension {
            approve: true,
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("approve");
    assert_eq!(extended.extension_count, 1);
    act_as(
        &store,
        "handler",
        id,
        Command::Park {
            reason: "等待产权单位答复".into(),
        },
        vec![],
    )
    .await
    .expect("park");
    act_as(
        &store,
        "shiftlead",
        id,
        Command::Resume {
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("resume");
    act_as(
        &store,
        "leader",
        id,
        Command::Supervise {
            reason: "群众反映强烈".into(),
        },
        vec![],
    )
    .await
    .expect("supervise");
    let after = photo(&store, Purpose::After).await;
    act_as(
        &store,
        "handler",
        id,
        Command::ReportDone {
            note: "已处理".into(),
        },
        vec![after],
    )
    .await
    .expect("done");
    let rework = act_as(
        &store,
        "worker_a1",
        id,
        Command::Check {
            passed: false,
            note: "仍有垃圾".into(),
        },
        vec![],
    )
    .await
    .expect("fail");
    assert_eq!(
        (rework.state, rework.rework_count),
        (CaseState::Handling, 1)
    );
    let after = photo(&store, Purpose::After).await;
    act_as(
        &store,
        "handler",
        id,
        Command::ReportDone {
            note: "清理干净".into(),
        },
        vec![after],
    )
    .await
    .expect("done");
    act_as(
        &store,
        "worker_a1",
        id,
        Command::Check {
            passed: true,
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("pass");
    act_as(
        &store,
        "shiftlead",
        id,
        Command::Close {
            note: String::new(),
        },
        vec![],
    )
    .await
    .expect("close");
    act_as(
        &store,
        "intake",
        id,
        Command::FollowUp {
            satisfaction: Satisfaction::Unsatisfied,
            note: "电话回访：不满意".into(),
        },
        vec![],
    )
    .await
    .expect("call");
    let reopened = act_as(
        &store,
        "intake",
        id,
        Command::Reopen {
            reason: "回访不满意".into(),
        },
        vec![],
    )
    .await
    .expect("reopen");
    assert_eq!(
        (reopened.state, reopened.reopen_count),
        (CaseState::Filed, 1)
    );
    assert_rebuilds(&store, id).await;

    // A duplicate report is merged: its reporter follows the surviving case.
    let duplicate = report(&store).await.id;
    let merged = act_as(
        &store,
        "intake",
        duplicate,
        Command::Merge {
            into_number: reopened.number.clone(),
        },
        vec![],
    )
    .await
    .expect("merge");
    assert_eq!(merged.state, CaseState::Merged);
    let reporters: i64 = store
        .read(move |conn| {
            sql::scalar(
                conn,
                "SELECT COUNT(*) FROM case_reporter WHERE case_id = $1",
                &[&id],
            )
        })
        .await
        .expect("count");
    assert_eq!(reporters, 2);
    assert_rebuilds(&store, duplicate).await;
    assert_rebuilds(&store, id).await;
    crate::stats::assert_rollups_agree(&store).await;
    let voided = report(&store).await.id;
    let voided = act_as(
        &store,
        "shiftlead",
        voided,
        Command::Void {
            reason: "重复上报".into(),
        },
        vec![],
    )
    .await
    .expect("void");
    assert_eq!(voided.state, CaseState::Voided);
}

async fn the_ticker_marks_overdue_and_supervises(backend: Backend) {
    let Some((_db, store, clock, start)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    let id = report(&store).await.id;
    assert_eq!(store.tick().await.expect("tick").overdue, 0);
    // The filing limit (1 working hour) runs out at 10:00 on this Monday morning.
    clock.advance(Duration::minutes(61));
    let first = store.tick().await.expect("tick");
    assert_eq!(first.overdue, 1);
    assert_eq!(
        store.tick().await.expect("tick").overdue,
        0,
        "recorded once"
    );
    clock.advance(Duration::hours(4));
    assert_eq!(store.tick().await.expect("tick").supervised, 1);
    let case = store
        .read(move |conn| projection::load(conn, id))
        .await
        .expect("read")
        .expect("case")
        .0;
    assert!(case.step_overdue && case.supervised);
    assert!(start < case.updated_at);
    assert_rebuilds(&store, id).await;
    crate::stats::assert_rollups_agree(&store).await;
}

async fn deadlines_wait_for_a_missing_year_then_resolve(backend: Backend) {
    let late_december = Utc
        .with_ymd_and_hms(2026, 12, 30, 2, 0, 0)
        .single()
        .expect("time");
    let clock = Arc::new(ManualClock::new(late_december));
    let Some((_db, store)) = open_store(backend, clock.clone()).await else {
        return;
    };
    load_fixture(&store).await;
    let id = report(&store).await.id;
    let case = store
        .read(move |conn| projection::load(conn, id))
        .await
        .expect("read")
        .expect("case")
        .0;
    let whole = case.case_timer.clone().expect("case clock");
    assert!(
        whole.is_pending(),
        "2 working days (E01) from 30 December need 2027's holidays"
    );
    assert_eq!(store.tick().await.expect("tick").recomputed, 0);

    let system = jiedao_store::Principal::system("test");
    let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
    let notice = "[[year]]\nyear = 2027\nholidays = [{ name = \"元旦\", days = [\"2027-01-01\", \"2027-01-02\", \"2027-01-03\"] }]\nmakeup_workdays = []\n";
    let imported = store
        .write(move |conn| jiedao_store::calendar::import(conn, &scope, &actor, at, notice))
        .await
        .expect("import");
    assert_eq!(imported.years, [2027]);
    store.reload().await.expect("reload");
    assert_eq!(store.tick().await.expect("tick").recomputed, 1);
    let case = store
        .read(move |conn| projection::load(conn, id))
        .await
        .expect("read")
        .expect("case")
        .0;
    let deadline = case
        .case_timer
        .and_then(|t| t.deadline)
        .expect("deadline now known");
    // 31 December, then the New Year break (1-3 January): Monday 4 January at 10:00.
    assert_eq!(
        deadline,
        Utc.with_ymd_and_hms(2027, 1, 4, 2, 0, 0)
            .single()
            .expect("time")
    );
    assert_rebuilds(&store, id).await;
}

/// A case filed, dispatched to the squad and accepted by its handler at the clock's time.
async fn handling(store: &Store, id: CaseId) -> Case {
    let squad = department_id(store, fixture::DEPARTMENT).await;
    let file = Command::File {
        category: None,
        urgency: None,
        note: String::new(),
    };
    act_as(store, "intake", id, file, vec![])
        .await
        .expect("file");
    let dispatch = Command::Dispatch {
        department: squad.into(),
        note: String::new(),
    };
    act_as(store, "dispatcher", id, dispatch, vec![])
        .await
        .expect("dispatch");
    act_as(store, "handler", id, Command::Accept, vec![])
        .await
        .expect("accept")
}

/// China Standard Time on a day of March 2026.
fn march(day: u32, hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    jiedao_core::clock::CHINA
        .with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

async fn listed_under(store: &Store, light: Light) -> Vec<CaseId> {
    let dispatcher = principal(store, "dispatcher").await;
    let now = store.now();
    let filter = CaseFilter {
        light: Some(light),
        ..CaseFilter::default()
    };
    store
        .read(move |conn| read::list(conn, &dispatcher, &filter, now, 100, 0))
        .await
        .expect("list")
        .cases
        .into_iter()
        .map(|c| c.id)
        .collect()
}

async fn a_parked_case_is_listed_under_the_light_its_page_shows(backend: Backend) {
    let Some((_db, store, clock, _)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    // Litter: 2 working hours to handle. Accepted Friday 15:30, due 17:30, parked at 18:00.
    clock.set(march(6, 15, 0));
    let late = report(&store).await.id;
    clock.set(march(6, 15, 30));
    let case = handling(&store, late).await;
    assert_eq!(
        case.step_timer.and_then(|t| t.deadline),
        Some(march(6, 17, 30))
    );
    // A second case, accepted at 17:00 and parked while green.
    clock.set(march(6, 17, 0));
    let early = report(&store).await.id;
    handling(&store, early).await;
    clock.set(march(6, 18, 0));
    for id in [late, early] {
        let park = Command::Park {
            reason: "等待产权单位答复".into(),
        };
        act_as(&store, "handler", id, park, vec![])
            .await
            .expect("park");
    }
    clock.set(march(9, 10, 0));
    let (parked, _) = store
        .read(move |conn| projection::load(conn, late))
        .await
        .expect("read")
        .expect("case");
    let page_light = parked
        .step_timer
        .as_ref()
        .map(|t| t.light(&store.calendar(), store.now()));
    assert_eq!(page_light, Some(Light::Red), "parked past its deadline");
    assert_eq!(listed_under(&store, Light::Red).await, [late]);
    let green = listed_under(&store, Light::Green).await;
    assert!(
        green.contains(&early) && !green.contains(&late),
        "{green:?}"
    );
    assert!(!listed_under(&store, Light::Unknown).await.contains(&late));
    assert!(!listed_under(&store, Light::Yellow).await.contains(&late));
    // Rows parked before the held light was kept get it when the migration that keeps it
    // runs (the store fills them in as it opens).
    store
        .write(|conn| sql::execute(conn, "UPDATE case_file SET step_held = NULL", &[]))
        .await
        .expect("forget");
    assert_eq!(listed_under(&store, Light::Red).await, Vec::<CaseId>::new());
    let calendar = store.calendar();
    let filled = store
        .write(move |conn| projection::fill_held_lights(conn, &calendar))
        .await
        .expect("fill");
    assert_eq!(filled, 2);
    assert_eq!(listed_under(&store, Light::Red).await, [late]);
    // Resumed, it stays red: the overrun is not forgiven.
    let resume = Command::Resume {
        note: String::new(),
    };
    act_as(&store, "shiftlead", late, resume, vec![])
        .await
        .expect("resume");
    assert_eq!(listed_under(&store, Light::Red).await, [late]);
    assert_rebuilds(&store, late).await;
}

/// The seeded 2026 notice in the import format, with `extra` days off added as a break.
fn notice_2026_with(extra: &[&str]) -> String {
    let notice = jiedao_core::calendar::WorkCalendar::seeded_notices()
        .expect("seed")
        .into_iter()
        .find(|n| n.year == 2026)
        .expect("2026");
    let days = |days: &[chrono::NaiveDate]| {
        days.iter()
            .map(|d| format!("\"{d}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut breaks: Vec<String> = notice
        .holidays
        .iter()
        .map(|b| format!("{{ name = \"{}\", days = [{}] }}", b.name, days(&b.days)))
        .collect();
    if !extra.is_empty() {
        let extra: Vec<String> = extra.iter().map(|d| format!("\"{d}\"")).collect();
        breaks.push(format!(
            "{{ name = \"临时\", days = [{}] }}",
            extra.join(", ")
        ));
    }
    format!(
        "[[year]]\nyear = 2026\nholidays = [{}]\nmakeup_workdays = [{}]\n",
        breaks.join(", "),
        days(&notice.makeup_workdays)
    )
}

async fn a_notice_recomputes_every_clock_across_the_days_it_changes(backend: Backend) {
    let Some((_db, store, clock, _)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    clock.set(march(2, 9, 0));
    let running = report(&store).await.id;
    let case = handling(&store, running).await;
    let before = case
        .case_timer
        .clone()
        .and_then(|t| t.deadline)
        .expect("due");
    // Due on the Wednesday (2 working days): a Tuesday off moves it to the Thursday.
    assert_eq!(before, march(4, 9, 0));
    let parked = report(&store).await.id;
    handling(&store, parked).await;
    act_as(
        &store,
        "handler",
        parked,
        Command::Park {
            reason: "等待".into(),
        },
        vec![],
    )
    .await
    .expect("park");
    // A day off after every deadline changes no clock.
    let system = jiedao_store::Principal::system("test");
    let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
    let text = notice_2026_with(&["2026-03-10"]);
    let imported = store
        .write(move |conn| jiedao_store::calendar::import(conn, &scope, &actor, at, &text))
        .await
        .expect("import");
    let day = |t: &str| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").expect("date");
    assert_eq!(
        imported.changed,
        Some(jiedao_store::calendar::RecomputeClocks {
            first: day("2026-03-10"),
            last: day("2026-03-10")
        })
    );
    store.reload().await.expect("reload");
    let recomputed = store
        .recompute_clocks(imported.changed.expect("changed"))
        .await
        .expect("recompute");
    assert_eq!(
        recomputed, 0,
        "every clock ends before 03-10 or stands parked"
    );
    let load = |id| {
        let store = store.clone();
        async move {
            store
                .read(move |conn| projection::load(conn, id))
                .await
                .expect("read")
                .expect("case")
                .0
        }
    };
    // Making the Tuesday a day off moves a clock that crosses it.
    let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
    let text = notice_2026_with(&["2026-03-03"]);
    let imported = store
        .write(move |conn| jiedao_store::calendar::import(conn, &scope, &actor, at, &text))
        .await
        .expect("import");
    assert_eq!(
        imported.changed.map(|c| (c.first, c.last)),
        Some((day("2026-03-03"), day("2026-03-10"))),
        "03-03 becomes a day off, 03-10 a working day again"
    );
    // The job queued with the import reads the calendar again and does it (as on a server
    // when the notice came from the command line).
    let runner = store.run_jobs(jiedao_store::jobs::standard());
    let mut moved = None;
    for _ in 0..150 {
        moved = load(running).await.case_timer.and_then(|t| t.deadline);
        if moved != Some(before) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    runner.abort();
    assert_eq!(
        moved,
        Some(march(5, 9, 0)),
        "a deadline already computed across the new day off moves"
    );
    let parked_case = load(parked).await;
    let mut expected = parked_case.case_timer.clone().expect("whole");
    expected.reckon(&store.calendar());
    assert_eq!(parked_case.case_timer, Some(expected));
    assert_eq!(
        store
            .recompute_clocks(imported.changed.expect("changed"))
            .await
            .expect("again"),
        0,
        "nothing left to do"
    );
    assert_rebuilds(&store, running).await;
    assert_rebuilds(&store, parked).await;
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % sides as u64) as usize
    }
}

/// A move that fits the case's state, made by someone who may make it.
fn fitting_move(
    dice: &mut Dice,
    state: CaseState,
    squad: DepartmentId,
    community: DepartmentId,
    at_community: bool,
) -> (&'static str, Command) {
    let department_user = if at_community { "staff_a" } else { "handler" };
    let note = || "说明".to_owned();
    match state {
        CaseState::Reported => match dice.roll(5) {
            0 => ("intake", Command::RequestVerification { note: note() }),
            1 => (
                "worker_a1",
                Command::Verify {
                    found: true,
                    note: note(),
                },
            ),
            2 => ("shiftlead", Command::Void { reason: note() }),
            _ => (
                "intake",
                Command::File {
                    category: None,
                    urgency: None,
                    note: note(),
                },
            ),
        },
        CaseState::Verified => (
            "intake",
            Command::File {
                category: None,
                urgency: None,
                note: note(),
            },
        ),
        CaseState::Filed => (
            "dispatcher",
            Command::Dispatch {
                department: if dice.roll(3) == 0 { community } else { squad }.into(),
                note: note(),
            },
        ),
        CaseState::Dispatched => match dice.roll(6) {
            0 => (department_user, Command::Return { reason: note() }),
            1 => (
                "dispatcher",
                Command::Redispatch {
                    department: squad.into(),
                    reason: note(),
                },
            ),
            _ => (department_user, Command::Accept),
        },
        CaseState::Handling => match dice.roll(8) {
            0 => (
                department_user,
                Command::RequestExtension {
                    extra: TimeLimit::work_days(2),
                    reason: note(),
                },
            ),
            1 => (
                "shiftlead",
                Command::DecideExtension {
                    approve: dice.roll(2) == 0,
                    note: note(),
                },
            ),
            2 => (department_user, Command::Park { reason: note() }),
            3 => (department_user, Command::Return { reason: note() }),
            4 => ("leader", Command::Supervise { reason: note() }),
            _ => (department_user, Command::ReportDone { note: note() }),
        },
        CaseState::Parked => ("shiftlead", Command::Resume { note: note() }),
        CaseState::Handled => (
            "worker_a1",
            Command::Check {
                passed: dice.roll(3) != 0,
                note: note(),
            },
        ),
        CaseState::Checked => ("shiftlead", Command::Close { note: note() }),
        CaseState::Closed => (
            "intake",
            Command::FollowUp {
                satisfaction: Satisfaction::Basic,
                note: note(),
            },
        ),
        CaseState::Evaluated => ("intake", Command::Reopen { reason: note() }),
        CaseState::Voided | CaseState::Merged => ("leader", Command::Supervise { reason: note() }),
    }
}

/// Any move by anyone: mostly refused, which must change nothing.
fn random_move(dice: &mut Dice, squad: DepartmentId) -> (&'static str, Command) {
    let users: Vec<&'static str> = fixture::USERS.iter().map(|(u, ..)| *u).collect();
    let text = if dice.roll(4) == 0 {
        String::new()
    } else {
        "说明".to_owned()
    };
    let command = match dice.roll(10) {
        0 => Command::Void { reason: text },
        1 => Command::Dispatch {
            department: squad.into(),
            note: text,
        },
        2 => Command::Accept,
        3 => Command::Park { reason: text },
        4 => Command::Resume { note: text },
        5 => Command::Check {
            passed: true,
            note: text,
        },
        6 => Command::Close { note: text },
        7 => Command::Reopen { reason: text },
        8 => Command::File {
            category: None,
            urgency: None,
            note: text,
        },
        _ => Command::Supervise { reason: text },
    };
    (users[dice.roll(users.len())], command)
}

async fn random_histories_rebuild_their_projections(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let squad = department_id(&store, fixture::DEPARTMENT).await;
    let community = department_id(&store, "甲社区").await;
    let mut principals = std::collections::HashMap::new();
    for (username, ..) in fixture::USERS {
        principals.insert(username, principal(&store, username).await);
    }
    let sequences = match backend {
        Backend::Sqlite => 1500,
        Backend::Postgres => 300,
    };
    let mut dice = Dice(0x5eed_1234_abcd_0001);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..sequences {
        let id = report(&store).await.id;
        for _ in 0..(6 + dice.roll(14)) {
            let (case, events_before) = store
                .read(move |conn| {
                    Ok((
                        projection::load(conn, id)?.expect("case").0,
                        sql::scalar::<i64>(conn, "SELECT COUNT(*) FROM case_event", &[])?,
                    ))
                })
                .await
                .expect("read");
            let at_community = case.department.as_ref().is_some_and(|d| d.id == community);
            let (username, command) = if dice.roll(4) == 0 {
                random_move(&mut dice, squad)
            } else {
                fitting_move(&mut dice, case.state, squad, community, at_community)
            };
            // Reporting done needs a photo; leave it out now and then to see the refusal.
            let files = if matches!(command, Command::ReportDone { .. }) && dice.roll(5) != 0 {
                vec![photo(&store, Purpose::After).await]
            } else {
                Vec::new()
            };
            let who = Who::User(principals[username].clone());
            match store.act(who, None, id, command, files).await {
                Ok(_) => accepted += 1,
                Err(StoreError::Refused(_)) => {
                    refused += 1;
                    assert_eq!(
                        count(&store, "case_event").await,
                        events_before,
                        "a refusal wrote nothing"
                    );
                }
                Err(fault) => panic!("fault: {fault}"),
            }
        }
        assert_rebuilds(&store, id).await;
    }
    assert!(
        accepted > sequences * 5,
        "{accepted} accepted, {refused} refused"
    );
    assert!(
        refused > sequences,
        "{accepted} accepted, {refused} refused"
    );
    let finished: i64 = store
        .read(|conn| {
            sql::scalar(
                conn,
                "SELECT COUNT(*) FROM case_file WHERE state IN ('closed', 'evaluated')",
                &[],
            )
        })
        .await
        .expect("count");
    assert!(
        finished > sequences as i64 / 20,
        "{finished} histories reached the end"
    );
    crate::stats::assert_rollups_agree(&store).await;
}

/// Numbers carry their street's code, and the database refuses a number twice whichever
/// street writes it.
async fn two_streets_cases_never_share_a_number(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let system = jiedao_store::Principal::system("test");
    let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
    let format = store.config().grid_format;
    let (here, neighbour) = store
        .write(move |conn| {
            let here = jiedao_store::org::current_by_code(conn, fixture::STREET)?
                .ok_or(StoreError::NotFound)?;
            let code = jiedao_core::OrgCode::parse("330106009000", &format)
                .map_err(|e| StoreError::Query(e.to_string()))?;
            let neighbour =
                jiedao_store::org::add_unit(conn, &scope, &actor, at, &code, "邻街道", &format)?;
            Ok((here, neighbour))
        })
        .await
        .expect("a second street");
    let mut numbers = Vec::new();
    for street in [&here, &neighbour, &here, &neighbour] {
        let new = NewReport {
            street: Some((street.id, street.path.clone())),
            ..resident_report(&store, None)
        };
        let receipt = store
            .report(new, anyone(), Vec::new())
            .await
            .expect("report");
        numbers.push(receipt);
    }
    let day = jiedao_core::clock::business_date(store.now()).format("%Y%m%d");
    assert_eq!(numbers[0].number, format!("330106008-{day}-00001"));
    assert_eq!(numbers[1].number, format!("330106009-{day}-00001"));
    assert_eq!(numbers[2].number, format!("330106008-{day}-00002"));
    assert_eq!(numbers[3].number, format!("330106009-{day}-00002"));
    let (taken, other) = (numbers[0].number.clone(), numbers[1].id);
    let forged = store
        .write(move |conn| {
            sql::execute(
                conn,
                "UPDATE case_file SET number = $1 WHERE id = $2",
                &[&taken, &other],
            )
        })
        .await
        .expect_err("a number twice");
    assert!(forged.is_unique_violation(), "{forged:?}");
}

/// Who sees a case is one rule: every fixture user's list holds exactly the cases the
/// one-case check lets them see, and a community's staff stand as their community's department.
async fn lists_and_single_cases_follow_one_rule_of_who_sees(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    const IN_B1: (f64, f64) = (120.125, 30.2525);
    let resident = principal(&store, "resident_a").await;
    let own = NewReport {
        reporter: Reporter {
            user_id: resident.user_id(),
            ..Reporter::default()
        },
        ..resident_report(&store, Some(IN_A1))
    };
    let own = store
        .report(own, anyone(), Vec::new())
        .await
        .expect("own")
        .id;
    let in_b = store
        .report(resident_report(&store, Some(IN_B1)), anyone(), Vec::new())
        .await
        .expect("in B")
        .id;
    let waiting = report(&store).await.id;
    let squad = department_id(&store, fixture::DEPARTMENT).await;
    let community = department_id(&store, "甲社区").await;
    for (id, department) in [(own, squad), (in_b, community)] {
        let file = Command::File {
            category: None,
            urgency: None,
            note: String::new(),
        };
        act_as(&store, "intake", id, file, vec![])
            .await
            .expect("file");
        let dispatch = Command::Dispatch {
            department: department.into(),
            note: String::new(),
        };
        act_as(&store, "dispatcher", id, dispatch, vec![])
            .await
            .expect("dispatch");
    }
    let mut seen = Vec::new();
    for (username, ..) in fixture::USERS {
        let who = principal(&store, username).await;
        let (listed, single) = store
            .read(move |conn| {
                let listed = match read::list(conn, &who, &CaseFilter::default(), Utc::now(), 50, 0)
                {
                    Ok(page) => page.cases.into_iter().map(|c| c.id).collect(),
                    Err(StoreError::Refused(Refusal::NotAllowed)) => Vec::new(),
                    Err(error) => return Err(error),
                };
                let mut single = Vec::new();
                for id in [own, in_b, waiting] {
                    let (case, _) = projection::load(conn, id)?.expect("case");
                    if read::can_see(conn, &who, &case)? {
                        single.push(id);
                    }
                }
                Ok((listed, single))
            })
            .await
            .expect("read");
        let mut listed = listed;
        listed.sort();
        assert_eq!(listed, single, "{username}");
        seen.push((username, single.len()));
    }
    let count = |name: &str| seen.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
    assert_eq!(count("dispatcher"), Some(3), "the street's staff see all");
    assert_eq!(count("handler"), Some(1), "a department what it was sent");
    assert_eq!(
        count("resident_a"),
        Some(1),
        "a resident what they reported"
    );
    assert_eq!(count("staff_b"), Some(1), "a community what lies in it");
    assert_eq!(count("admin"), Some(0), "administrators keep the system");
    let staff_a = Who::User(principal(&store, "staff_a").await);
    let standing = store
        .read(move |conn| {
            let (case, _) = projection::load(conn, in_b)?.expect("case");
            jiedao_store::cases::action::relate(conn, &staff_a, &case)
        })
        .await
        .expect("standing");
    assert_eq!(standing.department, Some(community));
    assert!(!standing.in_reach, "community A's staff reach no case in B");
}

/// A database from before phones were sealed (no key probe, phones in the clear) has them
/// sealed the first time it is opened, and they read as before.
async fn phones_stored_in_the_clear_are_sealed_on_first_opening(backend: Backend) {
    let Some(db) = jiedao_store::testing::TestDb::new(backend) else {
        return;
    };
    let store = db.open(Arc::new(jiedao_core::SystemClock)).await;
    load_fixture(&store).await;
    let receipt = report(&store).await;
    store
        .write(|conn| {
            sql::execute(
                conn,
                "UPDATE case_reporter SET phone = $1",
                &[&"13800001234"],
            )?;
            sql::execute(
                conn,
                "DELETE FROM setting WHERE key = $1",
                &[&"data_key_probe"],
            )
        })
        .await
        .expect("made as before sealing");
    assert!(store.close(), "the only handle");

    let store = db.open(Arc::new(jiedao_core::SystemClock)).await;
    let kept: String = store
        .read(|conn| sql::scalar(conn, "SELECT phone FROM case_reporter", &[]))
        .await
        .expect("phone");
    assert!(kept.starts_with("sm4gcm:"), "sealed: {kept}");
    assert!(!kept.contains("1234"));
    let leader = principal(&store, "leader").await;
    let id = receipt.id;
    let detail = store
        .read(move |conn| read::detail(conn, &leader, id))
        .await
        .expect("detail");
    assert_eq!(detail.reporters[0].phone.as_deref(), Some("138****1234"));
    // A second opening finds the probe and seals nothing twice.
    assert!(store.close());
    let store = db.open(Arc::new(jiedao_core::SystemClock)).await;
    let again: String = store
        .read(|conn| sql::scalar(conn, "SELECT phone FROM case_reporter", &[]))
        .await
        .expect("phone");
    assert_eq!(again, kept);
}

/// A database whose rollups were written under other counting rules (before filing and
/// dispatch counted by the cohort of reports) has them written again when it is opened, once.
async fn rollups_of_older_counting_rules_are_recounted_on_opening(backend: Backend) {
    let Some((db, store)) = fixture_store(backend).await else {
        return;
    };
    report(&store).await;
    let counted = count(&store, "stat_day").await;
    assert!(counted > 0);
    store
        .write(|conn| {
            sql::execute(conn, "DELETE FROM stat_day", &[])?;
            sql::execute(
                conn,
                "UPDATE setting SET value = 'by-day-of-change' WHERE key = 'stats.counting'",
                &[],
            )
        })
        .await
        .expect("rollups of an older release");
    assert_eq!(count(&store, "stat_day").await, 0);
    let reopened = db.open(Arc::new(jiedao_core::SystemClock)).await;
    assert_eq!(count(&reopened, "stat_day").await, counted);
    crate::stats::assert_rollups_agree(&reopened).await;
    let rule: String = reopened
        .read(|conn| {
            sql::scalar(
                conn,
                "SELECT value FROM setting WHERE key = 'stats.counting'",
                &[],
            )
        })
        .await
        .expect("the rule is kept");
    assert_ne!(rule, "by-day-of-change");
}

on_both_backends!(
    phones_stored_in_the_clear_are_sealed_on_first_opening,
    rollups_of_older_counting_rules_are_recounted_on_opening,
    lists_and_single_cases_follow_one_rule_of_who_sees,
    two_streets_cases_never_share_a_number,
    a_case_walks_from_report_to_follow_up,
    refused_actions_change_nothing,
    a_retried_intake_returns_the_same_case,
    intake_refuses_bad_reports_whole,
    side_paths_verify_return_extend_park_rework_reopen_merge,
    the_ticker_marks_overdue_and_supervises,
    deadlines_wait_for_a_missing_year_then_resolve,
    a_parked_case_is_listed_under_the_light_its_page_shows,
    a_notice_recomputes_every_clock_across_the_days_it_changes,
    random_histories_rebuild_their_projections,
);

mod hotline {
    use super::*;
    use jiedao_reports::Sheet;
    use jiedao_store::cases::hotline::{Mapping, Mode, Target};

    const EXPORT: &str = "工单编号,来电时间,诉求内容,诉求地址,诉求分类,联系人,联系电话
HZ20261122001,2026-11-22 08:10,东门路灯不亮,甲社区东门,路灯,李先生,13900001111
HZ20261122002,2026-11-22 08:45,楼道堆放杂物,甲社区5幢,乱堆物堆料,,
HZ20261122003,2026-11-22 09:02,,乙社区3幢,暴露垃圾,王女士,13900003333
HZ20261122004,2026-11-22 09:30,噪声扰民,乙社区北门,噪音,赵先生,not-a-phone
";

    async fn import(
        store: &Store,
        text: &str,
        mode: Mode,
    ) -> jiedao_store::cases::hotline::Outcome {
        let street = store
            .read(|conn| {
                sql::query_one(
                    conn,
                    "SELECT id, path FROM org_unit WHERE code = $1",
                    &[&fixture::STREET],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
            })
            .await
            .expect("street");
        let target = Target {
            street: street.0,
            street_path: street.1,
            actor: anyone(),
        };
        let sheet = Sheet::read(text.as_bytes()).expect("sheet");
        store
            .import_hotline(&sheet, &Mapping::default(), mode, target, &|_, _| {})
            .await
            .expect("import")
    }

    async fn bad_rows_are_named_and_nothing_is_half_imported(backend: Backend) {
        let Some((_db, store)) = fixture_store(backend).await else {
            return;
        };
        let strict = import(&store, EXPORT, Mode::AllOrNothing).await;
        assert!(!strict.written);
        let located: Vec<(usize, &str)> = strict
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            located,
            [(4, "诉求内容"), (5, "诉求分类")],
            "row and column of each bad cell"
        );
        assert!(
            strict.problems[1]
                .message(jiedao_core::Lang::ZhCn)
                .contains("噪音")
        );
        assert_eq!(count(&store, "case_file").await, 0, "nothing imported");

        let lenient = import(&store, EXPORT, Mode::SkipBadRows).await;
        assert!(lenient.written);
        assert_eq!(lenient.imported.len(), 2);
        assert_eq!(lenient.problems.len(), 2);
        assert_eq!(count(&store, "case_file").await, 2);
        // Importing the same export again makes no second case of any work order.
        let again = import(&store, EXPORT, Mode::SkipBadRows).await;
        assert_eq!((again.imported.len(), again.already.len()), (0, 2));
        assert_eq!(count(&store, "case_file").await, 2);
        let unlocated: i64 = store
            .read(|conn| {
                sql::scalar(
                    conn,
                    "SELECT COUNT(*) FROM case_file WHERE grid_id IS NULL AND channel = 'hotline'",
                    &[],
                )
            })
            .await
            .expect("count");
        assert_eq!(
            unlocated, 2,
            "address-only work orders wait to be placed on the map"
        );

        let missing = import(&store, "编号,内容\n1,x\n", Mode::SkipBadRows).await;
        assert!(!missing.written);
        assert_eq!(
            missing.problems.len(),
            7,
            "every mapped column that is missing"
        );
        assert!(missing.problems.iter().all(|p| p.row == 1));
        assert_eq!(missing.problems[0].column, "工单编号");
    }

    async fn likely_duplicates_are_offered(backend: Backend) {
        let Some((_db, store)) = fixture_store(backend).await else {
            return;
        };
        let first = report(&store).await.id;
        let near = store
            .report(
                resident_report(&store, Some((120.1052, 30.2526))),
                anyone(),
                Vec::new(),
            )
            .await
            .expect("near")
            .id;
        let far = store
            .report(
                resident_report(&store, Some((120.109, 30.2535))),
                anyone(),
                Vec::new(),
            )
            .await
            .expect("far")
            .id;
        let suggestions = store
            .read(move |conn| {
                let (case, _) = projection::load(conn, near)?.expect("case");
                jiedao_store::cases::read::likely_duplicates(
                    conn,
                    &case,
                    200.0,
                    Duration::hours(72),
                )
            })
            .await
            .expect("read");
        let ids: Vec<CaseId> = suggestions.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [first],
            "the nearby one, not the one 400 m away ({far})"
        );
    }

    on_both_backends!(
        bad_rows_are_named_and_nothing_is_half_imported,
        likely_duplicates_are_offered
    );
}
