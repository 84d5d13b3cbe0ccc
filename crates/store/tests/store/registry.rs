//! The registry (人房企物) on both backends: places, persons with sealed documents and phones
//! found by exact look-up, who lived and rented where over time, tags (重点人员 only with the
//! capability), scoping by community, the audited reveal, building tax bands, the net tax of
//! moves, the hash-chained histories, an all-or-nothing import, and a resident's erasure.

use chrono::NaiveDate;
use jiedao_core::money::Money;
use jiedao_core::registry::sample;
use jiedao_core::registry::{DocumentKind, TagSource, TaxBand as TagBand, TaxBands};
use jiedao_reports::Sheet;
use jiedao_store::registry::bulk;
use jiedao_store::registry::enterprises::{self, FindEnterprise, NewEnterprise};
use jiedao_store::registry::import::Ledger;
use jiedao_store::registry::persons::{self, Find, NewPerson};
use jiedao_store::registry::places::{self, NewPlace, Occupation, PlaceKind, PlaceQuery};
use jiedao_store::registry::{self, PERSONS, PLACES};
use jiedao_store::testing::{fixture, principal, sql};
use jiedao_store::{Backend, Principal, Refusal, Store, StoreError, on_both_backends};
use uuid::Uuid;

use crate::foundation::{fixture_store, refusal};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn room(store: &Store, who: &Principal, community: &str, name: &str) -> Uuid {
    let (who, at) = (who.clone(), store.now());
    let (community, name) = (community.to_owned(), name.to_owned());
    store
        .write(move |conn| {
            let estate = places::add(
                conn,
                &who,
                at,
                None,
                &NewPlace {
                    kind: Some(PlaceKind::Estate),
                    community: Some(community.clone()),
                    name: format!("{name}小区"),
                    ..NewPlace::default()
                },
            )?;
            places::add(
                conn,
                &who,
                at,
                None,
                &NewPlace {
                    kind: Some(PlaceKind::Room),
                    parent: Some(estate),
                    name: name.clone(),
                    ..NewPlace::default()
                },
            )
        })
        .await
        .expect("room")
}

async fn person(
    store: &Store,
    who: &Principal,
    name: &str,
    id: &str,
    phone: &str,
    house: Uuid,
) -> Result<Uuid, StoreError> {
    let new = NewPerson {
        name: name.into(),
        document_kind: DocumentKind::ResidentId,
        document: id.into(),
        phone: Some(phone.into()),
        house: Some(house),
        community: None,
        household: None,
        moved_in: Some(day(2020, 1, 1)),
    };
    let (who, at) = (who.clone(), store.now());
    store
        .write(move |conn| persons::add(conn, &who, at, None, &new))
        .await
}

async fn find(store: &Store, who: &Principal, what: Find) -> Result<Vec<String>, StoreError> {
    let scope = who.scope();
    let today = store.now().date_naive();
    store
        .read(move |conn| persons::search(conn, &scope, &what, today, 50, 0))
        .await
        .map(|rows| rows.into_iter().map(|r| r.name).collect())
}

