//! Store scenarios, each run on SQLite and on PostgreSQL (when TEST_PG_URL is set).
#![expect(
    clippy::expect_used,
    reason = "scenarios panic with a message when a step fails"
)]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use jiedao_core::{Clock, ManualClock, OrgKind, Role, SystemClock};
use jiedao_geo::Problem;
use jiedao_store::audit::{self, BreakReason, Verdict};
use jiedao_store::testing::{FIXTURE_PASSWORD, TestDb, fixture, load_fixture, principal, sql};
use jiedao_store::users::{self, NewUser};
use jiedao_store::{
    Backend, LoginOutcome, Principal, Refusal, Store, StoreError, departments, on_both_backends,
    org,
};

pub async fn open(backend: Backend, clock: Arc<dyn Clock>) -> Option<(TestDb, Store)> {
    let db = TestDb::new(backend)?;
    let store = db.open(clock).await;
    Some((db, store))
}

pub async fn fixture_store(backend: Backend) -> Option<(TestDb, Store)> {
    let (db, store) = open(backend, Arc::new(SystemClock)).await?;
    load_fixture(&store).await;
    Some((db, store))
}

/// The fixture street on a clock that stands at a Monday morning until moved.
pub async fn fixture_store_on_a_manual_clock(
    backend: Backend,
) -> Option<(TestDb, Store, Arc<ManualClock>, chrono::DateTime<Utc>)> {
    let start = Utc
        .with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .expect("time");
    let clock = Arc::new(ManualClock::new(start));
    let (db, store) = open(backend, clock.clone()).await?;
    load_fixture(&store).await;
    Some((db, store, clock, start))
}

