//! Open311 as client libraries in the field speak it: lists given as repeated parameters, an
//! empty field beside a real one, long descriptions, empty attributes, a phone that does not
//! read, `service/{code}`, a zone's `+` that arrived as a space, a page size too large, paths
//! that do not exist, browser applications on other sites; and where a client's points are
//! taken: within its own street only.

use jiedao_core::case::Channel;
use jiedao_store::testing::fixture;
use jiedao_store::{Backend, Principal, on_both_backends};
use serde_json::Value;

use crate::support::TestApp;

const V2: &str = "/open311/v2";

/// A reply: status, headers and body.
struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The spec's error list with this status, in JSON or XML.
    fn assert_error(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.body);
        let json = format!(r#""code":{status}"#);
        let xml = format!("<errors><error><code>{status}</code>");
        assert!(
            self.body.contains(&json) || self.body.contains(&xml),
            "{}",
            self.body
        );
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request");
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.expect("body"),
    }
}

async fn key(app: &TestApp, name: &str) -> String {
    let system = Principal::system("test");
    app.store
        .add_client(
            system.scope(),
            system.actor(None),
            name.into(),
            fixture::STREET.into(),
            Channel::Enterprise,
        )
        .await
        .expect("client")
        .1
}

/// A POST to `requests.json` with these form fields (and an optional query string).
async fn post(app: &TestApp, query: &str, form: &[(&str, &str)]) -> Reply {
    send(
        reqwest::Client::new()
            .post(format!("{}{V2}/requests.json{query}", app.base))
            .form(form),
    )
    .await
}

async fn get(app: &TestApp, path: &str) -> Reply {
    send(reqwest::Client::new().get(format!("{}{V2}/{path}", app.base))).await
}

async fn lenient_spellings_are_read_as_meant(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let key = key(&app, "市民通").await;
    let cover = [
        ("api_key", key.as_str()),
        ("service_code", "B0101"),
        ("lat", "30.2525"),
        ("long", "120.105"),
        ("attribute[cover_state]", "missing"),
    ];

    // An empty api_key in the body does not hide the real one in the query.
    let mut form = cover.to_vec();
    form[0] = ("api_key", "");
    let created = post(&app, &format!("?api_key={key}"), &form).await;
    assert_eq!(created.status, 201, "{}", created.body);

    // An empty attribute, of a known question or not, is no answer.
    let stalls = post(
        &app,
        "",
        &[
            ("api_key", key.as_str()),
            ("service_code", "E0502"),
            ("lat", "30.2525"),
            ("long", "120.105"),
            ("attribute[stall_count]", ""),
            ("attribute[goods][]", ""),
            ("attribute[nope]", ""),
        ],
    )
    .await;
    assert_eq!(stalls.status, 201, "{}", stalls.body);

    // Descriptions up to 4,000 characters.
    let long = "长".repeat(4000);
    let mut form = cover.to_vec();
    form.push(("description", long.as_str()));
    assert_eq!(post(&app, "", &form).await.status, 201);
    let longer = "长".repeat(4001);
    let mut form = cover.to_vec();
    form.push(("description", longer.as_str()));
    post(&app, "", &form).await.assert_error(422);

    // A phone that does not read as one is kept aside, masked; the report is taken.
    let mut form = cover.to_vec();
    form.push(("phone", "138-0000-1234 转 5"));
    let taken = post(&app, "", &form).await;
    assert_eq!(taken.status, 201, "{}", taken.body);
    let case = taken.json()[0]["token"].as_str().expect("token").to_owned();
    let intake = app.token("intake").await;
    let view: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/cases/{case}", app.base))
        .bearer_auth(&intake)
        .send()
        .await
        .expect("case")
        .json()
        .await
        .expect("json");
    assert!(view["reporters"][0]["phone"].is_null(), "{view}");
    let page = crate::cases::staff(&app, "intake")
        .await
        .get(&format!("/cases/{case}"))
        .await;
    assert!(
        page.body.contains("138-****-***4 转 5") && !page.body.contains("0000-1234"),
        "the phone as sent, masked"
    );

    // service_code and status given several times, and mixed with commas.
    let count = |reply: Reply| reply.json().as_array().map_or(0, Vec::len);
    assert_eq!(
        count(get(&app, "requests.json?service_code=B0101").await),
        3
    );
    assert_eq!(
        count(get(&app, "requests.json?service_code=B0101&service_code=E0502").await),
        4
    );
    assert_eq!(
        count(
            get(
                &app,
                "requests.json?service_code=E0502,B0101&status=open&status=closed"
            )
            .await
        ),
        4
    );
    assert_eq!(count(get(&app, "requests.json?status=closed").await), 0);

    // A zone's `+` that arrived as a space; a page size past the most is the most.
    let since = get(&app, "requests.json?start_date=2020-01-01T00:00:00+08:00").await;
    assert_eq!(since.status, 200, "{}", since.body);
    assert_eq!(count(since), 4);
    let big = get(&app, "requests.json?page_size=5000").await;
    assert_eq!(big.status, 200, "{}", big.body);
    get(&app, "requests.json?page_size=0")
        .await
        .assert_error(400);

    // The singular `service/{code}` answers as `services/{code}`.
    let plural = get(&app, "services/B0101.json").await;
    let singular = get(&app, "service/B0101.json").await;
    assert_eq!(singular.status, 200);
    assert_eq!(singular.body, plural.body);

    // Unknown paths and methods answer in the errors format.
    get(&app, "nothing/here.xml").await.assert_error(404);
    get(&app, "requests/a/b.json").await.assert_error(404);
    assert!(
        get(&app, "nothing/here.xml")
            .await
            .body
            .starts_with("<?xml")
    );
    send(reqwest::Client::new().delete(format!("{}{V2}/requests.json", app.base)))
        .await
        .assert_error(404);

    // Browser applications on other sites may read, not post.
    let read = send(
        reqwest::Client::new()
            .get(format!("{}{V2}/services.json", app.base))
            .header("Origin", "https://app.example"),
    )
    .await;
    assert_eq!(read.header("access-control-allow-origin"), Some("*"));
    let preflight = send(
        reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}{V2}/requests.json", app.base),
            )
            .header("Origin", "https://app.example")
            .header("Access-Control-Request-Method", "GET"),
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("GET, HEAD")
    );
    let posted = post(&app, "", &cover).await;
    assert_eq!(posted.status, 201);
    assert_eq!(posted.header("access-control-allow-origin"), None);
}

