//! The JSON API through HTTP: signing in for a token, the same scope and role rules as the
//! pages, acting on cases, reference data and figures, the OpenAPI document and its rendered
//! reference, webhooks delivered signed and retried, and a flood from one token held back.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use jiedao_store::testing::{FIXTURE_PASSWORD, fixture};
use jiedao_store::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::cases::resident_reports;
use crate::support::{TestApp, department};

struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    fn new(app: &TestApp) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: app.base.clone(),
            token: None,
        }
    }

    async fn signed_in(app: &TestApp, username: &str) -> Api {
        let mut api = Api::new(app);
        let (status, body) = api
            .send(
                "POST",
                "/api/v1/login",
                Some(json!({"username": username, "password": FIXTURE_PASSWORD})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["username"], username);
        api.token = Some(body["token"].as_str().expect("token").to_owned());
        api
    }

    async fn send_raw(&self, method: &str, path: &str, body: Option<Value>) -> reqwest::Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let response = self.send_raw(method, path, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        };
        (status, value)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, None).await
    }
}

fn assert_error(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert!(
        body["error"].is_string() && body["message"].is_string(),
        "{body}"
    );
}

async fn staff_use_the_api_with_the_pages_rules(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let anonymous = Api::new(&app);
    let (status, body) = anonymous.get("/api/v1/cases").await;
    assert_error(status, &body, 401);
    let (status, body) = anonymous
        .send(
            "POST",
            "/api/v1/login",
            Some(json!({"username": "dispatcher", "password": "wrong"})),
        )
        .await;
    assert_error(status, &body, 401);
    let (status, body) = anonymous
        .send("POST", "/api/v1/login", Some(json!({"user": "x"})))
        .await;
    assert_error(status, &body, 400);

    let (id, _) = resident_reports(&app).await;
    let intake = Api::signed_in(&app, "intake").await;
    let (status, list) = intake
        .get("/api/v1/cases?open_only=true&page_size=10")
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 1);
    assert_eq!(list["cases"][0]["id"], id.to_string());
    assert_eq!(list["cases"][0]["state"], "reported");
    let (status, body) = intake.get("/api/v1/cases?page_size=0").await;
    assert_error(status, &body, 400);
    let (status, body) = intake.get("/api/v1/cases?state=nonsense").await;
    assert_error(status, &body, 400);
    let (status, body) = intake.get("/api/v1/cases?open_only=maybe").await;
    assert_error(status, &body, 400);

    // Reporters: masked on the case; the intake operator, who calls them back, may ask for
    // them whole, and each asking is logged. Others may not ask.
    let (status, view) = intake.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(view["reporters"][0]["phone"], "138****1234");
    assert_eq!(view["history"][0]["action"], "report");
    assert_eq!(view["history_intact"], true);
    let reveal = format!("/api/v1/cases/{id}/reporters/reveal");
    let (status, whole) = intake.send("POST", &reveal, None).await;
    assert_eq!(status, 200, "{whole}");
    assert_eq!(whole[0]["phone"], "13800001234");
    let worker = Api::signed_in(&app, "worker_a1").await;
    let (_, seen) = worker.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(seen["reporters"][0]["phone"], "138****1234");
    let (status, body) = worker.send("POST", &reveal, None).await;
    assert_error(status, &body, 403);
    let reveals = app
        .audit_count(|record| record.action == "personal.reveal" && record.actor == "intake")
        .await;
    assert_eq!(
        reveals, 1,
        "the one whole view is in the audit log, the refused one not"
    );
    // Out of scope and other people's cases, as on the pages.
    let other_worker = Api::signed_in(&app, "worker_b1").await;
    let (status, body) = other_worker.get(&format!("/api/v1/cases/{id}")).await;
    assert_error(status, &body, 403);
    let (_, theirs) = other_worker.get("/api/v1/cases").await;
    assert_eq!(theirs["total"], 0);
    let resident = Api::signed_in(&app, "resident_b").await;
    let (status, body) = resident.get(&format!("/api/v1/cases/{id}")).await;
    assert_error(status, &body, 404);
    let (status, body) = intake.get("/api/v1/cases/not-a-uuid").await;
    assert_error(status, &body, 404);

    // Acting: the same commands and refusals as the case page, nothing changed when refused.
    let refused = worker
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/actions/void"),
            Some(json!({"reason": "重复"})),
        )
        .await;
    assert_error(refused.0, &refused.1, 403);
    let (status, body) = intake
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/actions/explode"),
            Some(json!({})),
        )
        .await;
    assert_error(status, &body, 404);
    let (status, body) = intake
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/actions/file"),
            Some(json!({"colour": "red"})),
        )
        .await;
    assert_error(status, &body, 400);
    let (_, before) = intake.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(before["history"].as_array().expect("history").len(), 1);
    let (status, filed) = intake
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/actions/file"),
            Some(json!({"note": "属实", "urgency": "normal"})),
        )
        .await;
    assert_eq!(status, 200, "{filed}");
    assert_eq!(filed["case"]["state"], "filed");
    let dispatcher = Api::signed_in(&app, "dispatcher").await;
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    let (status, body) = dispatcher
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/actions/dispatch"),
            Some(json!({"department": "nope"})),
        )
        .await;
    assert_error(status, &body, 422);
    let (status, dispatched) = dispatcher
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/actions/dispatch"),
            Some(json!({"department": squad})),
        )
        .await;
    assert_eq!(status, 200, "{dispatched}");
    assert_eq!(dispatched["case"]["department"], fixture::DEPARTMENT);
    let handler = Api::signed_in(&app, "handler").await;
    let (_, mine) = handler.get("/api/v1/cases").await;
    assert_eq!(
        mine["total"], 1,
        "the department sees what is dispatched to it"
    );
    let (status, accepted) = handler
        .send("POST", &format!("/api/v1/cases/{id}/actions/accept"), None)
        .await;
    assert_eq!(status, 400, "a body is required: {accepted}");
    let (status, accepted) = handler
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/actions/accept"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["case"]["state"], "handling");

    // Reference data and figures.
    let (status, categories) = intake.get("/api/v1/categories").await;
    assert_eq!(status, 200);
    let cover = categories
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["code"] == "B0101")
        .expect("B0101");
    assert_eq!(cover["questions"][0]["code"], "cover_state");
    let (status, units) = worker.get("/api/v1/org").await;
    assert_eq!(status, 200);
    assert!(units.as_array().expect("units").iter().all(|u| {
        u["code"]
            .as_str()
            .is_some_and(|c| c.starts_with(fixture::GRID_A1))
    }));
    let (status, body) = worker.get("/api/v1/org?kind=planet").await;
    assert_error(status, &body, 400);
    let leader = Api::signed_in(&app, "leader").await;
    let (status, figures) = leader.get("/api/v1/stats").await;
    assert_eq!(status, 200, "{figures}");
    assert_eq!(figures["unit"], fixture::STREET);
    assert_eq!(figures["counts"]["accepted"], 1);
    assert!(figures["indicators"].as_array().expect("indicators").len() == 11);
    let (status, body) = leader.get("/api/v1/stats?period=someday").await;
    assert_error(status, &body, 422);
    let (status, body) = worker.get("/api/v1/stats").await;
    assert_error(status, &body, 403);
}