pub fn refusal(result: Result<impl std::fmt::Debug, StoreError>) -> Refusal {
    match result {
        Err(StoreError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub async fn count(store: &Store, table: &'static str) -> i64 {
    store
        .read(move |conn| sql::scalar(conn, &format!("SELECT COUNT(*) FROM {table}"), &[]))
        .await
        .unwrap_or_else(|error| panic!("count {table}: {error}"))
}

async fn migrations_apply_once(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let first = db.open(Arc::new(SystemClock)).await;
    let applied = count(&first, "schema_migration").await;
    assert!(applied >= 1);
    let sets = first.read(departments::platform_sets).await.expect("sets");
    drop(first);
    let again = db.open(Arc::new(SystemClock)).await;
    assert_eq!(count(&again, "schema_migration").await, applied);
    // Seeding twice adds nothing.
    assert_eq!(
        again.read(departments::platform_sets).await.expect("sets"),
        sets
    );
}

async fn both_platform_sets_are_seeded(backend: Backend) {
    let Some((_db, store)) = open(backend, Arc::new(SystemClock)).await else {
        return;
    };
    let sets = store.read(departments::platform_sets).await.expect("sets");
    let codes: Vec<(&str, bool, usize)> = sets
        .iter()
        .map(|s| (s.code.as_str(), s.active, s.platforms.len()))
        .collect();
    assert_eq!(codes, [("zj2021", true, 5), ("zj2016", false, 4)]);
    assert_eq!(sets[1].platforms[1].name, "市场监管");
}

async fn community_staff_see_only_their_community(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let staff_a = principal(&store, "staff_a").await.scope();

    let scope = staff_a.clone();
    let visible: Vec<String> = store
        .read(move |conn| users::list(conn, &scope))
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(visible, ["resident_a", "staff_a", "worker_a1"]);

    let scope = staff_a.clone();
    let other = store
        .read(move |conn| users::get_by_username(conn, &scope, "staff_b"))
        .await;
    assert_eq!(refusal(other), Refusal::OutOfScope);

    let scope = staff_a.clone();
    let grids: Vec<String> = store
        .read(move |conn| org::list(conn, &scope, Some(OrgKind::Grid)))
        .await
        .expect("grids")
        .into_iter()
        .map(|g| g.code)
        .collect();
    assert_eq!(grids, [fixture::GRID_A1, fixture::GRID_A2]);

    let scope = staff_a.clone();
    let foreign_grid = store
        .read(move |conn| org::get_by_code(conn, &scope, fixture::GRID_B1))
        .await;
    assert_eq!(refusal(foreign_grid), Refusal::OutOfScope);

    // The street's departments are visible from the community below it.
    let scope = staff_a.clone();
    let departments: Vec<String> = store
        .read(move |conn| departments::list(conn, &scope))
        .await
        .expect("departments")
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(departments.len(), 3);
}

/// What a page shows of the tree is read with the reader's own scope or, for what anyone may
/// see, by a named public reader: no page needs a system principal.
async fn the_public_map_and_the_dispatch_list_need_no_system_scope(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let drawn: Vec<String> = store
        .read(org::public_map)
        .await
        .expect("public map")
        .into_iter()
        .map(|(unit, _)| unit.code)
        .collect();
    assert_eq!(
        drawn,
        [
            fixture::COMMUNITY_A,
            fixture::GRID_A1,
            fixture::GRID_A2,
            fixture::COMMUNITY_B,
            fixture::GRID_B1,
            fixture::GRID_B2
        ]
    );

    let street = store
        .read(|conn| org::current_by_code(conn, fixture::STREET))
        .await
        .expect("street")
        .expect("the fixture street")
        .id;
    let worker = principal(&store, "worker_a1").await.scope();
    let dispatchable = store
        .read(move |conn| departments::dispatchable(conn, &worker, street))
        .await
        .expect("departments");
    assert_eq!(dispatchable.len(), 3);
    assert!(dispatchable.iter().all(|d| d.street_id == street));
    let resident = principal(&store, "resident_a").await.scope();
    assert_eq!(
        refusal(
            store
                .read(move |conn| departments::dispatchable(conn, &resident, street))
                .await
        ),
        Refusal::NotAllowed
    );
}

async fn residents_see_only_themselves(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let resident = principal(&store, "resident_a").await;
    let scope = resident.scope();

    let own_id = resident.user_id().expect("user id");
    let s = scope.clone();
    let own = store
        .read(move |conn| users::get(conn, &s, own_id))
        .await
        .expect("own");
    assert_eq!(own.username, "resident_a");

    let s = scope.clone();
    assert_eq!(
        refusal(store.read(move |conn| users::list(conn, &s)).await),
        Refusal::NotAllowed
    );
    let s = scope.clone();
    assert_eq!(
        refusal(
            store
                .read(move |conn| users::get_by_username(conn, &s, "resident_b"))
                .await
        ),
        Refusal::NotAllowed
    );
    let s = scope.clone();
    assert_eq!(
        refusal(store.read(move |conn| org::list(conn, &s, None)).await),
        Refusal::NotAllowed
    );
}

async fn bad_users_are_refused_and_change_nothing(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let admin = principal(&store, "admin").await;
    let users_before = count(&store, "app_user").await;
    let audit_before = count(&store, "audit_log").await;
    let base = NewUser {
        username: "newcomer".into(),
        display_name: "新人".into(),
        role: Role::GridWorker,
        org_code: fixture::GRID_A2.into(),
        department: None,
        password: "long enough password".into(),
    };
    let cases: Vec<(NewUser, Refusal)> = vec![
        (
            NewUser {
                username: "STAFF_A".into(),
                ..base.clone()
            },
            Refusal::DuplicateUsername {
                username: "staff_a".into(),
            },
        ),
        (
            NewUser {
                username: "两个字".into(),
                ..base.clone()
            },
            Refusal::BadUsername {
                username: "两个字".into(),
            },
        ),
        (
            NewUser {
                password: "short".into(),
                ..base.clone()
            },
            Refusal::WeakPassword { min_length: 8 },
        ),
        (
            NewUser {
                org_code: "330106008009001".into(),
                ..base.clone()
            },
            Refusal::UnknownOrgUnit {
                code: "330106008009001".into(),
            },
        ),
        (
            NewUser {
                org_code: fixture::COMMUNITY_A.into(),
                ..base.clone()
            },
            Refusal::RoleCannotBindTo {
                role: Role::GridWorker,
                kind: OrgKind::Community,
            },
        ),
        (
            NewUser {
                role: Role::DepartmentHandler,
                org_code: fixture::STREET.into(),
                ..base.clone()
            },
            Refusal::DepartmentRequired,
        ),
        (
            NewUser {
                department: Some("城管中队".into()),
                ..base.clone()
            },
            Refusal::DepartmentNotAllowed {
                role: Role::GridWorker,
            },
        ),
    ];
    for (new, expected) in cases {
        let result = store
            .create_user(&admin.scope(), admin.actor(None), new)
            .await;
        assert_eq!(refusal(result), expected);
    }
    assert_eq!(count(&store, "app_user").await, users_before);
    assert_eq!(count(&store, "audit_log").await, audit_before);

    // Community staff may not create users at all.
    let staff = principal(&store, "staff_a").await;
    let result = store
        .create_user(&staff.scope(), staff.actor(None), base)
        .await;
    assert_eq!(refusal(result), Refusal::NotAllowed);
}

async fn wrong_passwords_start_a_growing_wait(backend: Backend) {
    let Some((_db, store, clock, start)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    let LoginOutcome::LoggedIn(before) = store
        .login_from("staff_a", FIXTURE_PASSWORD, None, None)
        .await
        .expect("login")
    else {
        panic!("the first login fails")
    };
    // Known and unknown usernames answer alike, attempt by attempt.
    for username in ["staff_a", "nobody"] {
        for attempt in 1..=4 {
            let outcome = store
                .login(username, "wrong password", None)
                .await
                .expect("login");
            assert!(
                matches!(outcome, LoginOutcome::WrongCredentials),
                "{username} attempt {attempt}: {outcome:?}"
            );
        }
        let fifth = store
            .login(username, "wrong password", None)
            .await
            .expect("login");
        let LoginOutcome::Locked { until } = fifth else {
            panic!("{username} fifth attempt: {fifth:?}")
        };
        assert_eq!(until, start + Duration::minutes(1), "{username}");
        // In the wait even the right password is refused, from a browser not known.
        let right = store
            .login(username, FIXTURE_PASSWORD, None)
            .await
            .expect("login");
        assert!(matches!(right, LoginOutcome::Locked { .. }), "{right:?}");
    }
    // The browser staff_a signed in from before gets through the wait; a made-up mark does not.
    let forged = store
        .login_from("staff_a", FIXTURE_PASSWORD, None, Some("not-a-mark"))
        .await
        .expect("login");
    assert!(matches!(forged, LoginOutcome::Locked { .. }), "{forged:?}");
    let known = store
        .login_from("staff_a", FIXTURE_PASSWORD, None, Some(&before.device))
        .await
        .expect("login");
    assert!(matches!(known, LoginOutcome::LoggedIn(_)), "{known:?}");

    // Each further failure doubles the wait, up to the policy's longest.
    clock.advance(Duration::minutes(2));
    let sixth = store
        .login("nobody", "wrong password", None)
        .await
        .expect("login");
    let LoginOutcome::Locked { until } = sixth else {
        panic!("sixth attempt: {sixth:?}")
    };
    assert_eq!(until, clock.now() + Duration::minutes(2));
    let policy = jiedao_store::LockoutPolicy::default();
    assert_eq!(policy.wait_after(4), None);
    assert_eq!(policy.wait_after(7), Some(Duration::minutes(4)));
    assert_eq!(policy.wait_after(40), Some(Duration::minutes(15)));
}

async fn sessions_open_expire_and_close(backend: Backend) {
    let Some((_db, store, clock, _)) = fixture_store_on_a_manual_clock(backend).await else {
        return;
    };
    let LoginOutcome::LoggedIn(first) = store
        .login("leader", FIXTURE_PASSWORD, None)
        .await
        .expect("login")
    else {
        panic!("login failed")
    };
    let LoginOutcome::LoggedIn(second) = store
        .login("leader", FIXTURE_PASSWORD, None)
        .await
        .expect("login")
    else {
        panic!("login failed")
    };
    assert_ne!(first.token, second.token, "every login gets a new token");
    let info = store
        .session(&first.token)
        .await
        .expect("session")
        .expect("live");
    assert_eq!(info.principal.username(), "leader");
    assert_eq!(info.principal.role(), Role::Leader);
    assert_eq!(info.csrf_token, first.csrf_token);

    store
        .logout(&first.token, info.principal.actor(None))
        .await
        .expect("logout");
    assert!(
        store
            .session(&first.token)
            .await
            .expect("session")
            .is_none()
    );
    assert!(
        store
            .session(&second.token)
            .await
            .expect("session")
            .is_some()
    );

    clock.advance(Duration::hours(13));
    assert!(
        store
            .session(&second.token)
            .await
            .expect("session")
            .is_none(),
        "expired"
    );
    assert!(
        store
            .session("made-up-token")
            .await
            .expect("session")
            .is_none()
    );
}

async fn overlapping_boundaries_are_refused_whole(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let system = Principal::system("test");
    let units_before = count(&store, "org_unit").await;
    let boundaries_before = count(&store, "org_boundary").await;
    // A new grid in A that half-covers grid A1, and a valid one that must not load either.
    let file = fixture::collection(&[
        fixture::square("330106008001003", "重叠网格", 120.105, 30.252, 0.004),
        fixture::square("330106008002003", "正常网格", 120.135, 30.2525, 0.002),
    ]);
    let result = store
        .import_boundaries(&system.scope(), system.actor(None), file)
        .await;
    let Refusal::Boundaries(problems) = refusal(result) else {
        panic!("not a boundary refusal")
    };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|p| matches!(p,
        Problem::Overlap { first, second, area_m2 }
            if first == fixture::GRID_A1 && second == "330106008001003" && *area_m2 > 10_000.0)));
    // The second new grid lies inside grid B2's square: an overlap too.
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::Overlap { first, .. } if first == fixture::GRID_B2))
    );
    assert_eq!(count(&store, "org_unit").await, units_before);
    assert_eq!(count(&store, "org_boundary").await, boundaries_before);

    let outside = fixture::collection(&[fixture::square(
        "330106008001003",
        "越界网格",
        120.30,
        30.25,
        0.01,
    )]);
    let result = store
        .import_boundaries(&system.scope(), system.actor(None), outside)
        .await;
    let Refusal::Boundaries(problems) = refusal(result) else {
        panic!("not a boundary refusal")
    };
    assert!(
        matches!(&problems[..], [Problem::NotInsideParent { parent, .. }] if parent == fixture::COMMUNITY_A)
    );
    assert_eq!(count(&store, "org_unit").await, units_before);
}