async fn the_registry_keeps_people_sealed_scoped_and_chained(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let staff_a = principal(&store, "staff_a").await;
    let staff_b = principal(&store, "staff_b").await;
    let leader = principal(&store, "leader").await;
    let admin = principal(&store, "admin").await;
    let house_a = room(&store, &staff_a, fixture::COMMUNITY_A, "1-101").await;
    let house_b = room(&store, &staff_b, fixture::COMMUNITY_B, "2-202").await;
    let id_a = sample::id_number("330106", day(1950, 3, 7), 123);
    let id_b = sample::id_number("330106", day(1990, 8, 1), 246);
    let zhang = person(&store, &staff_a, "张三", &id_a, "13800001234", house_a)
        .await
        .expect("张三");
    person(&store, &staff_b, "李四", &id_b, "13900005678", house_b)
        .await
        .expect("李四");

    // The same document twice is refused; a bad check digit names the problem.
    let again = person(&store, &staff_a, "张三丰", &id_a, "13800001235", house_a).await;
    assert!(matches!(
        refusal(again),
        Refusal::Registry(registry::RegistryRefusal::DuplicateDocument)
    ));
    let mut wrong = id_a.clone();
    wrong.replace_range(17.., if id_a.ends_with('1') { "2" } else { "1" });
    let bad = person(&store, &staff_a, "王五", &wrong, "13800001236", house_a).await;
    assert!(matches!(refusal(bad), Refusal::Registry(_)));

    // Nothing personal in the clear: not in the person's row, not in the history.
    let clear: i64 = store
        .read({
            let (id_a, phone) = (id_a.clone(), "13800001234".to_owned());
            move |conn| {
                sql::scalar(
                    conn,
                    "SELECT COUNT(*) FROM registry_person WHERE document = $1 OR phone = $2
                        OR document_masked = $1 OR name = $1",
                    &[&id_a, &phone],
                )
            }
        })
        .await
        .expect("count");
    assert_eq!(clear, 0);
    let events: Vec<String> = store
        .read(|conn| sql::query(conn, "SELECT change FROM registry_event", &[], |r| r.get(0)))
        .await
        .expect("events");
    assert!(
        events
            .iter()
            .all(|e| !e.contains("13800001234") && !e.contains(&id_a[6..14]))
    );

    // Exact look-up by the whole number and phone; prefix by name; scoped by community.
    assert_eq!(
        find(&store, &staff_a, Find::Document(id_a.to_lowercase()))
            .await
            .expect("find"),
        ["张三"]
    );
    assert_eq!(
        find(&store, &staff_a, Find::Phone("138 0000 1234".into()))
            .await
            .expect("find"),
        ["张三"]
    );
    assert_eq!(
        find(&store, &staff_a, Find::NamePrefix("张".into()))
            .await
            .expect("find"),
        ["张三"]
    );
    assert!(
        find(&store, &staff_a, Find::Document(id_b.clone()))
            .await
            .expect("find")
            .is_empty()
    );
    assert!(
        find(&store, &staff_b, Find::NamePrefix("张".into()))
            .await
            .expect("find")
            .is_empty()
    );
    assert_eq!(
        find(&store, &leader, Find::All).await.expect("find").len(),
        2
    );
    assert!(matches!(
        refusal(find(&store, &admin, Find::All).await),
        Refusal::NotAllowed
    ));
    let masked = {
        let (scope, today) = (staff_a.scope(), store.now().date_naive());
        store
            .read(move |conn| persons::get(conn, &scope, zhang, today))
            .await
            .expect("get")
    };
    assert_eq!(
        masked.document,
        format!("{}********{}", &id_a[..6], &id_a[14..])
    );
    assert_eq!(masked.phone.as_deref(), Some("138****1234"));
    assert_eq!(masked.sex.as_deref(), Some("male"));
    assert_eq!(masked.birth_date, Some(day(1950, 3, 7)));
    let other = {
        let (scope, today) = (staff_b.scope(), store.now().date_naive());
        store
            .read(move |conn| persons::get(conn, &scope, zhang, today))
            .await
    };
    assert!(matches!(refusal(other), Refusal::NotFound { .. }));

    // 重点人员: only the leader may tag and see it.
    let tag = |who: &Principal, code: &'static str| {
        let (who, at) = (who.clone(), store.now());
        let first = at.date_naive();
        store.write(move |conn| {
            persons::tag(
                conn,
                &who,
                at,
                None,
                zhang,
                code,
                TagSource::Visit,
                first,
                None,
            )
        })
    };
    tag(&staff_a, "elderly_alone").await.expect("tag");
    assert!(matches!(
        refusal(tag(&staff_a, "key_person").await),
        Refusal::NotAllowed
    ));
    tag(&leader, "key_person").await.expect("key person");
    let tags_of = |who: &Principal| {
        let (scope, today) = (who.scope(), store.now().date_naive());
        store.read(move |conn| persons::get(conn, &scope, zhang, today))
    };
    assert_eq!(
        tags_of(&staff_a).await.expect("tags").tags,
        ["elderly_alone"]
    );
    assert_eq!(
        tags_of(&leader).await.expect("tags").tags,
        ["elderly_alone", "key_person"]
    );
    assert!(matches!(
        refusal(find(&store, &staff_a, Find::Tag("key_person".into())).await),
        Refusal::NotAllowed
    ));

    // The whole number only through the audited reveal, for a role that needs it.
    let reveal = |who: &Principal| {
        let (who, at) = (who.clone(), store.now());
        store.write(move |conn| persons::reveal(conn, &who, zhang, at, None))
    };
    let whole = reveal(&staff_a).await.expect("reveal");
    assert_eq!(whole.document, id_a);
    assert_eq!(whole.phone.as_deref(), Some("13800001234"));
    let dispatcher = principal(&store, "dispatcher").await;
    assert_eq!(
        find(&store, &dispatcher, Find::All)
            .await
            .expect("find")
            .len(),
        2
    );
    assert!(matches!(
        refusal(reveal(&dispatcher).await),
        Refusal::NotAllowed
    ));
    let logged: i64 = store
        .read(move |conn| {
            sql::scalar(
                conn,
                "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target = $2",
                &[&"personal.reveal", &format!("person:{zhang}")],
            )
        })
        .await
        .expect("audit");
    assert_eq!(logged, 1);

    // Moving: the old residence is ended, not overwritten; renting marks the house let.
    let house_a2 = room(&store, &staff_a, fixture::COMMUNITY_A, "3-303").await;
    let (who, at) = (staff_a.clone(), store.now());
    store
        .write(move |conn| {
            places::occupy(
                conn,
                &who,
                at,
                None,
                zhang,
                house_a2,
                Occupation::Resident,
                day(2026, 6, 1),
            )?;
            places::occupy(
                conn,
                &who,
                at,
                None,
                zhang,
                house_a,
                Occupation::Tenant,
                day(2026, 6, 1),
            )
        })
        .await
        .expect("move");
    let stays = store
        .read(move |conn| places::stays_of(conn, zhang))
        .await
        .expect("stays");
    let residences: Vec<_> = stays.iter().filter(|s| s.role == "resident").collect();
    assert_eq!(residences.len(), 2);
    assert!(
        residences
            .iter()
            .any(|s| s.place_id == house_a && s.to == Some(day(2026, 5, 31)))
    );
    assert!(
        residences
            .iter()
            .any(|s| s.place_id == house_a2 && s.to.is_none())
    );
    let scope = staff_a.scope();
    let rented = store
        .read(move |conn| {
            places::search(
                conn,
                &scope,
                &PlaceQuery {
                    rented: Some(true),
                    limit: 10,
                    ..PlaceQuery::default()
                },
            )
        })
        .await
        .expect("rented");
    assert_eq!(rented.iter().map(|p| p.id).collect::<Vec<_>>(), [house_a]);

    // Every history is whole, and an edited entry shows.
    for (ledger, id) in [(&PERSONS, zhang), (&PLACES, house_a)] {
        assert!(
            store
                .read(move |conn| registry::verify(conn, ledger, id))
                .await
                .expect("verify")
        );
    }
    store
        .write(move |conn| {
            sql::execute(
                conn,
                "UPDATE registry_event SET change = $1 WHERE record_id = $2 AND seq = 1",
                &[&"{}", &zhang],
            )
        })
        .await
        .expect("tamper");
    assert!(
        !store
            .read(move |conn| registry::verify(conn, &PERSONS, zhang))
            .await
            .expect("verify")
    );
}