async fn the_document_describes_every_route(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let api = Api::new(&app);
    let (status, doc) = api.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/login", "post"),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases", "post"),
        ("/api/v1/cases/{id}", "get"),
        ("/api/v1/cases/{id}/actions/{action}", "post"),
        ("/api/v1/categories", "get"),
        ("/api/v1/org", "get"),
        ("/api/v1/stats", "get"),
        ("/api/v1/webhooks", "get"),
        ("/api/v1/webhooks", "post"),
        ("/api/v1/webhooks/{id}", "delete"),
        ("/api/v1/webhooks/{id}/deliveries", "get"),
    ] {
        let operation = &paths[path][method];
        assert!(operation.is_object(), "{method} {path} is described");
        for status in ["401", "429"] {
            if path != "/api/v1/login" {
                assert!(
                    operation["responses"][status].is_object(),
                    "{method} {path} {status}"
                );
            }
        }
        // Every described operation answers (here, unauthenticated: 401, never 404 or 405).
        let concrete = path
            .replace("{id}", "01a2a2a2-0000-7000-8000-000000000000")
            .replace("{action}", "accept");
        let response = api
            .send_raw(&method.to_uppercase(), &concrete, Some(json!({})))
            .await;
        let expected = if path == "/api/v1/login" { 400 } else { 401 };
        assert_eq!(response.status().as_u16(), expected, "{method} {path}");
    }
    for schema in [
        "CaseView",
        "CaseList",
        "ErrorBody",
        "WebhookBody",
        "StatsView",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    let visitor = app.client();
    let page = visitor.get("/api/docs").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("/api/v1/cases/{id}/actions/{action}"));
    assert!(page.body.contains("id=\"CaseSummary\""));
}