/// Holds the writer until the returned sender is dropped or sent to; returns once the writer
/// is held, so every write queued after this waits.
async fn hold_the_writer(
    store: &Store,
) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let (entered, held) = tokio::sync::oneshot::channel::<()>();
    let mut entered = Some(entered);
    let writer = store.clone();
    let task = tokio::spawn(async move {
        writer
            .write(move |_conn| {
                if let Some(entered) = entered.take() {
                    let _ = entered.send(());
                }
                let _ = gate.recv();
                Ok(())
            })
            .await
            .expect("the held write");
    });
    held.await.expect("the writer took the held write");
    (release, task)
}

/// A 200,000-vertex grid (8 MB of GeoJSON) in community A, as a boundary file.
fn detailed_grid(code: &str, lon: f64, lat: f64) -> String {
    let ring = jiedao_geo::testing::many_sided_ring(lon, lat, 0.002, 200_000);
    fixture::collection(&[jiedao_geo::testing::feature(code, "细网格", &ring)])
}

async fn boundary_checks_do_not_hold_the_writer(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let system = Principal::system("test");
    // Overlapping grid A1: refused by the checks alone, which must not need the writer.
    let overlapping = detailed_grid("330106008001003", 120.105, 30.2525);
    let (release, held) = hold_the_writer(&store).await;
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        store.import_boundaries(&system.scope(), system.actor(None), overlapping),
    )
    .await
    .expect("checked while another write held the writer");
    let _ = release.send(());
    held.await.expect("released");
    let Refusal::Boundaries(problems) = refusal(result) else {
        panic!("not a boundary refusal")
    };
    assert!(
        matches!(&problems[..], [Problem::Overlap { first, .. }] if first == fixture::GRID_A1),
        "{problems:?}"
    );

    // A detailed grid that fits loads whole, and is drawn from what was checked.
    let started = std::time::Instant::now();
    let summary = store
        .import_boundaries(
            &system.scope(),
            system.actor(None),
            detailed_grid("330106008001003", 120.11, 30.2575),
        )
        .await
        .expect("loaded");
    assert_eq!(summary.created, ["330106008001003"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let grid = store
        .locate(120.11, 30.2575)
        .await
        .expect("locate")
        .expect("in the new grid");
    assert_eq!(grid.code, "330106008001003");
}

async fn a_file_checked_against_a_tree_that_changed_is_not_written(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let system = Principal::system("test");
    let format = jiedao_core::GridCodeFormat::default();
    let file = fixture::collection(&[fixture::square(
        "330106008001003",
        "新网格",
        120.10,
        30.2575,
        0.005,
    )]);
    let (incoming, problems) = jiedao_geo::read_boundaries(&file, &format);
    assert!(problems.is_empty(), "{problems:?}");
    let neighbourhood = org::Neighbourhood::of(&incoming, &format);
    let around = neighbourhood.clone();
    let surroundings = store
        .read(move |conn| org::surroundings(conn, &around))
        .await
        .expect("surroundings");
    let checked = org::check_boundaries(&incoming, neighbourhood, surroundings, &format, 1.0)
        .expect("passes against the tree as read");
    // Meanwhile someone draws a grid over the same place.
    store
        .import_boundaries(
            &system.scope(),
            system.actor(None),
            fixture::collection(&[fixture::square(
                "330106008001004",
                "抢先网格",
                120.10,
                30.2575,
                0.005,
            )]),
        )
        .await
        .expect("the other file");
    let units_before = count(&store, "org_unit").await;
    let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
    let loaded = store
        .write(move |conn| org::load_boundaries(conn, &scope, &actor, at, &checked, &format))
        .await
        .expect("write");
    assert_eq!(loaded, None, "checked against a tree that is gone");
    assert_eq!(count(&store, "org_unit").await, units_before);
    // Through the store, the same file is checked again and refused for the overlap.
    let result = store
        .import_boundaries(&system.scope(), system.actor(None), file)
        .await;
    assert!(matches!(refusal(result), Refusal::Boundaries(problems)
        if matches!(&problems[..], [Problem::Overlap { .. }])));
}

async fn boundary_imports_follow_the_scope(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let staff = principal(&store, "staff_a").await;
    let file = fixture::collection(&[fixture::square(
        "330106008001003",
        "新网格",
        120.10,
        30.2575,
        0.01,
    )]);
    let result = store
        .import_boundaries(&staff.scope(), staff.actor(None), file)
        .await;
    assert_eq!(refusal(result), Refusal::NotAllowed);
}

async fn points_are_located_to_their_grid(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let grid = store
        .locate(120.125, 30.2525)
        .await
        .expect("locate")
        .expect("in a grid");
    assert_eq!(grid.code, fixture::GRID_B1);
    assert_eq!(grid.name, "乙社区第一网格");
    assert!(
        store
            .locate(120.50, 30.2525)
            .await
            .expect("locate")
            .is_none()
    );
    // A shared border goes to the grid with the smaller code.
    let border = store
        .locate(120.11, 30.2525)
        .await
        .expect("locate")
        .expect("in a grid");
    assert_eq!(border.code, fixture::GRID_A1);
}

async fn the_audit_chain_detects_edits_and_deletions(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let Verdict::Intact { records } = store.read(audit::verify).await.expect("verify") else {
        panic!("fresh chain is broken")
    };
    assert!(records > 10, "every fixture write is recorded: {records}");
    let admin = principal(&store, "admin").await.scope();
    let latest = store
        .read(move |conn| audit::recent(conn, &admin, None, 1))
        .await
        .expect("recent");
    assert_eq!(latest[0].action, "auth.login");
    assert_eq!(latest[0].actor, "admin");

    store
        .write(|conn| {
            sql::execute(
                conn,
                "UPDATE audit_log SET detail = $1 WHERE seq = $2",
                &[&"{}", &5_i64],
            )
        })
        .await
        .expect("tamper");
    assert_eq!(
        store.read(audit::verify).await.expect("verify"),
        Verdict::Broken {
            seq: 5,
            reason: BreakReason::Edited
        }
    );
    store
        .write(|conn| sql::execute(conn, "DELETE FROM audit_log WHERE seq = $1", &[&5_i64]))
        .await
        .expect("tamper");
    assert_eq!(
        store.read(audit::verify).await.expect("verify"),
        Verdict::Broken {
            seq: 5,
            reason: BreakReason::Missing
        }
    );
}

async fn a_failing_write_rolls_back_alone(backend: Backend) {
    let Some((_db, store)) = open(backend, Arc::new(SystemClock)).await else {
        return;
    };
    store
        .write(|conn| sql::batch(conn, "CREATE TABLE probe (n BIGINT PRIMARY KEY)"))
        .await
        .expect("table");
    let mut tasks = Vec::new();
    for n in 0..200_i64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .write(move |conn| {
                    sql::execute(conn, "INSERT INTO probe (n) VALUES ($1)", &[&n])?;
                    if n % 3 == 0 {
                        // Fails after writing: its insert must vanish, the others' must stay.
                        sql::execute(conn, "INSERT INTO probe (n) VALUES ($1)", &[&n])?;
                    }
                    Ok(n)
                })
                .await
        }));
    }
    let mut succeeded = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(n) => {
                assert_ne!(n % 3, 0);
                succeeded += 1;
            }
            Err(error) => assert!(error.is_unique_violation(), "{error}"),
        }
    }
    assert_eq!(succeeded, 133);
    assert_eq!(count(&store, "probe").await, 133);
    let multiples: i64 = store
        .read(|conn| sql::scalar(conn, "SELECT COUNT(*) FROM probe WHERE n % 3 = 0", &[]))
        .await
        .expect("count");
    assert_eq!(multiples, 0);
}

on_both_backends!(
    migrations_apply_once,
    both_platform_sets_are_seeded,
    community_staff_see_only_their_community,
    residents_see_only_themselves,
    the_public_map_and_the_dispatch_list_need_no_system_scope,
    bad_users_are_refused_and_change_nothing,
    wrong_passwords_start_a_growing_wait,
    sessions_open_expire_and_close,
    overlapping_boundaries_are_refused_whole,
    boundary_imports_follow_the_scope,
    boundary_checks_do_not_hold_the_writer,
    a_file_checked_against_a_tree_that_changed_is_not_written,
    points_are_located_to_their_grid,
    the_audit_chain_detects_edits_and_deletions,
    a_failing_write_rolls_back_alone,
);