async fn buildings_and_enterprises_add_up_their_tax(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let staff_a = principal(&store, "staff_a").await;
    let (who, at) = (staff_a.clone(), store.now());
    let (tower, small, e_in, e_out) = store
        .write(move |conn| {
            let tower_at = |name: &str| NewPlace {
                kind: Some(PlaceKind::Building),
                community: Some(fixture::COMMUNITY_A.into()),
                name: name.into(),
                floors: Some(30),
                area_m2: Some(50_000.0),
                commercial: true,
                ..NewPlace::default()
            };
            let tower = places::add(conn, &who, at, None, &tower_at("甲大厦"))?;
            let small = places::add(conn, &who, at, None, &tower_at("乙楼"))?;
            places::set_tax(
                conn,
                &who,
                at,
                None,
                tower,
                2025,
                Money::from_yuan(120_000_000).expect("m"),
            )?;
            places::set_tax(
                conn,
                &who,
                at,
                None,
                small,
                2025,
                Money::from_yuan(20_000_000).expect("m"),
            )?;
            let enterprise =
                |serial: u32, moved_in: Option<NaiveDate>, moved_out: Option<NaiveDate>| {
                    NewEnterprise {
                        credit_code: sample::credit_code("330106", serial),
                        name: format!("企业{serial}"),
                        industry: "I65".into(),
                        capital: Money::from_yuan(1_000_000).expect("m"),
                        building: Some(tower),
                        floor: Some(5),
                        community: None,
                        moved_in,
                        moved_out,
                    }
                };
            let e_in = enterprises::add(
                conn,
                &who,
                at,
                None,
                &enterprise(1, Some(day(2025, 3, 1)), None),
            )?;
            let e_out = enterprises::add(
                conn,
                &who,
                at,
                None,
                &enterprise(2, Some(day(2019, 1, 1)), None),
            )?;
            enterprises::move_out(conn, &who, at, None, e_out, day(2025, 9, 1))?;
            places::set_tax(
                conn,
                &who,
                at,
                None,
                e_in,
                2025,
                Money::from_yuan(5_000_000).expect("m"),
            )?;
            places::set_tax(
                conn,
                &who,
                at,
                None,
                e_out,
                2024,
                Money::from_yuan(2_000_000).expect("m"),
            )?;
            Ok((tower, small, e_in, e_out))
        })
        .await
        .expect("buildings");
    let scope = staff_a.scope();
    let listed = store
        .read(move |conn| places::buildings(conn, &scope, 2025, &TaxBands::default()))
        .await
        .expect("buildings");
    assert_eq!(
        listed.iter().map(|b| b.id).collect::<Vec<_>>(),
        [tower, small]
    );
    assert_eq!(listed[0].band, Some(TagBand::HundredMillion));
    assert_eq!(listed[1].band, Some(TagBand::TenMillion));
    assert_eq!(listed[0].enterprises, 1, "the one moved out is not counted");
    let scope = staff_a.scope();
    let net = store
        .read(move |conn| enterprises::moves(conn, &scope, 2025))
        .await
        .expect("moves");
    assert_eq!((net.moved_in, net.moved_out), (1, 1));
    assert_eq!(net.net_tax(), Money::from_yuan(3_000_000).expect("m"));
    let scope = staff_a.scope();
    let code = sample::credit_code("330106", 1);
    let found = store
        .read(move |conn| {
            enterprises::search(conn, &scope, &FindEnterprise::CreditCode(code), 10, 0)
        })
        .await
        .expect("search");
    assert_eq!(found.iter().map(|e| e.id).collect::<Vec<_>>(), [e_in]);
    let _ = e_out;
    // Out of scope: community B's staff see none of it.
    let staff_b = principal(&store, "staff_b").await;
    let scope = staff_b.scope();
    let none = store
        .read(move |conn| places::buildings(conn, &scope, 2025, &TaxBands::default()))
        .await
        .expect("buildings");
    assert!(none.is_empty());
}

