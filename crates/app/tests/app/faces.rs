//! One case from intake to follow-up through `/api/v1` alone, photos included; and the one
//! check every face makes of a category's questions (the API, the staff, grid worker and
//! resident pages, Open311): a required question without an answer refuses the report.

use jiedao_core::case::Channel;
use jiedao_store::testing::fixture;
use jiedao_store::{Backend, Principal, on_both_backends};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::cases::staff;
use crate::support::{TestApp, category, photo};

/// A point inside grid A1.
const LON: f64 = 120.105;
const LAT: f64 = 30.2525;

/// Answers a JSON call or a multipart one: the status and the JSON.
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, value)
}

/// A multipart body: the JSON in the part `body`, each photo in a part `photos`.
fn with_photos(body: &Value, photos: usize) -> Form {
    let mut form = Form::new().part(
        "body",
        Part::text(body.to_string())
            .mime_str("application/json")
            .expect("mime"),
    );
    for n in 0..photos {
        form = form.part(
            "photos",
            Part::bytes(photo())
                .file_name(format!("photo{n}.png"))
                .mime_str("image/png")
                .expect("mime"),
        );
    }
    form
}

async fn client_token(app: &TestApp) -> String {
    let system = Principal::system("test");
    let (_, token) = app
        .store
        .add_client(
            system.scope(),
            system.actor(None),
            "井盖传感器".into(),
            fixture::STREET.into(),
            Channel::Sensor,
        )
        .await
        .expect("client");
    token
}

async fn a_case_goes_from_intake_to_follow_up_through_the_api_alone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base);
    let sensor = client_token(&app).await;

    // Intake with a before-photo and the category's required answer.
    let report = json!({
        "description": "井盖缺失，有行人险些踩空",
        "category": "B0101",
        "lon": LON,
        "lat": LAT,
        "answers": {"cover_state": "missing"},
        "reporter": {"name": "值守员", "phone": "13800002222"}
    });
    let (status, receipt) = answer(
        http.post(url("/api/v1/cases"))
            .bearer_auth(&sensor)
            .multipart(with_photos(&report, 1)),
    )
    .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["unlocated"], false);
    let id = receipt["id"].as_str().expect("id").to_owned();
    let case = format!("/api/v1/cases/{id}");

    let act = |token: String, action: &str, body: Value, photos: usize| {
        let request = http
            .post(url(&format!("{case}/actions/{action}")))
            .bearer_auth(token);
        let request = if photos == 0 {
            request.json(&body)
        } else {
            request.multipart(with_photos(&body, photos))
        };
        answer(request)
    };
    let intake = app.token("intake").await;
    let (status, view) = answer(http.get(url(&case)).bearer_auth(&intake)).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["attachments"], 1, "the report's photo");
    let (status, view) = act(intake.clone(), "file", json!({}), 0).await;
    assert_eq!(
        (status, view["case"]["state"].as_str()),
        (200, Some("filed"))
    );

    let dispatcher = app.token("dispatcher").await;
    let (_, departments) = answer(
        http.get(url("/api/v1/departments"))
            .bearer_auth(&dispatcher),
    )
    .await;
    let squad = departments
        .as_array()
        .expect("departments")
        .iter()
        .find(|d| d["name"] == fixture::DEPARTMENT)
        .and_then(|d| d["code"].as_str())
        .expect("the squad's code")
        .to_owned();
    let (status, view) = act(dispatcher, "dispatch", json!({"department": squad}), 0).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["case"]["department"], fixture::DEPARTMENT);

    let handler = app.token("handler").await;
    let (status, view) = act(handler.clone(), "accept", json!({}), 0).await;
    assert_eq!(status, 200, "{view}");
    // 处置反馈 needs its after-photo: refused without, taken with, through the API alone.
    let (status, refused) = act(handler.clone(), "report_done", json!({"note": "已补齐"}), 0).await;
    assert_eq!(status, 422, "{refused}");
    let (status, view) = act(
        handler.clone(),
        "report_done",
        json!({"note": "已补齐井盖"}),
        2,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["case"]["state"], "handled");
    assert_eq!(view["attachments"], 3);

    let worker = app.token("worker_a1").await;
    let (status, view) = act(worker, "check", json!({"passed": true}), 1).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["attachments"], 4, "the check's photo");
    let lead = app.token("shiftlead").await;
    let (status, view) = act(lead, "close", json!({}), 0).await;
    assert_eq!(
        (status, view["case"]["state"].as_str()),
        (200, Some("closed"))
    );
    let (status, view) = act(
        intake.clone(),
        "follow_up",
        json!({"satisfaction": "satisfied"}),
        0,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["case"]["state"], "evaluated");
    let actions: Vec<&str> = view["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for step in [
        "report",
        "file",
        "dispatch",
        "accept",
        "report_done",
        "check",
        "close",
        "follow_up",
    ] {
        assert!(actions.contains(&step), "{step} in {actions:?}");
    }
    assert_eq!(view["history_intact"], true);

    // A multipart body reads as strictly as the JSON one.
    let form = with_photos(&json!({}), 0).text("colour", "red");
    let (status, body) = answer(
        http.post(url(&format!("{case}/actions/supervise")))
            .bearer_auth(&intake)
            .multipart(form),
    )
    .await;
    assert_eq!(status, 400, "an unknown part: {body}");
    let form = Form::new().text("body", "{not json");
    let (status, body) = answer(
        http.post(url(&format!("{case}/actions/supervise")))
            .bearer_auth(&intake)
            .multipart(form),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_json")));

    // The document describes both bodies, the photos as binary parts.
    let (_, document) = answer(http.get(url("/api/openapi.json"))).await;
    for path in ["/api/v1/cases/{id}/actions/{action}", "/api/v1/cases"] {
        let content = &document["paths"][path]["post"]["requestBody"]["content"];
        assert!(content["application/json"].is_object(), "{path}: {content}");
        let form = content["multipart/form-data"]["schema"].to_string();
        let resolved = match form.split("#/components/schemas/").nth(1) {
            Some(rest) => {
                let name = rest.split('"').next().expect("name");
                document["components"]["schemas"][name].to_string()
            }
            None => form,
        };
        assert!(
            resolved.contains("\"photos\"") && resolved.contains("binary"),
            "{path}: {resolved}"
        );
    }
}