/// What a receiver saw: each request's headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver that fails its first `failures` deliveries with 500.
async fn receiver(failures: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let handler = move |headers: HeaderMap, body: String| {
        let kept = kept.clone();
        async move {
            let mut seen = kept.lock().expect("seen");
            seen.push((headers, body));
            if seen.len() <= failures {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::NO_CONTENT
            }
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let router = axum::Router::new().route("/hook", axum::routing::post(handler));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, seen)
}

async fn webhooks_are_signed_retried_and_logged(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (url, seen) = receiver(1).await;
    let admin = Api::signed_in(&app, "admin").await;
    let dispatcher = Api::signed_in(&app, "dispatcher").await;
    let body = json!({"street": fixture::STREET, "url": url, "events": ["report", "file"]});
    let (status, refused) = dispatcher
        .send("POST", "/api/v1/webhooks", Some(body.clone()))
        .await;
    assert_error(status, &refused, 403);
    let (status, refused) = admin
        .send(
            "POST",
            "/api/v1/webhooks",
            Some(json!({"street": fixture::STREET, "url": "ftp://x"})),
        )
        .await;
    assert_error(status, &refused, 422);
    let (status, refused) = admin
        .send(
            "POST",
            "/api/v1/webhooks",
            Some(json!({"street": fixture::STREET, "url": url, "events": ["explode"]})),
        )
        .await;
    assert_error(status, &refused, 422);
    let (status, created) = admin.send("POST", "/api/v1/webhooks", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().expect("secret").to_owned();
    let hook = created["webhook"]["id"].as_str().expect("id").to_owned();
    let (_, listed) = admin.get("/api/v1/webhooks").await;
    assert_eq!(listed[0]["url"], url.as_str());

    let (id, _) = resident_reports(&app).await;
    // The first attempt fails (500); the retry, two seconds later, is taken.
    let mut log = Value::Null;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        log = admin
            .get(&format!("/api/v1/webhooks/{hook}/deliveries"))
            .await
            .1;
        if log[0]["status"] == "delivered" {
            break;
        }
    }
    assert_eq!(log[0]["status"], "delivered", "{log}");
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["event"], "report");
    let requests = seen.lock().expect("seen").clone();
    assert_eq!(requests.len(), 2);
    for (headers, body) in &requests {
        let signature = headers["x-jiedao-signature"].to_str().expect("signature");
        assert_eq!(
            signature,
            format!(
                "sha256={}",
                jiedao_store::webhooks::sign(secret.as_bytes(), body.as_bytes())
            )
        );
        assert_eq!(headers["x-jiedao-event"], "report");
        let payload: Value = serde_json::from_str(body).expect("json");
        assert_eq!(payload["case_id"], id.to_string());
        assert_eq!(payload["state"], "reported");
    }
    // Events not subscribed are not sent; ending the subscription stops the rest.
    let lead = Api::signed_in(&app, "shiftlead").await;
    let (status, _) = lead
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/actions/void"),
            Some(json!({"reason": "测试"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = admin
        .send("DELETE", &format!("/api/v1/webhooks/{hook}"), None)
        .await;
    assert_eq!(status, 204);
    let (_, log) = admin
        .get(&format!("/api/v1/webhooks/{hook}/deliveries"))
        .await;
    assert_eq!(
        log.as_array().expect("log").len(),
        1,
        "a void is not subscribed: {log}"
    );
    let (status, body) = admin
        .send("DELETE", "/api/v1/webhooks/nonsense", None)
        .await;
    assert_error(status, &body, 404);
}

async fn a_flood_from_one_token_is_held_back(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let leader = Api::signed_in(&app, "leader").await;
    let allowance = jiedao_web::WebConfig::default().api_per_minute;
    let mut limited = None;
    for _ in 0..=allowance * 2 {
        let response = leader.send_raw("GET", "/api/v1/org", None).await;
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let limited = limited.expect("the flood is limited");
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!(wait >= 1);
    let body: Value = limited.json().await.expect("json");
    assert_eq!(body["error"], "too_many_requests");
    // Another person's token is not held back.
    let other = Api::signed_in(&app, "dispatcher").await;
    assert_eq!(other.get("/api/v1/org").await.0, 200);
}

async fn notices_for_dispatch_and_supervision_are_sent_from_their_template(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (url, seen) = receiver(0).await;
    let admin = Api::signed_in(&app, "admin").await;
    let template = r#"{"to":"{{department}}","content":"【明湖街道】案件{{number}}（{{category}}）已{{action}}，请于{{deadline}}前处置。地址：{{address}}"}"#;
    let (status, refused) = admin
        .send(
            "POST",
            "/api/v1/webhooks",
            Some(json!({"street": fixture::STREET, "url": url, "template": "{{numbr}}"})),
        )
        .await;
    assert_error(status, &refused, 422);
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or("")
            .contains("{{numbr}}"),
        "{refused}"
    );
    let body = json!({"street": fixture::STREET, "url": url,
        "events": ["dispatch", "supervise"], "template": template});
    let (status, created) = admin.send("POST", "/api/v1/webhooks", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["webhook"]["template"], template);

    let (id, _) = resident_reports(&app).await;
    let lead = Api::signed_in(&app, "shiftlead").await;
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    let leader = Api::signed_in(&app, "leader").await;
    for (who, action, body) in [
        (&lead, "file", json!({"note": "属实"})),
        (&lead, "dispatch", json!({"department": squad})),
        (&leader, "supervise", json!({"reason": "请加快处置"})),
    ] {
        let (status, answer) = who
            .send(
                "POST",
                &format!("/api/v1/cases/{id}/actions/{action}"),
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{action}: {answer}");
    }
    let mut requests = Vec::new();
    for _ in 0..100 {
        requests = seen.lock().expect("seen").clone();
        if requests.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(requests.len(), 2, "only dispatch and supervise are noticed");
    let (_, case) = lead.get(&format!("/api/v1/cases/{id}")).await;
    let number = case["case"]["number"].as_str().expect("number").to_owned();
    // Deliveries run side by side: each is matched to its event by its header.
    let mut events: Vec<&str> = requests
        .iter()
        .map(|(headers, _)| headers["x-jiedao-event"].to_str().expect("event"))
        .collect();
    events.sort_unstable();
    assert_eq!(events, ["dispatch", "supervise"]);
    for (headers, body) in &requests {
        let action = match headers["x-jiedao-event"].to_str().expect("event") {
            "dispatch" => "派遣",
            _ => "督办",
        };
        let notice: Value = serde_json::from_str(body).expect("the template is JSON");
        assert_eq!(notice["to"], fixture::DEPARTMENT);
        let content = notice["content"].as_str().expect("content");
        assert!(
            content.starts_with(&format!("【明湖街道】案件{number}（")),
            "{content}"
        );
        assert!(
            content.contains(&format!("已{action}，请于20")),
            "{content}"
        );
        assert!(!content.contains("{{"), "every place is filled: {content}");
        assert!(
            headers.contains_key("x-jiedao-signature"),
            "signed as any delivery"
        );
    }
}

on_both_backends!(
    staff_use_the_api_with_the_pages_rules,
    the_document_describes_every_route,
    webhooks_are_signed_retried_and_logged,
    notices_for_dispatch_and_supervision_are_sent_from_their_template,
    a_flood_from_one_token_is_held_back
);
