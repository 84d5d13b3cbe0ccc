//! The economy on both backends: readings recorded as versions with corrections kept, the
//! figures (1-N月, growth, completion) equal to a recount, the statistics import with a bad row
//! writing nothing and naming its row and column, the district ranking with ties, and recording
//! refused out of role.

use jiedao_core::Role;
use jiedao_core::economy::{Growth, Month, Percent};
use jiedao_reports::Sheet;
use jiedao_store::economy::indicators::{self, IndicatorFigures};
use jiedao_store::org;
use jiedao_store::testing::{FIXTURE_PASSWORD, fixture, principal};
use jiedao_store::users::NewUser;
use jiedao_store::{Backend, Principal, Refusal, Store, on_both_backends};

use crate::foundation::{count, fixture_store, refusal};

fn month(text: &str) -> Month {
    Month::parse(text).expect("month")
}

async fn record(store: &Store, who: &Principal, indicator: &'static str, at: &str, amount: i64) {
    let (scope, actor, now, at) = (who.scope(), who.actor(None), store.now(), month(at));
    store
        .write(move |conn| {
            let street = org::current_by_code(conn, fixture::STREET)?.expect("street");
            indicators::record(
                conn, &scope, &actor, now, street.id, indicator, at, amount, "form",
            )
        })
        .await
        .expect("record");
}

async fn figures(store: &Store, who: &Principal, at: &str, code: &str) -> IndicatorFigures {
    let (scope, at) = (who.scope(), month(at));
    store
        .read(move |conn| indicators::street_figures(conn, &scope, fixture::STREET, at))
        .await
        .expect("figures")
        .into_iter()
        .find(|f| f.indicator == code)
        .expect("indicator")
}

async fn revisions_and_figures_equal_a_recount(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let leader = principal(&store, "leader").await;
    // New market entities are reported month by month; tax to date.
    for (at, amount) in [
        ("2016-01", 40),
        ("2016-02", 30),
        ("2017-01", 50),
        ("2017-02", 45),
    ] {
        record(&store, &leader, "new_market_entities", at, amount).await;
    }
    record(&store, &leader, "tax_revenue", "2016-02", 1_000_000).await;
    record(&store, &leader, "tax_revenue", "2017-02", 1_579_700).await;
    let (scope, actor, now) = (leader.scope(), leader.actor(None), store.now());
    store
        .write(move |conn| {
            indicators::set_target(
                conn,
                &scope,
                &actor,
                now,
                fixture::STREET,
                "new_market_entities",
                2017,
                600,
            )
        })
        .await
        .expect("target");
    let entities = figures(&store, &leader, "2017-02", "new_market_entities").await;
    let to_date = entities.year_to_date.current.clone().expect("1-2月");
    assert_eq!(to_date.amount, 50 + 45);
    // (95 - 70) / 70 = 35.71%; 95 / 600 = 15.83%.
    assert_eq!(
        entities.year_to_date.growth,
        Growth::Rate(Percent::from_hundredths(3571))
    );
    assert_eq!(entities.completion, Some(Percent::from_hundredths(1583)));
    let tax = figures(&store, &leader, "2017-02", "tax_revenue").await;
    assert_eq!(
        tax.year_to_date.growth,
        Growth::Rate(Percent::from_hundredths(5797))
    );

    // A correction of January 2017 is a second version; the old one is kept.
    record(&store, &leader, "new_market_entities", "2017-01", 55).await;
    record(&store, &leader, "new_market_entities", "2017-01", 55).await;
    let corrected = figures(&store, &leader, "2017-02", "new_market_entities").await;
    let to_date = corrected.year_to_date.current.expect("1-2月");
    assert_eq!(to_date.amount, 100);
    assert!(
        to_date
            .sources
            .iter()
            .any(|s| s.month == month("2017-01") && s.version == 2)
    );
    let (scope, at) = (leader.scope(), month("2017-01"));
    let history = store
        .read(move |conn| {
            indicators::history(conn, &scope, fixture::STREET, "new_market_entities", at)
        })
        .await
        .expect("history");
    let amounts: Vec<(u32, i64)> = history.iter().map(|r| (r.version, r.amount)).collect();
    assert_eq!(amounts, [(1, 50), (2, 55)]);
    assert_eq!(count(&store, "economy_reading").await, 7);

    // Out of role: a community's staff may see but not record; nothing changes.
    let staff = principal(&store, "staff_a").await;
    let (scope, actor, now) = (staff.scope(), staff.actor(None), store.now());
    let refused = store
        .write(move |conn| {
            let street = org::current_by_code(conn, fixture::STREET)?.expect("street");
            indicators::record(
                conn,
                &scope,
                &actor,
                now,
                street.id,
                "tax_revenue",
                month("2017-03"),
                1,
                "form",
            )
        })
        .await;
    assert_eq!(refusal(refused), Refusal::NotAllowed);
    assert_eq!(count(&store, "economy_reading").await, 7);
    let resident = principal(&store, "resident_a").await;
    let scope = resident.scope();
    let refused = store
        .read(move |conn| {
            indicators::street_figures(conn, &scope, fixture::STREET, month("2017-02"))
        })
        .await;
    assert_eq!(refusal(refused), Refusal::NotAllowed);
}

