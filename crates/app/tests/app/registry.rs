//! The registry through HTTP on both databases: community staff see their community only;
//! 重点人员 is hidden from roles without the capability; ID numbers and phones are masked,
//! revealed whole only to roles that need them and each reveal audited; an import with a bad
//! row names its row and column and imports nothing; a resident's own data export and erasure
//! cover the registry.

use chrono::NaiveDate;
use jiedao_core::registry::{DocumentKind, TagSource, sample};
use jiedao_store::registry::own;
use jiedao_store::registry::persons::{self, NewPerson};
use jiedao_store::registry::places::{self, NewPlace, PlaceKind};
use jiedao_store::testing::{FIXTURE_PASSWORD, fixture, principal};
use jiedao_store::{Backend, on_both_backends};
use uuid::Uuid;

use crate::support::TestApp;

/// A GET of the API with a staff token: (status, body).
pub(crate) async fn api_get(app: &TestApp, username: &str, path: &str) -> (u16, String) {
    let token = app.token(username).await;
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A person in a new house of `community`, entered by `staff`.
async fn resident_of(
    app: &TestApp,
    staff: &str,
    community: &str,
    name: &str,
    id: &str,
    phone: &str,
) -> Uuid {
    resident_and_house_of(app, staff, community, name, id, phone)
        .await
        .0
}

/// A person in a new house of `community`, entered by `staff`: the person and the house.
pub(crate) async fn resident_and_house_of(
    app: &TestApp,
    staff: &str,
    community: &str,
    name: &str,
    id: &str,
    phone: &str,
) -> (Uuid, Uuid) {
    let who = principal(&app.store, staff).await;
    let at = app.store.now();
    let (community, name, id, phone) = (
        community.to_owned(),
        name.to_owned(),
        id.to_owned(),
        phone.to_owned(),
    );
    app.store
        .write(move |conn| {
            let house = places::add(
                conn,
                &who,
                at,
                None,
                &NewPlace {
                    kind: Some(PlaceKind::Room),
                    community: Some(community.clone()),
                    name: format!("{}号", &phone[7..]),
                    ..NewPlace::default()
                },
            )?;
            let person = persons::add(
                conn,
                &who,
                at,
                None,
                &NewPerson {
                    name: name.clone(),
                    document_kind: DocumentKind::ResidentId,
                    document: id.clone(),
                    phone: Some(phone.clone()),
                    house: Some(house),
                    community: None,
                    household: None,
                    moved_in: Some(day(2021, 5, 1)),
                },
            )?;
            Ok((person, house))
        })
        .await
        .expect("person")
}

async fn staff_see_their_community_masked_and_reveal_with_an_audit_record(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id_a = sample::id_number("330106", day(1948, 10, 1), 321);
    let id_b = sample::id_number("330106", day(1985, 2, 3), 654);
    let zhou = resident_of(
        &app,
        "staff_a",
        fixture::COMMUNITY_A,
        "周大爷",
        &id_a,
        "13712345678",
    )
    .await;
    let wu = resident_of(
        &app,
        "staff_b",
        fixture::COMMUNITY_B,
        "吴女士",
        &id_b,
        "13698765432",
    )
    .await;
    let leader = principal(&app.store, "leader").await;
    let at = app.store.now();
    let first = at.date_naive();
    app.store
        .write(move |conn| {
            persons::tag(
                conn,
                &leader,
                at,
                None,
                zhou,
                "key_person",
                TagSource::Authority,
                first,
                None,
            )
        })
        .await
        .expect("key person");

    let staff_a = app.client();
    staff_a.login("staff_a", FIXTURE_PASSWORD).await;
    let list = staff_a.get("/registry").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("周大爷"));
    assert!(
        !list.body.contains("吴女士"),
        "community B's person is out of reach"
    );
    let masked = format!("{}********{}", &id_a[..6], &id_a[14..]);
    assert!(list.body.contains(&masked), "{}", list.body);
    assert!(list.body.contains("137****5678"));
    assert!(!list.body.contains(&id_a) && !list.body.contains("13712345678"));
    assert!(
        !list.body.contains("重点人员"),
        "the tag is hidden without the capability"
    );
    let page = staff_a.get(&format!("/registry/persons/{zhou}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("重点人员") && !page.body.contains(&id_a));
    assert_eq!(
        staff_a.get(&format!("/registry/persons/{wu}")).await.status,
        404
    );
    let by_tag = staff_a.get("/registry?by=tag&q=key_person").await;
    assert_eq!(by_tag.status, 403);

    // The leader holds the capability and sees the tag.
    let leader = app.client();
    leader.login("leader", FIXTURE_PASSWORD).await;
    let page = leader.get(&format!("/registry/persons/{zhou}")).await;
    assert!(page.body.contains("重点人员"), "{}", page.body);
    assert!(leader.get("/registry").await.body.contains("吴女士"));

    // The audited reveal.
    let reveals = || app.audit_count(|r| r.action == "personal.reveal");
    let before = reveals().await;
    let whole = staff_a
        .post_form(&format!("/registry/persons/{zhou}/reveal"), &[])
        .await;
    assert_eq!(whole.status, 200, "{}", whole.body);
    assert!(whole.body.contains(&id_a) && whole.body.contains("13712345678"));
    assert_eq!(reveals().await, before + 1);
    let dispatcher = app.client();
    dispatcher.login("dispatcher", FIXTURE_PASSWORD).await;
    assert!(dispatcher.get("/registry").await.body.contains(&masked));
    let refused = dispatcher
        .post_form(&format!("/registry/persons/{zhou}/reveal"), &[])
        .await;
    assert_eq!(refused.status, 403);
    assert!(!refused.body.contains(&id_a));
    assert_eq!(
        reveals().await,
        before + 1,
        "nothing revealed, nothing logged"
    );
    let outside = app.client();
    outside.login("staff_b", FIXTURE_PASSWORD).await;
    outside.get("/registry").await;
    assert_eq!(
        outside
            .post_form(&format!("/registry/persons/{zhou}/reveal"), &[])
            .await
            .status,
        404
    );

    // The API: exact look-up by the whole number, within reach only, masked.
    let (status, found) = api_get(
        &app,
        "staff_a",
        &format!("/api/v1/registry/persons?document={id_a}"),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let json: serde_json::Value = serde_json::from_str(&found).expect("json");
    assert_eq!(json[0]["name"], "周大爷");
    assert_eq!(json[0]["document"], masked.as_str());
    let (_, other) = api_get(
        &app,
        "staff_a",
        &format!("/api/v1/registry/persons?document={id_b}"),
    )
    .await;
    assert_eq!(other, "[]");
    // Administrators keep the system, not the people in it.
    let admin = app.client();
    admin.login("admin", FIXTURE_PASSWORD).await;
    assert_eq!(admin.get("/registry").await.status, 403);
}

async fn an_import_with_a_bad_row_names_its_row_and_column_and_imports_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let good = sample::id_number("330106", day(1970, 7, 7), 71);
    let mut bad = sample::id_number("330106", day(1972, 7, 7), 72);
    bad.replace_range(17.., if bad.ends_with('3') { "4" } else { "3" });
    let csv = format!(
        "社区,姓名,证件号码,联系电话\n{a},郑一,{good},13800000011\n{a},冯二,{bad},13800000012\n",
        a = fixture::COMMUNITY_A
    );
    let staff = app.client();
    staff.login("staff_a", FIXTURE_PASSWORD).await;
    staff.get("/registry/import").await;
    let answer = staff
        .post_multipart(
            "/registry/import",
            &[("ledger", "persons")],
            &[("file", "persons.csv", csv.into_bytes())],
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer
            .body
            .contains(r#"<td data-label="行号">3</td><td data-label="列" data-user>证件号码</td>"#),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("校验码"), "the reason is given");
    assert_eq!(app.count("registry_person").await, 0, "nothing imported");

    let csv = format!(
        "社区,姓名,证件号码,联系电话\n{},郑一,{good},13800000011\n",
        fixture::COMMUNITY_A
    );
    let answer = staff
        .post_multipart(
            "/registry/import",
            &[("ledger", "persons")],
            &[("file", "persons.csv", csv.into_bytes())],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(app.count("registry_person").await, 1);
    let (status, kind, bytes) = staff.download("/registry/export.xlsx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"));
    assert!(bytes.starts_with(b"PK"));
    // Outside the keepers' roles.
    let intake = app.client();
    intake.login("intake", FIXTURE_PASSWORD).await;
    assert_eq!(intake.get("/registry/import").await.status, 403);
}

async fn a_residents_export_and_erasure_cover_the_registry(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id = sample::id_number("330106", day(1990, 12, 12), 99);
    let person = resident_of(
        &app,
        "staff_a",
        fixture::COMMUNITY_A,
        "陈小姐",
        &id,
        "13511112222",
    )
    .await;
    let staff = principal(&app.store, "staff_a").await;
    app.store
        .write(move |conn| own::link_account(conn, &staff, person, "resident_a"))
        .await
        .expect("link");
    let resident = app.client();
    resident.login("resident_a", FIXTURE_PASSWORD).await;
    assert_eq!(
        resident.get("/registry").await.status,
        403,
        "residents do not browse it"
    );
    let (status, _, bytes) = resident.download("/me/data.json").await;
    assert_eq!(status, 200);
    let data: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(data["registry"][0]["name"], "陈小姐");
    assert_eq!(data["registry"][0]["document"], id.as_str());
    assert_eq!(data["registry"][0]["phone"], "13511112222");
    resident.get("/me").await;
    let erased = resident
        .post_form("/me/erase", &[("password", FIXTURE_PASSWORD)])
        .await;
    assert_eq!(erased.status, 303, "{}", erased.body);
    let leader = app.client();
    leader.login("leader", FIXTURE_PASSWORD).await;
    let page = leader.get(&format!("/registry/persons/{person}")).await;
    let masked = format!("{}********{}", &id[..6], &id[14..]);
    assert!(
        !page.body.contains("陈小姐") && !page.body.contains(&masked),
        "{}",
        page.body
    );
    let (_, found) = api_get(
        &app,
        "leader",
        &format!("/api/v1/registry/persons?document={id}"),
    )
    .await;
    assert_eq!(found, "[]", "no longer found by the number");
}

on_both_backends!(
    staff_see_their_community_masked_and_reveal_with_an_audit_record,
    an_import_with_a_bad_row_names_its_row_and_column_and_imports_nothing,
    a_residents_export_and_erasure_cover_the_registry,
);

/// Every maximal run of digits (an ID number may end in X) in `bytes`.
fn digit_runs(bytes: &[u8]) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    for &b in bytes {
        if b.is_ascii_digit() || (b == b'X' && !current.is_empty()) {
            current.push(char::from(b));
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Whether any of `secrets` (ID numbers, phones) appears among the digit runs of `bytes`.
fn leaks(bytes: &[u8], secrets: &std::collections::HashSet<String>) -> Option<String> {
    for run in digit_runs(bytes) {
        for length in [18, 11] {
            for start in 0..run.len().saturating_sub(length - 1) {
                let piece = &run[start..start + length];
                if secrets.contains(piece) {
                    return Some(piece.to_owned());
                }
            }
        }
    }
    None
}

/// The demo street's registry at its realistic size, on each database: no ID number or phone
/// in the clear anywhere in the database file (or the PostgreSQL dump), and a person found by
/// the whole ID number.
async fn the_demo_registry_keeps_numbers_sealed_and_finds_a_person_by_number(backend: Backend) {
    use jiedao::demo;
    let Some(db) = jiedao_store::testing::TestDb::new(backend) else {
        return;
    };
    let store = db.open(std::sync::Arc::new(jiedao_core::SystemClock)).await;
    demo::create(&store).await.expect("demo");
    let summary = demo::registry::fill(&store, |_, _| {})
        .await
        .expect("registry");
    assert_eq!(summary.persons, 20_000);
    assert_eq!(summary.houses, 8_000);
    assert!((2_700..3_100).contains(&summary.rented), "{summary:?}");
    assert_eq!((summary.buildings, summary.enterprises), (40, 3_000));
    assert_eq!(summary.components, 300);

    let leader = match store
        .login("leader", demo::PASSWORD, None)
        .await
        .expect("login")
    {
        jiedao_store::LoginOutcome::LoggedIn(session) => session.principal,
        other => panic!("{other:?}"),
    };
    let number = demo::registry::id_number("330106", 12_345);
    let (scope, today) = (leader.scope(), store.now().date_naive());
    let found = store
        .read(move |conn| {
            persons::search(conn, &scope, &persons::Find::Document(number), today, 5, 0)
        })
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, demo::registry::name(12_345));

    let mut secrets = std::collections::HashSet::new();
    for n in 0..20_000 {
        let region = if n % 9 == 0 { "410102" } else { "330106" };
        secrets.insert(demo::registry::id_number(region, n));
        secrets.insert(demo::registry::phone(n));
    }
    let config = db.config();
    let bytes = match backend {
        Backend::Sqlite => {
            let path = config.url.trim_start_matches("sqlite://").to_owned();
            let mut bytes = std::fs::read(&path).expect("database file");
            bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            bytes
        }
        Backend::Postgres => {
            let schema = config.pg_schema.clone().expect("schema");
            // pg_dump reads the catalogue of the whole database, which other tests change at
            // the same time (their schemas come and go): a dump that met such a change is
            // taken again.
            let dump_once = || {
                std::process::Command::new("pg_dump")
                    .args(["--data-only", "--schema", &schema, &config.url])
                    .output()
                    .expect("pg_dump")
            };
            let mut dump = dump_once();
            for _ in 0..3 {
                if dump.status.success() {
                    break;
                }
                dump = dump_once();
            }
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            dump.stdout
        }
    };
    assert!(bytes.len() > 1_000_000, "the registry is there to search");
    assert_eq!(leaks(&bytes, &secrets), None, "a number in the clear");
}

on_both_backends!(the_demo_registry_keeps_numbers_sealed_and_finds_a_person_by_number);

/// A case names a person; the person's file lists it, on the page and in the API. An office
/// building's page and the buildings list show its tax and band, and the API its band.
async fn a_case_names_a_person_and_a_building_shows_its_band(backend: Backend) {
    use chrono::Datelike;
    use jiedao_core::money::Money;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id = sample::id_number("330106", day(1960, 6, 6), 61);
    let person = resident_of(
        &app,
        "staff_a",
        fixture::COMMUNITY_A,
        "褚先生",
        &id,
        "13622223333",
    )
    .await;
    let resident = app.client();
    resident.login("resident_a", FIXTURE_PASSWORD).await;
    resident.get("/report").await;
    let litter = crate::support::category(&app, "E0101").await;
    let receipt = resident
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", "楼下有人乱扔垃圾"),
                ("lon", "120.105"),
                ("lat", "30.2525"),
            ],
            &[],
        )
        .await;
    crate::cases::receipt_of(&resident, receipt).await;
    let (_, cases) = api_get(&app, "leader", "/api/v1/cases").await;
    let cases: serde_json::Value = serde_json::from_str(&cases).expect("json");
    let number = cases["cases"][0]["number"]
        .as_str()
        .expect("number")
        .to_owned();

    let staff = app.client();
    staff.login("staff_a", FIXTURE_PASSWORD).await;
    staff.get(&format!("/registry/persons/{person}")).await;
    let linked = staff
        .post_form(
            &format!("/registry/link/person/{person}"),
            &[("case", &number)],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    let page = staff.get(&format!("/registry/persons/{person}")).await;
    assert!(page.body.contains(&number), "{}", page.body);
    let (status, file) = api_get(
        &app,
        "staff_a",
        &format!("/api/v1/registry/persons/{person}"),
    )
    .await;
    assert_eq!(status, 200, "{file}");
    let file: serde_json::Value = serde_json::from_str(&file).expect("json");
    assert_eq!(file["cases"][0]["number"], number.as_str());
    assert_eq!(file["stays"][0]["role"], "resident");
    let (_, case) = api_get(&app, "leader", &format!("/api/v1/cases?keyword={number}")).await;
    let case: serde_json::Value = serde_json::from_str(&case).expect("json");
    let case_id = case["cases"][0]["id"].as_str().expect("id").to_owned();
    let leader = app.client();
    leader.login("leader", FIXTURE_PASSWORD).await;
    let case_page = leader.get(&format!("/cases/{case_id}")).await;
    assert!(
        case_page
            .body
            .contains(&format!("/registry/persons/{person}")),
        "the case names the person"
    );
    let handler = app.client();
    handler.login("handler", FIXTURE_PASSWORD).await;
    let theirs = handler.get(&format!("/cases/{case_id}")).await;
    assert!(
        !theirs.body.contains("褚先生"),
        "a handler does not see the registry"
    );
    // A case number that is not there names nothing.
    let missing = staff
        .post_form(
            &format!("/registry/link/person/{person}"),
            &[("case", "no-such-case")],
        )
        .await;
    assert_eq!(missing.status, 404);

    let who = principal(&app.store, "staff_a").await;
    let at = app.store.now();
    let year = at.date_naive().year() - 1;
    let tower = app
        .store
        .write(move |conn| {
            let tower = places::add(
                conn,
                &who,
                at,
                None,
                &NewPlace {
                    kind: Some(PlaceKind::Building),
                    community: Some(fixture::COMMUNITY_A.into()),
                    name: "明珠大厦".into(),
                    floors: Some(28),
                    commercial: true,
                    ..NewPlace::default()
                },
            )?;
            places::set_tax(
                conn,
                &who,
                at,
                None,
                tower,
                year,
                Money::from_yuan(150_000_000).expect("m"),
            )?;
            Ok(tower)
        })
        .await
        .expect("tower");
    let page = staff.get(&format!("/registry/places/{tower}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("亿元楼"), "{}", page.body);
    let list = staff.get("/registry/buildings").await;
    assert!(
        list.body.contains("明珠大厦") && list.body.contains("亿元楼1幢"),
        "{}",
        list.body
    );
    let (_, buildings) = api_get(&app, "staff_a", "/api/v1/registry/buildings").await;
    let buildings: serde_json::Value = serde_json::from_str(&buildings).expect("json");
    assert_eq!(buildings[0]["band"], "hundred_million");
    let (_, theirs) = api_get(&app, "staff_b", "/api/v1/registry/buildings").await;
    assert_eq!(theirs, "[]", "community B sees none of A's buildings");
    for path in [
        "/registry/places",
        "/registry/enterprises",
        "/registry/components",
    ] {
        assert_eq!(staff.get(path).await.status, 200, "{path}");
    }
}

on_both_backends!(a_case_names_a_person_and_a_building_shows_its_band);

/// Community staff add a person with the form: a wrong check digit is refused with the reason
/// and nothing is added; a good number adds them and shows their page; a grid worker's form
/// for another community is refused.
async fn staff_add_a_person_with_the_form(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let good = sample::id_number("330106", day(1977, 4, 4), 41);
    let mut bad = good.clone();
    bad.replace_range(17.., if good.ends_with('5') { "6" } else { "5" });
    let staff = app.client();
    staff.login("staff_a", FIXTURE_PASSWORD).await;
    let list = staff.get("/registry").await;
    assert!(list.body.contains("登记人员"), "{}", list.body);
    let form = |document: &str| {
        vec![
            ("name", "蒋阿姨".to_owned()),
            ("document_kind", "resident_id".to_owned()),
            ("document", document.to_owned()),
            ("phone", "13577778888".to_owned()),
            ("community", "甲社区".to_owned()),
        ]
    };
    let fields = form(&bad);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = staff.post_form("/registry", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("校验码"), "{}", refused.body);
    assert_eq!(app.count("registry_person").await, 0);
    let fields = form(&good);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let added = staff.post_form("/registry", &fields).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = staff
        .get(added.location.as_deref().expect("location"))
        .await;
    assert!(page.body.contains("蒋阿姨") && page.body.contains("135****8888"));
    let again = staff.post_form("/registry", &fields).await;
    assert_eq!(again.status, 409, "the same number twice");
    let worker = app.client();
    worker.login("worker_b1", FIXTURE_PASSWORD).await;
    worker.get("/registry").await;
    let another = sample::id_number("330106", day(1990, 3, 7), 77);
    let mut other = fields.clone();
    other[2] = ("document", another.as_str());
    other[4] = ("community", fixture::COMMUNITY_A);
    let outside = worker.post_form("/registry", &other).await;
    assert_eq!(outside.status, 403, "{}", outside.body);
}

on_both_backends!(staff_add_a_person_with_the_form);