async fn an_import_with_a_bad_row_names_it_and_writes_nothing(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let staff_a = principal(&store, "staff_a").await;
    let good = sample::id_number("330106", day(1980, 1, 2), 11);
    let mut bad = sample::id_number("330106", day(1981, 1, 2), 12);
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let headers = ["社区", "姓名", "证件号码", "联系电话"]
        .map(String::from)
        .to_vec();
    let sheet = Sheet {
        headers: headers.clone(),
        rows: vec![
            vec![
                fixture::COMMUNITY_A.into(),
                "赵一".into(),
                good.clone(),
                "13800000001".into(),
            ],
            vec![
                fixture::COMMUNITY_A.into(),
                "钱二".into(),
                bad,
                "13800000002".into(),
            ],
        ],
    };
    let outcome = store
        .import_registry(&sheet, Ledger::Persons, &staff_a, None)
        .await
        .expect("import");
    assert!(!outcome.written);
    assert_eq!(outcome.problems.len(), 1);
    assert_eq!(
        (outcome.problems[0].row, outcome.problems[0].column.as_str()),
        (3, "证件号码")
    );
    assert!(
        find(&store, &staff_a, Find::All)
            .await
            .expect("find")
            .is_empty()
    );

    // A row only the database can refuse (community B is out of staff A's reach).
    let sheet = Sheet {
        headers,
        rows: vec![
            vec![
                fixture::COMMUNITY_A.into(),
                "赵一".into(),
                good.clone(),
                "13800000001".into(),
            ],
            vec![
                fixture::COMMUNITY_B.into(),
                "孙三".into(),
                sample::id_number("330106", day(1982, 1, 2), 13),
                String::new(),
            ],
        ],
    };
    let outcome = store
        .import_registry(&sheet, Ledger::Persons, &staff_a, None)
        .await
        .expect("import");
    assert!(!outcome.written);
    assert_eq!(
        (outcome.problems[0].row, outcome.problems[0].column.as_str()),
        (3, "社区")
    );
    assert!(
        find(&store, &staff_a, Find::All)
            .await
            .expect("find")
            .is_empty()
    );

    let sheet = Sheet {
        rows: vec![vec![
            fixture::COMMUNITY_A.into(),
            "赵一".into(),
            good,
            "13800000001".into(),
        ]],
        ..sheet
    };
    let outcome = store
        .import_registry(&sheet, Ledger::Persons, &staff_a, None)
        .await
        .expect("import");
    assert!(outcome.written, "{outcome:?}");
    assert_eq!(
        find(&store, &staff_a, Find::All).await.expect("find"),
        ["赵一"]
    );
}

