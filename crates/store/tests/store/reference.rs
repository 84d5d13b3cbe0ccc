//! Two stores on one database, as a running server and the command line beside it: what one
//! changes in the reference data the other keeps in memory (clients, the calendar,
//! categories, grid shapes), the other reads again when it looks (`Store::refresh`), and a
//! client's token it does not know yet is looked for again at once. Also: a boundary file
//! reports the area it covers once, not again for the grids inside its communities.

use std::sync::Arc;

use jiedao_core::SystemClock;
use jiedao_core::case::Channel;
use jiedao_core::category::Urgency;
use jiedao_store::testing::fixture;
use jiedao_store::{Backend, Principal, calendar, categories, clients, on_both_backends, org};

use crate::foundation::fixture_store;

/// A notice for a year the seed does not have.
const NOTICE_2031: &str = r#"
[[year]]
year = 2031
holidays = [
    { name = "元旦", name_en = "New Year's Day", days = ["2031-01-01"] },
]
makeup_workdays = []
"#;

async fn a_second_store_follows_what_the_first_changes(backend: Backend) {
    let Some((db, server)) = fixture_store(backend).await else {
        return;
    };
    let cli = db.open(Arc::new(SystemClock)).await;
    let system = Principal::system("test");
    // Loading the fixture through the server changed its reference data too; after one
    // look, nothing is new.
    server.refresh().await.expect("refresh");
    assert!(!server.refresh().await.expect("refresh"));

    // A client added beside the server reports at once: an unknown token is looked for again.
    let (_, token) = cli
        .add_client(
            system.scope(),
            system.actor(None),
            "路口相机".into(),
            fixture::STREET.into(),
            Channel::Sensor,
        )
        .await
        .expect("client");
    assert!(
        server.clients().authenticate(&token).is_none(),
        "not read yet"
    );
    let found = server.client(&token).await.expect("client");
    assert_eq!(found.map(|c| c.name).as_deref(), Some("路口相机"));
    assert!(!server.refresh().await.expect("refresh"), "read already");

    // The calendar and a category's settings.
    let (scope, actor, at) = (system.scope(), system.actor(None), cli.now());
    cli.write(move |conn| calendar::import(conn, &scope, &actor, at, NOTICE_2031))
        .await
        .expect("holidays");
    let cover = server.catalog().by_code("B0101").expect("B0101").clone();
    let mut settings = cover.settings.clone();
    settings.urgency = Urgency::Critical;
    let (scope, actor, at) = (system.scope(), system.actor(None), cli.now());
    cli.write(move |conn| {
        categories::update_settings(conn, &scope, &actor, at, cover.id, &settings, "更急")
    })
    .await
    .expect("settings");
    assert!(!server.calendar().known_years().contains(&2031));
    assert_ne!(
        server
            .catalog()
            .by_code("B0101")
            .expect("B0101")
            .settings
            .urgency,
        Urgency::Critical
    );
    assert!(server.refresh().await.expect("refresh"));
    assert!(server.calendar().known_years().contains(&2031));
    assert_eq!(
        server
            .catalog()
            .by_code("B0101")
            .expect("B0101")
            .settings
            .urgency,
        Urgency::Critical
    );

    // A new grid in community A's empty north half, then retired again.
    let (lon, lat) = (120.105, 30.2575);
    assert!(server.locate(lon, lat).await.expect("locate").is_none());
    let grid = "330106008001003";
    cli.import_boundaries(
        &system.scope(),
        system.actor(None),
        fixture::collection(&[fixture::square(
            grid,
            "甲社区第三网格",
            120.10,
            30.255,
            0.01,
        )]),
    )
    .await
    .expect("new grid");
    assert!(
        server.locate(lon, lat).await.expect("locate").is_none(),
        "the server's index is as it read it"
    );
    assert!(server.refresh().await.expect("refresh"));
    assert_eq!(
        server
            .locate(lon, lat)
            .await
            .expect("locate")
            .map(|g| g.code),
        Some(grid.to_owned())
    );
    let (scope, actor, at) = (system.scope(), system.actor(None), cli.now());
    cli.write(move |conn| org::remove_unit(conn, &scope, &actor, at, grid))
        .await
        .expect("retire the grid");
    assert!(server.refresh().await.expect("refresh"));
    assert!(server.locate(lon, lat).await.expect("locate").is_none());

    // A client stopped beside the server is refused once the server looks.
    let (scope, actor, at) = (system.scope(), system.actor(None), cli.now());
    cli.write(move |conn| clients::remove(conn, &scope, &actor, at, "路口相机"))
        .await
        .expect("stop");
    assert!(server.refresh().await.expect("refresh"));
    assert!(server.client(&token).await.expect("client").is_none());
}

async fn a_boundary_file_counts_its_area_once(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let system = Principal::system("test");
    let street = "330106009000";
    let file = fixture::collection(&[
        fixture::square(street, "新街道", 120.20, 30.25, 0.04),
        fixture::square("330106009001", "新社区", 120.20, 30.25, 0.02),
        fixture::square("330106009001001", "新社区第一网格", 120.20, 30.25, 0.01),
        fixture::square("330106009001002", "新社区第二网格", 120.21, 30.25, 0.01),
    ]);
    let summary = store
        .import_boundaries(&system.scope(), system.actor(None), file)
        .await
        .expect("import");
    assert_eq!(summary.created.len(), 4);
    let drawn = store
        .read(move |conn| org::current_by_code(conn, street))
        .await
        .expect("read")
        .and_then(|unit| unit.area_m2)
        .expect("the street is drawn");
    assert!(
        (summary.area_m2 - drawn).abs() < 1.0,
        "the file covers its street's area ({drawn} m²), not {} m²",
        summary.area_m2
    );
}

on_both_backends!(
    a_second_store_follows_what_the_first_changes,
    a_boundary_file_counts_its_area_once,
);
