//! The economy through HTTP on both databases: a street's figures for a month equal a recount
//! of its readings, and name the versions they used after a correction; a month that does not
//! read is a 400; roles without `ViewEconomy`, and staff who do not reach the street, are
//! refused.

use jiedao_core::economy::Month;
use jiedao_store::economy::indicators;
use jiedao_store::testing::{fixture, principal};
use jiedao_store::{Backend, on_both_backends, org};
use serde_json::Value;

use crate::registry::api_get;
use crate::support::TestApp;

async fn record(app: &TestApp, at: &str, amount: i64) {
    let leader = principal(&app.store, "leader").await;
    let (scope, actor, now) = (leader.scope(), leader.actor(None), app.store.now());
    let at = Month::parse(at).expect("month");
    app.store
        .write(move |conn| {
            let street = org::current_by_code(conn, fixture::STREET)?.expect("street");
            indicators::record(
                conn,
                &scope,
                &actor,
                now,
                street.id,
                "tax_revenue",
                at,
                amount,
                "form",
            )
        })
        .await
        .expect("record");
}

fn tax(body: &str) -> Value {
    let figures: Vec<Value> = serde_json::from_str(body).expect("json");
    figures
        .into_iter()
        .find(|f| f["indicator"] == "tax_revenue")
        .expect("tax")
}

async fn figures_through_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // Cumulative tax: 1-9月 last year 6.8747亿元, this year 10.86亿元 (in fen).
    record(&app, "2016-09", 68_747_000_000).await;
    record(&app, "2017-08", 90_000_000_000).await;
    record(&app, "2017-09", 108_600_000_000).await;
    let path = format!(
        "/api/v1/economy/streets/{}/figures?month=2017-09",
        fixture::STREET
    );
    let (status, body) = api_get(&app, "leader", &path).await;
    assert_eq!(status, 200, "{body}");
    let figures = tax(&body);
    assert_eq!(
        figures["year_to_date"]["current"]["amount"],
        108_600_000_000_i64
    );
    assert_eq!(figures["year_to_date"]["growth_hundredths"], 5797);
    // The month alone: 10.86 - 9.00 亿元.
    assert_eq!(figures["month"]["current"]["amount"], 18_600_000_000_i64);
    assert_eq!(figures["month"]["growth"], "no_base");

    record(&app, "2017-08", 95_000_000_000).await;
    let (_, body) = api_get(&app, "leader", &path).await;
    let corrected = tax(&body);
    assert_eq!(corrected["month"]["current"]["amount"], 13_600_000_000_i64);
    assert_eq!(
        corrected["month"]["current"]["sources"],
        serde_json::json!(["2017-08 v2", "2017-09 v1"])
    );
    // The year to date does not use August: unchanged.
    assert_eq!(corrected["year_to_date"], figures["year_to_date"]);

    let bad = format!(
        "/api/v1/economy/streets/{}/figures?month=2017-13",
        fixture::STREET
    );
    assert_eq!(api_get(&app, "leader", &bad).await.0, 400);
    for refused in ["intake", "handler", "staff_a", "worker_a1"] {
        assert_eq!(api_get(&app, refused, &path).await.0, 403, "{refused}");
    }
}

on_both_backends!(figures_through_the_api);