/// Many persons at once ([`bulk::add_many`], the demo's path) leave the rows and whole hash
/// chains the one-by-one functions leave; a document already registered, or a house out of
/// the writer's scope, refuses the lot and writes nothing.
async fn many_persons_at_once_are_chained_and_all_or_nothing(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let staff_a = principal(&store, "staff_a").await;
    let staff_b = principal(&store, "staff_b").await;
    let house_a = room(&store, &staff_a, fixture::COMMUNITY_A, "1-101").await;
    let house_b = room(&store, &staff_b, fixture::COMMUNITY_B, "2-202").await;
    let key = store.sealing_key().await.expect("key");
    let today = store.now().date_naive();
    let newcomer = |n: u32, house: Uuid, tag: Option<&str>| {
        let new = NewPerson {
            name: format!("居民{n}"),
            document_kind: DocumentKind::ResidentId,
            document: sample::id_number("330106", day(1960, 1, 1 + n), 100 + n),
            phone: Some(format!("1380000{n:04}")),
            house: Some(house),
            community: None,
            household: Some("H1".into()),
            moved_in: Some(day(2020, 1, 1)),
        };
        let sealed = persons::seal(&key, &new, today).expect("seal");
        bulk::Newcomer {
            person: new,
            sealed,
            tags: tag
                .map(|t| (t.to_owned(), TagSource::Visit, day(2024, 1, 1)))
                .into_iter()
                .collect(),
        }
    };
    let people = vec![
        newcomer(1, house_a, Some("elderly_alone")),
        newcomer(2, house_a, None),
    ];
    let stays = vec![bulk::ExtraStay {
        newcomer: 1,
        place: house_a,
        role: Occupation::Tenant,
        from: day(2024, 2, 1),
    }];
    let (who, at) = (staff_a.clone(), store.now());
    let ids = store
        .write(move |conn| bulk::add_many(conn, &who, at, None, &people, &stays))
        .await
        .expect("add_many");
    assert_eq!(ids.len(), 2);
    for (ledger, id) in [(&PERSONS, ids[0]), (&PERSONS, ids[1]), (&PLACES, house_a)] {
        assert!(
            store
                .read(move |conn| registry::verify(conn, ledger, id))
                .await
                .expect("verify"),
            "{} {id}",
            ledger.kind
        );
    }
    let scope = staff_a.scope();
    let (tags, stays, house) = store
        .read(move |conn| {
            Ok((
                persons::tags(conn, &scope, ids[0])?,
                places::stays_of(conn, ids[1])?,
                places::get(conn, &scope, house_a)?,
            ))
        })
        .await
        .expect("read");
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0].kind, "elderly_alone");
    assert_eq!(stays.len(), 2, "{stays:?}");
    assert!(house.rented);
    assert_eq!(
        find(&store, &staff_a, Find::All).await.expect("find"),
        ["居民1", "居民2"]
    );

    // Refused whole: one document already registered; a house of another community.
    let before = crate::foundation::count(&store, "registry_person").await;
    for (people, who) in [
        (
            vec![newcomer(3, house_a, None), newcomer(1, house_a, None)],
            staff_a.clone(),
        ),
        (
            vec![newcomer(4, house_a, None), newcomer(5, house_b, None)],
            staff_a.clone(),
        ),
    ] {
        let at = store.now();
        let result = store
            .write(move |conn| bulk::add_many(conn, &who, at, None, &people, &[]))
            .await;
        assert!(matches!(result, Err(StoreError::Refused(_))), "{result:?}");
        assert_eq!(
            crate::foundation::count(&store, "registry_person").await,
            before
        );
    }
}

on_both_backends!(
    the_registry_keeps_people_sealed_scoped_and_chained,
    many_persons_at_once_are_chained_and_all_or_nothing,
    buildings_and_enterprises_add_up_their_tax,
    an_import_with_a_bad_row_names_it_and_writes_nothing,
);