async fn a_clients_points_are_taken_within_its_street_only(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // A second street beside the fixture's, drawn with a grid.
    let system = Principal::system("test");
    app.store
        .import_boundaries(
            &system.scope(),
            system.actor(None),
            fixture::collection(&[
                fixture::square("330106009000", "新街道", 120.20, 30.25, 0.04),
                fixture::square("330106009001", "新社区", 120.20, 30.25, 0.02),
                fixture::square("330106009001001", "新社区第一网格", 120.20, 30.25, 0.01),
            ]),
        )
        .await
        .expect("a second street");
    let key = key(&app, "市民通").await;
    let at = |lat: &'static str, long: &'static str| {
        vec![
            ("api_key", key.clone()),
            ("service_code", "E0101".to_owned()),
            ("lat", lat.to_owned()),
            ("long", long.to_owned()),
        ]
    };
    let app = &app;
    let post_owned = |form: Vec<(&'static str, String)>| async move {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post(app, "", &form).await
    };

    // In a grid of the client's street: taken there.
    let own = post_owned(at("30.2525", "120.105")).await;
    assert_eq!(own.status, 201, "{}", own.body);
    // In the street but in no grid: taken, to be placed by an operator.
    let gap = post_owned(at("30.2575", "120.105")).await;
    assert_eq!(gap.status, 201, "{}", gap.body);
    let number = gap.json()[0]["service_request_id"]
        .as_str()
        .expect("number")
        .to_owned();
    assert!(number.starts_with("330106008-"), "{number}");
    // In another street's grid: refused, naming it, whatever the jurisdiction says.
    let other = post_owned(at("30.2525", "120.205")).await;
    other.assert_error(403);
    assert!(other.body.contains("新街道"), "{}", other.body);
    let mut asked = at("30.2525", "120.205");
    asked.push(("jurisdiction_id", "330106009000".into()));
    post_owned(asked).await.assert_error(403);
    // Outside everything drawn (San Francisco): refused.
    post_owned(at("37.7749", "-122.4194"))
        .await
        .assert_error(422);

    // The JSON API's clients follow the same rule.
    let api = |lon: f64, lat: f64| {
        let key = key.clone();
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/cases"))
                .bearer_auth(key)
                .json(&serde_json::json!({"description": "垃圾", "lon": lon, "lat": lat}))
                .send()
                .await
                .expect("post")
                .status()
                .as_u16()
        }
    };
    assert_eq!(api(120.105, 30.2525).await, 201);
    assert_eq!(api(120.205, 30.2525).await, 403);
    assert_eq!(api(-122.4194, 37.7749).await, 422);
}

on_both_backends!(
    lenient_spellings_are_read_as_meant,
    a_clients_points_are_taken_within_its_street_only,
);