async fn every_face_refuses_a_missing_required_answer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let http = reqwest::Client::new();
    let sensor = client_token(&app).await;
    let post = |body: Value| {
        answer(
            http.post(format!("{}/api/v1/cases", app.base))
                .bearer_auth(&sensor)
                .json(&body),
        )
    };
    let cover = |answers: Value| json!({"description": "井盖", "category": "B0101", "lon": LON, "lat": LAT, "answers": answers});
    // The API: missing, blank (= missing), unknown, not a choice; then answered.
    for (answers, words) in [
        (json!({}), "cover_state"),
        (json!({"cover_state": " "}), "cover_state"),
        (json!({"cover_state": "missing", "colour": "red"}), "colour"),
        (json!({"cover_state": "stolen"}), "stolen"),
    ] {
        let (status, body) = post(cover(answers.clone())).await;
        assert_eq!(status, 422, "{answers}: {body}");
        assert!(
            body["message"].as_str().expect("message").contains(words),
            "{answers}: {body}"
        );
    }
    let (status, body) = post(
        json!({"description": "占道", "category": "E0502", "lon": LON,
        "lat": LAT, "answers": {"stall_count": 3, "goods": ["snacks", "produce"]}}),
    )
    .await;
    assert_eq!(status, 201, "numbers and lists: {body}");
    let (status, body) = post(cover(json!({"cover_state": "missing"}))).await;
    assert_eq!(status, 201, "{body}");

    // Open311, the same check.
    let open311 = |extra: &[(&str, &str)]| {
        let mut form = vec![
            ("api_key", sensor.as_str()),
            ("service_code", "B0101"),
            ("lat", "30.2525"),
            ("long", "120.105"),
            ("description", "井盖"),
        ];
        form.extend_from_slice(extra);
        let request = http
            .post(format!("{}/open311/v2/requests.json", app.base))
            .form(&form);
        async move { request.send().await.expect("post").status().as_u16() }
    };
    assert_eq!(open311(&[]).await, 422);
    assert_eq!(open311(&[("attribute[cover_state]", "missing")]).await, 201);

    // The staff and grid worker pages ask the question and check it the same way.
    let intake = staff(&app, "intake").await;
    let form = intake.get("/cases/new").await;
    assert!(
        form.body.contains(r#"name="answer[B0101][cover_state]""#)
            && form.body.contains("井盖状况"),
        "the staff form asks the category's questions"
    );
    let cover_id = category(&app, "B0101").await;
    let fields = |answer: &'static str| {
        vec![
            ("channel", "hotline"),
            ("category", cover_id.as_str()),
            ("description", "井盖不见了"),
            ("lon", "120.105"),
            ("lat", "30.2525"),
            ("answer[B0101][cover_state]", answer),
        ]
    };
    let refused = intake.post_multipart("/cases/new", &fields(""), &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("cover_state"), "{}", refused.body);
    let taken = intake
        .post_multipart("/cases/new", &fields("missing"), &[])
        .await;
    assert_eq!(taken.status, 303, "{}", taken.body);
    let page = intake.get(taken.location.as_deref().expect("case")).await;
    assert!(page.body.contains("井盖状况：丢失"), "the answer is kept");

    // The resident page asks only the public categories' questions, checked the same way.
    let visitor = app.client();
    let form = visitor.get("/report").await;
    assert!(form.body.contains(r#"name="answer[B0101][cover_state]""#));
    let refused = visitor
        .post_multipart(
            "/report",
            &[
                ("category", cover_id.as_str()),
                ("description", "井盖没了"),
                ("lon", "120.105"),
                ("lat", "30.2525"),
            ],
            &[],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("cover_state"));
}

on_both_backends!(
    a_case_goes_from_intake_to_follow_up_through_the_api_alone,
    every_face_refuses_a_missing_required_answer,
);