fn sheet(rows: &[[&str; 4]]) -> Sheet {
    Sheet {
        headers: ["街道", "月份", "税收收入（万元）", "新增市场主体（家）"]
            .map(str::to_owned)
            .to_vec(),
        rows: rows.iter().map(|r| r.map(str::to_owned).to_vec()).collect(),
    }
}

async fn an_import_with_a_bad_row_writes_nothing(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let leader = principal(&store, "leader").await;
    let bad = sheet(&[
        ["测试街道", "2017-01", "1.5", "12"],
        ["测试街道", "2017-13", "2", "10"],
        ["没有的街道", "2017-02", "abc", "3"],
    ]);
    let outcome = store
        .import_indicators(bad, "1月报表.xlsx", &leader, None)
        .await
        .expect("checked");
    assert!(!outcome.written);
    let named: Vec<(usize, &str)> = outcome
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(named, [(3, "月份"), (4, "街道"), (4, "税收收入（万元）")]);
    assert_eq!(count(&store, "economy_reading").await, 0);

    let good = sheet(&[
        ["测试街道", "2017-01", "1.5", "12"],
        [fixture::STREET, "2017-02", "3.25", ""],
    ]);
    let outcome = store
        .import_indicators(good, "2月报表.xlsx", &leader, None)
        .await
        .expect("imported");
    assert!(outcome.written && outcome.problems.is_empty());
    assert_eq!(outcome.imported, 2);
    assert_eq!(count(&store, "economy_reading").await, 3);
    let tax = figures(&store, &leader, "2017-02", "tax_revenue").await;
    // 3.25万元 is 32,500 yuan, in fen.
    assert_eq!(tax.year_to_date.current.map(|f| f.amount), Some(3_250_000));

    let staff = principal(&store, "staff_a").await;
    let again = sheet(&[["测试街道", "2017-03", "9", "1"]]);
    let refused = store.import_indicators(again, "x.xlsx", &staff, None).await;
    assert_eq!(refusal(refused), Refusal::NotAllowed);
    assert_eq!(count(&store, "economy_reading").await, 3);
}

/// A peer street of the district, and 1-9月 tax there and here: ranked by value, growth and
/// completion, ties sharing a place.
async fn streets_rank_among_the_district(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let system = Principal::system("test");
    let peer = "330106009000";
    let file = fixture::collection(&[
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{}","name":"西湖区"}},"geometry":null}}"#,
            fixture::DISTRICT
        ),
        fixture::square(peer, "邻近街道", 120.20, 30.25, 0.04),
    ]);
    store
        .import_boundaries(&system.scope(), system.actor(None), file)
        .await
        .expect("peer street");
    // The district's statistics are kept by a leader of the district.
    store
        .create_user(
            &system.scope(),
            system.actor(None),
            NewUser {
                username: "district_leader".into(),
                display_name: "区领导".into(),
                role: Role::Leader,
                org_code: fixture::DISTRICT.into(),
                department: None,
                password: FIXTURE_PASSWORD.into(),
            },
        )
        .await
        .expect("district leader");
    let district = principal(&store, "district_leader").await;
    let leader = principal(&store, "leader").await;
    record(&store, &leader, "tax_revenue", "2016-09", 68_747).await;
    record(&store, &leader, "tax_revenue", "2017-09", 108_600).await;
    let (scope, actor, now) = (district.scope(), district.actor(None), store.now());
    store
        .write(move |conn| {
            let street = org::current_by_code(conn, peer)?.expect("peer");
            for (at, amount) in [("2016-09", 34_373), ("2017-09", 54_300)] {
                indicators::record(
                    conn,
                    &scope,
                    &actor,
                    now,
                    street.id,
                    "tax_revenue",
                    month(at),
                    amount,
                    "form",
                )?;
            }
            indicators::set_target(conn, &scope, &actor, now, peer, "tax_revenue", 2017, 50_000)
        })
        .await
        .expect("peer figures");
    let scope = leader.scope();
    let lines = store
        .read(move |conn| {
            indicators::ranking(
                conn,
                &scope,
                fixture::STREET,
                "tax_revenue",
                month("2017-09"),
            )
        })
        .await
        .expect("ranking");
    let places: Vec<(&str, [Option<usize>; 3])> = lines
        .iter()
        .map(|l| {
            (
                l.street_code.as_str(),
                [l.by_value, l.by_growth, l.by_completion],
            )
        })
        .collect();
    // Both grew 57.97%; only the peer has a plan.
    assert_eq!(
        places,
        [
            (fixture::STREET, [Some(1), Some(1), None]),
            (peer, [Some(2), Some(1), Some(1)]),
        ]
    );
}

on_both_backends!(
    streets_rank_among_the_district,
    revisions_and_figures_equal_a_recount,
    an_import_with_a_bad_row_writes_nothing
);
